"""NF4, the 4-bit NormalFloat of Dettmers et al. 2023 (*QLoRA*, section 3 and appendix E) (Day 18).

16 levels at quantiles of the normal distribution, rescaled to [-1, 1], with an exact zero
(:data:`NF4_CODEBOOK`, :func:`nf4_codebook_from_quantiles`). :func:`quantize_nf4` cuts a tensor into
blocks of 64 values, divides each block by its absmax and stores the index of the nearest level;
:func:`dequantize_nf4` looks the levels up again; :func:`pack_4bit` puts two codes in a byte, and
:func:`double_quantize` quantizes the absmax values themselves.
"""

from __future__ import annotations

from typing import Any

from course_lib.quantization.integer import _check_bits, _check_tensor, absmax_quantize

__all__ = ["NF4_CODEBOOK", "NF4_OFFSET", "nf4_codebook_from_quantiles", "quantize_nf4", "dequantize_nf4",
           "pack_4bit", "unpack_4bit", "double_quantize", "double_dequantize"]

#: The 16 NF4 levels, typed from bitsandbytes (``bitsandbytes/functional.py``, ``get_4bit_type("nf4")``),
#: the same values as appendix E of Dettmers et al., *QLoRA* (2023).
NF4_CODEBOOK = (-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
                -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
                0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
                0.7229568362236023, 1.0)
#: Outermost probability of the quantiles: ``(1 - 1/(2*15) + 1 - 1/(2*16)) / 2`` (bitsandbytes' ``offset``).
NF4_OFFSET = 0.9677083


def nf4_codebook_from_quantiles(offset: float = NF4_OFFSET, bits: int = 4) -> Any:
    """The NormalFloat levels derived as the paper does: normal quantiles, an exact zero, scaled to [-1, 1].

    The positive half takes the quantiles at ``2^(bits-1)`` evenly spaced probabilities from ``offset``
    down to 0.5 (0.5 itself dropped), the negative half ``2^(bits-1) - 1`` from ``1 - offset`` up; the
    zero is exact, so padding and sparse weights cost nothing. ``bits=4`` with the default offset gives
    :data:`NF4_CODEBOOK`; other widths (``offset=None`` picks the same rule,
    ``(1 - 1/(2(n-1)) + 1 - 1/(2n)) / 2`` for ``n = 2^bits`` levels) feed Day 18's widget. Returns a
    float32 tensor of ``2^bits`` sorted values.

    Example:
        >>> [round(v, 4) for v in nf4_codebook_from_quantiles()[:3].tolist()]
        [-1.0, -0.6962, -0.5251]
        >>> [round(v, 4) for v in nf4_codebook_from_quantiles(None, bits=2).tolist()]
        [-1.0, 0.0, 0.4358, 1.0]
    """
    import torch

    _check_bits(bits, 2, 8)
    n = 2**bits
    if offset is None:
        offset = (1 - 1 / (2 * (n - 1)) + 1 - 1 / (2 * n)) / 2
    if not 0.5 < offset < 1:
        raise ValueError(f"offset must be a probability in (0.5, 1), got {offset!r}")
    half = n // 2
    positive = torch.special.ndtri(torch.linspace(offset, 0.5, half + 1, dtype=torch.float32)[:-1].double())
    negative = -torch.special.ndtri(torch.linspace(offset, 0.5, half, dtype=torch.float32)[:-1].double())
    values = torch.cat([positive, negative, torch.zeros(1, dtype=torch.float64)]).float().sort().values
    return values / values.max()  # (2^bits,)


def _blocks(w: Any, block_size: int) -> Any:
    import torch

    _check_tensor(w)
    if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 1:
        raise ValueError(f"block_size must be an integer >= 1, got {block_size!r}")
    flat = w.detach().float().reshape(-1)
    padding = (-flat.numel()) % block_size  # the last block is padded with zeros (exact in NF4)
    return torch.cat([flat, flat.new_zeros(padding)]).view(-1, block_size)  # (n_blocks, block_size)


