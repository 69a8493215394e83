"""Quantization widget (Day 18): bit width and scheme vs reconstruction error on the course GPT's weights.

The left panel is the histogram of one real weight matrix of the course GPT with the levels the
chosen scheme can represent drawn over it (for per-channel and blockwise scales, the levels of the
first row or block: every other one has its own scale). The right panel is the mean absolute error
of that matrix against the bit width, for the three schemes at the chosen granularity, the current
setting marked. Everything is computed by :mod:`course_lib.quantization`.
The picture is a small hand-written inline SVG (no matplotlib), so the book's precomputed grid of
every setting stays small and quick to render.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["course_linear_weights", "representable_levels", "error_table", "render_quantization",
           "quantization_explorer", "SHOWN_MATRIX"]

#: The matrix whose histogram the widget draws.
SHOWN_MATRIX = "blocks.1.ffn.gate_proj"
_COLOURS = {"absmax": "#2563eb", "zero-point": "#d97706", "normal-float": "#059669"}
_LABELS = {"tensor": "per tensor", "channel": "per channel", "block": "blockwise (64)"}


@lru_cache(maxsize=1)
def course_linear_weights() -> dict[str, Any]:
    """The course GPT's linear weights (the tied output head left out), name -> float32 tensor (out, in).

    Example:
        >>> weights = course_linear_weights()  # doctest: +SKIP
        >>> len(weights), tuple(weights["blocks.0.attn.k_proj"].shape)  # doctest: +SKIP
        (28, (64, 128))
    """
    import torch

    from course_lib.pretrained import load_course_gpt

    model, _ = load_course_gpt()
    return {name: module.weight.detach().clone() for name, module in model.named_modules()
            if isinstance(module, torch.nn.Linear) and not name.endswith("lm_head")}


def representable_levels(w: Any, scheme: str, bits: int, granularity: str, block_size: int = 64) -> Any:
    """The values the first row/block of ``w`` (or the whole tensor) can take after quantization, sorted.

    Example:
        >>> import torch
        >>> representable_levels(torch.tensor([[-1.0, 0.5], [2.0, 0.0]]), "absmax", 2, "tensor").tolist()
        [-2.0, 0.0, 2.0]
    """
    import torch

    from course_lib.quantization import GRANULARITIES, NF4_CODEBOOK, nf4_codebook_from_quantiles

    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {GRANULARITIES}, got {granularity!r}")
    flat = w.detach().float().reshape(-1)
    size = {"tensor": flat.numel(), "channel": w.shape[-1], "block": block_size}[granularity]
    first = flat[:size]
    if scheme == "normal-float":
        codebook = torch.tensor(NF4_CODEBOOK) if bits == 4 else nf4_codebook_from_quantiles(None, bits)
        return codebook * first.abs().max()
    if scheme == "absmax":
        qmax = 2 ** (bits - 1) - 1
        return torch.arange(-qmax, qmax + 1) * first.abs().max() / qmax
    if scheme == "zero-point":
        low, high = min(float(first.min()), 0.0), max(float(first.max()), 0.0)
        scale = (high - low) / (2**bits - 1)
        zero_point = round(-low / scale)
        return (torch.arange(2**bits) - zero_point) * scale
    raise ValueError(f"scheme must be 'absmax', 'zero-point' or 'normal-float', got {scheme!r}")


@lru_cache(maxsize=8)
def error_table(granularity: str, name: str = SHOWN_MATRIX) -> dict[str, list[float]]:
    """Mean absolute error of one course GPT matrix, scheme -> [error at 2 .. 8 bits] (computed once).

    Example:
        >>> table = error_table("block")  # doctest: +SKIP
        >>> table["normal-float"][2] < table["absmax"][2]  # 4 bits: NF4 beats uniform levels  # doctest: +SKIP
        True
    """
    from course_lib.quantization import SCHEMES, fake_quantize

    w = course_linear_weights()[name]
    return {scheme: [float((fake_quantize(w, scheme, bits, granularity) - w).abs().mean()) for bits in range(2, 9)]
            for scheme in SCHEMES}


@lru_cache(maxsize=1)
def _histogram(name: str = SHOWN_MATRIX) -> tuple[Any, Any]:
    import numpy as np

    return np.histogram(course_linear_weights()[name].reshape(-1).numpy(), bins=120)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    import numpy as np

    step = 10 ** np.floor(np.log10((high - low) / count))
    step *= min((m for m in (1, 2, 5, 10) if (high - low) / (step * m) <= count), default=10)
    return [float(t) for t in np.arange(np.ceil(low / step) * step, high + step / 2, step) if low <= t <= high]


def _svg(counts: Any, edges: Any, levels: Any, table: dict[str, list[float]], scheme: str, bits: int,
         granularity: str) -> str:
    """The two panels as an inline SVG: histogram + levels on the left, error vs bits on the right."""
    import numpy as np

    width, height, top, bottom = 780, 270, 26, 226
    lx0, lx1, rx0, rx1 = 56, 430, 520, 760
    low, high = float(edges[0]) * 1.05, float(edges[-1]) * 1.05
    peak = float(counts.max()) * 1.05

    def lx(v: float) -> float:
        return lx0 + (v - low) / (high - low) * (lx1 - lx0)

    def ly(c: float) -> float:
        return bottom - c / peak * (bottom - top)

    errors = np.array([e for row in table.values() for e in row])
    e_low, e_high = np.floor(np.log10(errors.min())), np.ceil(np.log10(errors.max()))

    def rx(b: float) -> float:
        return rx0 + (b - 2) / 6 * (rx1 - rx0)

    def ry(e: float) -> float:
        return bottom - (np.log10(e) - e_low) / (e_high - e_low) * (bottom - top)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'style="max-width:100%;font:11px sans-serif" role="img">']
    stairs = " ".join(f"L{lx(float(x0)):.1f},{ly(float(c)):.1f} L{lx(float(x1)):.1f},{ly(float(c)):.1f}"
                      for c, x0, x1 in zip(counts, edges[:-1], edges[1:]))
    parts.append(f'<path d="M{lx(float(edges[0])):.1f},{bottom} {stairs} L{lx(float(edges[-1])):.1f},{bottom} Z" '
                 'fill="#9ca3af"/>')
    stroke = 1.0 if bits < 7 else 0.4
    lines = "".join(f"M{lx(float(v)):.1f},{bottom}V{top}" for v in levels if low <= v <= high)
    parts.append(f'<path d="{lines}" stroke="{_COLOURS[scheme]}" stroke-width="{stroke}" opacity="0.8"/>')
    for x0, x1 in ((lx0, lx1), (rx0, rx1)):
        parts.append(f'<path d="M{x0},{top}V{bottom}H{x1}" fill="none" stroke="#374151"/>')
    for t in _ticks(low, high):
        parts.append(f'<text x="{lx(t):.1f}" y="{bottom + 14}" text-anchor="middle">{t:g}</text>')
    for t in _ticks(0, peak, 4):
        parts.append(f'<text x="{lx0 - 4}" y="{ly(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    for e in range(int(e_low), int(e_high) + 1):
        parts.append(f'<text x="{rx0 - 4}" y="{ry(10.0 ** e) + 4:.1f}" text-anchor="end">1e{e}</text>'
                     f'<path d="M{rx0},{ry(10.0 ** e):.1f}H{rx1}" stroke="#e5e7eb"/>')
    for b in range(2, 9):
        parts.append(f'<text x="{rx(b):.1f}" y="{bottom + 14}" text-anchor="middle">{b}</text>')
    for i, (name, row) in enumerate(table.items()):
        points = " ".join(f"{rx(b):.1f},{ry(e):.1f}" for b, e in zip(range(2, 9), row))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{_COLOURS[name]}" stroke-width="1.5"/>')
        parts.append(f'<text x="{rx1 - 4}" y="{top + 12 + 13 * i}" text-anchor="end" fill="{_COLOURS[name]}">'
                     f"{name}</text>")
    parts.append(f'<circle cx="{rx(bits):.1f}" cy="{ry(table[scheme][bits - 2]):.1f}" r="6" fill="none" '
                 'stroke="black"/>')
    title = f"{SHOWN_MATRIX}: {int(counts.sum()):,} weights, {len(levels)} levels"
    parts += [f'<text x="{(lx0 + lx1) / 2}" y="16" text-anchor="middle" font-weight="bold">{html.escape(title)}</text>',
              f'<text x="{(rx0 + rx1) / 2}" y="16" text-anchor="middle" font-weight="bold">mean |error| vs bits, '
              f"{_LABELS[granularity]}</text>",
              f'<text x="{(lx0 + lx1) / 2}" y="{height - 8}" text-anchor="middle">weight value</text>',
              f'<text x="{(rx0 + rx1) / 2}" y="{height - 8}" text-anchor="middle">bits per weight</text>',
              f'<text transform="translate(14,{(top + bottom) / 2}) rotate(-90)" text-anchor="middle">count</text>',
              f'<text transform="translate({rx0 - 44},{(top + bottom) / 2}) rotate(-90)" text-anchor="middle">'
              "mean |error| (log)</text>", "</svg>"]
    return "".join(parts)


def render_quantization(scheme: str = "normal-float", bits: int = 4, granularity: str = "block") -> str:
    """HTML: the weight histogram with the scheme's levels, and error against bit width (Day 18).

    Example:
        >>> snippet = render_quantization("absmax", 8, "tensor")  # doctest: +SKIP
        >>> 'class="quantization-explorer"' in snippet and "<svg" in snippet  # doctest: +SKIP
        True
    """
    from course_lib.quantization import bits_per_parameter, fake_quantize

    w = course_linear_weights()[SHOWN_MATRIX]
    restored = fake_quantize(w, scheme, bits, granularity)  # validates the arguments
    levels = representable_levels(w, scheme, bits, granularity).numpy()
    counts, edges = _histogram()
    error = float((restored - w).abs().mean())
    bpp = bits_per_parameter(bits, {"tensor": None, "channel": w.shape[-1], "block": 64}[granularity])
    caption = (f"{scheme}, {bits} bits, {_LABELS[granularity]}: mean |error| {error:.2e}; "
               f"{bpp:.3g} bits per weight with the float32 scales")
    svg = _svg(counts, edges, levels, error_table(granularity), scheme, bits, granularity)
    return (f'<div class="quantization-explorer"><div style="font-size:90%;color:#374151">'
            f"{html.escape(caption)}</div>{svg}</div>")


def quantization_explorer(scheme: str = "normal-float", bits: int = 4, granularity: str = "block") -> Any:
    """Bit width (2..8), scheme and granularity controls above :func:`render_quantization` (Day 18).

    The book precomputes the three schemes and three granularities at every bit width.

    Example:
        >>> widget = quantization_explorer()  # doctest: +SKIP
    """
    import ipywidgets

    from course_lib.quantization import GRANULARITIES, SCHEMES

    bits_slider = ipywidgets.IntSlider(value=bits, min=2, max=8, description="bits", continuous_update=False)
    scheme_menu = ipywidgets.Dropdown(options=list(SCHEMES), value=scheme, description="scheme")
    granularity_menu = ipywidgets.Dropdown(options=[(_LABELS[g], g) for g in GRANULARITIES], value=granularity,
                                           description="scales")
    return live_html([bits_slider, scheme_menu, granularity_menu],
                     lambda: render_quantization(scheme_menu.value, bits_slider.value, granularity_menu.value),
                     grid={bits_slider: list(range(2, 9))})
