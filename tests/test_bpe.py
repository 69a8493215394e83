"""BPETokenizer against its references: the textbook example, a naive trainer, tiktoken, HF tokenizers."""

import doctest
import importlib.util
import json
import random
import unicodedata

import pytest

import course_lib.bpe as bpe
from course_lib.bpe import GPT4_SPLIT_PATTERN, BPETokenizer
from course_lib.corpus import course_corpus

CORPUS = "\n\n".join(course_corpus())
TRICKY = [
    "", " ", "?", "a", "\x00", "\x00\x01\x1f\x7f", "\t\n\r\x0b\x0c\x85", "\r\n\r\n", "\n\n\n",
    "   leading and trailing   ", "you'll I'M don't WE'VE", "1234567890 3.14159 1e-9", "a" * 500,
    " " * 100 + "x", "hello  world", "👩‍👩‍👧‍👦 family 🏳️‍🌈 👍🏽", "日本語のテキスト、中文分词。",
    "한국어 텍스트", "e\u0301 a\u0308\u0304 combining", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚ö̜", "עברית ושלום", "مرحبا بالعالم",
    "\u202eRTL override\u202c", "\ufeffBOM\u200b\u00a0\u3000", "\U0010ffff\ue000\U0001f9ff", "𝕳𝖊𝖑𝖑𝖔 ∑∫√",
    "<|endoftext|>", "<|end", "<script>alert('x')</script>", "def f(x):\n    return x ** 2\n",
]
# Round trips only, not compared with tiktoken: letters new in Unicode 17 (CJK Ext. J, ...) are
# \p{L} for the `regex` module but not for tiktoken's Rust regex (Unicode 16): the splits differ.
UNICODE_17 = ["\U000323b0\U0003315c\U0001e6c0 new letters", "\U000e0080\U0007ffff unassigned"]
ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", " \t\n\r ", "'s 't 're 'LL 'd",
    ".,;:!?'\"()[]{}<>-_/\\@#$%^&*+=|~`", "àéîõüçñßøåæœÀÉ", "αβγδεζηθΩ", "абвгдежзиЖЯ",
    "日本語中文汉字漢字かなカナ",
    "한국어", "العربيةמרחבא", "हिन्दी", "😀🙂👍🏽👩‍💻🇫🇷❤️", "\u200d\ufe0f\u0301\u0308\u200b\u00a0\u3000",
]


def random_code_point(rng: random.Random) -> str:
    """Any code point that Python's unicodedata (Unicode <= 16) calls assigned; no surrogates."""
    while True:
        ch = chr(rng.randrange(0x20, 0x110000))
        if unicodedata.category(ch) not in ("Cn", "Cs"):
            return ch


def random_text(rng: random.Random, n_pieces: int) -> str:
    """Runs from mixed scripts, plus a few arbitrary assigned code points."""
    out = []
    for _ in range(n_pieces):
        if rng.random() < 0.05:
            out.append(random_code_point(rng))
        else:
            alphabet = rng.choice(ALPHABETS)
            out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))))
    return "".join(out)


RANDOM_TEXTS = [random_text(random.Random(seed), random.Random(seed).randint(0, 60)) for seed in range(200)]


def naive_train(text: str, vocab_size: int, pattern: str | None) -> dict:
    """minbpe's trainer: recount every pair of every chunk occurrence after each merge; same tie rule."""
    ids = [list(chunk.encode("utf-8")) for chunk in BPETokenizer(pattern)._pre_tokenize(text)]
    merges = {}
    for new_id in range(256, vocab_size):
        stats = {}
        for chunk in ids:
            for pair in zip(chunk, chunk[1:]):
                stats[pair] = stats.get(pair, 0) + 1
        if not stats:
            break
        pair = max(stats, key=lambda p: (stats[p], -p[0], -p[1]))  # most frequent, then smallest
        merges[pair] = new_id
        ids = [bpe._merge(chunk, pair, new_id) for chunk in ids]
    return merges


@pytest.fixture(scope="module", params=[None, "gpt2", "gpt4"])
def trained(request):
    tok = BPETokenizer(request.param, special_tokens={"<|endoftext|>": 1000})
    tok.train(CORPUS[:5000] + "".join(TRICKY) + "".join(RANDOM_TEXTS[:5]), vocab_size=256 + 60)
    assert len(tok.merges) == 60
    return tok


def test_textbook_example():
    tok = BPETokenizer()
    tok.train("aaabdaaabac", vocab_size=256 + 3)
    assert tok.merges == {(97, 97): 256, (97, 98): 257, (256, 257): 258}  # aa, ab, aaab
    assert tok.encode("aaabdaaabac") == [258, 100, 258, 97, 99]
    assert tok.decode([258, 100, 258, 97, 99]) == "aaabdaaabac"
    assert tok.vocab_size == 259


