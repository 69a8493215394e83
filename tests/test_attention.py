"""Scaled dot-product attention, masks and multi-head attention against torch's
F.scaled_dot_product_attention in float64 (boolean and additive masks, fewer queries than keys,
fully masked rows, GQA/MQA), the readable path against the fast one, and bad inputs."""

import doctest
import math
import random

import pytest
import torch
import torch.nn.functional as F

import course_lib.attention
import course_lib.masks
import course_lib.multihead
from course_lib.attention import (
    MultiHeadAttention,
    additive_mask,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
    sliding_window_mask,
)

SEEDS = range(6)


def randn(*shape, gen):
    return torch.randn(*shape, dtype=torch.float64, generator=gen)


def random_qkv(seed, num_queries=None):
    rng, gen = random.Random(seed), torch.Generator().manual_seed(seed)
    batch = (rng.randint(1, 3), rng.randint(1, 4))
    num_keys = rng.randint(1, 12)
    num_queries = num_queries or rng.randint(1, 12)
    d, d_v = rng.randint(1, 9), rng.randint(1, 7)
    scale = rng.uniform(0.5, 3.0)  # large scores too: the softmax must not overflow
    q = randn(*batch, num_queries, d, gen=gen) * scale
    return q, randn(*batch, num_keys, d, gen=gen) * scale, randn(*batch, num_keys, d_v, gen=gen), gen


def random_bool_mask(shape, gen, keep_rows=True):
    mask = torch.rand(shape, generator=gen, dtype=torch.float64) < 0.6
    if keep_rows:
        mask[..., 0] = True  # every query may attend to something: torch gives NaN otherwise
    return mask


# ------------------------------------------------------------------ scaled dot-product attention


@pytest.mark.parametrize("seed", SEEDS)
def test_no_mask_matches_torch(seed):
    q, k, v, _ = random_qkv(seed)
    out, weights = scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v))
    reference = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    torch.testing.assert_close(weights, reference)
    torch.testing.assert_close(weights.sum(-1), torch.ones_like(weights[..., 0]))


@pytest.mark.parametrize("seed", SEEDS)
def test_boolean_and_additive_masks_match_torch(seed):
    q, k, v, gen = random_qkv(seed)
    shape = (q.shape[1], q.shape[2], k.shape[2])  # broadcast over the first batch dimension
    mask = random_bool_mask(shape, gen)
    torch.testing.assert_close(scaled_dot_product_attention(q, k, v, mask=mask)[0],
                               F.scaled_dot_product_attention(q, k, v, attn_mask=mask))
    bias = randn(*shape, gen=gen).masked_fill(~mask, float("-inf"))  # finite biases and -inf
    scale = random.Random(seed).uniform(0.1, 2.0)
    torch.testing.assert_close(scaled_dot_product_attention(q, k, v, mask=bias, scale=scale)[0],
                               F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=scale))
    ours_bool = scaled_dot_product_attention(q, k, v, mask=mask)[0]
    ours_additive = scaled_dot_product_attention(q, k, v, mask=additive_mask(mask, torch.float64))[0]
    torch.testing.assert_close(ours_bool, ours_additive)


@pytest.mark.parametrize("seed", SEEDS)
def test_causal_is_bottom_right_with_fewer_queries_than_keys(seed):
    q, k, v, _ = random_qkv(seed)
    k, v = torch.cat([k, k.flip(-2)], dim=-2), torch.cat([v, -v], dim=-2)  # at least as many keys
    num_queries, num_keys = q.shape[-2], k.shape[-2]
    q = q[..., : max(1, num_queries // 2 if num_queries >= num_keys else num_queries), :]
    num_queries = q.shape[-2]
    explicit = torch.tensor([[j <= i + num_keys - num_queries for j in range(num_keys)]
                             for i in range(num_queries)])
    out, weights = scaled_dot_product_attention(q, k, v, is_causal=True)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=explicit))
    assert (weights[..., ~explicit] == 0).all()
    if num_queries < num_keys:  # torch's is_causal is top-left: a different (wrong for a cache) answer
        top_left = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        assert (out - top_left).abs().max() > 1e-3


