"""Convert the course :class:`~course_lib.transformer.GPT` from and to ``transformers`` models.

Two families map onto the course GPT one to one (Day 9):

* ``GPT2LMHeadModel``: GPT-2 stores its linear layers as ``Conv1D`` with the weight *transposed*
  (``(in, out)``, ``y = x @ W + b``), and fuses the query, key and value projections into one ``c_attn``
  of width ``3 * d_model``; we split it into ``q_proj``, ``k_proj``, ``v_proj`` and transpose every matrix.
* ``LlamaForCausalLM``: the names differ, the tensors do not (both use the half-split RoPE layout).

Every weight is mapped by name, so a missing or extra tensor is an error, not a silent zero.
``transformers`` and torch are imported inside the functions.

Example:
    >>> import torch
    >>> from transformers import LlamaConfig, LlamaForCausalLM
    >>> hf = LlamaForCausalLM(LlamaConfig(vocab_size=99, hidden_size=48, intermediate_size=37,
    ...     num_hidden_layers=2, num_attention_heads=3, num_key_value_heads=1))
    >>> gpt = gpt_from_hf(hf)
    >>> gpt.config.n_kv_head, gpt.config.activation, gpt.config.d_ff
    (1, 'swiglu', 37)
    >>> idx = torch.tensor([[5, 7, 11]])
    >>> torch.allclose(gpt(idx), hf(idx).logits, atol=1e-5)
    True
    >>> type(gpt_to_hf(gpt)).__name__
    'LlamaForCausalLM'
"""

from __future__ import annotations

from typing import Any

from course_lib.transformer import GPTConfig

__all__ = ["config_from_hf", "hf_config_from", "gpt_from_hf", "gpt_to_hf"]

# GPT-2's activation_function names -> ours, and back
_GPT2_ACTIVATIONS = {"gelu_new": "gelu_tanh", "gelu_pytorch_tanh": "gelu_tanh", "gelu": "gelu", "relu": "relu"}
_TO_GPT2_ACTIVATION = {"gelu_tanh": "gelu_new", "gelu": "gelu", "relu": "relu"}


def _family(model_or_config: Any) -> str:
    model_type = getattr(getattr(model_or_config, "config", model_or_config), "model_type", None)
    if model_type not in ("gpt2", "llama"):
        raise ValueError(f"expected a transformers GPT2LMHeadModel or LlamaForCausalLM (model_type 'gpt2' or "
                         f"'llama'), got {type(model_or_config).__name__} with model_type {model_type!r}")
    return model_type


def config_from_hf(hf_config: Any) -> GPTConfig:
    """The :class:`GPTConfig` of a ``GPT2Config`` or ``LlamaConfig``; ``ValueError`` for features we lack."""
    hc = hf_config
    if _family(hc) == "gpt2":
        if hc.activation_function not in _GPT2_ACTIVATIONS:
            raise ValueError(f"GPT-2 activation_function {hc.activation_function!r} is not supported; "
                             f"expected one of {sorted(_GPT2_ACTIVATIONS)}")
        if not hc.scale_attn_weights or hc.scale_attn_by_inverse_layer_idx or hc.add_cross_attention:
            raise ValueError("GPT-2 configs with scale_attn_weights=False, scale_attn_by_inverse_layer_idx=True "
                             "or add_cross_attention=True are not supported")
        return GPTConfig.gpt2_style(
            vocab_size=hc.vocab_size, block_size=hc.n_positions, n_layer=hc.n_layer, n_head=hc.n_head,
            d_model=hc.n_embd, d_ff=hc.n_inner or 4 * hc.n_embd,
            activation=_GPT2_ACTIVATIONS[hc.activation_function], norm_eps=hc.layer_norm_epsilon,
            tie_embeddings=bool(hc.tie_word_embeddings), dropout=float(hc.resid_pdrop))
    rope = dict(getattr(hc, "rope_parameters", None) or {})
    if rope.get("rope_type", "default") != "default" or getattr(hc, "pretraining_tp", 1) not in (1, None):
        raise ValueError(f"Llama rope_parameters {rope} (scaled RoPE) or pretraining_tp != 1 are not supported")
    if hc.hidden_act != "silu" or hc.head_dim != hc.hidden_size // hc.num_attention_heads:
        raise ValueError(f"Llama hidden_act must be 'silu' (got {hc.hidden_act!r}) and head_dim must be "
                         f"hidden_size // num_attention_heads (got {hc.head_dim})")
    if bool(hc.attention_bias) != bool(hc.mlp_bias):
        raise ValueError(f"Llama attention_bias ({hc.attention_bias}) and mlp_bias ({hc.mlp_bias}) must agree: "
                         "GPTConfig has one bias flag")
    return GPTConfig.llama_style(
        vocab_size=hc.vocab_size, block_size=hc.max_position_embeddings, n_layer=hc.num_hidden_layers,
        n_head=hc.num_attention_heads, n_kv_head=hc.num_key_value_heads, d_model=hc.hidden_size,
        d_ff=hc.intermediate_size, rope_base=float(rope.get("rope_theta", 10000.0)),
        bias=bool(hc.attention_bias), tie_embeddings=bool(hc.tie_word_embeddings),
        dropout=float(hc.attention_dropout), norm_eps=hc.rms_norm_eps)


