"""GPT.generate and GPT.stream (Day 13): cached == uncached == transformers' generate, stopping, streaming.

The models are transformers' GPT2LMHeadModel and LlamaForCausalLM on tiny random configs (weights far from
their initial values, float64), copied into ours with GPT.from_hf, so "equal ids" means the decoding loop,
the cache and the sampling filters all agree with transformers' own (`generate(use_cache=True)`).
"""

import random

import pytest
import torch

from course_lib.bpe import BPETokenizer
from course_lib.generation.stopping import trim_at_stop
from course_lib.transformer import GPT, GPTConfig
from test_kv_cache import randomize_  # every parameter drawn afresh, far from its initial value

transformers = pytest.importorskip("transformers")
VOCAB = 99


def tiny_hf(recipe: str, seed: int, positions: int = 40, vocab: int = VOCAB):
    rng = random.Random(seed)
    if recipe == "gpt2":
        config = transformers.GPT2Config(vocab_size=vocab, n_embd=24, n_head=3, n_layer=rng.randint(1, 3),
                                         n_positions=positions, n_inner=rng.randint(20, 40),
                                         bos_token_id=None, eos_token_id=None)
        model = transformers.GPT2LMHeadModel(config)
    else:
        config = transformers.LlamaConfig(vocab_size=vocab, hidden_size=24, num_attention_heads=4,
                                          num_key_value_heads=rng.choice([1, 2]), num_hidden_layers=rng.randint(1, 3),
                                          intermediate_size=rng.randint(20, 40), max_position_embeddings=positions,
                                          rope_parameters={"rope_type": "default",
                                                           "rope_theta": 10 ** rng.uniform(2, 4)},
                                          bos_token_id=None, eos_token_id=None, tie_word_embeddings=False)
        model = transformers.LlamaForCausalLM(config)
    return randomize_(model.double().eval(), seed, std=0.3)


def prompt(seed: int, batch: int = 2, length: int = 5, vocab: int = VOCAB) -> torch.Tensor:
    return torch.randint(0, vocab, (batch, length), generator=torch.Generator().manual_seed(seed))


CASES = [("gpt2", 0), ("gpt2", 1), ("llama", 2), ("llama", 3)]


@pytest.mark.parametrize("recipe,seed", CASES)
def test_greedy_cached_equals_uncached_and_transformers(recipe, seed):
    hf = tiny_hf(recipe, seed)
    gpt = GPT.from_hf(hf)
    ids = prompt(seed)
    cached = gpt.generate(ids, 30, temperature=0)
    assert torch.equal(cached, gpt.generate(ids, 30, temperature=0, use_cache=False))
    theirs = hf.generate(ids, max_new_tokens=30, do_sample=False, use_cache=True, pad_token_id=0,
                         eos_token_id=None, attention_mask=torch.ones_like(ids))
    assert torch.equal(cached, theirs)
    assert len(set(cached[:, 5:].flatten().tolist())) > 3  # a varied continuation, not one id repeated


@pytest.mark.parametrize("recipe,seed", CASES)
def test_sampling_with_top_p_and_repetition_penalty_equals_transformers(recipe, seed):
    """Same global seed, same float32 probabilities, one torch.multinomial per step: the same ids."""
    hf = tiny_hf(recipe, seed)
    gpt = GPT.from_hf(hf)
    ids = prompt(seed, batch=3, length=4)
    options = dict(temperature=0.8, top_k=20, top_p=0.9, repetition_penalty=1.3)
    torch.manual_seed(seed)
    ours = gpt.generate(ids, 15, **options)
    torch.manual_seed(seed)
    theirs = hf.generate(ids, max_new_tokens=15, do_sample=True, pad_token_id=0, eos_token_id=None,
                         attention_mask=torch.ones_like(ids), **options)
    assert torch.equal(ours, theirs)


@pytest.mark.parametrize("recipe,seed", CASES)
def test_seeded_sampling_repeats_exactly_with_and_without_cache(recipe, seed):
    gpt = GPT.from_hf(tiny_hf(recipe, seed))
    ids = prompt(seed)

    def draw(s: int, use_cache: bool = True) -> torch.Tensor:
        return gpt.generate(ids, 25, top_p=0.95, generator=torch.Generator().manual_seed(s), use_cache=use_cache)

    first = draw(7)
    assert torch.equal(first, draw(7)) and torch.equal(first, draw(7, use_cache=False))
    assert not torch.equal(first, draw(8))


@pytest.mark.parametrize("recipe", ["gpt2", "llama"])
def test_beyond_block_size_cached_equals_uncached(recipe):
    """Past block_size both paths read the last block_size ids (the cached one recomputes that window)."""
    gpt = GPT.from_hf(tiny_hf(recipe, 11, positions=12))
    ids = prompt(11, length=6)
    greedy = gpt.generate(ids, 20, temperature=0)
    assert greedy.shape == (2, 26) and torch.equal(greedy, gpt.generate(ids, 20, temperature=0, use_cache=False))
    last = gpt(greedy[:, -13:-1])[:, -1].argmax(-1)  # the final step saw the last 12 ids only
    assert torch.equal(greedy[:, -1], last)
    sampled = [gpt.generate(ids, 20, generator=torch.Generator().manual_seed(3), use_cache=c) for c in (True, False)]
    assert torch.equal(*sampled)


