"""Multi-head attention with grouped-query (GQA) and multi-query (MQA) variants, and RoPE (Day 7).

Vaswani et al. (2017) split ``d_model`` into ``num_heads`` heads of ``head_dim = d_model / num_heads``
each, attend in every head separately and mix the heads with an output projection. Grouped-query
attention (Ainslie et al. 2023, "GQA") keeps ``num_heads`` query heads but only ``num_kv_heads``
key/value heads, each shared by ``num_heads / num_kv_heads`` consecutive query heads (the
layout of transformers' ``repeat_kv``); ``num_kv_heads = 1`` is multi-query attention (Shazeer 2019).
The projections are named as in transformers' Llama (``q_proj``, ``k_proj``, ``v_proj``, ``o_proj``)
so weights copy across by name.

Two paths give the same numbers: the readable one (``return_weights=True``) calls
:func:`course_lib.attention.scaled_dot_product_attention` and returns the weights; the fast one
calls ``torch.nn.functional.scaled_dot_product_attention`` (fused kernels, no weights).

Checked against: transformers' ``LlamaAttention`` inside ``LlamaDecoderLayer`` and GPT-2's attention
inside ``GPT2Block`` (``tests/test_layers.py``), readable == fast path (``tests/test_attention.py``).
With a :class:`course_lib.kv_cache.KVCache` (Day 13), ``forward(x, kv_cache=cache, layer_idx=i)`` rotates the
new queries/keys at positions ``len(cache) ..``, appends the new keys/values (only the ``num_kv_heads``
heads) and lets each new query attend to every cached key and to the new ones up to itself.

Leaves out: cross-attention, qk-norm, attention sinks. Imports torch at module
level: load it through ``course_lib.attention``, which imports it on first use.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from course_lib.attention import allowed_keys, rotary_positional_embedding, scaled_dot_product_attention

__all__ = ["MultiHeadAttention"]


def _check_positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def check_dropout(dropout: object) -> None:
    """Raise ValueError unless ``dropout`` is a probability in [0, 1)."""
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")


class MultiHeadAttention(nn.Module):
    """Self-attention with ``num_heads`` query heads and ``num_kv_heads`` key/value heads (Day 7).

    ``forward(x (B, T, d_model), mask=None, is_causal=False, rope=False, return_weights=False,
    position_offset=0)`` returns ``(B, T, d_model)``, or ``(output, weights (B, H, T, T))`` with
    ``return_weights=True``. ``mask`` is boolean (True = attend) or additive, broadcastable to
    ``(B, H, T, T)``. ``rope=True`` rotates q and k (half-split layout, base ``rope_base``) at
    positions ``position_offset .. position_offset + T - 1``. Scale ``1/sqrt(head_dim)``.
    ``kv_cache`` (a :class:`course_lib.kv_cache.KVCache`, Day 13): the positions start at the length
    of its layer ``layer_idx`` instead, the new keys/values are appended there and the queries attend
    to all of them (causally: bottom-right aligned, so the weights are ``(B, H, T, T_past + T)``).

    Example:
        >>> import torch
        >>> attn = MultiHeadAttention(d_model=12, num_heads=4, num_kv_heads=2)
        >>> x = torch.randn(2, 5, 12)
        >>> out, w = attn(x, is_causal=True, return_weights=True)
        >>> out.shape, w.shape, attn.k_proj.weight.shape  # 2 kv heads of size 3
        (torch.Size([2, 5, 12]), torch.Size([2, 4, 5, 5]), torch.Size([6, 12]))
        >>> torch.allclose(attn(x, is_causal=True), out, atol=1e-6)  # fast path, same numbers
        True
    """

    def __init__(self, d_model: int, num_heads: int, num_kv_heads: int | None = None, bias: bool = True,
                 dropout: float = 0.0, rope_base: float = 10000.0):
        super().__init__()
        num_kv_heads = num_heads if num_kv_heads is None else num_kv_heads
        for name, value in (("d_model", d_model), ("num_heads", num_heads), ("num_kv_heads", num_kv_heads)):
            _check_positive_int(name, value)
        if d_model % num_heads:
            raise ValueError(f"d_model={d_model} must be divisible by num_heads={num_heads}")
        if num_heads % num_kv_heads:
            raise ValueError(f"num_heads={num_heads} must be divisible by num_kv_heads={num_kv_heads}")
        check_dropout(dropout)
        if isinstance(rope_base, bool) or not isinstance(rope_base, (int, float)) or not rope_base > 0:
            raise ValueError(f"rope_base must be a positive number, got {rope_base!r}")
        self.d_model, self.num_heads, self.num_kv_heads = d_model, num_heads, num_kv_heads
        self.head_dim = d_model // num_heads
        self.dropout, self.rope_base = float(dropout), float(rope_base)
        kv_dim = num_kv_heads * self.head_dim
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.k_proj = nn.Linear(d_model, kv_dim, bias=bias)
        self.v_proj = nn.Linear(d_model, kv_dim, bias=bias)
        self.o_proj = nn.Linear(d_model, d_model, bias=bias)

    def _heads(self, x: torch.Tensor, rope: bool, position_offset: int):
        batch, seq, _ = x.shape
        q = self.q_proj(x).view(batch, seq, self.num_heads, self.head_dim).transpose(1, 2)  # (B, H, T, hd)
        k = self.k_proj(x).view(batch, seq, self.num_kv_heads, self.head_dim).transpose(1, 2)  # (B, Hkv, T, hd)
        v = self.v_proj(x).view(batch, seq, self.num_kv_heads, self.head_dim).transpose(1, 2)  # (B, Hkv, T, hd)
        if rope:  # one call rotates q and k (the same angles at the same positions)
            qk = rotary_positional_embedding(torch.cat((q, k), dim=1), self.rope_base, position_offset)
            q, k = qk.split((self.num_heads, self.num_kv_heads), dim=1)  # (B, H, T, hd), (B, Hkv, T, hd)
        return q, k, v

    def _readable(self, q, k, v, mask, is_causal):
        group = self.num_heads // self.num_kv_heads
        k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)  # (B, H, T, hd)
        out, weights = scaled_dot_product_attention(q, k, v, mask=mask, is_causal=is_causal)
        if self.training and self.dropout:
            out = F.dropout(weights, self.dropout) @ v  # (B, H, T, hd)
        return out, weights  # (B, H, T, hd), (B, H, T, T)

    def _fast(self, q, k, v, mask, is_causal):
        num_queries, num_keys = q.shape[-2], k.shape[-2]
        is_causal = is_causal and num_queries > 1  # one query (a decode step) may see every key
        allowed = allowed_keys(mask, is_causal, num_queries, num_keys, device=q.device)  # bool or None
        torch_causal = is_causal and mask is None and num_queries == num_keys  # torch's is_causal: top-left
        attn_mask = mask
        if is_causal and not torch_causal:
            attn_mask = allowed if mask is None or mask.dtype == torch.bool \
                else torch.where(allowed, mask, float("-inf"))
        out = F.scaled_dot_product_attention(
            q, k, v, attn_mask=attn_mask, is_causal=torch_causal,
            dropout_p=self.dropout if self.training else 0.0, enable_gqa=self.num_kv_heads != self.num_heads)
        if mask is not None:  # a query with no key to attend to: zeros, as in the readable path
            out = out.masked_fill(~allowed.any(dim=-1).unsqueeze(-1), 0.0)  # (B, H, T, hd)
        return out

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, is_causal: bool = False,
                rope: bool = False, return_weights: bool = False, position_offset: int = 0,
                kv_cache: Any = None, layer_idx: int = 0):
        if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[-1] != self.d_model:
            raise ValueError(f"x must be a tensor of shape (batch, seq, d_model={self.d_model}), "
                             f"got {tuple(getattr(x, 'shape', ())) or type(x).__name__}")
        if rope and self.head_dim % 2:
            raise ValueError(f"rope=True needs an even head_dim, got head_dim={self.head_dim}")
        if kv_cache is not None:
            if position_offset:
                raise ValueError(f"give position_offset or kv_cache, not both (the cache sets the positions), "
                                 f"got position_offset={position_offset!r}")
            position_offset = kv_cache.seq_length(layer_idx)
        q, k, v = self._heads(x, rope, position_offset)
        if kv_cache is not None:
            k, v = kv_cache.update(layer_idx, k, v)  # (B, Hkv, T_past + T, hd)
        if return_weights:
            out, weights = self._readable(q, k, v, mask, is_causal)
        else:
            out, weights = self._fast(q, k, v, mask, is_causal), None
        batch, seq, _ = x.shape
        out = self.o_proj(out.transpose(1, 2).reshape(batch, seq, self.d_model))  # (B, T, d_model)
        return (out, weights) if return_weights else out

    def extra_repr(self) -> str:
        return (f"d_model={self.d_model}, num_heads={self.num_heads}, num_kv_heads={self.num_kv_heads}, "
                f"head_dim={self.head_dim}, dropout={self.dropout}")

