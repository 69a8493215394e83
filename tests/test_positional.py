"""Positional encodings: the sinusoidal table against its formula in float64 NumPy, RoPE against
transformers' Llama rotary embedding and against explicit 2x2 rotations, plus the properties each
one is built for. Shapes and bases are randomized per seed."""

import doctest
import math
import random

import numpy as np
import pytest
import torch

import course_lib.attention
from course_lib.attention import (
    rope_frequencies,
    rotary_positional_embedding,
    rotate_half,
    sinusoidal_positional_encoding,
)

# transformers' LlamaRotaryEmbedding computes its angles in float32 even for float64 inputs
# (inv_freq is off by up to ~5e-7 relative, times positions < 48), so its output differs from an
# exact float64 rotation by up to ~1.5e-5 here. The wrong layouts, signs and bases that
# test_hf_tolerance_rejects_the_usual_mistakes builds differ by more than 100 times this.
HF_ATOL, HF_RTOL = 5e-5, 1e-5


def random_base(rng: random.Random) -> float:
    return 10 ** rng.uniform(1, 6)  # log-uniform in [10, 1e6]: Llama 2 uses 1e4, Llama 3 uses 5e5


def random_qk_shape(rng: random.Random, max_seq: int = 48) -> tuple[int, int, int, int]:
    # head_dim/2 often odd (6, 10, 14, ...) so a layout mistake cannot hide in a symmetric split
    return rng.randint(1, 3), rng.randint(1, 4), rng.randint(1, max_seq), 2 * rng.randint(1, 32)