@pytest.mark.parametrize("recipe,seed", [("gpt2", 4), ("llama", 5)])
def test_eos_pads_finished_rows_like_transformers(recipe, seed):
    hf = tiny_hf(recipe, seed)
    gpt = GPT.from_hf(hf)
    ids = prompt(seed, batch=4, length=3)
    free = gpt.generate(ids, 12, temperature=0)
    eos = int(free[0, 6])  # an id row 0 writes among its first 4 new tokens: rows finish at different steps
    first = free[0, 3:].tolist().index(eos)
    ours = gpt.generate(ids, 12, temperature=0, eos_token_id=eos)
    theirs = hf.generate(ids, max_new_tokens=12, do_sample=False, pad_token_id=eos, eos_token_id=eos,
                         attention_mask=torch.ones_like(ids))
    assert torch.equal(ours, theirs)
    row = ours[0, 3:].tolist()
    assert row[:first + 1] == free[0, 3:4 + first].tolist() and set(row[first + 1:]) <= {eos}  # then padded


class ScriptedGPT(GPT):
    """A GPT whose next-token logits follow a script (the ids of a text), to test stopping and streaming."""

    def __init__(self, script: list[int], vocab: int):
        super().__init__(GPTConfig.gpt2_style(vocab_size=vocab, block_size=8, n_layer=1, n_head=1, d_model=4))
        self.script = script

    def _next_logits(self, idx, cache):
        step = idx.shape[1] - self.prompt_length
        logits = torch.zeros(idx.shape[0], self.config.vocab_size)
        logits[:, self.script[min(step, len(self.script) - 1)]] = 10.0
        return logits


def scripted(text: str, prompt_text: str = "Q: ") -> tuple[ScriptedGPT, BPETokenizer, torch.Tensor]:
    tokenizer = BPETokenizer()  # bytes only: one id per byte, so "é" and "€" take 2 and 3 ids
    model = ScriptedGPT(tokenizer.encode(text), vocab=256)
    ids = torch.tensor([tokenizer.encode(prompt_text)])
    model.prompt_length = ids.shape[1]
    return model, tokenizer, ids


def test_stop_strings_end_generation_after_the_stop():
    model, tokenizer, ids = scripted("héllo wörld\nQ: again and again")
    out = model.generate(ids, 40, temperature=0, stop=["\nQ:"], tokenizer=tokenizer)
    new_text = tokenizer.decode(out[0, ids.shape[1]:].tolist())
    assert new_text == "héllo wörld\nQ:"  # stops at the token that completes the stop string
    assert trim_at_stop(new_text, ["\nQ:"]) == "héllo wörld"


def test_stream_yields_whole_characters_and_holds_back_stop_prefixes():
    text = "prix: 5 € ou 4,50 £, déjà vu\n\nfin"
    model, tokenizer, ids = scripted(text)
    n = len(text.encode("utf-8"))
    pieces = list(model.stream(ids, tokenizer, n, temperature=0))
    assert "".join(pieces) == text and len(pieces) > 10  # text arrives piece by piece
    assert all("\ufffd" not in piece for piece in pieces)  # never half of "€", "£" or "é"
    stopped = list(model.stream(ids, tokenizer, n, temperature=0, stop=["\n\nf"]))
    assert "".join(stopped) == "prix: 5 € ou 4,50 £, déjà vu"
    assert all(not piece.endswith("\n") for piece in stopped)  # "\n" could start the stop: held back


def test_stream_skips_eos_and_equals_generate():
    model, tokenizer, ids = scripted("abc\x00def")
    out = model.generate(ids, 10, temperature=0, eos_token_id=0)
    assert tokenizer.decode(out[0, ids.shape[1]:].tolist()) == "abc\x00"
    assert "".join(model.stream(ids, tokenizer, 10, temperature=0, eos_token_id=0)) == "abc"


def test_stream_on_a_real_model_joins_to_the_decoded_generation():
    tokenizer = BPETokenizer()
    gpt = GPT.from_hf(tiny_hf("llama", 6, vocab=256))
    ids = torch.tensor([tokenizer.encode("Hi")])
    out = gpt.generate(ids, 30, generator=torch.Generator().manual_seed(1))
    pieces = list(gpt.stream(ids, tokenizer, 30, generator=torch.Generator().manual_seed(1)))
    assert "".join(pieces) == tokenizer.decode(out[0, 2:].tolist())


def test_bad_input():
    gpt = GPT.from_hf(tiny_hf("gpt2", 0))
    ids = prompt(0)
    with pytest.raises(ValueError, match="tokenizer"):
        gpt.generate(ids, 3, stop=["x"])
    with pytest.raises(ValueError, match="eos_token_id"):
        gpt.generate(ids, 3, stop=["x"], tokenizer=BPETokenizer())
    with pytest.raises(TypeError, match="use_cache"):
        gpt.generate(ids, 3, use_cache="yes")
    with pytest.raises(ValueError, match="max_new_tokens"):
        gpt.generate(ids, -1)
    with pytest.raises(ValueError, match="top_p"):
        gpt.generate(ids, 3, top_p=1.5)
    with pytest.raises(ValueError, match="repetition_penalty"):
        gpt.generate(ids, 3, temperature=0, repetition_penalty=0.0)
    with pytest.raises(ValueError, match="int64"):
        gpt.generate(ids.float(), 3)
    with pytest.raises(ValueError, match=r"\(1, T\)"):
        next(gpt.stream(ids, BPETokenizer(), 3))