def hf_config_from(config: GPTConfig) -> Any:
    """The ``GPT2Config`` or ``LlamaConfig`` equal to ``config``; ``ValueError`` naming a field it cannot hold.

    Dropout: GPT-2 drops embeddings, attention weights and residual branches as we do. Llama has attention
    dropout only, so ``dropout`` becomes its ``attention_dropout``: the models agree in eval mode, and in
    training mode ours also drops the embeddings and residual branches.
    """
    from transformers import GPT2Config, LlamaConfig

    c = config
    if c.position == "learned":  # GPT-2 recipe: LayerNorm, biases, one key/value head per query head
        wrong = {"norm": (c.norm, "layernorm"), "bias": (c.bias, True), "n_kv_head": (c.n_kv_head, c.n_head)}
        if c.activation not in _TO_GPT2_ACTIVATION:
            wrong["activation"] = (c.activation, sorted(_TO_GPT2_ACTIVATION))
        _raise_if_wrong(wrong, "GPT2LMHeadModel (position='learned')")
        return GPT2Config(vocab_size=c.vocab_size, n_positions=c.block_size, n_embd=c.d_model, n_layer=c.n_layer,
                          n_head=c.n_head, n_inner=c.d_ff, activation_function=_TO_GPT2_ACTIVATION[c.activation],
                          resid_pdrop=c.dropout, embd_pdrop=c.dropout, attn_pdrop=c.dropout,
                          layer_norm_epsilon=c.norm_eps, tie_word_embeddings=c.tie_embeddings,
                          bos_token_id=None, eos_token_id=None)
    _raise_if_wrong({"norm": (c.norm, "rmsnorm"), "activation": (c.activation, "swiglu")},
                    "LlamaForCausalLM (position='rope')")
    return LlamaConfig(vocab_size=c.vocab_size, max_position_embeddings=c.block_size, hidden_size=c.d_model,
                       intermediate_size=c.d_ff, num_hidden_layers=c.n_layer, num_attention_heads=c.n_head,
                       num_key_value_heads=c.n_kv_head, hidden_act="silu", rms_norm_eps=c.norm_eps,
                       rope_parameters={"rope_type": "default", "rope_theta": c.rope_base},
                       attention_bias=c.bias, mlp_bias=c.bias, attention_dropout=c.dropout,
                       tie_word_embeddings=c.tie_embeddings, bos_token_id=None, eos_token_id=None)


def _raise_if_wrong(wrong: dict[str, tuple[Any, Any]], target: str) -> None:
    for field, (value, expected) in wrong.items():
        if value != expected and not (isinstance(expected, list) and value in expected):
            raise ValueError(f"transformers' {target} cannot express GPTConfig.{field}={value!r}; "
                             f"it needs {field}={expected!r}")


Mapping = list[tuple[str, str, str]]  # (our name, their name, how): how is "same", "T" or "q"/"k"/"v"


def _pairs(ours: str, theirs: str, how: str, params: tuple[str, ...] = ("weight", "bias")) -> Mapping:
    return [(f"{ours}.{p}", f"{theirs}.{p}", how if p == "weight" or how in "qkv" else "same") for p in params]


