"""Integer quantization: absmax (symmetric) and zero-point (affine), per tensor or per channel (Day 18).

- **absmax**: ``scale = max|x| / (2^(bits-1) - 1)``, ``code = round(x / scale)``;
- **zero-point**: ``scale = (max - min) / (2^bits - 1)``, an integer ``zero_point`` so that
  ``x = (code - zero_point) * scale``.

One scale for the whole tensor (``dim=None``) or one per slice along ``dim``; the round-trip error is
at most ``scale / 2`` per value. The argument checks here are shared by the other quantization files.
"""

from __future__ import annotations

from typing import Any

__all__ = ["absmax_quantize", "absmax_dequantize", "zeropoint_quantize", "zeropoint_dequantize"]


def _check_bits(bits: object, low: int = 2, high: int = 8) -> None:
    if isinstance(bits, bool) or not isinstance(bits, int) or not low <= bits <= high:
        raise ValueError(f"bits must be an integer in [{low}, {high}], got {bits!r}")


def _check_tensor(x: Any) -> Any:
    import torch

    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(f"expected a floating-point torch.Tensor, got {getattr(x, 'dtype', type(x).__name__)}")
    if x.numel() == 0:
        raise ValueError(f"cannot quantize an empty tensor of shape {tuple(x.shape)}")
    return x


def _reduce(x: Any, dim: int | None, op: str) -> Any:
    """max/min of ``x`` over everything (``dim=None``, a 0-d tensor) or over all dims but ``dim`` (keepdim)."""
    if dim is None:
        return getattr(x, op)()
    if not -x.ndim <= dim < x.ndim:
        raise ValueError(f"dim must be None or in [{-x.ndim}, {x.ndim - 1}] for shape {tuple(x.shape)}, got {dim!r}")
    dim = dim % x.ndim
    moved = x.movedim(dim, 0).reshape(x.shape[dim], -1)  # (channels, rest)
    values = getattr(moved, op)(dim=1).values  # (channels,)
    shape = [1] * x.ndim
    shape[dim] = x.shape[dim]
    return values.reshape(shape)  # broadcasts against x


def absmax_quantize(x: Any, bits: int = 8, dim: int | None = None) -> tuple[Any, Any]:
    """Symmetric quantization: ``(codes, scale)`` with ``codes = round(x / scale)`` in ``[-(2^(b-1)-1), 2^(b-1)-1]``.

    ``scale = max|x| / (2^(bits-1) - 1)`` over the whole tensor (``dim=None``) or per slice along ``dim``
    (per channel: ``dim=0`` gives one scale per output row of a weight). Codes are int8; the error of
    :func:`absmax_dequantize` is at most ``scale / 2``.

    Example:
        >>> import torch
        >>> codes, scale = absmax_quantize(torch.tensor([0.5, -1.27, 0.01]))
        >>> codes.tolist(), round(float(scale), 4)
        ([50, -127, 1], 0.01)
    """
    import torch

    _check_tensor(x)
    _check_bits(bits)
    qmax = 2 ** (bits - 1) - 1
    absmax = _reduce(x.abs(), dim, "max")
    scale = torch.where(absmax > 0, absmax / qmax, torch.ones_like(absmax))  # an all-zero slice keeps scale 1
    codes = torch.round(x / scale).clamp(-qmax, qmax).to(torch.int8)  # same shape as x
    return codes, scale


def absmax_dequantize(codes: Any, scale: Any) -> Any:
    """``codes * scale`` as float32 (the inverse of :func:`absmax_quantize`, up to rounding).

    Example:
        >>> import torch
        >>> absmax_dequantize(torch.tensor([50, -127], dtype=torch.int8), torch.tensor(0.01)).tolist()
        [0.5, -1.2699999809265137]
    """
    return codes.float() * scale


def zeropoint_quantize(x: Any, bits: int = 8, dim: int | None = None) -> tuple[Any, Any, Any]:
    """Affine quantization: ``(codes, scale, zero_point)``, ``x ~ (codes - zero_point) * scale``, codes in 0..2^b-1.

    The range ``[min, max]`` is widened to contain 0 (as torch's observers do), so that zero is exact;
    ``scale = (max - min) / (2^bits - 1)`` and ``zero_point = round(-min / scale)``. Codes are int32 (0..255
    for 8 bits, torch's ``quint8``). Per tensor with ``dim=None``, per channel along ``dim``.

    Example:
        >>> import torch
        >>> codes, scale, zero_point = zeropoint_quantize(torch.tensor([0.0, 1.0, 2.55]))
        >>> codes.tolist(), round(float(scale), 4), int(zero_point)
        ([0, 100, 255], 0.01, 0)
    """
    import torch

    _check_tensor(x)
    _check_bits(bits)
    qmax = 2**bits - 1
    low = torch.clamp(_reduce(x, dim, "min"), max=0.0)
    high = torch.clamp(_reduce(x, dim, "max"), min=0.0)
    scale = torch.where(high > low, (high - low) / qmax, torch.ones_like(high))
    zero_point = torch.round(-low / scale).clamp(0, qmax).to(torch.int32)
    codes = (torch.round(x / scale) + zero_point).clamp(0, qmax).to(torch.int32)  # same shape as x
    return codes, scale, zero_point


def zeropoint_dequantize(codes: Any, scale: Any, zero_point: Any) -> Any:
    """``(codes - zero_point) * scale`` as float32 (the inverse of :func:`zeropoint_quantize`).

    Example:
        >>> import torch
        >>> zeropoint_dequantize(torch.tensor([0, 100]), torch.tensor(0.5), torch.tensor(100)).tolist()
        [-50.0, 0.0]
    """
    return (codes.float() - zero_point.float()) * scale
