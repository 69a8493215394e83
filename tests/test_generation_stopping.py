"""course_lib.generation.stopping against transformers' MaxLength/EosToken/StopString criteria."""

import random

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from course_lib.bpe import BPETokenizer  # noqa: E402
from course_lib.generation.stopping import (EosToken, MaxNewTokens, StopStrings, stop_reached,  # noqa: E402
                                            trim_at_stop)

WORDS = ["stop", "st", "op", "sto", "pper", "las", "topper", "the", " ", "\n", "Q:", "A:", "é", "🙂", "END", "..",
         "token", "ns", "a", "b"]
STOPS = ["stop", "\nQ:", "END", "é🙂", "..", "ab"]


@pytest.fixture(scope="module")
def hf_tokenizer():
    """A small byte-level BPE tokenizer (HF tokenizers), trained on random text built from WORDS."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    rng = random.Random(0)
    texts = ["".join(rng.choice(WORDS) for _ in range(30)) for _ in range(300)]
    raw = Tokenizer(models.BPE())
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    raw.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=330, initial_alphabet=
                                                       pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    return PreTrainedTokenizerFast(tokenizer_object=raw, clean_up_tokenization_spaces=False)


def first_true_step(criterion, ids, start=1):
    """For each row, the first length t >= start at which criterion(ids[:, :t]) is True (or None)."""
    first = [None] * ids.shape[0]
    for t in range(start, ids.shape[1] + 1):
        for row, done in enumerate(criterion(ids[:, :t]).tolist()):
            if done and first[row] is None:
                first[row] = t
    return first


def random_batch(tokenizer, rng, batch=3):
    texts = ["".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 12))) for _ in range(batch)]
    rows = [tokenizer.encode(t, add_special_tokens=False) for t in texts]
    width = max(len(r) for r in rows)
    pad = tokenizer.encode(" ", add_special_tokens=False)[0]
    return torch.tensor([r + [pad] * (width - len(r)) for r in rows])


@pytest.mark.parametrize("seed", range(12))
def test_stop_strings_stop_at_the_same_step_as_transformers(hf_tokenizer, seed):
    from transformers.generation.stopping_criteria import StopStringCriteria

    rng = random.Random(seed)
    stops = rng.sample(STOPS, rng.randrange(1, 4))
    ids = random_batch(hf_tokenizer, rng)
    ours = StopStrings(stops, hf_tokenizer)
    theirs = StopStringCriteria(hf_tokenizer, stops)
    got = first_true_step(lambda x: ours(x, 0), ids)
    expected = first_true_step(lambda x: theirs(x, None), ids)
    assert got == expected, (stops, [hf_tokenizer.decode(r) for r in ids.tolist()])


@pytest.mark.parametrize("seed", range(6))
def test_stop_strings_on_random_ids_match_transformers(hf_tokenizer, seed):
    """Random ids over the whole vocabulary (half characters included), ASCII stop strings."""
    from transformers.generation.stopping_criteria import StopStringCriteria

    rng = random.Random(100 + seed)
    stops = rng.sample(["st", "op", "a", "b", ".", " "], 2)
    ids = torch.tensor([[rng.randrange(len(hf_tokenizer)) for _ in range(15)] for _ in range(4)])
    got = first_true_step(lambda x: StopStrings(stops, hf_tokenizer)(x, 0), ids)
    expected = first_true_step(lambda x: StopStringCriteria(hf_tokenizer, stops)(x, None), ids)
    assert got == expected


@pytest.mark.parametrize("seed", range(6))
def test_stop_strings_on_our_bpe_bytes_equal_text_search(seed):
    """Our BPETokenizer is matched on bytes: same answer as searching the decoded text of whole characters."""
    rng = random.Random(seed)
    tok = BPETokenizer()
    tok.train("".join(rng.choice(WORDS) for _ in range(400)), vocab_size=300)
    stops = rng.sample(STOPS, 2)
    texts = ["".join(rng.choice(WORDS) for _ in range(8)) for _ in range(3)]
    for text in texts:
        ids = torch.tensor([tok.encode(text)])
        for t in range(1, ids.shape[1] + 1):
            got = bool(StopStrings(stops, tok)(ids[:, :t], 0)[0])
            raw = tok.decode_bytes(ids[0, :t].tolist())
            assert got == any(s.encode() in raw for s in stops)
        assert bool(StopStrings(stops, tok)(ids, 0)[0]) == any(s in text for s in stops)


def test_stop_strings_ignore_the_prompt():
    tok = BPETokenizer()
    ids = torch.tensor([tok.encode("stop here, then go on")])
    assert not StopStrings(["stop"], tok)(ids, prompt_length=4)[0]
    assert StopStrings(["stop"], tok)(ids, prompt_length=3)[0] == torch.tensor(False)  # "p here..." only
    assert StopStrings(["stop"], tok)(ids, prompt_length=0)[0]


@pytest.mark.parametrize("seed", range(8))
def test_max_new_tokens_and_eos_match_transformers(seed):
    from transformers.generation.stopping_criteria import EosTokenCriteria, MaxLengthCriteria

    rng = random.Random(seed)
    batch, prompt, total, vocab = rng.randrange(1, 5), rng.randrange(0, 4), 12, rng.randrange(3, 9)
    eos = rng.sample(range(vocab), rng.randrange(1, 3))
    eos = eos[0] if len(eos) == 1 and rng.random() < 0.5 else eos
    ids = torch.tensor([[rng.randrange(vocab) for _ in range(total)] for _ in range(batch)])
    n = rng.randrange(0, 8)
    for t in range(prompt, total + 1):
        x = ids[:, :t]
        assert torch.equal(MaxNewTokens(n)(x, prompt), MaxLengthCriteria(prompt + n)(x, None))
    # EOS: transformers looks at the last token only, so compare the first step each turns True
    got = first_true_step(lambda x: EosToken(eos)(x, prompt), ids, start=prompt + 1)
    expected = first_true_step(lambda x: EosTokenCriteria(eos)(x, None), ids, start=prompt + 1)
    assert got == expected


def test_eos_stays_true_and_stop_reached_is_any():
    ids = torch.tensor([[1, 9, 2, 3], [1, 2, 3, 4], [1, 2, 2, 2]])
    assert EosToken(9)(ids, 1).tolist() == [True, False, False]
    assert EosToken(9)(ids, 2).tolist() == [False, False, False]  # the 9 sits in the prompt
    crit = [EosToken([9, 4]), MaxNewTokens(4)]
    assert stop_reached(crit, ids, 1).tolist() == [True, True, False]
    assert stop_reached(crit, ids, 0).tolist() == [True, True, True]
    assert stop_reached([], ids, 1).tolist() == [False, False, False]


@pytest.mark.parametrize("seed", range(10))
def test_trim_at_stop_cuts_before_the_earliest_stop(seed):
    rng = random.Random(seed)
    text = "".join(rng.choice(WORDS) for _ in range(rng.randrange(0, 15)))
    stops = rng.sample(STOPS, rng.randrange(1, 4))
    got = trim_at_stop(text, stops)
    assert text.startswith(got)
    assert not any(s in got for s in stops)  # nothing left to cut
    positions = [text.find(s) for s in stops if s in text]
    assert len(got) == (min(positions) if positions else len(text))


def test_bad_input_is_named():
    tok = BPETokenizer()
    ids = torch.tensor([[1, 2, 3]])
    with pytest.raises(ValueError, match="-1"):
        MaxNewTokens(-1)
    with pytest.raises(ValueError, match="prompt_length"):
        MaxNewTokens(2)(ids, 5)
    with pytest.raises(ValueError, match="int64"):
        EosToken(1)(ids.float(), 0)
    with pytest.raises(ValueError, match="-3"):
        EosToken([-3])
    with pytest.raises(TypeError, match="eos_token_id"):
        EosToken("eos")
    with pytest.raises(TypeError, match="non-empty strings"):
        StopStrings(["ok", ""], tok)
    with pytest.raises(TypeError, match="decode"):
        StopStrings(["ok"], object())
    with pytest.raises(TypeError, match="single callable"):
        stop_reached(EosToken(1), ids, 0)
    with pytest.raises(TypeError, match="stops"):
        trim_at_stop("abc", [3])
    assert trim_at_stop("a stop b", "stop") == "a "  # one string is one stop, not its characters
