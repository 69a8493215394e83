"""IncrementalDetokenizer (Day 11): joined pieces == full decode, no broken character, for our BPE and transformers."""

import random

import pytest

from course_lib.bpe import BPETokenizer
from course_lib.generation.streaming import IncrementalDetokenizer

ALPHABET = list("abcdefg ,.!'\n") + list("éèñüçøß") + list("東京語日本字") + ["🙂", "🎉", "👍🏽", "∑", "€"]


def random_text(seed: int, length: int = 60) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(ALPHABET) for _ in range(length))


def stream(tokenizer, ids):
    detok = IncrementalDetokenizer(tokenizer)
    pieces = [detok.push(i) for i in ids]
    return pieces, detok.flush()


@pytest.fixture(scope="module")
def bpe_tokenizers():
    trained = BPETokenizer()
    trained.train(" ".join(random_text(s) for s in range(40)), vocab_size=256 + 60)
    return [BPETokenizer(), trained, BPETokenizer.from_tiktoken("cl100k_base")]


def test_multibyte_characters_are_split_across_tokens(bpe_tokenizers):
    """The test below is only meaningful if some token holds part of a character."""
    for tok in bpe_tokenizers:
        ids = tok.encode("é 東京 🙂 👍🏽 🐍ギΩ")  # the last three are not in the training text
        assert any("\ufffd" in tok.decode([i]) for i in ids), tok


@pytest.mark.parametrize("seed", range(6))
def test_bpe_pieces_join_to_the_decode_and_are_never_broken(bpe_tokenizers, seed):
    text = random_text(seed) + " 🐍ギΩ"
    for tok in bpe_tokenizers:
        ids = tok.encode(text)
        detok, so_far = IncrementalDetokenizer(tok), ""
        for n, token_id in enumerate(ids, start=1):
            piece = detok.push(token_id)
            assert "\ufffd" not in piece
            so_far += piece
            # as early as possible: everything but an unfinished character at the end
            assert so_far == tok.decode(ids[:n]).rstrip("\ufffd")
        assert detok.flush() == ""
        assert so_far == tok.decode(ids) == text


@pytest.mark.parametrize("seed", range(4))
def test_bpe_invalid_bytes_give_the_same_replacement_as_decode(seed):
    rng = random.Random(seed)
    tok = BPETokenizer()
    ids = [rng.choice([0x41, 0xC3, 0xA9, 0xF0, 0x9F, 0x99, 0x82, 0xE6, 0x9D, 0xB1, 0x20]) for _ in range(50)]
    pieces, rest = stream(tok, ids)
    assert "".join(pieces) + rest == tok.decode(ids)


def test_flush_resets_and_push_accepts_numpy_and_tensor_ids():
    import numpy as np
    import torch

    tok = BPETokenizer()
    detok = IncrementalDetokenizer(tok)
    assert detok.push(np.int64(0xC3)) == "" and detok.push(torch.tensor(0xA9)) == "é"
    assert detok.push(0xE6) == "" and detok.flush() == "\ufffd"
    assert detok.push(0x41) == "A"  # fresh after flush


def test_course_gpt_tokenizer_streams_its_own_samples():
    import torch

    from course_lib.pretrained import load_course_gpt

    model, tok = load_course_gpt()
    ids = tok.encode("Tokens 🙂 and naïve café, 東京.")
    with torch.no_grad():
        out = model.generate(torch.tensor([ids]), 30, generator=torch.Generator().manual_seed(0))[0].tolist()
    pieces, rest = stream(tok, out)
    assert "".join(pieces) + rest == tok.decode(out)
    assert all("\ufffd" not in p for p in pieces[:len(ids)])


@pytest.fixture(scope="module")
def hf_tokenizers():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    from course_lib.pretrained import minilm_path

    byte_level = Tokenizer(models.BPE())
    byte_level.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    byte_level.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    byte_level.train_from_iterator([random_text(s) for s in range(40)], trainer)
    return [PreTrainedTokenizerFast(tokenizer_object=byte_level), AutoTokenizer.from_pretrained(str(minilm_path()))]


@pytest.mark.parametrize("seed", range(5))
def test_transformers_pieces_join_to_the_decode_and_are_never_broken(hf_tokenizers, seed):
    text = random_text(seed) + " isn't it, ok . 🐍ギ"
    for tok in hf_tokenizers:
        ids = tok.encode(text, add_special_tokens=False)
        pieces, rest = stream(tok, ids)
        full = tok.decode(ids)
        assert "".join(pieces) + rest == full
        assert all("\ufffd" not in p for p in pieces)
        assert rest == full[len(full.rstrip()):]  # only trailing whitespace waits for the flush


def test_byte_level_transformers_tokenizer_splits_characters(hf_tokenizers):
    tok = hf_tokenizers[0]
    ids = tok.encode("🐍ギ", add_special_tokens=False)  # not in its training text
    assert any("\ufffd" in tok.decode([i]) for i in ids)
    detok = IncrementalDetokenizer(tok)
    assert detok.push(ids[0]) == ""  # the emoji's first bytes alone: nothing yet


def test_bad_input():
    with pytest.raises(TypeError, match="object"):
        IncrementalDetokenizer(object())
    detok = IncrementalDetokenizer(BPETokenizer())
    for bad in (1.5, "a", True):
        with pytest.raises(TypeError, match=repr(bad).replace(".", r"\.")):
            detok.push(bad)
