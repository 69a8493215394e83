"""Activation and normalization explorer (Day 8).

One fixed random vector ``v`` (16 numbers, seeded) is scaled and shifted, ``x = scale * v + shift``,
and the widget shows what the two halves of a Transformer block's plumbing do to it: on the left
the chosen feed-forward activation (ReLU, GELU, its tanh approximation, SiLU) with the numbers of
``x`` marked on its curve; on the right ``x`` beside its LayerNorm and its RMSNorm (weights 1, no
bias). Shifting ``x`` leaves its LayerNorm unchanged but moves its RMSNorm; scaling changes neither.

The activations are torch's (``F.relu``, ``F.gelu`` exact and ``approximate="tanh"``, ``F.silu``);
the normalizations are written out in float64 and checked against ``torch.nn.LayerNorm`` and
``torch.nn.RMSNorm`` in ``tests/test_widgets_blocks.py``. torch, matplotlib and ipywidgets are
imported inside the functions.
"""

from __future__ import annotations

import html
import math
from typing import Any

from course_lib.widgets.positions import figure_to_html
from course_lib.widgets.static import live_html

__all__ = ["ACTIVATIONS", "activation", "normalize", "render_block_explorer", "block_explorer"]

ACTIVATIONS = ("relu", "gelu", "gelu_tanh", "silu")


def activation(name: str, x: Any) -> Any:
    """One of :data:`ACTIVATIONS` applied to a tensor (or anything ``torch.as_tensor`` takes) (Day 8).

    Example:
        >>> import torch
        >>> activation("relu", torch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
        >>> round(float(activation("silu", 1.0)), 4)  # 1 * sigmoid(1)
        0.7311
    """
    import torch
    import torch.nn.functional as F

    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")
    x = torch.as_tensor(x, dtype=torch.get_default_dtype() if not torch.is_tensor(x) else None)
    if name == "relu":
        return F.relu(x)
    if name == "gelu":
        return F.gelu(x)
    if name == "gelu_tanh":
        return F.gelu(x, approximate="tanh")
    return F.silu(x)


def normalize(kind: str, x: Any, eps: float = 1e-5) -> Any:
    """LayerNorm or RMSNorm of the last axis, weights 1 and no bias, in float64 (Day 8).

    ``"layernorm"``: ``(x - mean) / sqrt(var + eps)`` with the biased variance; ``"rmsnorm"``:
    ``x / sqrt(mean(x²) + eps)``.

    Example:
        >>> normalize("layernorm", [1.0, 3.0], eps=0.0)
        tensor([-1.,  1.], dtype=torch.float64)
        >>> normalize("rmsnorm", [3.0, 4.0], eps=0.0)  # rms = sqrt(12.5)
        tensor([0.8485, 1.1314], dtype=torch.float64)
    """
    import torch

    if kind not in ("layernorm", "rmsnorm"):
        raise ValueError(f"kind must be 'layernorm' or 'rmsnorm', got {kind!r}")
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps >= 0:
        raise ValueError(f"eps must be a number >= 0, got {eps!r}")
    x = torch.as_tensor(x, dtype=torch.float64)
    if kind == "layernorm":
        centred = x - x.mean(dim=-1, keepdim=True)
        return centred / torch.sqrt(centred.pow(2).mean(dim=-1, keepdim=True) + eps)
    return x / torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps)


def render_block_explorer(name: str = "gelu", scale: float = 1.0, shift: float = 0.0, seed: int = 8) -> str:
    """HTML: the activation curve with ``x`` on it, and ``x`` beside its LayerNorm and RMSNorm (Day 8).

    Example:
        >>> snippet = render_block_explorer("relu", scale=2.0, shift=1.0)
        >>> 'class="block-explorer"' in snippet and "x = 2 · v + 1" in snippet
        True
    """
    import numpy as np
    import torch
    from matplotlib.figure import Figure

    for label, value in (("scale", scale), ("shift", shift)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{label} must be a finite number, got {value!r}")
    v = torch.randn(16, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)  # (16,)
    x = scale * v + shift  # (16,)
    y = activation(name, x)  # validates name
    layer_normed, rms_normed = normalize("layernorm", x), normalize("rmsnorm", x)
    grid = torch.linspace(-5, 5, 401, dtype=torch.float64)
    xs, ys, ln, rms = (t.numpy() for t in (x, y, layer_normed, rms_normed))  # matplotlib wants numpy
    fig = Figure(figsize=(10, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.4])
    for other in ACTIVATIONS:
        left.plot(grid.numpy(), activation(other, grid).numpy(), lw=2.2 if other == name else 0.8,
                  alpha=1.0 if other == name else 0.35, label=other)
    left.plot(np.clip(xs, -5, 5), ys, "o", color="#111827", ms=4, label="x")
    left.set(xlim=(-5, 5), ylim=(-1, 5), xlabel="input", ylabel="output", title=f"activation: {name}")
    left.grid(alpha=0.3)
    left.legend(fontsize=8, loc="upper left")
    positions = np.arange(16)
    right.bar(positions - 0.27, xs, width=0.27, color="#9ca3af", label="x")
    right.bar(positions, ln, width=0.27, color="#2563eb", label="LayerNorm(x)")
    right.bar(positions + 0.27, rms, width=0.27, color="#dc2626", label="RMSNorm(x)")
    right.axhline(0, color="#374151", lw=0.8)
    right.set(xlabel="coordinate", ylabel="value", title="x and its two normalizations")
    right.legend(fontsize=8)
    near_zero = float((y.abs() < 0.05).double().mean())
    caption = (f"x = {scale:g} · v + {shift:g}: mean {float(x.mean()):.3f}, RMS {float(x.pow(2).mean().sqrt()):.3f}. "
               f"{name} sends {near_zero:.0%} of the 16 numbers to (almost) zero. "
               f"LayerNorm(x) has mean {round(float(ln.mean()), 3) + 0.0:.3f}; "
               f"RMSNorm(x) has mean {round(float(rms.mean()), 3) + 0.0:.3f}.")  # + 0.0: no "-0.000"
    return (f'<div class="block-explorer"><div style="font-size:90%;color:#374151">{html.escape(caption)}</div>'
            f"{figure_to_html(fig, 'activation and normalization explorer; ' + caption)}</div>")


def block_explorer(name: str = "gelu", scale: float = 1.0, shift: float = 0.0, seed: int = 8) -> Any:
    """A dropdown of activations and sliders for the scale and shift of the input vector (Day 8).

    Example:
        >>> widget = block_explorer("silu", shift=2.0)
        >>> "x = 1 · v + 2" in widget._repr_mimebundle_()["text/html"]
        True
    """
    import ipywidgets

    render_block_explorer(name, scale, shift, seed)  # validate before building controls
    controls = dict(
        name=ipywidgets.Dropdown(options=list(ACTIVATIONS), value=name, description="activation"),
        scale=ipywidgets.FloatSlider(value=scale, min=0.1, max=4.0, step=0.1, description="scale",
                                     continuous_update=False),
        shift=ipywidgets.FloatSlider(value=shift, min=-4.0, max=4.0, step=0.25, description="shift",
                                     continuous_update=False),
    )

    def render() -> str:
        return render_block_explorer(seed=seed, **{key: control.value for key, control in controls.items()})

    return live_html(list(controls.values()), render)