def _gpt2_names(n_layer: int) -> Mapping:
    """Every GPT-2 tensor; "T": a Conv1D weight to transpose; "q"/"k"/"v": a third of the fused c_attn."""
    names = [("tok_emb.weight", "transformer.wte.weight", "same"),
             ("pos_emb.weight", "transformer.wpe.weight", "same"),
             ("lm_head.weight", "lm_head.weight", "same"), *_pairs("norm_f", "transformer.ln_f", "same")]
    for i in range(n_layer):
        ours, theirs = f"blocks.{i}.", f"transformer.h.{i}."
        names += _pairs(ours + "norm1", theirs + "ln_1", "same")
        names += _pairs(ours + "norm2", theirs + "ln_2", "same")
        for part in "qkv":
            names += _pairs(ours + f"attn.{part}_proj", theirs + "attn.c_attn", part)
        for a, b in (("attn.o_proj", "attn.c_proj"), ("ffn.up_proj", "mlp.c_fc"),
                     ("ffn.down_proj", "mlp.c_proj")):
            names += _pairs(ours + a, theirs + b, "T")
    return names


def _llama_names(n_layer: int, bias: bool) -> Mapping:
    """Every Llama tensor: renamed, never reshaped."""
    params = ("weight", "bias") if bias else ("weight",)
    names = [("tok_emb.weight", "model.embed_tokens.weight", "same"),
             ("norm_f.weight", "model.norm.weight", "same"), ("lm_head.weight", "lm_head.weight", "same")]
    for i in range(n_layer):
        ours, theirs = f"blocks.{i}.", f"model.layers.{i}."
        names += [(ours + "norm1.weight", theirs + "input_layernorm.weight", "same"),
                  (ours + "norm2.weight", theirs + "post_attention_layernorm.weight", "same")]
        for p in "qkvo":
            names += _pairs(ours + f"attn.{p}_proj", theirs + f"self_attn.{p}_proj", "same", params)
        for p in ("gate", "up", "down"):
            names += _pairs(ours + f"ffn.{p}_proj", theirs + f"mlp.{p}_proj", "same", params)
    return names


def _names(config: GPTConfig) -> Mapping:
    if config.position == "learned":
        return _gpt2_names(config.n_layer)
    return _llama_names(config.n_layer, config.bias)


def gpt_from_hf(model: Any) -> Any:
    """A course GPT with the weights, dtype and device of a ``GPT2LMHeadModel`` or ``LlamaForCausalLM``."""
    from course_lib.transformer import GPT

    config = config_from_hf(model.config)
    theirs = model.state_dict()
    if "lm_head.weight" not in theirs:  # tied models may store the matrix once
        theirs["lm_head.weight"] = model.get_output_embeddings().weight
    like = next(model.parameters())
    gpt = GPT(config).to(device=like.device, dtype=like.dtype)
    d = config.d_model
    ours = {}
    for our_name, their_name, how in _names(config):
        tensor = theirs[their_name]
        if how in ("q", "k", "v"):  # c_attn: (C, 3C) weight or (3C,) bias, columns [q | k | v]
            j = "qkv".index(how)
            tensor = tensor[..., j * d:(j + 1) * d]
            how = "T" if tensor.ndim == 2 else "same"
        ours[our_name] = tensor.t() if how == "T" else tensor  # Conv1D (in, out) -> Linear (out, in)
    gpt.load_state_dict(ours, strict=True)
    return gpt.train(model.training)


def gpt_to_hf(gpt: Any) -> Any:
    """The ``transformers`` model equal to the course ``gpt`` (same weights, dtype, device, train/eval mode)."""
    import torch
    from transformers import GPT2LMHeadModel, LlamaForCausalLM

    hf_config = hf_config_from(gpt.config)
    ours = gpt.state_dict()
    theirs: dict[str, Any] = {}
    for our_name, their_name, how in _names(gpt.config):
        tensor = ours[our_name]
        if how in ("q", "k", "v"):  # gather q, k, v back into GPT-2's fused c_attn
            if how == "q":
                parts = [ours[our_name.replace("q_proj", f"{p}_proj")] for p in "qkv"]
                theirs[their_name] = torch.cat([p.t() if p.ndim == 2 else p for p in parts], dim=-1)
            continue
        theirs[their_name] = tensor.t().contiguous() if how == "T" else tensor
    model_class = GPT2LMHeadModel if gpt.config.position == "learned" else LlamaForCausalLM
    like = next(gpt.parameters())
    model = model_class(hf_config).to(device=like.device, dtype=like.dtype)
    missing, unexpected = model.load_state_dict(theirs, strict=False)
    missing = [k for k in missing if not (k == "lm_head.weight" and gpt.config.tie_embeddings)]
    if missing or unexpected:
        raise RuntimeError(f"weight mapping incomplete: missing {missing}, unexpected {unexpected}")
    return model.train(gpt.training)
