"""Attention (Days 6-8) and the position information it needs (Day 5).

* :func:`scaled_dot_product_attention`: Vaswani et al. (2017), "Attention Is All You Need", eq. 1:
  ``softmax(q k^T / sqrt(d) + mask) v``, written out so that the attention weights are returned.
* :class:`MultiHeadAttention` (with grouped-query attention, Ainslie et al. 2023, and multi-query
  attention, Shazeer 2019), :class:`FeedForwardNetwork`, :class:`LayerNorm`, :class:`RMSNorm` and
  :class:`TransformerBlock`: torch modules, defined in :mod:`course_lib.multihead` and
  :mod:`course_lib.layers` and loaded from here on first use (they import torch at module level).
* Masks (:mod:`course_lib.masks`) and positional encodings (:mod:`course_lib.positions`) are
  re-exported here.

Checked against: ``torch.nn.functional.scaled_dot_product_attention`` in float64 with boolean and
additive masks and with fewer queries than keys; transformers' ``LlamaDecoderLayer``, ``LlamaMLP``
and ``GPT2Block`` with weights copied; ``torch.nn.LayerNorm`` and ``torch.nn.RMSNorm``
(``tests/test_attention.py``, ``tests/test_layers.py``, ``tests/test_positional.py``).

Leaves out: attention dropout in :func:`scaled_dot_product_attention` (the module applies it),
KV caches (Day 13), FlashAttention's tiling (the fast path calls torch's kernel), cross-attention.

torch is imported inside the functions, so ``import course_lib.attention`` stays fast.
"""

from __future__ import annotations

import importlib
import math
from typing import TYPE_CHECKING, Any

from course_lib.masks import additive_mask, causal_mask, padding_mask, sliding_window_mask
from course_lib.positions import (
    rope_frequencies,
    rotary_positional_embedding,
    rotate_half,
    sinusoidal_positional_encoding,
)

if TYPE_CHECKING:
    import torch

__all__ = [
    "sinusoidal_positional_encoding", "rope_frequencies", "rotate_half", "rotary_positional_embedding",
    "causal_mask", "sliding_window_mask", "padding_mask", "additive_mask",
    "scaled_dot_product_attention", "allowed_keys",
    "MultiHeadAttention", "FeedForwardNetwork", "LayerNorm", "RMSNorm", "TransformerBlock",
]