def quantize_nf4(w: Any, block_size: int = 64, codebook: Any = None) -> tuple[Any, Any]:
    """Blockwise NF4: ``(codes, absmax)``; codes (uint8 in 0..15, shape of ``w``), absmax float32 (n_blocks,).

    ``w`` is flattened and cut into blocks of ``block_size`` values (the last one padded with zeros);
    each block is divided by its absmax and every value becomes the index of the nearest level of
    :data:`NF4_CODEBOOK` (found with ``torch.bucketize`` on the midpoints between levels). Another
    sorted ``codebook`` in [-1, 1] (up to 256 levels) can replace it.

    Example:
        >>> import torch
        >>> codes, absmax = quantize_nf4(torch.tensor([[0.0, 2.0, -2.0, 0.2]]), block_size=4)
        >>> codes.tolist(), absmax.tolist()
        ([[7, 15, 0, 8]], [2.0])
    """
    import torch

    blocks = _blocks(w, block_size)  # (n_blocks, block_size)
    absmax = blocks.abs().max(dim=1).values  # (n_blocks,)
    safe = torch.where(absmax > 0, absmax, torch.ones_like(absmax))
    normalized = blocks / safe[:, None]  # in [-1, 1]
    levels = torch.as_tensor(NF4_CODEBOOK if codebook is None else codebook, device=w.device, dtype=torch.float32)
    codes = torch.bucketize(normalized, (levels[1:] + levels[:-1]) / 2)  # index of the nearest level
    return codes.reshape(-1)[: w.numel()].reshape(w.shape).to(torch.uint8), absmax


def dequantize_nf4(codes: Any, absmax: Any, block_size: int = 64, codebook: Any = None) -> Any:
    """Look NF4 codes up and rescale each block by its absmax; float32, the shape of ``codes``.

    Example:
        >>> import torch
        >>> dequantize_nf4(torch.tensor([[7, 15, 0, 8]], dtype=torch.uint8), torch.tensor([2.0]), 4).tolist()
        [[0.0, 2.0, -2.0, 0.15916059911251068]]
    """
    import torch

    if codes.numel() > absmax.numel() * block_size or codes.numel() <= (absmax.numel() - 1) * block_size:
        raise ValueError(f"{codes.numel()} codes do not fit {absmax.numel()} blocks of block_size={block_size}")
    levels = torch.as_tensor(NF4_CODEBOOK if codebook is None else codebook, device=codes.device,
                             dtype=torch.float32)
    values = levels[codes.reshape(-1).long()]  # (numel,)
    scales = absmax.float().repeat_interleave(block_size)[: codes.numel()]  # one absmax per value
    return (values * scales).reshape(codes.shape)


def pack_4bit(codes: Any) -> Any:
    """Two 4-bit codes per byte (the first in the high nibble): uint8, ``ceil(numel / 2)`` long.

    Example:
        >>> import torch
        >>> pack_4bit(torch.tensor([1, 15, 7], dtype=torch.uint8)).tolist()
        [31, 112]
    """
    import torch

    flat = codes.reshape(-1).to(torch.uint8)
    if flat.numel() % 2:
        flat = torch.cat([flat, flat.new_zeros(1)])
    return (flat[0::2] << 4) | flat[1::2]


def unpack_4bit(packed: Any, numel: int) -> Any:
    """The inverse of :func:`pack_4bit`: the first ``numel`` codes, uint8, 1-D.

    Example:
        >>> import torch
        >>> unpack_4bit(torch.tensor([31, 112], dtype=torch.uint8), 3).tolist()
        [1, 15, 7]
    """
    import torch

    return torch.stack([packed >> 4, packed & 15], dim=1).reshape(-1)[:numel]


def double_quantize(absmax: Any, block_size: int = 256) -> tuple[Any, Any, Any]:
    """Quantize NF4's absmax values: ``(codes int8, scales float32, offset)``, the mean subtracted first.

    QLoRA's double quantization: the float32 absmax (one per block of 64) is shifted by its mean and
    quantized to 8 bits in blocks of 256 with one float32 scale each: 32/64 = 0.5 bits per parameter
    become 8/64 + 32/(64*256) ~ 0.127. (bitsandbytes uses a dynamic 8-bit float; we use int8 absmax.)

    Example:
        >>> import torch
        >>> codes, scales, offset = double_quantize(torch.tensor([1.0, 2.0, 3.0]))
        >>> codes.tolist(), round(float(offset), 4)
        ([-127, 0, 127], 2.0)
    """
    offset = absmax.float().mean()
    blocks = _blocks(absmax.float() - offset, block_size)  # (n_blocks, block_size)
    codes, scales = absmax_quantize(blocks, bits=8, dim=0)  # scales (n_blocks, 1)
    return codes.reshape(-1)[: absmax.numel()], scales.reshape(-1), offset


def double_dequantize(codes: Any, scales: Any, offset: Any, block_size: int = 256) -> Any:
    """The absmax values back from :func:`double_quantize` (float32, 1-D).

    Example:
        >>> import torch
        >>> double_dequantize(*double_quantize(torch.tensor([1.0, 2.0, 3.0]))).tolist()
        [1.0, 2.0, 3.0]
    """
    return codes.float() * scales.repeat_interleave(block_size)[: codes.numel()] + offset