def test_causal_and_mask_combine():
    gen = torch.Generator().manual_seed(0)
    q, k, v = randn(2, 5, 4, gen=gen), randn(2, 5, 4, gen=gen), randn(2, 5, 3, gen=gen)
    pad = padding_mask([5, 3])  # (2, 1, 1, 5)
    out = scaled_dot_product_attention(q[:, None], k[:, None], v[:, None], mask=pad, is_causal=True)[0]
    reference = F.scaled_dot_product_attention(q[:, None], k[:, None], v[:, None], attn_mask=pad & causal_mask(5))
    torch.testing.assert_close(out, reference)


@pytest.mark.parametrize("seed", SEEDS)
def test_fully_masked_rows_give_zeros_not_nan(seed):
    q, k, v, gen = random_qkv(seed)
    mask = random_bool_mask(q.shape[:-1] + (k.shape[-2],), gen)
    empty_row = random.Random(seed).randrange(q.shape[-2])
    mask[..., empty_row, :] = False
    for form in (mask, additive_mask(mask, torch.float64)):
        out, weights = scaled_dot_product_attention(q, k, v, mask=form)
        assert not out.isnan().any() and not weights.isnan().any()
        assert (out[..., empty_row, :] == 0).all() and (weights[..., empty_row, :] == 0).all()
        others = [i for i in range(q.shape[-2]) if i != empty_row]
        reference = F.scaled_dot_product_attention(q[..., others, :], k, v, attn_mask=mask[..., others, :])
        torch.testing.assert_close(out[..., others, :], reference)


def test_softmax_is_stable_for_huge_scores():
    q = torch.tensor([[1000.0, 0.0]], dtype=torch.float64)
    k = torch.tensor([[1000.0, 0.0], [999.0, 0.0]], dtype=torch.float64)
    v = torch.tensor([[1.0], [0.0]], dtype=torch.float64)
    out, weights = scaled_dot_product_attention(q, k, v, scale=1e-3)
    torch.testing.assert_close(weights, torch.softmax(torch.tensor([[1000.0, 999.0]], dtype=torch.float64), -1))
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(q=torch.ones(2, 3), k=torch.ones(2, 4), v=torch.ones(2, 4)), ValueError, r"\(2, 3\).*\(2, 4\)"),
    (dict(q=torch.ones(2, 3), k=torch.ones(4, 3), v=torch.ones(5, 3)), ValueError, r"\(4, 3\).*\(5, 3\)"),
    (dict(q=torch.ones(3), k=torch.ones(4, 3), v=torch.ones(4, 3)), ValueError, r"\(3,\)"),
    (dict(q=[[1.0]], k=torch.ones(1, 1), v=torch.ones(1, 1)), TypeError, "list"),
    (dict(q=torch.ones(2, 3), k=torch.ones(4, 3), v=torch.ones(4, 3), mask=torch.ones(2, 4, dtype=torch.int64)),
     TypeError, "int64"),
    (dict(q=torch.ones(2, 3), k=torch.ones(4, 3), v=torch.ones(4, 3), mask=torch.ones(3, 4, dtype=torch.bool)),
     ValueError, r"\(3, 4\)"),
    (dict(q=torch.ones(2, 3), k=torch.ones(4, 3), v=torch.ones(4, 3), mask=torch.zeros(2, 5)), ValueError, r"\(2, 5\)"),
])
def test_sdpa_bad_inputs_raise(kwargs, error, message):
    with pytest.raises(error, match=message):
        scaled_dot_product_attention(**kwargs)


# ------------------------------------------------------------------ masks


