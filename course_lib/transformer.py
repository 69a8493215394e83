"""A decoder-only Transformer language model (the course GPT), built from ``course_lib.attention``.

One class, :class:`GPT`, covers two recipes by configuration (:class:`GPTConfig`):

* **GPT-2** (Radford et al. 2019, "Language Models are Unsupervised Multitask Learners"): LayerNorm,
  learned position embeddings, a GELU (tanh approximation) feed-forward, biases everywhere, and an
  output layer that reuses the token-embedding matrix (tied embeddings);
* **Llama** (Touvron et al. 2023, "LLaMA: Open and Efficient Foundation Language Models"): RMSNorm,
  rotary positions (RoPE), a SwiGLU feed-forward, no biases, and grouped-query attention (fewer key/value
  heads than query heads).

The model is: token embedding (+ position embedding for GPT-2) -> dropout -> ``n_layer`` pre-norm
:class:`course_lib.attention.TransformerBlock` s with a causal mask -> final norm -> linear layer to one
logit per vocabulary entry. :meth:`GPT.generate` samples from it (temperature, top-k, greedy at
temperature 0; top-p, repetition penalty, stop strings, streaming and a KV cache from Day 13:
:class:`KVCache` and :func:`kv_cache_bytes`, defined in :mod:`course_lib.kv_cache` and re-exported here).
:meth:`GPT.from_hf` / :meth:`GPT.to_hf` convert from and to ``transformers``'
``GPT2LMHeadModel`` and ``LlamaForCausalLM`` (the mapping lives in :mod:`course_lib.hf_convert`).
Introduced on Day 9; trained on Day 10.

Checked against: ``transformers``' ``GPT2LMHeadModel`` and ``LlamaForCausalLM`` on tiny random configs
with odd sizes, weights copied into ours: equal logits in float64, equal greedy continuations, and the
round trip through ``save_pretrained`` / ``AutoModelForCausalLM.from_pretrained``
(``tests/test_transformer.py``).

Leaves out: padding masks for batches of unequal length, RoPE scaling, weight
decay groups and other training machinery (:mod:`course_lib.training`).

The torch module :class:`GPT` is defined in :mod:`course_lib.gpt` and loaded from here on first access
(a module ``__getattr__``, PEP 562), so ``import course_lib.transformer`` stays fast.

Example:
    >>> from course_lib.transformer import GPT, GPTConfig
    >>> import torch
    >>> config = GPTConfig.llama_style(vocab_size=99, block_size=16, n_layer=2, n_head=4, n_kv_head=2,
    ...                                d_model=32)
    >>> config.d_ff  # SwiGLU's default: 8/3 * d_model rounded up to a multiple of 32
    96
    >>> model = GPT(config)
    >>> idx = torch.randint(0, 99, (2, 5))  # (B, T) token ids
    >>> model(idx).shape  # (B, T, vocab_size)
    torch.Size([2, 5, 99])
    >>> model.generate(idx, max_new_tokens=3, temperature=0).shape
    torch.Size([2, 8])
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

__all__ = ["GPTConfig", "GPT", "KVCache", "kv_cache_bytes"]

NORMS = ("layernorm", "rmsnorm")
ACTIVATIONS = ("gelu_tanh", "gelu", "relu", "swiglu")
POSITIONS = ("learned", "rope")


def _check_int(name: str, value: object, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"GPTConfig.{name} must be an integer >= {minimum}, got {value!r}")


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"GPTConfig.{name} must be one of {choices}, got {value!r}")


@dataclass(frozen=True)
class GPTConfig:
    """Hyper-parameters of a :class:`GPT`; every combination of the two recipes is allowed (Day 9).

    Example:
        >>> GPTConfig.gpt2_style(d_model=64, n_head=4).d_ff  # GPT-2's rule: 4 * d_model
        256
        >>> GPTConfig(n_head=3, d_model=64)
        Traceback (most recent call last):
        ...
        ValueError: GPTConfig.d_model must be divisible by n_head (heads split the width), got d_model=64, n_head=3
        >>> GPTConfig.from_dict(GPTConfig().to_dict()) == GPTConfig()
        True
    """

    vocab_size: int = 512  # number of token ids; the output layer has one logit per id
    block_size: int = 128  # longest context the model reads (learned positions: size of pos_emb)
    n_layer: int = 4  # number of Transformer blocks
    n_head: int = 4  # query heads per attention layer
    n_kv_head: int | None = None  # key/value heads (GQA); None = n_head (plain multi-head), 1 = multi-query
    d_model: int = 128  # width of the residual stream; head_dim = d_model // n_head
    d_ff: int | None = None  # feed-forward width; None = 4*d_model (swiglu: 8/3*d_model, up to a multiple of 32)
    norm: str = "layernorm"  # "layernorm" (GPT-2) or "rmsnorm" (Llama)
    activation: str = "gelu_tanh"  # "gelu_tanh" (GPT-2), "gelu" (exact), "relu" (2017) or "swiglu" (Llama)
    position: str = "learned"  # "learned" absolute embeddings (GPT-2) or "rope" rotary (Llama)
    rope_base: float = 10000.0  # RoPE's base (transformers' rope_theta); unused with learned positions
    bias: bool = True  # biases in the linear layers (and LayerNorm); GPT-2 True, Llama False
    tie_embeddings: bool = True  # lm_head.weight IS tok_emb.weight (GPT-2); Llama 2/3 8B: False
    dropout: float = 0.0  # dropout on embeddings, attention weights and residual branches while training
    norm_eps: float = 1e-5  # epsilon inside the square root of every norm

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "d_model"):
            _check_int(name, getattr(self, name))
        _check_choice("norm", self.norm, NORMS)
        _check_choice("activation", self.activation, ACTIVATIONS)
        _check_choice("position", self.position, POSITIONS)
        if self.n_kv_head is None:
            object.__setattr__(self, "n_kv_head", self.n_head)  # frozen: resolve the default once
        _check_int("n_kv_head", self.n_kv_head)
        if self.d_ff is None:
            width = 4 * self.d_model if self.activation != "swiglu" else 32 * math.ceil(8 * self.d_model / 96)
            object.__setattr__(self, "d_ff", width)
        _check_int("d_ff", self.d_ff)
        if self.d_model % self.n_head:
            raise ValueError(f"GPTConfig.d_model must be divisible by n_head (heads split the width), "
                             f"got d_model={self.d_model}, n_head={self.n_head}")
        if self.n_head % self.n_kv_head:
            raise ValueError(f"GPTConfig.n_kv_head must divide n_head (each key/value head serves a group of "
                             f"query heads), got n_kv_head={self.n_kv_head}, n_head={self.n_head}")
        if self.position == "rope" and (self.d_model // self.n_head) % 2:
            raise ValueError(f"GPTConfig.position='rope' needs an even head_dim = d_model // n_head (RoPE turns "
                             f"pairs), got head_dim={self.d_model // self.n_head}")
        for name, low in (("rope_base", 0.0), ("norm_eps", 0.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not low < value < math.inf:
                raise ValueError(f"GPTConfig.{name} must be a finite number > {low}, got {value!r}")
        dropout = self.dropout
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"GPTConfig.dropout must be a probability in [0, 1), got {self.dropout!r}")
        for name in ("bias", "tie_embeddings"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"GPTConfig.{name} must be True or False, got {getattr(self, name)!r}")

    @property
    def head_dim(self) -> int:
        """Width of one attention head: ``d_model // n_head``."""
        return self.d_model // self.n_head

    @classmethod
    def gpt2_style(cls, **overrides: Any) -> "GPTConfig":
        """GPT-2's recipe: LayerNorm, learned positions, GELU (tanh), biases, tied embeddings.

        Example:
            >>> c = GPTConfig.gpt2_style(n_layer=2)
            >>> c.norm, c.position, c.activation, c.bias, c.tie_embeddings, c.n_layer
            ('layernorm', 'learned', 'gelu_tanh', True, True, 2)
        """
        recipe = dict(norm="layernorm", activation="gelu_tanh", position="learned", bias=True,
                      tie_embeddings=True, norm_eps=1e-5)
        return cls(**{**recipe, **overrides})

    @classmethod
    def llama_style(cls, **overrides: Any) -> "GPTConfig":
        """Llama's recipe: RMSNorm, RoPE, SwiGLU, no biases, untied embeddings (set ``n_kv_head`` for GQA).

        Example:
            >>> c = GPTConfig.llama_style(n_head=4, n_kv_head=1)
            >>> c.norm, c.position, c.activation, c.bias, c.n_kv_head
            ('rmsnorm', 'rope', 'swiglu', False, 1)
        """
        recipe = dict(norm="rmsnorm", activation="swiglu", position="rope", bias=False,
                      tie_embeddings=False, norm_eps=1e-5)
        return cls(**{**recipe, **overrides})

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (JSON-ready); :meth:`from_dict` reads it back."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "GPTConfig":
        """Build a config from :meth:`to_dict`'s output; unknown keys raise ``ValueError``."""
        if not isinstance(data, dict):
            raise TypeError(f"data must be a dict of GPTConfig fields, got {type(data).__name__}")
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            known = [f.name for f in fields(cls)]
            raise ValueError(f"unknown GPTConfig fields {unknown}; expected some of {known}")
        return cls(**data)


def __getattr__(name: str) -> Any:
    """PEP 562: :class:`GPT` lives in :mod:`course_lib.gpt` (torch at module level), loaded on first access."""
    if name == "GPT":
        from course_lib.gpt import GPT

        return GPT
    if name in ("KVCache", "kv_cache_bytes"):
        from course_lib import kv_cache

        return getattr(kv_cache, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"GPT", "KVCache", "kv_cache_bytes"})
