"""WordTokenizer against its reference, HF tokenizers' WordLevel model, on randomized corpora."""

import random

import pytest

from course_lib.tokenizers import SPECIAL_TOKENS, WordTokenizer, pre_tokenize

WORDS = ["the", "cat", "sat", "on", "mat", "Dog", "ran", "über", "naïve", "tokens", "x1", "42", "café"]
PUNCT = [".", ",", "!", "?", "...", ";", "'", "-"]


def random_texts(rng: random.Random, n_texts: int) -> list[str]:
    texts = []
    for _ in range(n_texts):
        parts = [rng.choice(WORDS + PUNCT) for _ in range(rng.randint(0, 25))]
        texts.append(rng.choice([" ", "  ", "\n", " \t"]).join(parts))
    return texts


def hf_word_level(texts: list[str], min_frequency: int, vocab_size: int | None = None):
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import models, normalizers, pre_tokenizers, trainers

    tok = tokenizers.Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    kwargs = {"vocab_size": vocab_size} if vocab_size else {}
    trainer = trainers.WordLevelTrainer(min_frequency=min_frequency, special_tokens=list(SPECIAL_TOKENS), **kwargs)
    tok.train_from_iterator(texts, trainer)
    return tok


@pytest.mark.parametrize("seed", range(8))
def test_vocabulary_and_ids_match_hf_word_level(seed):
    rng = random.Random(seed)
    texts = random_texts(rng, rng.randint(5, 40))
    min_frequency = rng.randint(1, 4)
    ours = WordTokenizer().build_vocabulary(texts, min_frequency=min_frequency)
    theirs = hf_word_level(texts, min_frequency)
    assert ours.token_to_id == theirs.get_vocab()
    for text in random_texts(rng, 10):
        expected = theirs.encode(text).ids
        assert ours.encode(text, add_special_tokens=False) == expected
        assert ours.decode(expected) == theirs.decode(expected)


@pytest.mark.parametrize("seed", range(4))
def test_max_vocab_size_keeps_the_most_frequent_like_hf(seed):
    rng = random.Random(100 + seed)
    texts = random_texts(rng, 30)
    size = rng.randint(5, 12)
    ours = WordTokenizer().build_vocabulary(texts, max_vocab_size=size)
    assert ours.vocab_size == size
    assert ours.token_to_id == hf_word_level(texts, 1, vocab_size=size).get_vocab()


def test_round_trip_of_known_words_and_lossy_decode():
    tok = WordTokenizer().build_vocabulary(["Hello, world! Hello again."])
    ids = tok.encode("Hello, world!")
    assert ids[0] == tok.bos_id and ids[-1] == tok.eos_id
    assert tok.decode(ids) == "hello , world !"  # case and spacing do not come back
    for text in ["hello world", "again , hello !", ""]:
        assert tok.decode(tok.encode(text)) == " ".join(pre_tokenize(text))


def test_unknown_words_become_unk():
    tok = WordTokenizer().build_vocabulary(["a b c"])
    assert tok.encode("a zebra c", add_special_tokens=False) == [tok.token_to_id["a"], tok.unk_id, tok.token_to_id["c"]]
    assert tok.tokenize("a zebra") == ["a", "<unk>"]
    assert tok.decode([tok.unk_id], skip_special_tokens=False) == "<unk>"


def test_special_tokens_have_fixed_ids_and_can_be_skipped():
    tok = WordTokenizer().build_vocabulary(["x y"])
    assert tok.id_to_token[:4] == list(SPECIAL_TOKENS)
    assert (tok.pad_id, tok.unk_id, tok.bos_id, tok.eos_id) == (0, 1, 2, 3)
    ids = [tok.bos_id, tok.token_to_id["x"], tok.pad_id, tok.eos_id]
    assert tok.decode(ids) == "x"
    assert tok.decode(ids, skip_special_tokens=False) == "<bos> x <pad> <eos>"
    assert tok.count_tokens("x y") == 4 and tok.count_tokens("x y", add_special_tokens=False) == 2


def test_special_token_text_in_corpus_is_not_duplicated():
    tok = WordTokenizer(lowercase=False).build_vocabulary(["<unk> a"])
    assert tok.id_to_token.count("<unk>") == 1


@pytest.mark.parametrize("min_frequency", [1, 2, 3, 5])
def test_min_frequency_keeps_exactly_words_seen_that_often(min_frequency):
    texts = ["a a a a a b b b b c c c d d e"]  # a:5 b:4 c:3 d:2 e:1
    tok = WordTokenizer().build_vocabulary(texts, min_frequency=min_frequency)
    counts = {"a": 5, "b": 4, "c": 3, "d": 2, "e": 1}
    assert tok.id_to_token[4:] == [w for w, c in counts.items() if c >= min_frequency]


def test_case_is_kept_when_lowercase_is_off():
    tok = WordTokenizer(lowercase=False).build_vocabulary(["Cat cat"])
    assert tok.encode("Cat", add_special_tokens=False) != tok.encode("cat", add_special_tokens=False)


def test_encoding_before_a_vocabulary_exists_says_what_to_do():
    with pytest.raises(RuntimeError, match="build_vocabulary"):
        WordTokenizer().encode("hello")


@pytest.mark.parametrize("bad", [None, 42, ["a list"], b"bytes"])
def test_encode_rejects_non_strings_naming_the_type(bad):
    tok = WordTokenizer().build_vocabulary(["a"])
    with pytest.raises(TypeError, match=type(bad).__name__):
        tok.encode(bad)


@pytest.mark.parametrize("ids, match", [([0, 99], "99"), ([-1], "-1"), (["a"], "'a'"), ([1.5], "1.5"), ("abc", "str")])
def test_decode_rejects_bad_ids(ids, match):
    tok = WordTokenizer().build_vocabulary(["a"])
    with pytest.raises((TypeError, ValueError), match=match):
        tok.decode(ids)


@pytest.mark.parametrize("kwargs, match", [
    ({"min_frequency": 0}, "min_frequency"), ({"min_frequency": 1.5}, "min_frequency"),
    ({"max_vocab_size": 3}, "max_vocab_size"),
])
def test_build_vocabulary_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        WordTokenizer().build_vocabulary(["a"], **kwargs)


def test_build_vocabulary_rejects_a_bare_string_and_non_string_items():
    with pytest.raises(TypeError, match="single str"):
        WordTokenizer().build_vocabulary("a b c")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        WordTokenizer().build_vocabulary(["a", 3])


def test_special_tokens_must_be_four_distinct():
    with pytest.raises(ValueError, match="4 distinct"):
        WordTokenizer(special_tokens=("<pad>", "<pad>", "<bos>", "<eos>"))