@pytest.mark.parametrize("seed", SEEDS)
def test_masks_match_explicit_loops(seed):
    rng = random.Random(seed)
    num_queries, window = rng.randint(1, 9), rng.randint(1, 5)
    num_keys = num_queries + rng.randint(0, 5)
    offset = num_keys - num_queries
    causal = [[j <= i + offset for j in range(num_keys)] for i in range(num_queries)]
    sliding = [[i + offset - window < j <= i + offset for j in range(num_keys)] for i in range(num_queries)]
    assert causal_mask(num_queries, num_keys).tolist() == causal
    assert sliding_window_mask(num_queries, window, num_keys).tolist() == sliding
    lengths = [rng.randint(0, 7) for _ in range(rng.randint(1, 4))]
    max_len = max(lengths) + rng.randint(0, 2)
    expected = [[[[j < n for j in range(max_len)]]] for n in lengths]
    assert padding_mask(lengths, max_len).tolist() == expected


def test_square_causal_mask_equals_torchs_is_causal():
    gen = torch.Generator().manual_seed(3)
    q, k, v = randn(2, 7, 5, gen=gen), randn(2, 7, 5, gen=gen), randn(2, 7, 4, gen=gen)
    torch.testing.assert_close(F.scaled_dot_product_attention(q, k, v, attn_mask=causal_mask(7)),
                               F.scaled_dot_product_attention(q, k, v, is_causal=True))


