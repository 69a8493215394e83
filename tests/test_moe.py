"""Mixture of experts (Day 15): MoELayer against transformers' MixtralSparseMoeBlock and a dense loop over
all experts, the load-balancing loss against transformers' load_balancing_loss_func, and the parameter
arithmetic against MixtralForCausalLM built on the meta device."""

import random

import pytest
import torch

from course_lib.moe import (MIXTRAL_8X7B, MoELayer, SparseModelShape, expert_load, load_balancing_loss,
                            moe_layers, route, swap_in_moe)

transformers = pytest.importorskip("transformers")
from transformers import MixtralConfig, MixtralForCausalLM  # noqa: E402
from transformers.models.mixtral.modeling_mixtral import (  # noqa: E402
    MixtralSparseMoeBlock,
    load_balancing_loss_func,
)


def random_sizes(seed: int) -> dict:
    rng = random.Random(seed)
    num_experts = rng.randint(1, 9)
    return dict(d_model=rng.randint(3, 24), d_ff=rng.randint(2, 37), num_experts=num_experts,
                top_k=rng.randint(1, num_experts))


def hf_block(sizes: dict, seed: int, implementation: str | None = None) -> MixtralSparseMoeBlock:
    config = MixtralConfig(hidden_size=sizes["d_model"], intermediate_size=sizes["d_ff"],
                           num_local_experts=sizes["num_experts"], num_experts_per_tok=sizes["top_k"],
                           router_jitter_noise=0.0)
    if implementation is not None:
        config._experts_implementation = implementation
    torch.manual_seed(seed)
    block = MixtralSparseMoeBlock(config)
    with torch.no_grad():  # the block's parameters start empty: randomize every one of them
        for param in block.parameters():
            param.normal_(0.0, 0.5)
    return block.eval()


def dense_moe(layer: MoELayer, x: torch.Tensor) -> torch.Tensor:
    """Every expert on every token, then keep the top-k by an explicit loop: the slow, obvious version."""
    flat = x.reshape(-1, layer.d_model)
    probs = torch.softmax(flat @ layer.router.weight.T, dim=-1)  # (N, E)
    all_outputs = torch.stack([expert(flat) for expert in layer.experts], dim=1)  # (N, E, C)
    out = torch.zeros_like(flat)
    for t in range(flat.shape[0]):
        ranked = sorted(range(layer.num_experts), key=lambda e: -probs[t, e].item())[: layer.top_k]
        total = sum(probs[t, e] for e in ranked)
        for e in ranked:
            out[t] += probs[t, e] / total * all_outputs[t, e]
    return out.reshape(x.shape)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("implementation", [None, "eager"])