# torch modules: imported from their own files on first access (PEP 562), so this module stays light
_LAZY = {"MultiHeadAttention": "course_lib.multihead", "FeedForwardNetwork": "course_lib.layers",
         "LayerNorm": "course_lib.layers", "RMSNorm": "course_lib.layers",
         "TransformerBlock": "course_lib.layers"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'course_lib.attention' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def _check_qkv(q: Any, k: Any, v: Any) -> None:
    import torch

    for name, t in (("q", q), ("k", k), ("v", v)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.ndim < 2 or not t.is_floating_point():
            raise ValueError(f"{name} must be a floating-point tensor (..., seq, dim), "
                             f"got shape {tuple(t.shape)} dtype {t.dtype}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same last dimension, got q {tuple(q.shape)}, k {tuple(k.shape)}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same number of keys, got k {tuple(k.shape)}, v {tuple(v.shape)}")


def allowed_keys(mask: "torch.Tensor | None", is_causal: bool, num_queries: int, num_keys: int,
                 device=None) -> "torch.Tensor | None":
    """Boolean "may attend" mask from a boolean or additive ``mask`` and ``is_causal`` (Day 6).

    An additive mask allows the entries that are not ``-inf``. Returns None when nothing is masked.

    Example:
        >>> import torch
        >>> allowed_keys(torch.tensor([0.0, float("-inf")]), True, 2, 2).int()
        tensor([[1, 0],
                [1, 0]], dtype=torch.int32)
    """
    import torch

    allowed = None
    if mask is not None:
        if not isinstance(mask, torch.Tensor):
            raise TypeError(f"mask must be a torch.Tensor (bool or float), got {type(mask).__name__}")
        if mask.dtype == torch.bool:
            allowed = mask
        elif mask.is_floating_point():
            allowed = mask != float("-inf")
        else:
            raise TypeError(f"mask must be boolean (True = attend) or float (added to the scores), "
                            f"got dtype {mask.dtype}")
    if is_causal:
        causal = causal_mask(num_queries, num_keys, device=device)  # (L_q, L_k)
        allowed = causal if allowed is None else allowed & causal
    return allowed


def scaled_dot_product_attention(q: "torch.Tensor", k: "torch.Tensor", v: "torch.Tensor",
                                 mask: "torch.Tensor | None" = None, is_causal: bool = False,
                                 scale: float | None = None) -> "tuple[torch.Tensor, torch.Tensor]":
    """``softmax(q k^T * scale + mask) v`` and the attention weights, written out (Day 6).

    Shapes: ``q (..., L_q, d)``, ``k (..., L_k, d)``, ``v (..., L_k, d_v)``; returns
    ``(output (..., L_q, d_v), weights (..., L_q, L_k))``. ``scale`` defaults to ``1/sqrt(d)``.
    ``mask`` is boolean (True = may attend, as in torch) or float (added to the scores; ``-inf``
    hides a key), broadcastable to ``(..., L_q, L_k)``. ``is_causal=True`` is **bottom-right**
    aligned: query ``i`` sees keys ``j <= i + L_k - L_q``, which is right for a KV cache. torch's
    ``is_causal`` is top-left aligned (``j <= i``); they agree when ``L_q == L_k``. Both a mask and
    ``is_causal`` may be given; then a key must pass both.

    A query that may attend to no key at all gets **zero weights and a zero output** (torch's kernels
    may give NaN there). The softmax subtracts the row maximum, so large scores do not overflow.

    Example:
        >>> import torch
        >>> q = torch.tensor([[1.0, 0.0]]); k = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> v = torch.tensor([[10.0], [20.0]])
        >>> out, w = scaled_dot_product_attention(q, k, v, scale=1.0)
        >>> w  # softmax([1, 0])
        tensor([[0.7311, 0.2689]])
        >>> out  # 0.7311 * 10 + 0.2689 * 20
        tensor([[12.6894]])
        >>> scaled_dot_product_attention(q, k, v, mask=torch.tensor([[False, False]]))[0]
        tensor([[0.]])
    """
    import torch

    _check_qkv(q, k, v)
    num_queries, num_keys = q.shape[-2], k.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = (q @ k.transpose(-2, -1)) * scale  # (..., L_q, L_k)
    allowed = allowed_keys(mask, is_causal, num_queries, num_keys, device=q.device)
    try:
        if mask is not None and mask.is_floating_point():
            scores = scores + mask.to(scores.dtype)  # additive mask, in the scores' precision
        if allowed is not None:
            scores = torch.where(allowed, scores, float("-inf"))  # (..., L_q, L_k), broadcast
    except RuntimeError as error:
        raise ValueError(f"mask of shape {tuple(mask.shape)} does not broadcast to the scores "
                         f"{tuple(scores.shape)} (..., L_q, L_k)") from error
    row_max = scores.amax(dim=-1, keepdim=True)  # (..., L_q, 1)
    empty = row_max == float("-inf")  # (..., L_q, 1): queries with nothing to attend to
    row_max = row_max.masked_fill(empty, 0.0)
    weights = torch.exp(scores - row_max)  # (..., L_q, L_k), exp(-inf) = 0
    total = weights.sum(dim=-1, keepdim=True)  # (..., L_q, 1)
    weights = weights / total.masked_fill(empty, 1.0)  # empty rows stay all zeros
    return weights @ v, weights  # (..., L_q, d_v), (..., L_q, L_k)