@pytest.mark.parametrize("call, error, message", [
    (lambda: causal_mask(-1), ValueError, "-1"),
    (lambda: causal_mask(3, 2.5), ValueError, "2.5"),
    (lambda: sliding_window_mask(4, 0), ValueError, "window.*0"),
    (lambda: padding_mask([2, -1]), ValueError, r"\[2, -1\]"),
    (lambda: padding_mask([1.5]), ValueError, "1.5"),
    (lambda: padding_mask([4], max_len=3), ValueError, "max_len=3"),
    (lambda: additive_mask(torch.ones(2, 2)), TypeError, "float32"),
])
def test_mask_bad_inputs_raise(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ------------------------------------------------------------------ multi-head attention


def random_mha(seed, **overrides):
    rng = random.Random(seed)
    num_kv_heads = rng.choice([1, 2, 3])
    num_heads = num_kv_heads * rng.randint(1, 3)
    head_dim = 2 * rng.randint(1, 4)
    kwargs = dict(d_model=num_heads * head_dim, num_heads=num_heads, num_kv_heads=num_kv_heads,
                  bias=rng.random() < 0.5, rope_base=10 ** rng.uniform(2, 5))
    torch.manual_seed(seed)
    attn = MultiHeadAttention(**{**kwargs, **overrides}).double().eval()
    for p in attn.parameters():
        torch.nn.init.normal_(p, std=0.5)
    return attn


@pytest.mark.parametrize("seed", SEEDS)
def test_mha_fast_path_equals_readable_path(seed):
    attn, rng = random_mha(seed), random.Random(seed)
    gen = torch.Generator().manual_seed(seed)
    batch, seq = rng.randint(1, 3), rng.randint(1, 10)
    x = randn(batch, seq, attn.d_model, gen=gen)
    lengths = [rng.randint(1, seq) for _ in range(batch)]
    masks = [None, padding_mask(lengths, seq), additive_mask(random_bool_mask((seq, seq), gen), torch.float64),
             random_bool_mask((batch, attn.num_heads, seq, seq), gen, keep_rows=False)]
    for mask in masks:
        for is_causal in (False, True):
            kwargs = dict(mask=mask, is_causal=is_causal, rope=rng.random() < 0.5, position_offset=rng.randint(0, 20))
            out, weights = attn(x, return_weights=True, **kwargs)
            assert weights.shape == (batch, attn.num_heads, seq, seq)
            fast = attn(x, **kwargs)
            assert not fast.isnan().any()
            torch.testing.assert_close(fast, out)


@pytest.mark.parametrize("seed", SEEDS)
def test_mha_matches_a_per_head_loop(seed):
    """Heads computed one at a time with explicit slices of the weights, GQA groups shared."""
    attn = random_mha(seed)
    gen = torch.Generator().manual_seed(seed)
    x = randn(2, 6, attn.d_model, gen=gen)
    hd, group = attn.head_dim, attn.num_heads // attn.num_kv_heads
    q_all, k_all, v_all = attn.q_proj(x), attn.k_proj(x), attn.v_proj(x)
    heads = []
    for h in range(attn.num_heads):
        kv = h // group  # query head h uses key/value head h // group
        q, k = q_all[..., h * hd:(h + 1) * hd], k_all[..., kv * hd:(kv + 1) * hd]
        v = v_all[..., kv * hd:(kv + 1) * hd]
        scores = q @ k.transpose(-2, -1) / math.sqrt(hd)  # (2, 6, 6)
        scores = scores.masked_fill(~torch.ones(6, 6, dtype=torch.bool).tril(), float("-inf"))
        heads.append(torch.softmax(scores, -1) @ v)
    expected = attn.o_proj(torch.cat(heads, dim=-1))
    torch.testing.assert_close(attn(x, is_causal=True, return_weights=True)[0], expected)


@pytest.mark.parametrize("num_heads, num_kv_heads, bias", [(6, None, True), (6, 2, True), (6, 1, False), (4, 4, False)])
def test_mha_shapes_and_parameter_counts(num_heads, num_kv_heads, bias):
    d_model = 24
    attn = MultiHeadAttention(d_model, num_heads, num_kv_heads, bias=bias)
    kv_dim = (num_kv_heads or num_heads) * (d_model // num_heads)
    expected = 2 * d_model * d_model + 2 * d_model * kv_dim + (2 * d_model + 2 * kv_dim) * bias
    assert sum(p.numel() for p in attn.parameters()) == expected
    assert attn.k_proj.weight.shape == attn.v_proj.weight.shape == (kv_dim, d_model)
    assert attn(torch.randn(3, 5, d_model)).shape == (3, 5, d_model)


def test_mha_rope_offset_shifts_positions():
    attn = random_mha(1)
    x = torch.randn(1, 8, attn.d_model, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    _, full = attn(x, rope=True, return_weights=True)
    _, shifted = attn(x, rope=True, return_weights=True, position_offset=5)
    torch.testing.assert_close(full, shifted)  # RoPE scores depend only on m - n
    q_plain = attn._heads(x, rope=False, position_offset=0)[0]
    q_rot = attn._heads(x, rope=True, position_offset=5)[0]
    torch.testing.assert_close(q_rot, course_lib.attention.rotary_positional_embedding(
        torch.cat([q_plain.new_zeros(1, attn.num_heads, 5, attn.head_dim), q_plain], dim=2), attn.rope_base)[:, :, 5:])


@pytest.mark.parametrize("kwargs, message", [
    (dict(d_model=10, num_heads=3), "d_model=10.*num_heads=3"),
    (dict(d_model=12, num_heads=4, num_kv_heads=3), "num_heads=4.*num_kv_heads=3"),
    (dict(d_model=12, num_heads=0), "num_heads.*0"),
    (dict(d_model=12, num_heads=4, dropout=1.5), "dropout.*1.5"),
    (dict(d_model=12, num_heads=4, rope_base=-3.0), "rope_base.*-3.0"),
])
def test_mha_bad_config_raises(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MultiHeadAttention(**kwargs)


def test_mha_bad_forward_inputs_raise():
    with pytest.raises(ValueError, match=r"d_model=12.*\(2, 5, 8\)"):
        MultiHeadAttention(12, 4)(torch.randn(2, 5, 8))
    with pytest.raises(ValueError, match="head_dim=3"):
        MultiHeadAttention(12, 4)(torch.randn(2, 5, 12), rope=True)


def test_lazy_exports_and_docstrings():
    assert course_lib.attention.TransformerBlock.__module__ == "course_lib.layers"
    assert "MultiHeadAttention" in dir(course_lib.attention)
    with pytest.raises(AttributeError, match="Nope"):
        course_lib.attention.Nope  # noqa: B018
    for module in (course_lib.attention, course_lib.masks, course_lib.multihead):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0