def test_doctests_pass():
    have_tiktoken = importlib.util.find_spec("tiktoken") and importlib.util.find_spec("llama_index")
    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(bpe):
        if have_tiktoken or "tiktoken" not in test.name:
            runner.run(test)
    assert runner.tries >= 12 and runner.failures == 0


ROUND_TRIP = {f"{name}{i}": text for name, texts in [("tricky", TRICKY), ("unicode17_", UNICODE_17),
                                                       ("random", RANDOM_TEXTS[:50])]
              for i, text in enumerate(texts)}


@pytest.mark.parametrize("text", ROUND_TRIP.values(), ids=ROUND_TRIP.keys())
def test_round_trip(trained, text):
    ids = trained.encode(text, allowed_special="all")
    assert all(isinstance(i, int) and 0 <= i < trained.vocab_size for i in ids)
    assert trained.decode(ids) == text
    assert trained.decode_bytes(trained.encode(text, allowed_special="none")) == text.encode("utf-8")


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("pattern", [None, "gpt2", "gpt4"])
def test_incremental_training_matches_naive_trainer(seed, pattern):
    rng = random.Random(seed)
    words = ["low", "lower", "newest", "widest", "aaa", "ab", "日本", "🙂"]
    text = " ".join(rng.choice(words) for _ in range(80)) + random_text(rng, 20)
    tok = BPETokenizer(pattern)
    tok.train(text, vocab_size=256 + 40)
    assert tok.merges == naive_train(text, 256 + 40, pattern)


def test_training_is_deterministic_and_breaks_ties_by_smallest_pair():
    first, second = BPETokenizer("gpt4"), BPETokenizer("gpt4")
    first.train(CORPUS, 300)
    second.train(CORPUS, 300)
    assert list(first.merges.items()) == list(second.merges.items())
    tok = BPETokenizer()
    tok.train("dcba", 257)  # every pair occurs once: (98, 97) "ba" is the smallest
    assert tok.merges == {(98, 97): 256}


def test_training_stops_when_pairs_run_out_and_skips_special_tokens():
    tok = BPETokenizer(special_tokens={"<|endoftext|>": 5000})
    tok.train("<|endoftext|>ab<|endoftext|>" * 50, vocab_size=1000)
    assert tok.merges == {(97, 98): 256}  # nothing learned from inside the special token
    assert tok.encode("ab<|endoftext|>", allowed_special="all") == [256, 5000]
    assert tok.encode("ab<|endoftext|>", allowed_special=set()) == [256, *b"<|endoftext|>"]
    assert tok.vocab_size == 5001



@pytest.mark.parametrize("seed", range(4))
def test_special_tokens_are_refused_by_default(seed):
    """Safe default (tiktoken, minbpe): special-token text in the input raises unless allowed."""
    rng = random.Random(seed)
    specials = {"<|endoftext|>": 700, "<|im_start|>": 701, "<|im_end|>": 702}
    tok = BPETokenizer(rng.choice([None, "gpt2", "gpt4"]), special_tokens=specials)
    tok.train(CORPUS[:3000], 256 + 30)
    for _ in range(20):
        parts = [random_text(rng, rng.randrange(0, 8)) for _ in range(3)]
        token = rng.choice(sorted(specials))
        text = parts[0] + token + parts[1] + rng.choice(["", token]) + parts[2]
        with pytest.raises(ValueError, match=token.replace("|", r"\|")):
            tok.encode(text)
        plain = tok.encode(text, allowed_special="none")
        assert not set(plain) & set(specials.values()) and tok.decode(plain) == text
        control = tok.encode(text, allowed_special="all")
        assert control.count(specials[token]) == text.count(token) and tok.decode(control) == text
        assert tok.encode(text, allowed_special={token}) == control
        others = set(specials) - {token}
        assert tok.encode(text, allowed_special=others) == plain
        clean = parts[0] + parts[2]
        if not any(t in clean for t in specials):
            assert tok.encode(clean) == tok.encode(clean, allowed_special="none")
    with pytest.raises(ValueError, match="'none_raise', 'none', 'all'"):
        tok.encode("x", allowed_special="everything")