def randn(shape, seed: int) -> torch.Tensor:
    return torch.randn(shape, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


# ---------------------------------------------------------------- sinusoidal (Vaswani et al. 2017)


def numpy_sinusoidal(seq_len: int, d_model: int, base: float) -> np.ndarray:
    pos = np.arange(seq_len, dtype=np.float64)[:, None]  # (seq_len, 1)
    j = np.arange(d_model)[None, :]  # (1, d_model)
    angle = pos / np.power(base, 2 * (j // 2) / d_model)  # column j = 2i or 2i+1 uses 2i / d_model
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle))


@pytest.mark.parametrize("seed", range(10))
def test_sinusoidal_matches_the_formula_in_float64(seed):
    rng = random.Random(seed)
    seq_len, d_model = rng.randint(1, 300), rng.randint(1, 130)  # odd d_model included
    base = 10000.0 if seed % 3 == 0 else random_base(rng)
    pe = sinusoidal_positional_encoding(seq_len, d_model, base=base, dtype=torch.float64)
    assert pe.shape == (seq_len, d_model) and pe.dtype == torch.float64
    torch.testing.assert_close(pe, torch.from_numpy(numpy_sinusoidal(seq_len, d_model, base)))


def test_sinusoidal_default_base_is_10000_and_default_dtype_is_torchs():
    pe = sinusoidal_positional_encoding(20, 12)
    assert pe.dtype == torch.get_default_dtype()
    torch.testing.assert_close(pe, torch.from_numpy(numpy_sinusoidal(20, 12, 10000.0)).to(pe.dtype))
    assert sinusoidal_positional_encoding(3, 4, dtype=torch.float16).dtype == torch.float16


@pytest.mark.parametrize("d_model", [1, 2, 7, 64, 101])
def test_sinusoidal_known_values(d_model):
    pe = sinusoidal_positional_encoding(400, d_model, dtype=torch.float64)
    expected_row0 = torch.tensor([0.0, 1.0] * d_model, dtype=torch.float64)[:d_model]
    assert torch.equal(pe[0], expected_row0)  # sin(0) = 0, cos(0) = 1
    assert pe.abs().max() <= 1.0
    torch.testing.assert_close(pe[:, 0], torch.sin(torch.arange(400, dtype=torch.float64)))  # frequency 1
    if d_model % 2:  # the unpaired last column is a sine: 0 at position 0, not 1
        assert pe[0, -1] == 0.0 and pe[1:, -1].abs().max() > 0
    pairs = pe[:, : d_model // 2 * 2].reshape(400, -1, 2)  # (seq, pairs, 2) = (sin, cos)
    torch.testing.assert_close(pairs.pow(2).sum(-1), torch.ones(pairs.shape[:2], dtype=torch.float64))


@pytest.mark.parametrize("seed", range(3))
def test_sinusoidal_offset_is_a_rotation_independent_of_position(seed):
    """Vaswani et al.'s reason for the design: PE[pos + k] is a fixed linear map of PE[pos]."""
    rng = random.Random(seed)
    d_model, k = 2 * rng.randint(2, 20), rng.randint(1, 30)
    pe = sinusoidal_positional_encoding(100, d_model, dtype=torch.float64)
    b = k * rope_frequencies(d_model, dtype=torch.float64)  # (d_model/2,) angle added per pair
    sin_a, cos_a = pe[:-k, 0::2], pe[:-k, 1::2]  # (100-k, d_model/2) each
    torch.testing.assert_close(pe[k:, 0::2], sin_a * b.cos() + cos_a * b.sin())
    torch.testing.assert_close(pe[k:, 1::2], cos_a * b.cos() - sin_a * b.sin())


@pytest.mark.parametrize(
    "bad, error",
    [
        ({"d_model": 0}, ValueError),
        ({"d_model": -2}, ValueError),
        ({"d_model": 8.0}, ValueError),
        ({"d_model": True}, ValueError),
        ({"seq_len": -1}, ValueError),
        ({"seq_len": "4"}, ValueError),
        ({"base": 0.0}, ValueError),
        ({"base": -10000.0}, ValueError),
        ({"base": math.inf}, ValueError),
        ({"base": math.nan}, ValueError),
        ({"base": "10000"}, ValueError),
        ({"dtype": torch.int64}, TypeError),
        ({"dtype": "float32"}, TypeError),
    ],
)
def test_sinusoidal_bad_arguments_raise(bad, error):
    (name, value), = bad.items()
    with pytest.raises(error, match=name):  # the message names the bad argument
        sinusoidal_positional_encoding(**{"seq_len": 4, "d_model": 8, **bad})


def test_sinusoidal_zero_positions_is_an_empty_table():
    assert sinusoidal_positional_encoding(0, 6).shape == (0, 6)


# ------------------------------------------------------------------- RoPE (Su et al. 2021)


def numpy_rope(x: torch.Tensor, base: float, layout: str = "half", sign: float = 1.0,
               first_position: int = 0) -> torch.Tensor:
    """RoPE as explicit 2x2 rotations of coordinate pairs, in float64 NumPy.

    layout="half" pairs i with i + d/2 (Llama in transformers); "interleaved" pairs 2i with 2i+1
    (the RoFormer paper). sign=-1 and first_position=1 build the usual mistakes.
    """
    x = x.detach().numpy().astype(np.float64)
    seq, d = x.shape[-2], x.shape[-1]
    out = x.copy()
    positions = np.arange(first_position, first_position + seq, dtype=np.float64)  # (seq,)
    for i in range(d // 2):
        a, b = (i, i + d // 2) if layout == "half" else (2 * i, 2 * i + 1)
        angle = sign * positions * base ** (-2 * i / d)  # (seq,)
        c, s = np.cos(angle), np.sin(angle)
        out[..., a] = c * x[..., a] - s * x[..., b]
        out[..., b] = s * x[..., a] + c * x[..., b]
    return torch.from_numpy(out)


def hf_llama_rope(q: torch.Tensor, k: torch.Tensor, base: float):
    """q, k rotated by transformers' LlamaRotaryEmbedding + apply_rotary_pos_emb (a tiny config)."""
    pytest.importorskip("transformers")
    from transformers.models.llama.configuration_llama import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding, apply_rotary_pos_emb

    batch, heads, seq, head_dim = q.shape
    config = LlamaConfig(hidden_size=heads * head_dim, num_attention_heads=heads, head_dim=head_dim,
                         rope_theta=base, max_position_embeddings=max(seq, 1), vocab_size=99)
    rotary = LlamaRotaryEmbedding(config)
    # the base really reached the module (guards against a renamed config field being ignored)
    torch.testing.assert_close(rotary.inv_freq, rope_frequencies(head_dim, base, dtype=torch.float32))
    position_ids = torch.arange(seq).unsqueeze(0).expand(batch, seq)  # (batch, seq)
    cos, sin = rotary(q, position_ids)  # (batch, seq, head_dim) each
    return apply_rotary_pos_emb(q, k, cos, sin)  # unsqueeze_dim=1: q, k are (batch, heads, seq, head_dim)


@pytest.mark.parametrize("seed", range(10))
def test_rope_matches_transformers_llama(seed):
    rng = random.Random(seed)
    shape, base = random_qk_shape(rng), random_base(rng)
    q, k = randn(shape, seed), randn(shape, 1000 + seed)
    q_ref, k_ref = hf_llama_rope(q, k, base)
    torch.testing.assert_close(rotary_positional_embedding(q, base), q_ref, atol=HF_ATOL, rtol=HF_RTOL)
    torch.testing.assert_close(rotary_positional_embedding(k, base), k_ref, atol=HF_ATOL, rtol=HF_RTOL)


def test_rotate_half_matches_transformers():
    pytest.importorskip("transformers")
    from transformers.models.llama.modeling_llama import rotate_half as hf_rotate_half

    x = randn((2, 3, 5, 14), seed=7)
    assert torch.equal(rotate_half(x), hf_rotate_half(x))


def test_hf_tolerance_rejects_the_usual_mistakes():
    """The tolerance above is loose enough for float32 angles, tight enough to catch real bugs."""
    base, q = 10000.0, randn((1, 2, 32, 16), seed=3)
    q_ref, _ = hf_llama_rope(q, q, base)
    torch.testing.assert_close(numpy_rope(q, base), q_ref, atol=HF_ATOL, rtol=HF_RTOL)  # the right one
    wrong = {
        "interleaved layout": numpy_rope(q, base, layout="interleaved"),
        "rotation the other way": numpy_rope(q, base, sign=-1.0),
        "positions from 1": numpy_rope(q, base, first_position=1),
        "base off by 1%": numpy_rope(q, base * 1.01),
        "no rotation": q,
    }
    for mistake, out in wrong.items():
        assert (out - q_ref).abs().max() > 100 * HF_ATOL, mistake


@pytest.mark.parametrize("seed", range(5))
def test_rope_equals_explicit_pair_rotations_in_float64(seed):
    rng = random.Random(100 + seed)
    shape, base = random_qk_shape(rng, max_seq=120), random_base(rng)
    x = randn(shape, seed)
    out = rotary_positional_embedding(x, base)
    assert out.shape == x.shape and out.dtype == torch.float64
    torch.testing.assert_close(out, numpy_rope(x, base), rtol=1e-12, atol=1e-12)


def test_rope_half_split_is_the_interleaved_paper_layout_permuted():
    x, d = randn((2, 2, 9, 10), seed=11), 10
    to_half = torch.cat((torch.arange(0, d, 2), torch.arange(1, d, 2)))  # [0, 2, 4, ..., 1, 3, 5, ...]
    from_half = torch.argsort(to_half)
    interleaved = rotary_positional_embedding(x[..., to_half], 500.0)[..., from_half]
    torch.testing.assert_close(interleaved, numpy_rope(x, 500.0, layout="interleaved"))
    assert (interleaved - rotary_positional_embedding(x, 500.0)).abs().max() > 0.1  # the layouts differ


@pytest.mark.parametrize("seed", range(3))
def test_rope_keeps_norms_and_leaves_position_zero_unchanged(seed):
    rng = random.Random(200 + seed)
    shape, base = random_qk_shape(rng), random_base(rng)
    x = randn(shape, seed)
    out = rotary_positional_embedding(x, base)
    torch.testing.assert_close(out.norm(dim=-1), x.norm(dim=-1))  # (batch, heads, seq)
    assert torch.equal(out[:, :, 0], x[:, :, 0])  # angle 0: not even rounding
    if shape[2] > 1:
        assert (out[:, :, 1:] - x[:, :, 1:]).abs().max() > 1e-3  # the other positions do move


@pytest.mark.parametrize("seed", range(5))
def test_rope_scores_depend_only_on_relative_position(seed):
    """With the same q at every position and the same k at every position, the score matrix
    q_m . k_n must be constant along each diagonal m - n (a Toeplitz matrix), and not constant."""
    rng = random.Random(300 + seed)
    seq, head_dim, base = rng.randint(8, 40), 2 * rng.randint(2, 16), random_base(rng)
    q = randn((head_dim,), seed).expand(1, 1, seq, head_dim)  # one vector, every position
    k = randn((head_dim,), 500 + seed).expand(1, 1, seq, head_dim)
    q_rot, k_rot = rotary_positional_embedding(q, base)[0, 0], rotary_positional_embedding(k, base)[0, 0]
    scores = q_rot @ k_rot.T  # (seq, seq): scores[m, n] = q_m . k_n
    for offset in range(-seq + 1, seq):
        diagonal = torch.diagonal(scores, offset=offset)
        torch.testing.assert_close(diagonal, diagonal[0].expand_as(diagonal))
    column = scores[:, 0]  # offsets 0, 1, 2, ...: the score changes with distance
    assert column.max() - column.min() > 1e-3 * column.abs().max()


def test_rope_keeps_dtype_and_float32_is_close_to_float64():
    x64 = randn((2, 3, 40, 12), seed=5)
    out32 = rotary_positional_embedding(x64.float(), 10000.0)
    assert out32.dtype == torch.float32
    out64 = rotary_positional_embedding(x64, 10000.0)
    torch.testing.assert_close(out32.double(), out64, atol=1e-5, rtol=1e-5)
    assert rotary_positional_embedding(x64.bfloat16(), 10000.0).dtype == torch.bfloat16


def test_rope_frequencies_values():
    torch.testing.assert_close(rope_frequencies(6, base=64.0, dtype=torch.float64),
                               torch.tensor([1.0, 0.25, 0.0625], dtype=torch.float64))
    assert rope_frequencies(4).dtype == torch.get_default_dtype()


@pytest.mark.parametrize(
    "x, error, message",
    [
        (randn((3, 5, 8), seed=0), ValueError, "4 dimensions"),
        (randn((1, 2, 3, 5, 8), seed=0), ValueError, "4 dimensions"),
        (randn((1, 2, 3, 7), seed=0), ValueError, r"even.*shape \(1, 2, 3, 7\)"),
        (torch.ones(1, 2, 3, 8, dtype=torch.int64), TypeError, "floating-point"),
        ([[[[1.0, 2.0]]]], TypeError, "torch.Tensor"),
    ],
)
def test_rope_bad_inputs_raise(x, error, message):
    with pytest.raises(error, match=message):
        rotary_positional_embedding(x)


@pytest.mark.parametrize("base", [0.0, -1.0, math.inf, math.nan, None])
def test_rope_bad_base_raises(base):
    with pytest.raises(ValueError, match="base"):
        rotary_positional_embedding(randn((1, 1, 3, 4), seed=0), base)


@pytest.mark.parametrize("head_dim", [0, 3, -4, 4.0])
def test_rope_frequencies_bad_head_dim_raises(head_dim):
    with pytest.raises(ValueError, match="head_dim"):
        rope_frequencies(head_dim)


def test_docstring_examples_run():
    result = doctest.testmod(course_lib.attention)
    assert result.attempted > 0 and result.failed == 0
