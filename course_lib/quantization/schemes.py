"""Comparing schemes and counting memory (Day 18).

:func:`fake_quantize` quantizes and dequantizes a weight with any of :data:`SCHEMES` at any of
:data:`GRANULARITIES` (what the model then computes with); :func:`bits_per_parameter` and
:func:`model_bytes` are the memory arithmetic, with the block scales counted.
"""

from __future__ import annotations

from typing import Any

from course_lib.quantization.integer import (_check_bits, _check_tensor, absmax_dequantize, absmax_quantize,
                                             zeropoint_dequantize, zeropoint_quantize)
from course_lib.quantization.nf4 import (NF4_CODEBOOK, _blocks, dequantize_nf4, nf4_codebook_from_quantiles,
                                         quantize_nf4)

__all__ = ["SCHEMES", "GRANULARITIES", "fake_quantize", "bits_per_parameter", "model_bytes"]

SCHEMES = ("absmax", "zero-point", "normal-float")
GRANULARITIES = ("tensor", "channel", "block")


def fake_quantize(w: Any, scheme: str = "absmax", bits: int = 8, granularity: str = "tensor",
                  block_size: int = 64) -> Any:
    """``w`` quantized and dequantized again (float32, same shape): what the model computes with.

    ``scheme``: ``"absmax"``, ``"zero-point"`` or ``"normal-float"`` (NF with ``2^bits`` quantile levels,
    NF4 at 4 bits); ``granularity``: one scale per ``"tensor"``, per output ``"channel"`` (row of a
    2-D weight) or per ``"block"`` of ``block_size`` consecutive values (zero-padded at the end).

    Example:
        >>> import torch
        >>> w = torch.tensor([[0.1, -0.2], [3.0, 1.0]])
        >>> fake_quantize(w, "absmax", 2, "channel").tolist()  # levels -absmax, 0, absmax per row
        [[0.0, -0.20000000298023224], [3.0, 0.0]]
    """
    import torch

    _check_tensor(w)
    _check_bits(bits)
    if scheme not in SCHEMES or granularity not in GRANULARITIES:
        raise ValueError(f"scheme must be one of {SCHEMES} and granularity one of {GRANULARITIES}, "
                         f"got {scheme!r} and {granularity!r}")
    size = {"tensor": w.numel(), "channel": w.shape[-1] if w.ndim > 1 else w.numel(), "block": block_size}[granularity]
    if scheme == "normal-float":
        codebook = NF4_CODEBOOK if bits == 4 else nf4_codebook_from_quantiles(None, bits)
        return dequantize_nf4(*quantize_nf4(w, size, codebook), size, codebook)
    blocks = _blocks(w, size)  # (n_blocks, size): one scale per row
    if scheme == "absmax":
        restored = absmax_dequantize(*absmax_quantize(blocks, bits, dim=0))
    else:
        restored = zeropoint_dequantize(*zeropoint_quantize(blocks, bits, dim=0))
    return restored.reshape(-1)[: w.numel()].reshape(w.shape).to(torch.float32)


def bits_per_parameter(bits: int = 4, block_size: int | None = 64, scale_bits: int = 32,
                       double_quant_block: int | None = None, second_scale_bits: int = 32) -> float:
    """Storage per weight, scales included: ``bits + scale_bits/block_size`` (+ the second level's share).

    ``block_size=None`` means one scale for a whole huge tensor (negligible). With double quantization
    the scale costs ``8/block_size`` and each group of ``double_quant_block`` scales adds one
    ``second_scale_bits`` constant.

    Example:
        >>> bits_per_parameter(4, 64), round(bits_per_parameter(4, 64, double_quant_block=256), 3)
        (4.5, 4.127)
    """
    _check_bits(bits, 1, 32)
    if block_size is None:
        return float(bits)
    if double_quant_block is None:
        return bits + scale_bits / block_size
    return bits + 8 / block_size + second_scale_bits / (block_size * double_quant_block)


def model_bytes(num_parameters: int | float, bits: float) -> float:
    """Bytes that ``num_parameters`` weights take at ``bits`` bits each (use :func:`bits_per_parameter`).

    Example:
        >>> model_bytes(7e9, 16) / 1e9  # a 7B model in fp16: 14 GB
        14.0
    """
    if num_parameters < 0 or bits <= 0:
        raise ValueError(f"need num_parameters >= 0 and bits > 0, got {num_parameters!r} and {bits!r}")
    return num_parameters * bits / 8
