"""The KV cache (Day 13) against the model's own uncached forward pass, and its memory formula.

Random configs of both recipes (GPT-2: learned positions; Llama: RoPE and grouped-query attention), weights
drawn far from their initial values, prompts fed as a prefill followed by random chunks (mostly single
tokens): the cached logits must equal the full forward's. A cache that forgot the position offset, the
causal mask among new tokens, or a layer's keys would change the logits by far more than the tolerance.
"""

import random

import pytest
import torch

from course_lib.kv_cache import KVCache, kv_cache_bytes
from course_lib.multihead import MultiHeadAttention
from course_lib.transformer import GPT, GPTConfig


def randomize_(model: torch.nn.Module, seed: int, std: float = 0.2) -> torch.nn.Module:
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            is_norm_scale = param.ndim == 1 and name.endswith("weight")
            param.copy_(torch.randn(param.shape, generator=gen, dtype=param.dtype) * std + is_norm_scale)
    return model


def random_model(recipe: str, seed: int, **overrides) -> GPT:
    rng = random.Random(seed)
    heads = rng.choice([2, 4])
    common = dict(vocab_size=97, block_size=40, n_layer=rng.randint(1, 3), n_head=heads, d_model=heads * 6,
                  d_ff=rng.randint(20, 40), tie_embeddings=rng.random() < 0.5)
    if recipe == "gpt2":
        config = GPTConfig.gpt2_style(**{**common, **overrides})
    else:
        config = GPTConfig.llama_style(**{**common, "n_kv_head": rng.choice([1, heads // 2, heads]),
                                          "rope_base": 10 ** rng.uniform(2, 4), **overrides})
    return randomize_(GPT(config).eval(), seed)


def chunks(rng: random.Random, total: int) -> list[tuple[int, int]]:
    """A prefill of 1..8 ids, then chunks of 1 (mostly) to 3 ids up to ``total``."""
    start = rng.randint(1, 8)
    spans = [(0, start)]
    while start < total:
        size = min(rng.choice([1, 1, 1, 2, 3]), total - start)
        spans.append((start, start + size))
        start += size
    return spans


@pytest.mark.parametrize("recipe,seed", [("gpt2", 0), ("gpt2", 1), ("llama", 2), ("llama", 3), ("llama", 4)])
def test_stepwise_cached_logits_equal_the_full_forward(recipe, seed):
    rng = random.Random(seed)
    model = random_model(recipe, seed)
    idx = torch.randint(0, 97, (rng.randint(1, 3), 40), generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        full = model(idx)  # (B, 40, V)
        cache = KVCache(model.config.n_layer)
        stepwise = torch.cat([model(idx[:, a:b], kv_cache=cache) for a, b in chunks(rng, 40)], dim=1)
    assert len(cache) == 40
    torch.testing.assert_close(stepwise, full, atol=1e-5, rtol=1e-5)
    assert full.std() > 0.1  # the logits are far from constant, so the tolerance is tight


@pytest.mark.parametrize("recipe", ["gpt2", "llama"])
def test_the_cache_is_needed_and_positions_continue(recipe):
    """Without the cache one token alone gives other logits; with RoPE the keys are stored already rotated."""
    model = random_model(recipe, 5)
    idx = torch.randint(0, 97, (2, 9), generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        full = model(idx)
        cache = KVCache(model.config.n_layer)
        model(idx[:, :8], kv_cache=cache)
        last = model(idx[:, 8:], kv_cache=cache)[:, -1]
        alone = model(idx[:, 8:])[:, -1]
    torch.testing.assert_close(last, full[:, -1], atol=1e-5, rtol=1e-5)
    assert (alone - full[:, -1]).abs().max() > 1e-2


@pytest.mark.parametrize("n_head,n_kv_head", [(4, 4), (4, 2), (4, 1), (6, 3)])
def test_gqa_caches_only_the_kv_heads(n_head, n_kv_head):
    config = GPTConfig.llama_style(vocab_size=50, block_size=16, n_layer=2, n_head=n_head, n_kv_head=n_kv_head,
                                   d_model=n_head * 4)
    model = GPT(config).eval()
    cache = KVCache(2)
    with torch.no_grad():
        model(torch.randint(0, 50, (3, 7)), kv_cache=cache)
        model(torch.randint(0, 50, (3, 1)), kv_cache=cache)
    for layer in range(2):
        assert cache.keys[layer].shape == cache.values[layer].shape == (3, n_kv_head, 8, 4)
    assert cache.nbytes() == kv_cache_bytes(config, batch=3, seq_len=8) == 2 * 2 * 3 * 8 * n_kv_head * 4 * 4


@pytest.mark.parametrize("dtype,width", [(torch.float32, 4), (torch.bfloat16, 2), (torch.float64, 8)])
def test_measured_bytes_equal_the_formula(dtype, width):
    rng = random.Random(width)
    for _ in range(3):
        model = random_model("llama", rng.randint(0, 999)).to(dtype)
        batch, length = rng.randint(1, 4), rng.randint(1, 40)
        cache = KVCache(model.config.n_layer)
        with torch.no_grad():
            model(torch.randint(0, 97, (batch, length)), kv_cache=cache)
        assert cache.keys[0].dtype == dtype
        assert cache.nbytes() == kv_cache_bytes(model.config, batch, length, bytes_per_value=width)


def test_formula_on_published_configs():
    """Llama-2-7B (32 layers, 32 KV heads of 128) and Llama-3-8B (8 KV heads) in 16-bit, by hand."""
    llama2 = GPTConfig.llama_style(vocab_size=32000, block_size=4096, n_layer=32, n_head=32, d_model=4096)
    llama3 = GPTConfig.llama_style(vocab_size=128256, block_size=8192, n_layer=32, n_head=32, n_kv_head=8,
                                   d_model=4096)
    assert kv_cache_bytes(llama2, 1, 1, 2) == 2 * 32 * 32 * 128 * 2 == 512 * 1024  # 0.5 MiB per token
    assert kv_cache_bytes(llama2, 1, 4096, 2) == 2 * 2**30  # 2 GiB for one full context
    assert kv_cache_bytes(llama3, 1, 4096, 2) * 4 == kv_cache_bytes(llama2, 1, 4096, 2)  # GQA: 4x smaller


@pytest.mark.parametrize("n_kv_head", [1, 2, 4])
def test_attention_cache_readable_path_equals_fast_path(n_kv_head):
    torch.manual_seed(n_kv_head)
    attn = MultiHeadAttention(16, 4, n_kv_head).double().eval()
    x = torch.randn(2, 9, 16, dtype=torch.float64)
    full, full_w = attn(x, is_causal=True, rope=True, return_weights=True)
    fast, readable = KVCache(1), KVCache(1)
    out_fast = [attn(x[:, :6], is_causal=True, rope=True, kv_cache=fast)]
    out_read = [attn(x[:, :6], is_causal=True, rope=True, kv_cache=readable, return_weights=True)[0]]
    for t in (6, 7):
        out_fast.append(attn(x[:, t:t + 1 + (t == 7)], is_causal=True, rope=True, kv_cache=fast))
        out, w = attn(x[:, t:t + 1 + (t == 7)], is_causal=True, rope=True, kv_cache=readable, return_weights=True)
        out_read.append(out)
    assert w.shape == (2, 4, 2, 9)  # the last 2 queries against all 9 keys
    torch.testing.assert_close(w, full_w[:, :, 7:])
    torch.testing.assert_close(torch.cat(out_fast, 1), full)
    torch.testing.assert_close(torch.cat(out_read, 1), full)


def test_reset_and_repr():
    model = random_model("gpt2", 7)
    cache = KVCache(model.config.n_layer)
    with torch.no_grad():
        model(torch.randint(0, 97, (1, 5)), kv_cache=cache)
        assert len(cache) == 5 and "seq_length=5" in repr(cache)
        cache.reset()
        assert len(cache) == 0 and cache.nbytes() == 0
        torch.testing.assert_close(model(torch.tensor([[3, 4]]), kv_cache=cache), model(torch.tensor([[3, 4]])))


def test_bad_input():
    model = random_model("gpt2", 8)  # block_size 40
    cache = KVCache(model.config.n_layer)
    with torch.no_grad():
        model(torch.zeros(1, 39, dtype=torch.long), kv_cache=cache)
        with pytest.raises(ValueError, match="block_size=40"):
            model(torch.zeros(1, 2, dtype=torch.long), kv_cache=cache)
        with pytest.raises(ValueError, match="n_layer"):
            model(torch.zeros(1, 2, dtype=torch.long), kv_cache=KVCache(model.config.n_layer + 1))
        with pytest.raises(TypeError, match="KVCache"):
            model(torch.zeros(1, 2, dtype=torch.long), kv_cache=[])
    with pytest.raises(ValueError, match="n_layer"):
        KVCache(0)
    with pytest.raises(ValueError, match="layer"):
        KVCache(2).update(2, torch.zeros(1, 1, 1, 4), torch.zeros(1, 1, 1, 4))
    with pytest.raises(ValueError, match="same shape|one shape"):
        KVCache(1).update(0, torch.zeros(1, 1, 1, 4), torch.zeros(1, 1, 2, 4))
    grown = KVCache(1)
    grown.update(0, torch.zeros(1, 2, 3, 4), torch.zeros(1, 2, 3, 4))
    with pytest.raises(ValueError, match="continue"):
        grown.update(0, torch.zeros(1, 1, 1, 4), torch.zeros(1, 1, 1, 4))
    with pytest.raises(ValueError, match="position_offset"):
        MultiHeadAttention(8, 2)(torch.zeros(1, 1, 8), kv_cache=KVCache(1), position_offset=3)
    with pytest.raises(TypeError, match="GPTConfig"):
        kv_cache_bytes({"n_layer": 2}, 1, 1)
    with pytest.raises(ValueError, match="seq_len"):
        kv_cache_bytes(model.config, 1, -1)
    with pytest.raises(ValueError, match="bytes_per_value"):
        kv_cache_bytes(model.config, 1, 1, bytes_per_value=0)
