"""Quantization from scratch: int8 absmax and zero-point, NF4, double quantization, QLoRA's 4-bit linear.

What Day 18 builds:

- **absmax** (symmetric) quantization: ``scale = max|x| / (2^(bits-1) - 1)``, ``code = round(x / scale)``;
  **zero-point** (affine) quantization: ``scale = (max - min) / (2^bits - 1)``, an integer
  ``zero_point`` so that ``x = (code - zero_point) * scale``; each per tensor (``dim=None``) or per
  channel (one scale per slice along ``dim``). Round-trip error is at most ``scale / 2`` per value.
- **NF4** (Dettmers et al. 2023, *QLoRA*, section 3 and appendix E): 16 levels at quantiles of the
  normal distribution, rescaled to [-1, 1], with an exact zero (:data:`NF4_CODEBOOK`,
  :func:`nf4_codebook_from_quantiles`). :func:`quantize_nf4` cuts a tensor into blocks of 64 values,
  divides each block by its absmax and stores the index of the nearest level; :func:`dequantize_nf4`
  looks the levels up again. :func:`double_quantize` quantizes the absmax values themselves.
- memory arithmetic (:func:`bits_per_parameter`, :func:`model_bytes`), with the block scales counted.
- :class:`NF4Linear`: a frozen linear layer that stores packed 4-bit codes plus absmax and dequantizes
  in ``forward``; :func:`quantize_linears` swaps a model's ``nn.Linear`` layers for it and
  :func:`add_qlora_adapters` wraps them in Day 17's ``LinearWithLoRA`` (QLoRA).

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

__all__ = ["NF4_CODEBOOK", "NF4_OFFSET", "nf4_codebook_from_quantiles", "absmax_quantize", "absmax_dequantize",
           "zeropoint_quantize", "zeropoint_dequantize", "quantize_nf4", "dequantize_nf4", "pack_4bit",
           "unpack_4bit", "fake_quantize", "SCHEMES", "GRANULARITIES", "double_quantize", "double_dequantize",
           "bits_per_parameter", "model_bytes",
           "NF4Linear", "quantize_linears", "add_qlora_adapters"]

#: The 16 NF4 levels, typed from bitsandbytes (``bitsandbytes/functional.py``, ``get_4bit_type("nf4")``),
#: the same values as appendix E of Dettmers et al., *QLoRA* (2023).
NF4_CODEBOOK = (-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
                -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
                0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
                0.7229568362236023, 1.0)
#: Outermost probability of the quantiles: ``(1 - 1/(2*15) + 1 - 1/(2*16)) / 2`` (bitsandbytes' ``offset``).
NF4_OFFSET = 0.9677083


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


def _nf4_linear_class() -> type:
    import torch
    import torch.nn.functional as F
    from torch import nn

    class NF4Linear(nn.Module):
        """A frozen linear layer stored as packed NF4 codes + absmax; ``forward`` dequantizes (Day 18)."""

        def __init__(self, in_features: int, out_features: int, packed: Any, absmax: Any, bias: Any = None,
                     block_size: int = 64, compute_dtype: Any = torch.float32):
            super().__init__()
            self.in_features, self.out_features, self.block_size = in_features, out_features, block_size
            self.compute_dtype = compute_dtype
            self.register_buffer("packed", packed)  # (ceil(out*in/2),) uint8: two codes per byte
            self.register_buffer("absmax", absmax)  # (n_blocks,) float32
            self.register_buffer("bias", bias)  # (out,) or None, kept in full precision

        @classmethod
        def from_linear(cls, linear: nn.Linear, block_size: int = 64) -> "NF4Linear":
            if not isinstance(linear, nn.Linear):
                raise TypeError(f"from_linear needs an nn.Linear, got {type(linear).__name__}")
            codes, absmax = quantize_nf4(linear.weight.detach(), block_size)
            bias = None if linear.bias is None else linear.bias.detach().clone()
            return cls(linear.in_features, linear.out_features, pack_4bit(codes), absmax, bias, block_size,
                       linear.weight.dtype)

        def dequantize(self) -> torch.Tensor:
            """The weight, (out_features, in_features), in ``compute_dtype``."""
            numel = self.in_features * self.out_features
            codes = unpack_4bit(self.packed, numel).view(self.out_features, self.in_features)
            return dequantize_nf4(codes, self.absmax, self.block_size).to(self.compute_dtype)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            weight = self.dequantize().to(x.dtype)  # (out, in), rebuilt on every call, never stored
            bias = None if self.bias is None else self.bias.to(x.dtype)
            return F.linear(x, weight, bias)  # (..., out)

        def to_linear(self) -> nn.Linear:
            """An ordinary nn.Linear with the dequantized weight (for merging adapters)."""
            linear = nn.Linear(self.in_features, self.out_features, bias=self.bias is not None)
            with torch.no_grad():
                linear.weight.copy_(self.dequantize())
                if self.bias is not None:
                    linear.bias.copy_(self.bias)
            return linear.to(self.packed.device)

        def extra_repr(self) -> str:
            return f"in_features={self.in_features}, out_features={self.out_features}, block_size={self.block_size}"

    NF4Linear.__module__, NF4Linear.__qualname__ = __name__, "NF4Linear"  # so pickle / torch.save find it
    return NF4Linear


_CLASSES: dict[str, type] = {}


def __getattr__(name: str) -> Any:  # NF4Linear is built on first use, so importing this module stays light
    if name == "NF4Linear":
        if name not in _CLASSES:
            _CLASSES[name] = _nf4_linear_class()
        return _CLASSES[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def quantize_linears(model: Any, block_size: int = 64, skip: tuple[str, ...] = ("lm_head",)) -> Any:
    """Replace every ``nn.Linear`` of ``model`` (in place) by an :class:`NF4Linear`, except names ending in ``skip``.

    The output head is skipped by default (tied to the embeddings in the course GPT and in most
    small models; QLoRA keeps it in 16 bits too). Returns ``model``.

    Example:
        >>> from torch import nn
        >>> model = quantize_linears(nn.Sequential(nn.Linear(64, 8), nn.ReLU()))
        >>> type(model[0]).__name__, model[0].in_features, model[0].packed.numel()
        ('NF4Linear', 64, 256)
    """
    from torch import nn

    nf4 = __getattr__("NF4Linear")
    targets = [name for name, module in model.named_modules()
               if isinstance(module, nn.Linear) and not name.endswith(tuple(skip))]
    for name in targets:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, nf4.from_linear(getattr(parent, child), block_size))
    return model


def add_qlora_adapters(model: Any, target_modules: list[str], rank: int, alpha: float, dropout: float = 0.0,
                       block_size: int = 64) -> Any:
    """QLoRA: quantize ``model``'s linear layers to NF4, then wrap the targets in Day 17's ``LinearWithLoRA``.

    :func:`quantize_linears` then ``course_lib.fine_tuning.apply_lora`` (which accepts any module with
    ``in_features``/``out_features``). Only the adapters' ``lora_A``/``lora_B`` train; the 4-bit base
    has no parameters at all (its codes are buffers). Changes ``model`` in place and returns it.

    Example:
        >>> from torch import nn
        >>> model = add_qlora_adapters(nn.Sequential(nn.Linear(64, 8)), ["0"], rank=2, alpha=4)
        >>> type(model[0]).__name__, type(model[0].base).__name__, sum(p.numel() for p in model.parameters())
        ('LinearWithLoRA', 'NF4Linear', 144)
    """
    from course_lib.fine_tuning import apply_lora

    return apply_lora(quantize_linears(model, block_size), target_modules, rank, alpha, dropout)
