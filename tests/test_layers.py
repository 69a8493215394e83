"""Norms, feed-forward networks and the transformer block against torch and transformers:
LayerNorm/RMSNorm == torch.nn.LayerNorm/RMSNorm, swiglu FFN == LlamaMLP, a Llama-style block ==
LlamaDecoderLayer (RMSNorm, SwiGLU, RoPE, GQA, no bias) and a GPT-2-style block == GPT2Block
(LayerNorm, gelu_tanh, biases), on tiny random configs with odd sizes and weights copied."""

import doctest
import random

import pytest
import torch
import torch.nn.functional as F

import course_lib.layers
from course_lib.attention import (
    FeedForwardNetwork,
    LayerNorm,
    RMSNorm,
    TransformerBlock,
    causal_mask,
)

SEEDS = range(5)
transformers = pytest.importorskip("transformers")


def randomize(module: torch.nn.Module, seed: int, std: float = 0.3) -> torch.nn.Module:
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=p.dtype) * std + (1.0 if p.ndim == 1 else 0.0))
    return module


def randn(*shape, seed):
    return torch.randn(*shape, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


# ------------------------------------------------------------------ norms


@pytest.mark.parametrize("seed", SEEDS)
def test_layernorm_equals_torch(seed):
    rng = random.Random(seed)
    d, eps, bias = rng.randint(1, 40), 10 ** rng.uniform(-7, -1), rng.random() < 0.7
    ours = randomize(LayerNorm(d, eps=eps, bias=bias).double(), seed)
    reference = torch.nn.LayerNorm(d, eps=eps, bias=bias).double()
    reference.load_state_dict(ours.state_dict())
    x = randn(3, rng.randint(1, 6), d, seed=seed) * rng.uniform(0.1, 50) + rng.uniform(-20, 20)
    torch.testing.assert_close(ours(x), reference(x))


@pytest.mark.parametrize("seed", SEEDS)
def test_rmsnorm_equals_torch_and_llama(seed):
    from transformers.models.llama.modeling_llama import LlamaRMSNorm

    rng = random.Random(seed)
    d, eps = rng.randint(1, 40), 10 ** rng.uniform(-7, -1)
    ours = randomize(RMSNorm(d, eps=eps).double(), seed)
    reference = torch.nn.RMSNorm(d, eps=eps).double()
    reference.load_state_dict(ours.state_dict())
    x = randn(2, rng.randint(1, 6), d, seed=seed) * rng.uniform(0.1, 50)
    torch.testing.assert_close(ours(x), reference(x))
    llama = LlamaRMSNorm(d, eps=eps)  # float32 weight; bfloat16 input: computes in float32, casts back
    llama.load_state_dict({"weight": ours.weight.float()})
    x16 = x.bfloat16()
    assert ours.float()(x16).dtype == llama(x16).dtype
    torch.testing.assert_close(ours.float()(x16), llama(x16))


@pytest.mark.parametrize("call, message", [
    (lambda: LayerNorm(0), "d.*0"), (lambda: LayerNorm(4, eps=0.0), "eps.*0.0"),
    (lambda: RMSNorm(4, eps=-1.0), "eps.*-1.0"), (lambda: RMSNorm(2.5), "2.5"),
])
def test_norm_bad_arguments_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------ feed-forward


@pytest.mark.parametrize("seed", SEEDS)
def test_swiglu_equals_llama_mlp(seed):
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaMLP

    rng = random.Random(seed)
    d, d_ff, bias = rng.randint(2, 30), rng.randint(2, 45), rng.random() < 0.5
    config = LlamaConfig(hidden_size=d, intermediate_size=d_ff, num_attention_heads=1, num_key_value_heads=1, head_dim=2,
                         mlp_bias=bias, hidden_act="silu")
    reference = randomize(LlamaMLP(config).double(), seed)
    ours = FeedForwardNetwork(d, d_ff, activation="swiglu", bias=bias).double()
    ours.load_state_dict(reference.state_dict())  # same names: gate_proj, up_proj, down_proj
    x = randn(2, 5, d, seed=seed)
    torch.testing.assert_close(ours(x), reference(x))


@pytest.mark.parametrize("activation, function", [
    ("relu", F.relu), ("gelu", lambda h: 0.5 * h * (1 + torch.erf(h / 2 ** 0.5))),
    ("gelu_tanh", lambda h: 0.5 * h * (1 + torch.tanh((2 / torch.pi) ** 0.5 * (h + 0.044715 * h ** 3)))),
])
@pytest.mark.parametrize("seed", SEEDS)
def test_ffn_activations_match_their_formulas(activation, function, seed):
    rng = random.Random(seed)
    d, d_ff = rng.randint(1, 20), rng.randint(1, 50)
    ffn = randomize(FeedForwardNetwork(d, d_ff, activation=activation).double(), seed)
    x = randn(3, d, seed=seed) * 2
    expected = function(x @ ffn.up_proj.weight.T + ffn.up_proj.bias) @ ffn.down_proj.weight.T + ffn.down_proj.bias
    torch.testing.assert_close(ffn(x), expected)
    assert not hasattr(ffn, "gate_proj")


@pytest.mark.parametrize("kwargs, message", [
    (dict(d_model=4, d_ff=8, activation="silu"), "'silu'"), (dict(d_model=4, d_ff=0), "d_ff.*0"),
    (dict(d_model=4, d_ff=8, dropout=-0.1), "dropout.*-0.1"),
])
def test_ffn_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FeedForwardNetwork(**kwargs)


# ------------------------------------------------------------------ blocks


def llama_reference(seed):
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaDecoderLayer, LlamaRotaryEmbedding

    rng = random.Random(seed)
    num_kv_heads = rng.choice([1, 2, 3])
    num_heads = num_kv_heads * rng.randint(1, 3)
    head_dim = 2 * rng.randint(2, 7)  # half of it often odd
    config = LlamaConfig(hidden_size=num_heads * head_dim, intermediate_size=rng.randint(5, 61),
                         num_attention_heads=num_heads, num_key_value_heads=num_kv_heads, head_dim=head_dim,
                         rms_norm_eps=10 ** rng.uniform(-6, -3), rope_theta=10 ** rng.uniform(2, 5),
                         attention_bias=False, mlp_bias=False, attn_implementation="eager")
    layer = randomize(LlamaDecoderLayer(config, layer_idx=0).double(), seed).eval()
    return config, layer, LlamaRotaryEmbedding(config)


@pytest.mark.parametrize("seed", SEEDS)
def test_llama_style_block_equals_llama_decoder_layer(seed):
    config, reference, rotary = llama_reference(seed)
    rng = random.Random(seed)
    ours = TransformerBlock(config.hidden_size, config.num_attention_heads, config.intermediate_size,
                            num_kv_heads=config.num_key_value_heads, norm="rmsnorm", activation="swiglu",
                            bias=False, norm_eps=config.rms_norm_eps,
                            rope_base=config.rope_parameters["rope_theta"]).double().eval()
    names = {"input_layernorm": "norm1", "post_attention_layernorm": "norm2", "self_attn": "attn", "mlp": "ffn"}
    state = {}
    for name, tensor in reference.state_dict().items():
        first, rest = name.split(".", 1)
        state[f"{names[first]}.{rest}"] = tensor
    ours.load_state_dict(state)  # strict: every parameter copied, none left over
    seq, offset = rng.randint(1, 12), rng.randint(0, 30)
    x = randn(2, seq, config.hidden_size, seed=seed)
    positions = torch.arange(offset, offset + seq)[None].expand(2, -1)
    cos_sin = rotary(x, positions)
    causal = torch.zeros(seq, seq, dtype=torch.float64).masked_fill(~causal_mask(seq), float("-inf"))
    expected = reference(x, attention_mask=causal[None, None], position_ids=positions, position_embeddings=cos_sin)
    expected = expected[0] if isinstance(expected, tuple) else expected
    # transformers computes the RoPE angles in float32 (see tests/test_positional.py): ~1e-5 differences
    torch.testing.assert_close(ours(x, is_causal=True, rope=True, position_offset=offset), expected,
                               atol=1e-4, rtol=1e-4)
    without_rope = ours(x, is_causal=True)
    assert seq == 1 or (without_rope - expected).abs().max() > 1e-3  # the check can tell RoPE from none


@pytest.mark.parametrize("seed", SEEDS)
def test_gpt2_style_block_equals_gpt2_block(seed):
    from transformers import GPT2Config
    from transformers.models.gpt2.modeling_gpt2 import GPT2Block

    rng = random.Random(seed)
    num_heads, head_dim = rng.randint(1, 4), rng.randint(1, 7)
    d_model, d_ff = num_heads * head_dim, rng.randint(3, 47)
    config = GPT2Config(n_embd=d_model, n_head=num_heads, n_inner=d_ff, activation_function="gelu_new",
                        layer_norm_epsilon=10 ** rng.uniform(-6, -3), attn_implementation="eager",
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    reference = randomize(GPT2Block(config, layer_idx=0).double(), seed).eval()
    ours = TransformerBlock(d_model, num_heads, d_ff, norm="layernorm", activation="gelu_tanh",
                            norm_eps=config.layer_norm_epsilon).double().eval()
    sd = reference.state_dict()
    c_attn_w, c_attn_b = sd["attn.c_attn.weight"], sd["attn.c_attn.bias"]  # Conv1D: (in, out)
    state = {"norm1.weight": sd["ln_1.weight"], "norm1.bias": sd["ln_1.bias"],
             "norm2.weight": sd["ln_2.weight"], "norm2.bias": sd["ln_2.bias"],
             "attn.o_proj.weight": sd["attn.c_proj.weight"].T, "attn.o_proj.bias": sd["attn.c_proj.bias"],
             "ffn.up_proj.weight": sd["mlp.c_fc.weight"].T, "ffn.up_proj.bias": sd["mlp.c_fc.bias"],
             "ffn.down_proj.weight": sd["mlp.c_proj.weight"].T, "ffn.down_proj.bias": sd["mlp.c_proj.bias"]}
    for i, name in enumerate(("q_proj", "k_proj", "v_proj")):
        state[f"attn.{name}.weight"] = c_attn_w[:, i * d_model:(i + 1) * d_model].T
        state[f"attn.{name}.bias"] = c_attn_b[i * d_model:(i + 1) * d_model]
    ours.load_state_dict(state)
    seq = rng.randint(1, 10)
    x = randn(3, seq, d_model, seed=seed)
    causal = torch.zeros(seq, seq, dtype=torch.float64).masked_fill(~causal_mask(seq), float("-inf"))
    expected = reference(x, attention_mask=causal[None, None])
    expected = expected[0] if isinstance(expected, tuple) else expected
    torch.testing.assert_close(ours(x, is_causal=True), expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_post_ln_block_matches_its_formula(seed):
    rng = random.Random(seed)
    block = randomize(TransformerBlock(12, 3, rng.randint(5, 30), pre_norm=False, activation="relu").double(), seed)
    x = randn(2, 6, 12, seed=seed)
    h = block.norm1(x + block.attn(x, is_causal=True))
    torch.testing.assert_close(block(x, is_causal=True), block.norm2(h + block.ffn(h)))
    pre = TransformerBlock(12, 3, block.ffn.up_proj.out_features, activation="relu").double()
    pre.load_state_dict(block.state_dict())
    assert (pre(x, is_causal=True) - block(x, is_causal=True)).abs().max() > 1e-3


def test_block_bad_norm_raises_and_dropout_only_in_training():
    with pytest.raises(ValueError, match="'batchnorm'"):
        TransformerBlock(8, 2, 16, norm="batchnorm")
    block = TransformerBlock(8, 2, 16, dropout=0.5)
    x = torch.randn(2, 4, 8)
    assert not torch.equal(block(x), block(x))  # training: dropout is random
    block.eval()
    assert torch.equal(block(x), block(x))
    result = doctest.testmod(course_lib.layers)
    assert result.attempted > 0 and result.failed == 0