def test_default_refusal_matches_tiktoken():
    pytest.importorskip("tiktoken")
    if not importlib.util.find_spec("llama_index") or not importlib.util.find_spec("llama_index.core"):
        pytest.skip("llama-index-core (it bundles tiktoken's files for offline use) is not installed")
    enc = bpe.tiktoken_encoding("cl100k_base")
    ours = BPETokenizer.from_merges({}, pattern="gpt4", special_tokens=dict(enc._special_tokens))
    texts = ["hi<|endoftext|>", "<|fim_middle|> x", "plain text", "<|endoftext", "a<|im_start|>"]
    refusals = 0
    for text in texts:
        try:
            enc.encode(text)
            refused = False
        except ValueError:
            refused = True
        refusals += refused
        if refused:
            with pytest.raises(ValueError, match="special token"):
                ours.encode(text)
        else:
            assert ours.encode(text) == ours.encode(text, allowed_special="none")
    assert refusals == 2  # <|endoftext|> and <|fim_middle|>: cl100k's own specials

def test_save_and_load_round_trip(tmp_path):
    tok = BPETokenizer("gpt2", special_tokens={"<|endoftext|>": 400, "<|pad|>": 401})
    tok.train(CORPUS, 330)
    tok.save(tmp_path / "tok.json")
    loaded = BPETokenizer.load(tmp_path / "tok.json")
    assert list(loaded.merges.items()) == list(tok.merges.items())
    assert (loaded.pattern, loaded.special_tokens) == (tok.pattern, tok.special_tokens)
    assert loaded.vocab == tok.vocab
    for text in TRICKY + RANDOM_TEXTS[:20]:
        assert loaded.encode(text, allowed_special="all") == tok.encode(text, allowed_special="all")
    shuffled = list(range(256))
    random.Random(0).shuffle(shuffled)  # tiktoken-style byte ids survive too
    custom = BPETokenizer.from_merges({(shuffled[104], shuffled[105]): 256}, shuffled, pattern=r"\w+|\W")
    custom.save(tmp_path / "custom.json")
    again = BPETokenizer.load(tmp_path / "custom.json")
    assert again.encode("hi, hi") == custom.encode("hi, hi") == [256, shuffled[44], shuffled[32], 256]


# ---- tiktoken: the same ids as cl100k_base and o200k_base ----

@pytest.fixture(scope="module", params=["cl100k_base", "o200k_base"])
def tiktoken_pair(request):
    pytest.importorskip("tiktoken")
    if not importlib.util.find_spec("llama_index") or not importlib.util.find_spec("llama_index.core"):
        pytest.skip("llama-index-core (it bundles tiktoken's files for offline use) is not installed")
    return BPETokenizer.from_tiktoken(request.param), bpe.tiktoken_encoding(request.param)


def test_tiktoken_same_ids_on_corpus_and_random_unicode(tiktoken_pair):
    ours, enc = tiktoken_pair
    assert ours.vocab_size == enc.n_vocab
    assert ours.special_tokens == enc._special_tokens
    assert (ours.pattern == GPT4_SPLIT_PATTERN) == (enc.name == "cl100k_base")
    for text in [CORPUS, *course_corpus(), *TRICKY, *RANDOM_TEXTS]:
        expected = enc.encode(text, allowed_special="all")
        assert ours.encode(text, allowed_special="all") == expected, text
        assert ours.encode(text, allowed_special="none") == enc.encode_ordinary(text), text
        assert ours.decode(expected) == enc.decode(expected) == text
    text = "a<|endoftext|>b<|fim_prefix|>c"  # only the first is allowed; cl100k also knows the second
    allowed = {"<|endoftext|>"}
    assert ours.encode(text, allowed) == enc.encode(text, allowed_special=allowed, disallowed_special=())


def test_tiktoken_same_decode_of_arbitrary_ids(tiktoken_pair):
    ours, enc = tiktoken_pair
    rng = random.Random(0)
    for _ in range(50):
        ids = [rng.randrange(enc.n_vocab - 1000) for _ in range(rng.randint(1, 8))]  # may cut characters
        assert ours.decode_bytes(ids) == enc.decode_bytes(ids)
        assert ours.decode(ids) == enc.decode(ids)


# ---- HF tokenizers: same ids from the same merge list; similar compression at equal vocab ----

def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's printable stand-in for each byte, used in HF's ByteLevel vocabularies."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    extra = [b for b in range(256) if b not in printable]
    return {**{b: chr(b) for b in printable}, **{b: chr(256 + n) for n, b in enumerate(extra)}}


def hf_from_ours(tok: BPETokenizer):
    """An HF BPE tokenizer with our ids and merge list and GPT-2 pre-tokenization."""
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import decoders, models, pre_tokenizers

    b2u = bytes_to_unicode()
    as_str = {i: "".join(b2u[b] for b in tok.vocab[i]) for i in range(256 + len(tok.merges))}
    assert len(set(as_str.values())) == len(as_str)  # HF's vocab needs distinct strings
    merges = [(as_str[a], as_str[b]) for a, b in tok.merges]
    hf = tokenizers.Tokenizer(models.BPE({s: i for i, s in as_str.items()}, merges))
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    hf.decoder = decoders.ByteLevel()
    return hf


