"""Positional encodings: the sinusoidal table and rotary embeddings (Day 5).

Attention by itself ignores word order. This module gives positions to it in two ways:

* ``sinusoidal_positional_encoding``: the fixed table that Vaswani et al. (2017), "Attention Is All
  You Need", add to the token embeddings: ``PE[pos, 2i] = sin(pos / base^(2i/d_model))`` and
  ``PE[pos, 2i+1] = cos(pos / base^(2i/d_model))`` with ``base = 10000``.
* ``rotary_positional_embedding`` (RoPE): Su et al. (2021), "RoFormer: Enhanced Transformer with
  Rotary Position Embedding". Queries and keys are rotated, pair of coordinates by pair, by an angle
  ``pos * base^(-2i/head_dim)``, the same frequencies as the sinusoidal table, so that the score
  ``q_m . k_n`` depends on the positions only through ``m - n``. Pairs use the *half-split* layout of
  Hugging Face's Llama (coordinate ``i`` pairs with ``i + head_dim/2``, see ``rotate_half``), not the
  paper's interleaved one (``2i`` with ``2i+1``); the two differ by a fixed permutation of the head
  dimensions, which is why checkpoints converted between them have their projection rows permuted.

Checked against: the formula computed independently in float64 NumPy (sinusoidal), and
``transformers``' ``LlamaRotaryEmbedding`` + ``apply_rotary_pos_emb`` on randomized shapes and
``rope_theta`` values (RoPE), plus RoPE's properties: norms kept, position 0 unchanged, scores that
depend only on the offset (``tests/test_positional.py``).

Leaves out: learned position embeddings (GPT-2; an ``nn.Embedding`` over positions), ALiBi,
RoPE scaling for longer contexts (linear, NTK, YaRN, Llama 3's ``rope_type="llama3"``) and partial
rotary dimensions. Attention itself is in :mod:`course_lib.attention` (Day 6), which re-exports
everything here.

torch is imported inside the functions, so ``import course_lib.positions`` stays fast.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # type hints only; torch is imported where it is used
    import torch

__all__ = [
    "sinusoidal_positional_encoding",
    "rope_frequencies",
    "rotate_half",
    "rotary_positional_embedding",
]


def _check_int_at_least(name: str, value: object, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_base(base: object) -> None:
    if isinstance(base, bool) or not isinstance(base, (int, float)) or not math.isfinite(base) or base <= 0:
        raise ValueError(f"base must be a positive finite number (10000.0 in the papers), got {base!r}")


def _inverse_frequencies(dim: int, base: float, dtype: "torch.dtype", device=None) -> "torch.Tensor":
    """``base^(-2i/dim)`` for ``i = 0 .. ceil(dim/2)-1``: one angular frequency per pair of columns."""
    import torch

    exponents = torch.arange(0, dim, 2, dtype=dtype, device=device) / dim  # (ceil(dim/2),) = 2i/dim
    return base ** (-exponents)  # (ceil(dim/2),) from 1 down towards 1/base


def sinusoidal_positional_encoding(
    seq_len: int, d_model: int, base: float = 10000.0, dtype: "torch.dtype | None" = None, device=None
) -> "torch.Tensor":
    """The fixed sine/cosine position table of Vaswani et al. (2017), shape ``(seq_len, d_model)``.

    Row ``pos`` is added to the embedding of the token at position ``pos``. Even columns ``2i`` hold
    ``sin(pos / base^(2i/d_model))``, odd columns ``2i+1`` the cosine of the same angle, so column
    pairs turn slower and slower, from one radian per position down to ``1/base``. An odd ``d_model``
    is allowed: the formula is defined column by column, and the last column is a sine without its
    cosine partner. Computed in float64, then cast to ``dtype`` (default: torch's default dtype).
    Introduced on Day 5.

    Example:
        >>> import torch
        >>> pe = sinusoidal_positional_encoding(50, 16)
        >>> pe.shape, pe.dtype
        (torch.Size([50, 16]), torch.float32)
        >>> pe[0, :6]  # position 0: sin(0) = 0, cos(0) = 1
        tensor([0., 1., 0., 1., 0., 1.])
        >>> pe[1, :2]  # position 1, first pair: sin(1), cos(1)
        tensor([0.8415, 0.5403])
        >>> sinusoidal_positional_encoding(3, 5, dtype=torch.float64).shape  # odd d_model
        torch.Size([3, 5])
    """
    import torch

    _check_int_at_least("seq_len", seq_len, minimum=0)
    _check_int_at_least("d_model", d_model)
    _check_base(base)
    if dtype is None:
        dtype = torch.get_default_dtype()
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating-point torch.dtype (e.g. torch.float32), got {dtype!r}")

    inv_freq = _inverse_frequencies(d_model, base, torch.float64)  # (ceil(d_model/2),)
    positions = torch.arange(seq_len, dtype=torch.float64)  # (seq_len,)
    angles = torch.outer(positions, inv_freq)  # (seq_len, ceil(d_model/2)): pos * base^(-2i/d_model)
    pe = torch.empty(seq_len, d_model, dtype=torch.float64)  # (seq_len, d_model)
    pe[:, 0::2] = torch.sin(angles)  # (seq_len, ceil(d_model/2)) even columns
    pe[:, 1::2] = torch.cos(angles[:, : d_model // 2])  # (seq_len, floor(d_model/2)) odd columns
    return pe.to(dtype=dtype, device=device)


def rope_frequencies(
    head_dim: int, base: float = 10000.0, dtype: "torch.dtype | None" = None, device=None
) -> "torch.Tensor":
    """RoPE's angular frequencies ``base^(-2i/head_dim)`` for ``i = 0 .. head_dim/2 - 1``.

    Shape ``(head_dim/2,)``: the same frequencies as the sinusoidal table; ``transformers`` calls them
    ``inv_freq``. Pair ``i`` of a vector at position ``m`` is rotated by the angle ``m * freq[i]``.
    Introduced on Day 5.

    Example:
        >>> rope_frequencies(8, base=10000.0)
        tensor([1.0000, 0.1000, 0.0100, 0.0010])
    """
    import torch

    _check_int_at_least("head_dim", head_dim)
    if head_dim % 2:
        raise ValueError(f"head_dim must be even (RoPE rotates pairs of coordinates), got {head_dim}")
    _check_base(base)
    return _inverse_frequencies(head_dim, base, dtype or torch.get_default_dtype(), device)  # (head_dim/2,)


def rotate_half(x: "torch.Tensor") -> "torch.Tensor":
    """Map the last dimension ``[x1, x2]`` (two halves) to ``[-x2, x1]``: a quarter turn of every pair.

    Coordinate ``i`` and coordinate ``i + d/2`` form a pair (the half-split layout), and the pair
    ``(a, b)`` becomes ``(-b, a)``. So ``x * cos + rotate_half(x) * sin`` rotates every pair by its
    angle. Introduced on Day 5.

    Example:
        >>> import torch
        >>> rotate_half(torch.tensor([1., 2., 3., 4.]))  # pairs (1, 3) and (2, 4)
        tensor([-3., -4.,  1.,  2.])
    """
    import torch

    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]  # (..., d/2) each
    return torch.cat((-x2, x1), dim=-1)  # (..., d)


def rotary_positional_embedding(x: "torch.Tensor", base: float = 10000.0,
                                position_offset: int = 0) -> "torch.Tensor":
    """Rotary position embedding (RoPE, Su et al. 2021) of queries or keys at positions ``0 .. seq-1``.

    With ``position_offset = p`` the positions are ``p .. p+seq-1`` instead (what a KV cache needs:
    the new token at position ``p`` is rotated as if the whole sequence had been passed).

    ``x`` has shape ``(batch, heads, seq, head_dim)``; the result has the same shape and dtype. The
    vector at position ``m`` has each coordinate pair ``(i, i + head_dim/2)`` rotated by the angle
    ``m * base^(-2i/head_dim)``, the layout of ``transformers``' Llama (``rotate_half``), whose
    ``rope_theta`` is ``base``. Rotations keep lengths, leave position 0 unchanged, and make
    ``q_m . k_n`` a function of ``m - n`` only. Angles are computed in float64 for float64 input and
    in float32 otherwise (like ``transformers``: half-precision angles lose whole radians at long
    positions). Introduced on Day 5.

    Example:
        >>> import torch
        >>> x = torch.tensor([1., 0.]).expand(1, 1, 4, 2)  # (batch, heads, seq, head_dim) = (1, 1, 4, 2)
        >>> rotary_positional_embedding(x)[0, 0]  # position m turns (1, 0) to (cos m, sin m)
        tensor([[ 1.0000,  0.0000],
                [ 0.5403,  0.8415],
                [-0.4161,  0.9093],
                [-0.9900,  0.1411]])
        >>> q = torch.randn(2, 3, 5, 8)
        >>> rotary_positional_embedding(q).shape
        torch.Size([2, 3, 5, 8])
        >>> torch.allclose(rotary_positional_embedding(q[:, :, 3:], position_offset=3),
        ...                rotary_positional_embedding(q)[:, :, 3:])  # positions 3, 4 either way
        True
    """
    import torch

    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.ndim != 4:
        raise ValueError(f"x must have 4 dimensions (batch, heads, seq, head_dim), "
                         f"got shape {tuple(x.shape)}")
    if not x.is_floating_point():
        raise TypeError(f"x must be a floating-point tensor, got dtype {x.dtype}")
    seq_len, head_dim = x.shape[-2], x.shape[-1]
    if head_dim % 2:
        raise ValueError(f"head_dim (the last dimension of x) must be even: RoPE rotates pairs of "
                         f"coordinates, got shape {tuple(x.shape)}")

    _check_int_at_least("position_offset", position_offset, minimum=0)
    angle_dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
    inv_freq = rope_frequencies(head_dim, base, dtype=angle_dtype, device=x.device)  # (head_dim/2,)
    positions = torch.arange(position_offset, position_offset + seq_len, dtype=angle_dtype,
                             device=x.device)  # (seq,)
    angles = torch.outer(positions, inv_freq)  # (seq, head_dim/2)
    angles = torch.cat((angles, angles), dim=-1)  # (seq, head_dim): column i + head_dim/2 shares i's angle
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)  # (seq, head_dim) each; broadcast
    return x * cos + rotate_half(x) * sin  # (batch, heads, seq, head_dim)
