"""The course GPT against transformers' GPT2LMHeadModel and LlamaForCausalLM on tiny random configs.

Odd sizes (vocab 99, width 48, 3 heads, feed-forward 29-45) so that a transposed or mis-split matrix
cannot hide; weights (norms and biases included) randomized per seed, far from their initial values;
float64 so that equal means equal. Also: round trips through to_hf and save_pretrained, greedy and
sampled generation equal to transformers' generate(), the fixed parameter names, and bad input.
"""

import json
import random

import pytest
import torch
import torch.nn.functional as F

from course_lib.hf_convert import config_from_hf, hf_config_from
from course_lib.transformer import GPT, GPTConfig

transformers = pytest.importorskip("transformers")

# transformers' LlamaRMSNorm normalizes in float32 and its rotary embedding computes angles in float32,
# even for float64 models, so Llama logits agree to ~1e-6 only; GPT-2 agrees to float64 round-off.
# A wrong mapping (a transpose, swapped q/k, a missing bias) changes logits by O(1).
GPT2_TOL = dict(atol=1e-10, rtol=1e-10)
LLAMA_TOL = dict(atol=2e-5, rtol=2e-5)
VOCAB, WIDTH, HEADS = 99, 48, 3


def randomize_(model: torch.nn.Module, seed: int, std: float = 0.3) -> torch.nn.Module:
    """Every parameter (norm weights and biases too) drawn afresh: a mapping error cannot match by luck."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            is_norm_scale = param.ndim == 1 and name.endswith("weight")  # around 1, as a trained norm's
            param.copy_(torch.randn(param.shape, generator=gen, dtype=param.dtype) * std + is_norm_scale)
    return model


def tiny_gpt2(seed: int, **overrides) -> "transformers.GPT2LMHeadModel":
    rng = random.Random(seed)
    kwargs = dict(vocab_size=VOCAB, n_embd=WIDTH, n_head=HEADS, n_layer=rng.randint(1, 3), n_positions=24,
                  n_inner=rng.randint(29, 45), activation_function=rng.choice(["gelu_new", "gelu", "relu"]),
                  layer_norm_epsilon=rng.choice([1e-5, 1e-3]), tie_word_embeddings=rng.random() < 0.5,
                  bos_token_id=None, eos_token_id=None)
    kwargs.update(overrides)
    model = transformers.GPT2LMHeadModel(transformers.GPT2Config(**kwargs)).double().eval()
    return randomize_(model, seed)


def tiny_llama(seed: int, n_kv_head: int, **overrides) -> "transformers.LlamaForCausalLM":
    rng = random.Random(seed)
    bias = rng.random() < 0.5
    kwargs = dict(vocab_size=VOCAB, hidden_size=WIDTH, num_attention_heads=HEADS, num_key_value_heads=n_kv_head,
                  num_hidden_layers=rng.randint(1, 3), intermediate_size=rng.randint(29, 45),
                  max_position_embeddings=24, rms_norm_eps=rng.choice([1e-6, 1e-3]),
                  rope_parameters={"rope_type": "default", "rope_theta": 10 ** rng.uniform(2, 5)},
                  attention_bias=bias, mlp_bias=bias, tie_word_embeddings=rng.random() < 0.5,
                  bos_token_id=None, eos_token_id=None)
    kwargs.update(overrides)
    model = transformers.LlamaForCausalLM(transformers.LlamaConfig(**kwargs)).double().eval()
    return randomize_(model, seed)


def ids(seed: int, batch: int = 2, length: int = 13) -> torch.Tensor:
    return torch.randint(0, VOCAB, (batch, length), generator=torch.Generator().manual_seed(seed))


CASES = [("gpt2", None, 0), ("gpt2", None, 1), ("gpt2", None, 2),
         ("llama", 1, 0), ("llama", 3, 1), ("llama", 1, 2), ("llama", 3, 3)]


def tiny_hf(family: str, n_kv_head, seed: int, **overrides):
    return tiny_gpt2(seed, **overrides) if family == "gpt2" else tiny_llama(seed, n_kv_head, **overrides)


def tol(family: str) -> dict:
    return GPT2_TOL if family == "gpt2" else LLAMA_TOL


# ------------------------------------------------------------------------------------ from_hf


@pytest.mark.parametrize("family,n_kv_head,seed", CASES)
def test_from_hf_gives_transformers_logits(family, n_kv_head, seed):
    hf = tiny_hf(family, n_kv_head, seed)
    gpt = GPT.from_hf(hf)
    x = ids(seed)
    with torch.no_grad():
        expected, actual = hf(x).logits, gpt(x)
    assert expected.std() > 0.5  # random weights: logits far from constant
    torch.testing.assert_close(actual, expected, **tol(family))
    assert gpt.config.n_kv_head == (HEADS if family == "gpt2" else n_kv_head)
    assert (gpt.lm_head.weight is gpt.tok_emb.weight) == hf.config.tie_word_embeddings
    assert gpt.tok_emb.weight.dtype == torch.float64 and not gpt.training


@pytest.mark.parametrize("family,n_kv_head,seed", CASES[::2])
def test_gradients_equal_transformers(family, n_kv_head, seed):
    """Training our GPT is training theirs: the same loss and the same embedding gradient."""
    hf = tiny_hf(family, n_kv_head, seed)
    gpt = GPT.from_hf(hf)
    x, y = ids(seed, length=9), ids(seed + 100, length=9)
    loss_ours = F.cross_entropy(gpt(x).flatten(0, 1), y.flatten())
    loss_theirs = F.cross_entropy(hf(x).logits.flatten(0, 1), y.flatten())
    loss_ours.backward()
    loss_theirs.backward()
    torch.testing.assert_close(loss_ours, loss_theirs, **tol(family))
    torch.testing.assert_close(gpt.tok_emb.weight.grad, hf.get_input_embeddings().weight.grad, **tol(family))


def test_gpt2_mapping_splits_and_transposes_c_attn():
    hf = tiny_gpt2(5)
    gpt = GPT.from_hf(hf)
    c_attn = hf.transformer.h[0].attn.c_attn
    torch.testing.assert_close(gpt.blocks[0].attn.k_proj.weight, c_attn.weight[:, WIDTH:2 * WIDTH].T)
    torch.testing.assert_close(gpt.blocks[0].attn.v_proj.bias, c_attn.bias[2 * WIDTH:])


# ------------------------------------------------------------------------------------ to_hf


def random_gpt(recipe: str, seed: int, **overrides) -> GPT:
    rng = random.Random(seed)
    common = dict(vocab_size=VOCAB, block_size=24, n_layer=rng.randint(1, 3), n_head=HEADS, d_model=WIDTH,
                  d_ff=rng.randint(29, 45), tie_embeddings=rng.random() < 0.5)
    if recipe == "gpt2":
        config = GPTConfig.gpt2_style(**{**common, "activation": rng.choice(["gelu_tanh", "gelu", "relu"]),
                                         **overrides})
    else:
        config = GPTConfig.llama_style(**{**common, "n_kv_head": rng.choice([1, 3]), "bias": rng.random() < 0.5,
                                          "rope_base": 10 ** rng.uniform(2, 5), **overrides})
    return randomize_(GPT(config).double().eval(), seed)


@pytest.mark.parametrize("recipe,seed", [("gpt2", 0), ("gpt2", 1), ("llama", 0), ("llama", 1)])
def test_to_hf_round_trip(recipe, seed):
    gpt = random_gpt(recipe, seed)
    hf = gpt.to_hf()
    assert type(hf).__name__ == ("GPT2LMHeadModel" if recipe == "gpt2" else "LlamaForCausalLM")
    x = ids(seed)
    with torch.no_grad():
        ours, theirs, back = gpt(x), hf(x).logits, GPT.from_hf(hf)(x)
    torch.testing.assert_close(theirs, ours, **tol(recipe))
    torch.testing.assert_close(back, ours, atol=0, rtol=0)  # same weights, same code: bit for bit
    assert config_from_hf(hf_config_from(gpt.config)) == gpt.config


@pytest.mark.parametrize("recipe,seed", [("gpt2", 3), ("llama", 3)])
def test_save_pretrained_loads_with_auto_model(recipe, seed, tmp_path):
    gpt = random_gpt(recipe, seed, tie_embeddings=seed % 2 == 1)
    gpt.to_hf().save_pretrained(tmp_path)
    loaded = transformers.AutoModelForCausalLM.from_pretrained(tmp_path, dtype=torch.float64).eval()
    x = ids(seed)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x).logits, gpt(x), **tol(recipe))


@pytest.mark.parametrize("overrides,field", [
    (dict(norm="rmsnorm"), "norm"), (dict(bias=False), "bias"), (dict(n_kv_head=1), "n_kv_head"),
    (dict(activation="swiglu"), "activation")])
def test_to_hf_rejects_what_gpt2_cannot_express(overrides, field):
    gpt = GPT(GPTConfig.gpt2_style(vocab_size=VOCAB, n_head=HEADS, d_model=WIDTH, n_layer=1, **overrides))
    with pytest.raises(ValueError, match=f"GPTConfig.{field}="):
        gpt.to_hf()


@pytest.mark.parametrize("overrides,field", [(dict(norm="layernorm"), "norm"), (dict(activation="gelu"), "activation")])
def test_to_hf_rejects_what_llama_cannot_express(overrides, field):
    gpt = GPT(GPTConfig.llama_style(vocab_size=VOCAB, n_head=HEADS, d_model=WIDTH, n_layer=1, **overrides))
    with pytest.raises(ValueError, match=f"GPTConfig.{field}="):
        gpt.to_hf()


def test_from_hf_rejects_other_models_and_features():
    bert = transformers.BertConfig(vocab_size=VOCAB, hidden_size=WIDTH, num_attention_heads=HEADS,
                                   num_hidden_layers=1, intermediate_size=37)
    with pytest.raises(ValueError, match="'bert'"):
        GPT.from_hf(transformers.BertForMaskedLM(bert))
    with pytest.raises(ValueError, match="scale_attn_by_inverse_layer_idx"):
        config_from_hf(transformers.GPT2Config(n_embd=WIDTH, n_head=HEADS, scale_attn_by_inverse_layer_idx=True))
    scaled = {"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0}
    with pytest.raises(ValueError, match="linear"):
        config_from_hf(transformers.LlamaConfig(hidden_size=WIDTH, num_attention_heads=HEADS, rope_parameters=scaled))


# ------------------------------------------------------------------------------------ generate


@pytest.mark.parametrize("family,n_kv_head,seed", [("gpt2", None, 0), ("llama", 1, 1), ("llama", 3, 2)])
def test_greedy_generate_equals_transformers(family, n_kv_head, seed):
    hf = tiny_hf(family, n_kv_head, seed)
    gpt = GPT.from_hf(hf)
    prompt = ids(seed, batch=2, length=5)
    ours = gpt.generate(prompt, max_new_tokens=12, temperature=0)
    theirs = hf.generate(prompt, max_new_tokens=12, do_sample=False, pad_token_id=0, eos_token_id=None,
                         attention_mask=torch.ones_like(prompt))
    assert ours.shape == (2, 17)
    assert torch.equal(ours, theirs)
    assert len(set(ours[:, 5:].flatten().tolist())) > 2  # not a constant continuation


@pytest.mark.parametrize("family,n_kv_head,seed,temperature,top_k", [
    ("gpt2", None, 0, 1.0, None), ("gpt2", None, 1, 0.7, 5), ("llama", 1, 2, 1.3, 10), ("llama", 3, 3, 0.5, None)])
def test_sampling_equals_transformers_with_the_same_seed(family, n_kv_head, seed, temperature, top_k):
    """Both draw with torch.multinomial on the same float32 probabilities, so the same seed gives the same ids."""
    hf = tiny_hf(family, n_kv_head, seed)
    gpt = GPT.from_hf(hf)
    prompt = ids(seed, batch=3, length=4)
    torch.manual_seed(seed)
    ours = gpt.generate(prompt, max_new_tokens=10, temperature=temperature, top_k=top_k)
    torch.manual_seed(seed)
    theirs = hf.generate(prompt, max_new_tokens=10, do_sample=True, temperature=temperature,
                         top_k=top_k or 0, top_p=1.0, pad_token_id=0, eos_token_id=None,
                         attention_mask=torch.ones_like(prompt))
    assert torch.equal(ours, theirs)


def test_seeded_sampling_is_repeatable_and_top_k_holds():
    gpt = GPT.from_hf(tiny_gpt2(4))
    prompt = ids(4, batch=2, length=3)
    draw = lambda seed, **kw: gpt.generate(prompt, 15, generator=torch.Generator().manual_seed(seed), **kw)
    assert torch.equal(draw(7), draw(7))
    assert not torch.equal(draw(7), draw(8))
    assert torch.equal(draw(7, top_k=1), gpt.generate(prompt, 15, temperature=0))  # top-1 = greedy
    out = draw(9, top_k=3)
    for t in range(3, out.shape[1]):  # every sampled id was among the 3 best at its step
        top3 = gpt(out[:, :t])[:, -1].topk(3).indices
        assert (top3 == out[:, t:t + 1]).any(dim=1).all()


def test_generate_crops_the_context_to_block_size():
    gpt = GPT.from_hf(tiny_gpt2(6, n_positions=8))
    prompt = ids(6, batch=1, length=7)
    out = gpt.generate(prompt, max_new_tokens=6, temperature=0)  # 13 > block_size 8: must crop, not fail
    last = gpt(out[:, -9:-1])[:, -1].argmax(-1)  # the final step saw the last 8 ids only
    assert out.shape == (1, 13) and out[0, -1] == last[0]


# ------------------------------------------------------------------------------------ the module itself


def test_parameter_names_are_fixed():
    gpt = GPT(GPTConfig.gpt2_style(vocab_size=VOCAB, block_size=8, n_layer=1, n_head=HEADS, d_model=WIDTH))
    assert sorted(gpt.state_dict()) == sorted(
        ["tok_emb.weight", "pos_emb.weight", "norm_f.weight", "norm_f.bias", "lm_head.weight"]
        + [f"blocks.0.{n}.{p}" for n in ("norm1", "norm2", "attn.q_proj", "attn.k_proj", "attn.v_proj",
                                         "attn.o_proj", "ffn.up_proj", "ffn.down_proj") for p in ("weight", "bias")])
    llama = GPT(GPTConfig.llama_style(vocab_size=VOCAB, n_layer=1, n_head=HEADS, n_kv_head=1, d_model=WIDTH))
    names = set(llama.state_dict())
    assert "pos_emb.weight" not in names and "blocks.0.ffn.gate_proj.weight" in names
    assert llama.blocks[0].attn.k_proj.weight.shape == (WIDTH // HEADS, WIDTH)
    assert llama.lm_head.weight is not llama.tok_emb.weight


def test_num_parameters_counts_a_tied_matrix_once():
    config = GPTConfig.gpt2_style(vocab_size=VOCAB, block_size=8, n_layer=2, n_head=HEADS, d_model=WIDTH, d_ff=37)
    tied, untied = GPT(config), GPT(GPTConfig.from_dict({**config.to_dict(), "tie_embeddings": False}))
    assert untied.num_parameters() - tied.num_parameters() == VOCAB * WIDTH
    assert tied.num_parameters(exclude_embeddings=True) == tied.num_parameters() - (VOCAB + 8) * WIDTH


def test_dropout_only_in_training():
    gpt = GPT(GPTConfig.gpt2_style(vocab_size=VOCAB, block_size=8, n_layer=1, n_head=HEADS, d_model=WIDTH,
                                   dropout=0.3))
    x = ids(0, length=8)
    assert not torch.equal(gpt.train()(x), gpt(x))
    assert torch.equal(gpt.eval()(x), gpt(x))


def test_config_json_round_trip_and_defaults():
    config = GPTConfig.llama_style(vocab_size=VOCAB, n_head=4, n_kv_head=2, d_model=64)
    assert GPTConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert config.d_ff == 192 and config.head_dim == 16  # 8/3 * 64 = 170.7 -> 192 (a multiple of 32)
    assert GPTConfig.gpt2_style(d_model=64, n_head=4).d_ff == 256 and config.n_kv_head == 2
    assert GPTConfig(n_head=4).n_kv_head == 4


@pytest.mark.parametrize("field,value", [
    ("vocab_size", 0), ("block_size", 2.5), ("n_layer", True), ("n_head", 5), ("n_kv_head", 3), ("d_ff", -1),
    ("norm", "batchnorm"), ("activation", "tanh"), ("position", "alibi"), ("rope_base", 0.0), ("bias", 1),
    ("tie_embeddings", None), ("dropout", 1.0), ("norm_eps", -1e-5)])
def test_bad_config_names_the_field(field, value):
    with pytest.raises(ValueError, match=rf"^GPTConfig\..*\b{field}\b"):
        GPTConfig(**{field: value})


def test_bad_config_dict_and_rope_with_odd_head_dim():
    with pytest.raises(ValueError, match="n_heads"):
        GPTConfig.from_dict({"n_heads": 4})
    with pytest.raises(ValueError, match="head_dim=5"):
        GPTConfig.llama_style(d_model=20, n_head=4)


def test_bad_forward_and_generate_input():
    gpt = GPT(GPTConfig.gpt2_style(vocab_size=VOCAB, block_size=8, n_layer=1, n_head=HEADS, d_model=WIDTH))
    with pytest.raises(ValueError, match="block_size=8"):
        gpt(ids(0, length=9))
    with pytest.raises(ValueError, match="int64"):
        gpt(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="temperature"):
        gpt.generate(ids(0, length=3), 2, temperature=-1.0)
    with pytest.raises(ValueError, match="top_k"):
        gpt.generate(ids(0, length=3), 2, top_k=0)
    with pytest.raises(TypeError, match="GPTConfig"):
        GPT({"vocab_size": 10})
