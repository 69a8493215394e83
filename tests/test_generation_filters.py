"""Sampling filters (Day 11) against transformers' logits processors, and choose_next_token against GPT.generate."""

import random

import pytest
import torch
import torch.nn.functional as F
from transformers.generation.logits_process import (
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from course_lib.generation.filters import (
    choose_next_token,
    repetition_penalty,
    temperature_scale,
    top_k_filter,
    top_p_filter,
)

SEEDS = range(6)


def random_logits(seed: int, batch: int | None = None, vocab: int | None = None, dtype=torch.float64) -> torch.Tensor:
    """Seeded logits with ties (values rounded to a coarse grid) and a few -inf entries."""
    rng = random.Random(seed)
    batch = batch if batch is not None else rng.randint(1, 4)
    vocab = vocab if vocab is not None else rng.randint(2, 61)
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(batch, vocab, generator=g, dtype=dtype) * rng.uniform(0.5, 6.0)
    if rng.random() < 0.5:
        logits = torch.round(logits * 2) / 2  # many exact ties
    if vocab > 3:
        for row in range(batch):
            for col in rng.sample(range(vocab), rng.randint(0, vocab // 3)):
                logits[row, col] = float("-inf")
            logits[row, rng.randrange(vocab)] = rng.uniform(-1, 1)  # at least one finite entry per row
    return logits


def no_ids(batch: int) -> torch.Tensor:
    return torch.zeros(batch, 0, dtype=torch.long)


@pytest.mark.parametrize("seed", SEEDS)
def test_temperature_equals_transformers(seed):
    rng = random.Random(seed)
    logits = random_logits(seed)
    t = rng.choice([rng.uniform(0.05, 0.99), rng.uniform(1.01, 5.0), 1.0])
    expected = TemperatureLogitsWarper(t)(no_ids(logits.shape[0]), logits.clone())
    torch.testing.assert_close(temperature_scale(logits, t), expected, rtol=0, atol=0)
    torch.testing.assert_close(temperature_scale(logits[0], t), expected[0], rtol=0, atol=0)  # 1-D input
    finite = logits.isfinite() & (logits != 0)
    assert (temperature_scale(logits, 2.0)[finite] == logits[finite] / 2).all() and finite.any()


@pytest.mark.parametrize("seed", SEEDS)
def test_top_k_equals_transformers_with_ties_and_inf(seed):
    rng = random.Random(seed)
    logits = random_logits(seed)
    for k in {1, rng.randint(1, logits.shape[-1]), logits.shape[-1], logits.shape[-1] + 5}:
        expected = TopKLogitsWarper(top_k=k)(no_ids(logits.shape[0]), logits.clone())
        ours = top_k_filter(logits, k)
        assert torch.equal(ours, expected), k
        assert torch.equal(top_k_filter(logits[-1], k), expected[-1])  # 1-D input
        assert ours is not logits and ours.dtype == logits.dtype


def test_top_k_keeps_ties_at_the_kth_value():
    logits = torch.tensor([[1.0, 3.0, 2.0, 2.0, 0.0]])
    assert top_k_filter(logits, 2).isfinite().tolist() == [[False, True, True, True, False]]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_top_p_equals_transformers(seed, dtype):
    rng = random.Random(seed)
    logits = random_logits(seed, dtype=dtype)
    ps = [0.0, 1e-6, rng.uniform(0.05, 0.95), 1 - 1e-6, 1.0]
    for p in ps:
        keep = rng.randint(1, 3)
        expected = TopPLogitsWarper(top_p=p, min_tokens_to_keep=keep)(no_ids(logits.shape[0]), logits.clone())
        ours = top_p_filter(logits, p, min_tokens_to_keep=keep)
        assert torch.equal(ours, expected), (p, keep)
        expected_1d = TopPLogitsWarper(top_p=p)(no_ids(1), logits[:1].clone())[0]
        assert torch.equal(top_p_filter(logits[0], p), expected_1d)  # 1-D input


def test_top_p_keeps_the_smallest_set_reaching_p():
    probs = torch.tensor([0.05, 0.5, 0.15, 0.3], dtype=torch.float64)
    assert top_p_filter(probs.log(), 0.79).isfinite().tolist() == [False, True, False, True]
    assert top_p_filter(probs.log(), 0.81).isfinite().tolist() == [False, True, True, True]
    assert top_p_filter(probs.log(), 0.0).isfinite().tolist() == [False, True, False, False]


@pytest.mark.parametrize("seed", SEEDS)
def test_repetition_penalty_equals_transformers(seed):
    rng = random.Random(seed)
    logits = random_logits(seed)
    batch, vocab = logits.shape
    length = rng.randint(1, 12)
    ids = torch.tensor([[rng.randrange(vocab) for _ in range(length)] for _ in range(batch)])
    for penalty in (rng.uniform(1.05, 3.0), rng.uniform(0.2, 0.95), 1.0):
        expected = RepetitionPenaltyLogitsProcessor(penalty)(ids, logits.clone())
        torch.testing.assert_close(repetition_penalty(logits, ids, penalty), expected, rtol=0, atol=0)
        one = RepetitionPenaltyLogitsProcessor(penalty)(ids[:1], logits[:1].clone())[0]
        torch.testing.assert_close(repetition_penalty(logits[0], ids[0], penalty), one, rtol=0, atol=0)


def test_repetition_penalty_once_per_token_and_sign():
    out = repetition_penalty(torch.tensor([[2.0, -1.0, 0.5]]), torch.tensor([[0, 0, 0, 1]]), 2.0)
    assert out.tolist() == [[1.0, -2.0, 0.5]]


def test_filters_do_not_modify_their_input():
    logits = random_logits(3, batch=2, vocab=20)
    before = logits.clone()
    top_k_filter(logits, 3), top_p_filter(logits, 0.5), temperature_scale(logits, 0.5)
    repetition_penalty(logits, torch.tensor([[1, 2], [3, 4]]), 1.5)
    assert torch.equal(logits, before)


@pytest.mark.parametrize("call, bad", [
    (lambda x: temperature_scale(x, 0), "0"),
    (lambda x: temperature_scale(x, -1.5), "-1.5"),
    (lambda x: temperature_scale(x, float("nan")), "nan"),
    (lambda x: top_k_filter(x, 0), "k must be an integer >= 1, got 0"),
    (lambda x: top_k_filter(x, 2.5), "2.5"),
    (lambda x: top_p_filter(x, 1.5), "1.5"),
    (lambda x: top_p_filter(x, -0.1), "-0.1"),
    (lambda x: top_p_filter(x, 0.5, min_tokens_to_keep=0), "min_tokens_to_keep"),
    (lambda x: repetition_penalty(x, torch.tensor([[1]]), 0.0), "penalty"),
    (lambda x: repetition_penalty(x, torch.tensor([[1, 99]]), 1.2), "99"),
    (lambda x: repetition_penalty(x, torch.tensor([[1], [2]]), 1.2), r"\(2, 1\)"),
    (lambda x: choose_next_token(x, temperature=-1), "-1"),
    (lambda x: choose_next_token(x, repetition_penalty=1.2), "input_ids"),
    (lambda x: top_k_filter(x.reshape(1, 2, 5), 2), r"\(1, 2, 5\)"),
])
def test_bad_input_raises_value_error_naming_it(call, bad):
    with pytest.raises(ValueError, match=bad):
        call(torch.zeros(1, 10))


def test_bad_types_raise_type_error():
    with pytest.raises(TypeError, match="int64"):
        top_k_filter(torch.zeros(3, dtype=torch.long), 1)
    with pytest.raises(TypeError, match="list"):
        top_p_filter([0.1, 0.2], 0.5)
    with pytest.raises(TypeError, match="float32"):
        repetition_penalty(torch.zeros(1, 4), torch.zeros(1, 2), 1.2)


@pytest.mark.parametrize("seed", SEEDS)
def test_choose_next_token_pipeline_equals_transformers_probabilities(seed):
    """The distribution choose_next_token samples from == softmax of transformers' processors in order."""
    rng = random.Random(seed)
    logits = random_logits(seed, batch=3, dtype=torch.float32)
    ids = torch.randint(0, logits.shape[-1], (3, 7), generator=torch.Generator().manual_seed(seed))
    t, k, p, rp = rng.uniform(0.3, 2.0), rng.randint(1, logits.shape[-1]), rng.uniform(0.2, 1.0), rng.uniform(1.0, 2.0)
    scores = logits.clone()
    for proc in (RepetitionPenaltyLogitsProcessor(rp), TemperatureLogitsWarper(t), TopKLogitsWarper(k),
                 TopPLogitsWarper(p)):
        scores = proc(ids, scores)
    probs = torch.softmax(scores, dim=-1)
    seed_gen = torch.Generator().manual_seed(seed)
    expected = torch.multinomial(probs, 1, generator=seed_gen)
    ours = choose_next_token(logits, ids, temperature=t, top_k=k, top_p=p, repetition_penalty=rp,
                             generator=torch.Generator().manual_seed(seed))
    assert ours.shape == (3, 1) and ours.dtype == torch.int64
    assert torch.equal(ours, expected)
    assert bool(scores.gather(1, ours).isfinite().all())  # never a removed token


def test_choose_next_token_greedy_is_first_argmax_after_penalty():
    logits = torch.tensor([[1.0, 3.0, 3.0, 2.0]])
    assert choose_next_token(logits, temperature=0).tolist() == [[1]]
    # penalty 2 turns 3.0 into 1.5 for the seen ids 1 and 2: the argmax moves to id 3
    assert choose_next_token(logits, torch.tensor([[1, 2]]), temperature=0, repetition_penalty=2.0).tolist() == [[3]]
    assert choose_next_token(logits[0], temperature=0).tolist() == [[1]]  # 1-D logits -> (1, 1)


def test_choose_next_token_follows_the_distribution():
    probs = torch.tensor([0.1, 0.6, 0.3])
    g = torch.Generator().manual_seed(0)
    draws = torch.cat([choose_next_token(probs.log().expand(2000, 3), generator=g) for _ in range(5)]).flatten()
    freq = torch.bincount(draws, minlength=3).double() / draws.numel()
    torch.testing.assert_close(freq, probs.double(), atol=0.02, rtol=0)
    kept = choose_next_token(probs.log().expand(500, 3), top_p=0.55, generator=g).unique().tolist()
    assert kept == [1]


def legacy_generate(model, idx, max_new_tokens, temperature, top_k, generator):
    """Frozen copy of GPT.generate's sampling loop as of Day 10 (before choose_next_token existed)."""
    for _ in range(max_new_tokens):
        logits = model(idx[:, -model.config.block_size:])[:, -1, :]
        if temperature == 0:
            next_id = logits.argmax(dim=-1, keepdim=True)
        else:
            logits = logits.float() / temperature
            if top_k is not None and top_k < logits.shape[-1]:
                kth = torch.topk(logits, top_k, dim=-1).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            next_id = torch.multinomial(F.softmax(logits, dim=-1), num_samples=1, generator=generator)
        idx = torch.cat((idx, next_id), dim=1)
    return idx


@pytest.mark.parametrize("seed", range(4))
def test_choose_next_token_reproduces_gpt_generate(seed):
    from course_lib.transformer import GPT, GPTConfig

    rng = random.Random(seed)
    torch.manual_seed(seed)
    config = GPTConfig(vocab_size=rng.choice([37, 61]), block_size=12, n_layer=1, n_head=2, d_model=16)
    model = GPT(config).eval()
    with torch.no_grad():
        for param in model.parameters():  # spread the logits so top-k and temperature matter
            param.mul_(4.0)
    temperature = rng.choice([0, 0.7, 1.0, 1.6])
    top_k = rng.choice([None, 1, 5, config.vocab_size + 3])
    prompt = torch.randint(0, config.vocab_size, (2, 3), generator=torch.Generator().manual_seed(seed))
    n = 15  # longer than block_size - 3: the context window slides
    with torch.no_grad():
        today = model.generate(prompt, n, temperature=temperature, top_k=top_k,
                               generator=torch.Generator().manual_seed(seed))
        frozen = legacy_generate(model, prompt, n, temperature, top_k, torch.Generator().manual_seed(seed))
        idx, g = prompt, torch.Generator().manual_seed(seed)
        for _ in range(n):
            logits = model(idx[:, -config.block_size:])[:, -1, :]  # (B, vocab)
            idx = torch.cat((idx, choose_next_token(logits, idx, temperature=temperature, top_k=top_k,
                                                    generator=g)), dim=1)
    assert torch.equal(idx, frozen)
    assert torch.equal(idx, today)
    if temperature > 0:  # the draws really depend on the generator's seed
        with torch.no_grad():
            other = legacy_generate(model, prompt, n, temperature, None, torch.Generator().manual_seed(seed + 100))
        assert top_k == 1 or not torch.equal(other, frozen)
