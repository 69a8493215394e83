"""Quantization from scratch: int8 absmax and zero-point, NF4, double quantization, QLoRA's 4-bit linear.

What Day 18 builds, one file per part:

- ``integer.py``: **absmax** (symmetric) quantization: ``scale = max|x| / (2^(bits-1) - 1)``,
  ``code = round(x / scale)``; **zero-point** (affine) quantization: ``scale = (max - min) / (2^bits - 1)``,
  an integer ``zero_point`` so that ``x = (code - zero_point) * scale``; each per tensor (``dim=None``)
  or per channel (one scale per slice along ``dim``). Round-trip error is at most ``scale / 2`` per value.
- ``nf4.py``: **NF4** (Dettmers et al. 2023, *QLoRA*, section 3 and appendix E): 16 levels at quantiles
  of the normal distribution, rescaled to [-1, 1], with an exact zero (:data:`NF4_CODEBOOK`,
  :func:`nf4_codebook_from_quantiles`). :func:`quantize_nf4` cuts a tensor into blocks of 64 values,
  divides each block by its absmax and stores the index of the nearest level; :func:`dequantize_nf4`
  looks the levels up again; :func:`pack_4bit` / :func:`unpack_4bit` put two codes in a byte.
  :func:`double_quantize` quantizes the absmax values themselves.
- ``schemes.py``: :func:`fake_quantize` over :data:`SCHEMES` and :data:`GRANULARITIES`, and the memory
  arithmetic (:func:`bits_per_parameter`, :func:`model_bytes`), with the block scales counted.
- ``layers.py``: :class:`NF4Linear`: a frozen linear layer that stores packed 4-bit codes plus absmax and
  dequantizes in ``forward``; :func:`quantize_linears` swaps a model's ``nn.Linear`` layers for it and
  :func:`add_qlora_adapters` wraps them in Day 17's ``LinearWithLoRA`` (QLoRA). ``NF4Linear`` is built
  on first use (module ``__getattr__``), so ``import course_lib.quantization`` does not import torch.

Checked against (``tests/test_quantization.py``): the published NF4 values (bitsandbytes'
``functional.py`` and the QLoRA paper's appendix), torch's ``quantize_per_tensor`` /
``quantize_per_channel`` for affine int8, a brute-force nearest-level search, and the analytic bounds
(half a step; for NF4 half the widest gap between levels, times the block's absmax).

Leaves out: bitsandbytes' CUDA kernels and its dynamic 8-bit float type for the second
quantization (we use int8 absmax there, after subtracting the mean as bitsandbytes does),
paged optimizers, activation quantization, GPTQ/AWQ-style calibration.
"""

from __future__ import annotations

from typing import Any

from course_lib.quantization import layers as _layers
from course_lib.quantization.integer import (absmax_dequantize, absmax_quantize, zeropoint_dequantize,
                                             zeropoint_quantize)
from course_lib.quantization.layers import add_qlora_adapters, quantize_linears
from course_lib.quantization.nf4 import (NF4_CODEBOOK, NF4_OFFSET, dequantize_nf4, double_dequantize,
                                         double_quantize, nf4_codebook_from_quantiles, pack_4bit,
                                         quantize_nf4, unpack_4bit)
from course_lib.quantization.schemes import (GRANULARITIES, SCHEMES, bits_per_parameter, fake_quantize,
                                             model_bytes)

__all__ = ["NF4_CODEBOOK", "NF4_OFFSET", "nf4_codebook_from_quantiles", "absmax_quantize",
           "absmax_dequantize", "zeropoint_quantize", "zeropoint_dequantize", "quantize_nf4",
           "dequantize_nf4", "pack_4bit", "unpack_4bit", "fake_quantize", "SCHEMES", "GRANULARITIES",
           "double_quantize", "double_dequantize", "bits_per_parameter", "model_bytes",
           "NF4Linear", "quantize_linears", "add_qlora_adapters"]


def __getattr__(name: str) -> Any:  # NF4Linear: layers.py builds it on first use, so torch stays unimported
    if name == "NF4Linear":
        return _layers.__getattr__(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