def train_hf(text: str, vocab_size: int):
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import models, pre_tokenizers, trainers

    hf = tokenizers.Tokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    hf.train_from_iterator([text], trainers.BpeTrainer(
        vocab_size=vocab_size, show_progress=False, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return hf


def test_hf_same_ids_from_our_merge_list():
    ours = BPETokenizer("gpt2")
    ours.train(CORPUS + "".join(RANDOM_TEXTS[:40]), 256 + 120)
    hf = hf_from_ours(ours)
    for text in [CORPUS, *TRICKY, *RANDOM_TEXTS]:
        assert ours.encode(text) == hf.encode(text).ids, text
        assert hf.decode(ours.encode(text)) == text


def test_hf_same_ids_from_hf_merge_list():
    hf = train_hf(CORPUS + "".join(RANDOM_TEXTS[:40]), 256 + 120)
    vocab = hf.get_vocab()  # str -> id
    merges = json.loads(hf.to_str())["model"]["merges"]  # [[a, b], ...] ("a b" before tokenizers 0.20)
    merges = [m.split(" ") if isinstance(m, str) else m for m in merges]
    b2u = bytes_to_unicode()
    byte_ids = [vocab[b2u[b]] for b in range(256)]  # HF orders its alphabet its own way
    ours = BPETokenizer.from_merges({(vocab[a], vocab[b]): vocab[a + b] for a, b in merges}, byte_ids, "gpt2")
    assert len(ours.merges) == 120
    for text in [CORPUS, *TRICKY, *RANDOM_TEXTS]:
        assert ours.encode(text) == hf.encode(text).ids, text


def test_compression_close_to_hf_at_equal_vocab():
    paragraphs = course_corpus()
    train_text, held_out = "\n\n".join(paragraphs[:40]), "\n\n".join(paragraphs[40:])
    ours = BPETokenizer("gpt2")
    ours.train(train_text, 400)
    hf = train_hf(train_text, 400)
    assert ours.vocab_size == hf.get_vocab_size() == 400
    assert abs(len(ours.encode(held_out)) / len(hf.encode(held_out).ids) - 1) < 0.05


# ---- user mistakes ----

@pytest.mark.parametrize("vocab_size", [255, 0, -1, 256.0, "512", True, None])
def test_bad_vocab_size_is_a_value_error(vocab_size):
    with pytest.raises(ValueError, match="vocab_size"):
        BPETokenizer().train("abc", vocab_size)


def test_bad_inputs_raise_clear_errors(tmp_path):
    tok = BPETokenizer(special_tokens={"<|end|>": 300})
    with pytest.raises(TypeError, match="bytes"):
        tok.encode(b"bytes")
    with pytest.raises(TypeError, match="int"):
        tok.train(123, 300)
    with pytest.raises(ValueError, match="lone surrogate '\\\\ud800' at index 2"):
        tok.encode("ab\ud800c")
    for ids in ([-1], [10**9], [1.5], ["a"], [299]):
        with pytest.raises(ValueError, match="not an id"):
            tok.decode(ids)
    with pytest.raises(TypeError, match="sequence of ints"):
        tok.decode("abc")
    with pytest.raises(ValueError, match="allowed_special"):
        tok.encode("x", allowed_special={"<|unknown|>"})
    with pytest.raises(ValueError, match="must be >= vocab_size 512"):
        tok.train("abc", 512)
    with pytest.raises(ValueError, match="not a valid regex"):
        BPETokenizer(pattern="(unclosed")
    with pytest.raises(TypeError, match="pattern"):
        BPETokenizer(pattern=5)
    with pytest.raises(ValueError, match="expected an int >= 256"):
        BPETokenizer(special_tokens={"<|end|>": 10})
    with pytest.raises(ValueError, match="distinct ids"):
        BPETokenizer(special_tokens={"<a>": 300, "<b>": 300})
    for merges in ({(256, 97): 257}, {(97, 98): 98}):  # an unknown id; a merge overwriting a byte
        with pytest.raises(ValueError, match="not defined before"):
            BPETokenizer.from_merges(merges)
    ranks = {b"a": 0, b"b": 1, b"c": 2, b"abc": 3, b"ab": 4}  # "abc" needs "ab", ranked after it
    with pytest.raises(ValueError, match="cannot be built from lower-ranked tokens"):
        bpe._recover_pair(ranks, b"abc", 3)
    (tmp_path / "other.json").write_text('{"model": {}}')
    with pytest.raises(ValueError, match="not a course_lib.bpe/1 file"):
        BPETokenizer.load(tmp_path / "other.json")
