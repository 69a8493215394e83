"""course_lib.fine_tuning against peft 0.21's LoRA layer (same A and B, B randomized) and hand counts."""

import random

import pytest
import torch
from torch import nn

from course_lib.fine_tuning import (AdapterLayer, LinearWithLoRA, apply_adapters, apply_lora, count_parameters,
                                    lora_parameter_count, matching_linear_names, merge_lora)
from course_lib.gpt import GPT
from course_lib.transformer import GPTConfig


class _Net(nn.Module):
    def __init__(self, d_in, d_out, bias):
        super().__init__()
        self.proj = nn.Linear(d_in, d_out, bias=bias)

    def forward(self, x):
        return self.proj(x)


def _peft_pair(seed):
    """Our LoRA layer and peft's, wrapping copies of one random linear, with the same random A and B."""
    from peft import LoraConfig, get_peft_model

    rng = random.Random(seed)
    d_in, d_out, rank = rng.randint(3, 24), rng.randint(3, 24), rng.randint(1, 6)
    alpha, bias = rng.choice([1, 2, 8, 16, 3.5]), rng.random() < 0.5
    torch.manual_seed(seed)
    net = _Net(d_in, d_out, bias).double()
    ref = get_peft_model(_Net(d_in, d_out, bias).double(),
                         LoraConfig(r=rank, lora_alpha=alpha, target_modules=["proj"], init_lora_weights=False))
    ref.base_model.model.proj.base_layer.load_state_dict(net.proj.state_dict())
    ours = LinearWithLoRA(net.proj, rank, alpha).double()
    A, B = torch.randn(rank, d_in, dtype=torch.float64), torch.randn(d_out, rank, dtype=torch.float64)
    with torch.no_grad():
        for layer_A, layer_B in ((ours.lora_A, ours.lora_B),
                                 (ref.base_model.model.proj.lora_A["default"], ref.base_model.model.proj.lora_B["default"])):
            layer_A.weight.copy_(A)
            layer_B.weight.copy_(B)
    x = torch.randn(rng.randint(1, 4), rng.randint(1, 5), d_in, dtype=torch.float64)
    return ours, ref, x, (rank, alpha)