def test_from_hf_equals_mixtral_block(seed, implementation):
    sizes = random_sizes(seed)
    block = hf_block(sizes, seed, implementation)
    layer = MoELayer.from_hf(block)
    assert (layer.d_model, layer.d_ff, layer.num_experts, layer.top_k) == tuple(sizes.values())
    batch, length = random.Random(seed).randint(1, 3), random.Random(seed + 1).randint(1, 11)
    x = torch.randn(batch, length, sizes["d_model"], generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        expected = block(x.clone())
        got = layer(x)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
    router_logits, router_weights, router_indices = block.gate(x)
    torch.testing.assert_close(layer.last_router_logits, router_logits)
    weights, indices, _ = route(router_logits, sizes["top_k"])
    assert torch.equal(indices, router_indices)
    torch.testing.assert_close(weights, router_weights)


def test_from_hf_really_copies_the_weights():
    sizes = dict(d_model=6, d_ff=5, num_experts=4, top_k=2)
    block = hf_block(sizes, seed=0, implementation="eager")
    layer = MoELayer.from_hf(block)
    x = torch.randn(2, 7, 6, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        block.experts.gate_up_proj[:, :5] *= -1.0  # change only the gate halves: outputs must move
        assert not torch.allclose(layer(x), block(x.clone()), atol=1e-4)
    with pytest.raises(TypeError, match="MixtralSparseMoeBlock"):
        MoELayer.from_hf(torch.nn.Linear(3, 3))


@pytest.mark.parametrize("seed", range(5))
def test_forward_equals_a_dense_loop_over_all_experts_in_float64(seed):
    sizes = random_sizes(seed + 10)
    torch.manual_seed(seed)
    layer = MoELayer(**sizes).double()
    x = torch.randn(2, 5, sizes["d_model"], dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(layer(x), dense_moe(layer, x), rtol=1e-12, atol=1e-12)
    assert layer.last_indices.shape == (10, sizes["top_k"])


def test_top_k_equal_to_num_experts_is_a_dense_softmax_mixture_and_gradients_reach_the_router():
    torch.manual_seed(0)
    layer = MoELayer(d_model=5, d_ff=7, num_experts=3, top_k=3)
    x = torch.randn(4, 5)
    probs = torch.softmax(layer.router(x), dim=-1)  # all experts kept: weights are the softmax itself
    mixture = sum(probs[:, e, None] * layer.experts[e](x) for e in range(3))
    torch.testing.assert_close(layer(x), mixture)
    layer(x).sum().backward()
    assert layer.router.weight.grad is not None and layer.router.weight.grad.abs().sum() > 0


@pytest.mark.parametrize("seed", range(6))
def test_route_is_softmax_then_top_k_then_renormalize(seed):
    rng = random.Random(seed)
    num_experts = rng.randint(1, 10)
    top_k = rng.randint(1, num_experts)
    logits = torch.randn(rng.randint(1, 20), num_experts, dtype=torch.float64) * rng.uniform(0.1, 10)
    weights, indices, probs = route(logits, top_k)
    torch.testing.assert_close(probs, torch.softmax(logits, dim=-1))
    for row in range(logits.shape[0]):
        order = sorted(range(num_experts), key=lambda e: -logits[row, e].item())[:top_k]
        assert indices[row].tolist() == order
        kept = logits[row, order]
        # renormalizing the kept probabilities == a softmax over the kept logits alone
        torch.testing.assert_close(weights[row], torch.softmax(kept, dim=-1))
    torch.testing.assert_close(weights.sum(-1), torch.ones(logits.shape[0], dtype=torch.float64))
    shifted, _, _ = route(logits + 100.0, top_k)  # softmax is shift-invariant and must not overflow
    torch.testing.assert_close(shifted, weights)


@pytest.mark.parametrize("seed", range(6))
def test_load_balancing_loss_equals_transformers(seed):
    rng = random.Random(seed)
    num_experts = rng.randint(2, 9)
    top_k = rng.randint(1, num_experts)
    gen = torch.Generator().manual_seed(seed)
    layers = tuple(torch.randn(rng.randint(1, 40), num_experts, generator=gen) * rng.uniform(0.1, 5)
                   for _ in range(rng.randint(1, 4)))
    expected = load_balancing_loss_func(layers, num_experts, top_k)
    torch.testing.assert_close(load_balancing_loss(layers, top_k), expected)
    torch.testing.assert_close(load_balancing_loss(list(layers), top_k), expected)
    single = load_balancing_loss_func(layers[:1], num_experts, top_k)
    torch.testing.assert_close(load_balancing_loss(layers[0], top_k), single)


def test_load_balancing_loss_extremes_and_gradient():
    assert load_balancing_loss(torch.zeros(8, 4), top_k=2).item() == pytest.approx(2.0)  # uniform: top_k
    collapsed = torch.tensor([[30.0, 0.0, 0.0, 0.0]]).repeat(16, 1)  # everyone picks expert 0 (top-1)
    assert load_balancing_loss(collapsed, top_k=1).item() == pytest.approx(4.0, rel=1e-6)  # num_experts
    logits = torch.randn(12, 5, requires_grad=True)
    load_balancing_loss(logits, top_k=2).backward()
    assert logits.grad.abs().sum() > 0


def test_expert_load_counts_assignments():
    indices = torch.tensor([[0, 3], [3, 1], [3, 0]])
    load = expert_load(indices, num_experts=5)
    assert load.tolist() == [2 / 6, 1 / 6, 0.0, 3 / 6, 0.0]
    with pytest.raises(ValueError, match="5"):
        expert_load(torch.tensor([[5]]), num_experts=5)


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="top_k must be at most num_experts=4, got top_k=5"):
        MoELayer(8, 16, num_experts=4, top_k=5)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="num_experts"):
            MoELayer(8, 16, num_experts=bad, top_k=1)
    with pytest.raises(ValueError, match="d_model=8"):
        MoELayer(8, 16, 4, 2)(torch.randn(2, 3, 7))
    with pytest.raises(ValueError, match="top_k"):
        route(torch.randn(3, 4), top_k=0)
    with pytest.raises(TypeError, match="router_logits"):
        route([[1.0, 2.0]], top_k=1)
    with pytest.raises(TypeError, match="floating-point"):
        load_balancing_loss(torch.ones(3, 4, dtype=torch.long), top_k=1)
    with pytest.raises(ValueError, match="same number of experts"):
        load_balancing_loss([torch.randn(3, 4), torch.randn(3, 5)], top_k=1)
    with pytest.raises(TypeError, match="course GPT"):
        swap_in_moe(torch.nn.Linear(3, 3), num_experts=4, top_k=2)
    with pytest.raises(TypeError, match="torch.nn.Module"):
        moe_layers("not a model")
    with pytest.raises(ValueError, match="n_kv_head"):
        SparseModelShape(100, 64, 128, 2, n_head=4, n_kv_head=3, num_experts=4, top_k=2)


def hf_parameter_count(shape: SparseModelShape, num_experts: int) -> int:
    config = MixtralConfig(vocab_size=shape.vocab_size, hidden_size=shape.d_model,
                           intermediate_size=shape.d_ff,
                           num_hidden_layers=shape.n_layer, num_attention_heads=shape.n_head,
                           num_key_value_heads=shape.n_kv_head, num_local_experts=num_experts,
                           num_experts_per_tok=min(shape.top_k, num_experts),
                           tie_word_embeddings=shape.tie_embeddings)
    with torch.device("meta"):  # shapes only, no memory
        model = MixtralForCausalLM(config)
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("seed", range(4))
def test_parameter_arithmetic_equals_transformers_mixtral(seed):
    rng = random.Random(seed)
    n_kv_head = rng.randint(1, 3)
    n_head = n_kv_head * rng.randint(1, 3)
    num_experts = rng.randint(2, 8)
    shape = SparseModelShape(vocab_size=rng.randint(10, 99), d_model=n_head * 2 * rng.randint(1, 4),
                             d_ff=rng.randint(3, 37), n_layer=rng.randint(1, 3), n_head=n_head,
                             n_kv_head=n_kv_head,
                             num_experts=num_experts, top_k=rng.randint(1, num_experts),
                             tie_embeddings=rng.random() < 0.5)
    assert shape.total_parameters() == hf_parameter_count(shape, shape.num_experts)
    # active: a model with only top_k experts per layer, plus the full router (it scores every expert)
    router_gap = shape.n_layer * (shape.num_experts - shape.top_k) * shape.d_model
    assert shape.active_parameters() == hf_parameter_count(shape, shape.top_k) + router_gap


def test_mixtral_8x7b_published_figures():
    assert MIXTRAL_8X7B.total_parameters() == hf_parameter_count(MIXTRAL_8X7B, 8) == 46_702_792_704
    assert round(MIXTRAL_8X7B.total_parameters() / 1e9, 1) == 46.7  # "46.7B total"
    assert round(MIXTRAL_8X7B.active_parameters() / 1e9, 1) == 12.9  # "12.9B active per token"


def test_swap_in_moe_replaces_every_ffn_and_trains():
    from course_lib.transformer import GPT, GPTConfig

    torch.manual_seed(0)
    config = GPTConfig.llama_style(vocab_size=37, block_size=8, n_layer=3, n_head=2, d_model=16)
    model = swap_in_moe(GPT(config), num_experts=3, top_k=2, d_ff=11)
    layers = moe_layers(model)
    assert len(layers) == 3 and all(block.ffn is layer for block, layer in zip(model.blocks, layers))
    assert all((layer.d_ff, layer.num_experts, layer.top_k) == (11, 3, 2) for layer in layers)
    ids = torch.randint(0, 37, (2, 8))
    logits = model(ids)
    aux = load_balancing_loss([layer.last_router_logits for layer in layers], top_k=2)
    (logits.logsumexp(-1).mean() + aux).backward()
    assert all(layer.router.weight.grad.abs().sum() > 0 for layer in layers)
