"""QLoRA's 4-bit linear layer (Day 18).

``NF4Linear`` is a frozen linear layer that stores packed NF4 codes plus absmax and dequantizes in
``forward``; :func:`quantize_linears` swaps a model's ``nn.Linear`` layers for it and
:func:`add_qlora_adapters` wraps them in Day 17's ``LinearWithLoRA``. The class is built on first use
(module ``__getattr__``), so importing this file does not import torch.
"""

from __future__ import annotations

from typing import Any

from course_lib.quantization.nf4 import dequantize_nf4, pack_4bit, quantize_nf4, unpack_4bit

__all__ = ["NF4Linear", "quantize_linears", "add_qlora_adapters"]


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

    # the public home, as before the split; the package's __getattr__ hands out this same class object
    NF4Linear.__module__, NF4Linear.__qualname__ = __package__, "NF4Linear"  # so pickle / torch.save find it
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