@pytest.mark.parametrize("seed", range(6))
def test_lora_forward_equals_peft(seed):
    ours, ref, x, (rank, alpha) = _peft_pair(seed)
    assert ours.scaling == ref.base_model.model.proj.scaling["default"] == alpha / rank
    assert ours.lora_B.weight.abs().sum() > 0  # B randomized: the update is not zero
    assert not torch.allclose(ours(x), ours.base(x))
    torch.testing.assert_close(ours(x), ref(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_merge_equals_unmerged_and_peft_merge(seed):
    ours, ref, x, _ = _peft_pair(seed)
    merged = ours.merge()
    assert type(merged) is nn.Linear
    torch.testing.assert_close(merged(x), ours(x), rtol=1e-10, atol=1e-10)
    ref_merged = ref.merge_and_unload().proj
    torch.testing.assert_close(merged.weight, ref_merged.weight, rtol=1e-12, atol=1e-12)
    if ref_merged.bias is not None:
        torch.testing.assert_close(merged.bias, ref_merged.bias)


def test_init_b_zero_a_like_peft_and_base_frozen():
    torch.manual_seed(0)
    base = nn.Linear(16, 8)
    layer = LinearWithLoRA(base, rank=4, alpha=8, dropout=0.1)
    assert torch.count_nonzero(layer.lora_B.weight) == 0
    assert layer.lora_A.bias is None and layer.lora_B.bias is None
    bound = 1 / 16 ** 0.5  # kaiming_uniform(a=sqrt(5)) on fan_in 16, as nn.Linear and peft
    assert 0 < layer.lora_A.weight.abs().max() <= bound
    assert not any(p.requires_grad for p in layer.base.parameters())
    layer.eval()
    x = torch.randn(5, 16)
    assert torch.equal(layer(x), base(x))


class _CodesLinear(nn.Module):
    """A stand-in for a quantized linear: no floating .weight, integer codes, dequantize()."""

    def __init__(self, weight):
        super().__init__()
        self.in_features, self.out_features = weight.shape[1], weight.shape[0]
        self.register_buffer("codes", torch.round(weight * 8).to(torch.int8))

    def dequantize(self):
        return self.codes.float() / 8

    def forward(self, x):
        return x @ self.dequantize().T


def test_any_base_module_with_features_and_dequantize_merge():
    torch.manual_seed(1)
    base = _CodesLinear(torch.randn(6, 5))
    layer = LinearWithLoRA(base, rank=3, alpha=6)
    assert layer.lora_A.weight.dtype == torch.float32
    nn.init.normal_(layer.lora_B.weight)
    x = torch.randn(4, 5)
    torch.testing.assert_close(layer.merge()(x), layer(x), rtol=1e-5, atol=1e-5)


def _tiny_gpt(seed=0):
    torch.manual_seed(seed)
    return GPT(GPTConfig(vocab_size=64, block_size=16, n_layer=2, n_head=4, n_kv_head=2, d_model=32, d_ff=48,
                         norm="rmsnorm", activation="swiglu", position="rope", bias=False, tie_embeddings=True,
                         dropout=0.0))


@pytest.mark.parametrize("seed", range(3))
def test_apply_lora_on_course_gpt_counts_and_merge(seed):
    rng = random.Random(seed)
    targets = rng.sample(["q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj", "gate_proj"], 3)
    rank = rng.randint(1, 8)
    model = _tiny_gpt(seed)
    total_before = count_parameters(model)[1]
    expected = lora_parameter_count(model, targets, rank)
    shapes = {n: (m.in_features, m.out_features) for n, m in model.named_modules() if isinstance(m, nn.Linear)}
    hand = sum(rank * (i + o) for n, (i, o) in shapes.items() if n.rsplit(".", 1)[-1] in targets)
    assert expected == hand > 0
    apply_lora(model, targets, rank, alpha=2 * rank)
    trainable, total = count_parameters(model)
    assert (trainable, total) == (hand, total_before + hand)
    assert all(("lora_" in n) == p.requires_grad for n, p in model.named_parameters())
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, LinearWithLoRA):
                nn.init.normal_(m.lora_B.weight, std=0.5)
    ids = torch.randint(0, 64, (2, 10), generator=torch.Generator().manual_seed(seed))
    model.eval()
    before = model(ids)
    assert not torch.allclose(before, _tiny_gpt(seed).eval()(ids))  # the update changes the outputs
    merge_lora(model)
    assert not any(isinstance(m, LinearWithLoRA) for m in model.modules())
    torch.testing.assert_close(model(ids), before, rtol=1e-4, atol=1e-4)


def test_apply_lora_on_transformers_model_matches_peft():
    from peft import LoraConfig, get_peft_model

    model = _tiny_gpt(3)
    hf = model.to_hf().eval()
    names = matching_linear_names(hf, ["q_proj", "v_proj"])
    assert names and all(n.startswith("model.layers.") for n in names)
    ref = get_peft_model(model.to_hf().eval(), LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                                           init_lora_weights=False))
    apply_lora(hf, ["q_proj", "v_proj"], rank=4, alpha=8)
    assert count_parameters(hf)[0] == ref.get_nb_trainable_parameters()[0]
    torch.manual_seed(3)
    with torch.no_grad():
        for name in names:
            ours = hf.get_submodule(name)
            theirs = ref.base_model.model.get_submodule(name)
            ours.lora_A.weight.copy_(torch.randn_like(ours.lora_A.weight))
            ours.lora_B.weight.copy_(torch.randn_like(ours.lora_B.weight))
            theirs.lora_A["default"].weight.copy_(ours.lora_A.weight)
            theirs.lora_B["default"].weight.copy_(ours.lora_B.weight)
    ids = torch.randint(0, 64, (2, 9), generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(hf(ids).logits, ref(input_ids=ids).logits, rtol=1e-5, atol=1e-5)


def test_adapter_layer_formula_and_placement():
    torch.manual_seed(2)
    adapter = AdapterLayer(12, bottleneck=3)
    x = torch.randn(4, 12)
    assert torch.equal(adapter(x), x)  # up = 0: identity at the start
    nn.init.normal_(adapter.up.weight)
    nn.init.normal_(adapter.up.bias)
    hand = x + torch.nn.functional.gelu(x @ adapter.down.weight.T + adapter.down.bias) @ adapter.up.weight.T \
        + adapter.up.bias
    torch.testing.assert_close(adapter(x), hand)
    model = _tiny_gpt(4)
    apply_adapters(model, ["o_proj", "down_proj"], bottleneck=5)
    trainable, _ = count_parameters(model)
    assert trainable == 2 * 2 * (2 * 32 * 5 + 5 + 32)  # 2 layers x 2 adapters on 32-wide outputs
    ids = torch.randint(0, 64, (1, 8))
    torch.testing.assert_close(model.eval()(ids), _tiny_gpt(4).eval()(ids))  # identity at the start


def test_bad_input():
    with pytest.raises(ValueError, match="rank must be an integer >= 1, got 0"):
        LinearWithLoRA(nn.Linear(2, 2), rank=0, alpha=1)
    with pytest.raises(ValueError, match="alpha must be a number > 0, got -1"):
        LinearWithLoRA(nn.Linear(2, 2), rank=1, alpha=-1)
    with pytest.raises(ValueError, match="dropout must be a probability in \\[0, 1\\), got 1.5"):
        LinearWithLoRA(nn.Linear(2, 2), rank=1, alpha=1, dropout=1.5)
    with pytest.raises(TypeError, match="in_features"):
        LinearWithLoRA(nn.ReLU(), rank=1, alpha=1)
    with pytest.raises(ValueError, match="no linear layer matches target_modules=\\['qproj'\\]"):
        apply_lora(_tiny_gpt(), ["qproj"], rank=2, alpha=2)
    with pytest.raises(TypeError, match="non-empty list"):
        apply_lora(_tiny_gpt(), "q_proj", rank=2, alpha=2)
    with pytest.raises(TypeError, match="no floating .weight"):
        LinearWithLoRA(_NoWeight(), rank=1, alpha=1).merge()
    with pytest.raises(ValueError, match="no LinearWithLoRA"):
        merge_lora(_tiny_gpt())


class _NoWeight(nn.Module):
    in_features, out_features = 3, 3

    def forward(self, x):
        return x
