"""Bottleneck adapters (Houlsby et al. 2019, "Parameter-Efficient Transfer Learning for NLP") (Day 17).

:class:`AdapterLayer` is ``x + up(act(down(x)))`` with ``up = 0`` at the start; :func:`apply_adapters`
puts one after each named linear layer (wrapped in ``_WithAdapter``) and freezes everything else.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from course_lib.fine_tuning.lora import _check_positive_int, _float_like, _wrap

__all__ = ["AdapterLayer", "apply_adapters"]


class AdapterLayer(nn.Module):
    """Bottleneck adapter with a residual: ``x + up(act(down(x)))``, ``up`` zero at the start (Day 17).

    ``down`` maps ``d_model -> bottleneck``, ``up`` maps back; both have biases, as in Houlsby et al.

    Example:
        >>> adapter = AdapterLayer(8, bottleneck=2)
        >>> x = torch.randn(3, 8)
        >>> torch.equal(adapter(x), x), sum(p.numel() for p in adapter.parameters())  # 2*8*2 + 2 + 8
        (True, 42)
    """

    def __init__(self, d_model: int, bottleneck: int, activation: str = "gelu") -> None:
        super().__init__()
        _check_positive_int("d_model", d_model)
        _check_positive_int("bottleneck", bottleneck)
        acts = {"gelu": nn.GELU, "relu": nn.ReLU, "silu": nn.SiLU}
        if activation not in acts:
            raise ValueError(f"activation must be one of {sorted(acts)}, got {activation!r}")
        self.down = nn.Linear(d_model, bottleneck)  # (b, d)
        self.act = acts[activation]()
        self.up = nn.Linear(bottleneck, d_model)  # (d, b)
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.up(self.act(self.down(x)))  # (..., d)


class _WithAdapter(nn.Module):
    """A frozen layer followed by an :class:`AdapterLayer` on its output."""

    def __init__(self, layer: nn.Module, bottleneck: int, activation: str) -> None:
        super().__init__()
        self.base = layer
        self.in_features, self.out_features = layer.in_features, layer.out_features
        device, dtype = _float_like(layer)
        self.adapter = AdapterLayer(layer.out_features, bottleneck, activation).to(device=device, dtype=dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.adapter(self.base(x))


def apply_adapters(model: nn.Module, target_modules: Sequence[str], bottleneck: int,
                   activation: str = "gelu") -> nn.Module:
    """Put an :class:`AdapterLayer` after each linear layer named by ``target_modules``; freeze the rest.

    Houlsby et al. place adapters after the attention output and the feed-forward output, before
    the residual sum: for our GPT that is ``["o_proj", "down_proj"]``.

    Example:
        >>> from course_lib.fine_tuning.lora import count_parameters
        >>> net = apply_adapters(nn.Sequential(nn.Linear(4, 8)), ["0"], bottleneck=2)
        >>> count_parameters(net)  # adapter 2*8*2 + 2 + 8 trainable; + frozen 4*8 + 8
        (42, 82)
    """
    _check_positive_int("bottleneck", bottleneck)
    return _wrap(model, target_modules, lambda layer: _WithAdapter(layer, bottleneck, activation))
