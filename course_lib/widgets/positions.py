"""Position widgets (Day 5): a sinusoidal-encoding heatmap with offset similarity, and a RoPE explorer.

Both draw a small matplotlib picture from the course library's own encodings
(:func:`course_lib.attention.sinusoidal_positional_encoding` and
:func:`course_lib.attention.rotary_positional_embedding`) and show it as an inline base64 PNG, so
the static snapshot the book shows is the same picture the live widget shows. Sliders redraw on
release (``continuous_update=False``), which keeps them light on a laptop. matplotlib, torch and
ipywidgets are imported inside the functions.
"""

from __future__ import annotations

import base64
import html
import io
import math
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["figure_to_html", "offset_similarity", "slowest_wavelength", "render_position_heatmap",
           "rope_scores", "render_rope_explorer", "position_heatmap", "rope_explorer"]

_Q_COLOUR, _K_COLOUR = "#2563eb", "#dc2626"


def figure_to_html(fig: Any, alt: str) -> str:
    """A matplotlib figure as an ``<img>`` tag holding an inline base64 PNG (no files, no scripts).

    Example:
        >>> from matplotlib.figure import Figure
        >>> snippet = figure_to_html(Figure(figsize=(1, 1)), alt="empty <figure>")
        >>> snippet.startswith('<img src="data:image/png;base64,'), "&lt;figure&gt;" in snippet
        (True, True)
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}" style="max-width:100%">'


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def offset_similarity(d_model: int, base: float = 10000.0, max_offset: int = 4096) -> Any:
    """Cosine similarity of the sinusoidal encodings of positions ``p`` and ``p + k``, for ``k = 0 .. max_offset``.

    It does not depend on ``p`` (Day 5, section 6), so it is computed from positions 0 and ``k``.
    Returns a float64 numpy array of length ``max_offset + 1``.

    Example:
        >>> s = offset_similarity(2, base=10000.0, max_offset=3)  # one pair, 1 radian per position
        >>> [round(float(x), 4) for x in s]  # cos(k)
        [1.0, 0.5403, -0.4161, -0.99]
    """
    import numpy as np
    import torch

    from course_lib.attention import sinusoidal_positional_encoding

    _check_int("d_model", d_model, 1)
    _check_int("max_offset", max_offset, 0)
    pe = sinusoidal_positional_encoding(max_offset + 1, d_model, base=base, dtype=torch.float64).numpy()
    return pe @ pe[0] / (np.linalg.norm(pe, axis=1) * np.linalg.norm(pe[0]))  # (max_offset + 1,)


def slowest_wavelength(d_model: int, base: float = 10000.0) -> float:
    """Positions after which the slowest sine/cosine pair repeats: ``2 pi base^((2(d/2 - 1))/d)``.

    Example:
        >>> round(slowest_wavelength(2), 4)  # one pair, frequency 1: 2 pi
        6.2832
    """
    _check_int("d_model", d_model, 1)
    last_even = 2 * ((d_model + 1) // 2 - 1)  # column 2i of the last pair
    return 2 * math.pi * base ** (last_even / d_model)


def render_position_heatmap(seq_len: int = 64, d_model: int = 64, base: float = 10000.0,
                            max_offset: int = 4096) -> str:
    """HTML: the sinusoidal table as a heatmap, beside how alike two positions are at each offset (Day 5).

    The right panel is what the static figure of the lesson does not show: the cosine similarity
    of ``PE[p]`` and ``PE[p + k]`` over offsets up to ``max_offset`` (log scale), for this ``base``
    and for the standard 10000 (grey), with the slowest pair's wavelength marked. A small base
    makes far-apart positions look alike again: the encoding runs out of distinct positions.

    Example:
        >>> snippet = render_position_heatmap(16, 8)
        >>> 'class="position-heatmap"' in snippet and "16 positions" in snippet
        True
    """
    import numpy as np
    from matplotlib.figure import Figure

    from course_lib.attention import sinusoidal_positional_encoding

    _check_int("seq_len", seq_len, 1)
    _check_int("d_model", d_model, 1)
    pe = sinusoidal_positional_encoding(seq_len, d_model, base=base).numpy()  # (seq_len, d_model)
    fig = Figure(figsize=(10, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1.2, 1])
    image = left.imshow(pe, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    left.set(xlabel="dimension", ylabel="position", title="PE[position, dimension]")
    fig.colorbar(image, ax=left, pad=0.02)
    offsets = np.arange(1, max_offset + 1)
    similarity = offset_similarity(d_model, base, max_offset)[1:]  # (max_offset,)
    right.plot(offsets, offset_similarity(d_model, 10000.0, max_offset)[1:], color="#9ca3af", lw=1,
               label="base 10000")
    right.plot(offsets, similarity, color="#2563eb", lw=1.2, label=f"base {base:g}")
    wavelength = slowest_wavelength(d_model, base)
    if wavelength <= max_offset:
        right.axvline(wavelength, color="#dc2626", ls="--", lw=1, label="slowest pair repeats")
    right.set(xscale="log", xlabel="offset k (log scale)", ylabel="cos(PE[p], PE[p + k])",
              title="How alike are two positions k apart?", ylim=(-0.6, 1.05))
    right.grid(alpha=0.3)
    right.legend(fontsize=8, loc="lower left")
    caption = (f"{seq_len} positions × {d_model} dimensions, base {base:g} · the slowest pair repeats "
               f"every {wavelength:,.0f} positions")
    return (f'<div class="position-heatmap"><div style="font-size:90%;color:#374151">{html.escape(caption)}'
            f"</div>{figure_to_html(fig, 'sinusoidal position encoding heatmap, ' + caption)}</div>")


def rope_scores(q: Any, k: Any, max_offset: int, base: float = 10000.0) -> Any:
    """RoPE scores ``q_m . k_n`` for every ``m, n`` in ``0 .. max_offset``, as a float64 numpy matrix.

    ``q`` and ``k`` are 1-D vectors of the same even length; entry ``[m, n]`` is the dot product of
    ``q`` rotated to position ``m`` with ``k`` rotated to position ``n`` (course_lib's RoPE).

    Example:
        >>> import numpy as np
        >>> s = rope_scores(np.array([1.0, 0.0]), np.array([1.0, 0.0]), 3)
        >>> s.shape, bool(np.allclose(np.diag(s), 1.0))  # same position: no rotation between them
        ((4, 4), True)
    """
    import torch

    from course_lib.attention import rotary_positional_embedding

    _check_int("max_offset", max_offset, 0)
    q, k = torch.as_tensor(q, dtype=torch.float64), torch.as_tensor(k, dtype=torch.float64)
    if q.ndim != 1 or q.shape != k.shape or q.shape[0] % 2:
        raise ValueError(f"q and k must be 1-D vectors of the same even length, got shapes "
                         f"{tuple(q.shape)} and {tuple(k.shape)}")
    length = max_offset + 1
    rotated_q = rotary_positional_embedding(q.expand(1, 1, length, -1), base)[0, 0]  # (length, head_dim)
    rotated_k = rotary_positional_embedding(k.expand(1, 1, length, -1), base)[0, 0]  # (length, head_dim)
    return (rotated_q @ rotated_k.T).numpy()  # (length, length)


def render_rope_explorer(q: Any, k: Any, m: int, n: int, pair: int = 0, base: float = 10000.0) -> str:
    """HTML: one coordinate pair of ``q`` at position ``m`` and ``k`` at ``n`` as arrows, and the score.

    Left: the pair before (faint) and after (solid) its rotation. Right: the full score
    ``q_m . k_n`` against the offset ``m - n``; the dot marks the current one (Day 5).

    Example:
        >>> import numpy as np
        >>> snippet = render_rope_explorer(np.ones(4), np.ones(4), m=3, n=1, pair=1)
        >>> 'class="rope-explorer"' in snippet and "offset m − n = 2" in snippet
        True
    """
    import numpy as np
    import torch
    from matplotlib.figure import Figure

    from course_lib.attention import rope_frequencies

    q, k = np.asarray(q, dtype=np.float64), np.asarray(k, dtype=np.float64)
    _check_int("m", m, 0)
    _check_int("n", n, 0)
    half = q.shape[0] // 2
    if isinstance(pair, bool) or not isinstance(pair, int) or not 0 <= pair < max(half, 1):
        raise ValueError(f"pair must be an integer in 0 .. {half - 1} (head_dim / 2 pairs), got {pair!r}")
    span = max(m, n, 16)  # offsets -span .. span on the right-hand plot
    scores = rope_scores(q, k, span, base)  # (span+1, span+1); validates q and k
    theta = float(rope_frequencies(2 * half, base, dtype=torch.float64)[pair])
    fig = Figure(figsize=(9, 3.8), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.4])
    reach = 1.35 * max(np.hypot(q[pair], q[pair + half]), np.hypot(k[pair], k[pair + half]), 1e-9)
    for vector, position, colour, name in ((q, m, _Q_COLOUR, "q"), (k, n, _K_COLOUR, "k")):
        x, y = vector[pair], vector[pair + half]
        angle = position * theta
        rx = x * math.cos(angle) - y * math.sin(angle)  # the pair rotated by position * theta
        ry = x * math.sin(angle) + y * math.cos(angle)
        faint = dict(arrowstyle="-|>", color=colour, alpha=0.3)
        solid = dict(arrowstyle="-|>", color=colour, lw=2)
        left.annotate("", xy=(x, y), xytext=(0, 0), arrowprops=faint)
        left.annotate("", xy=(rx, ry), xytext=(0, 0), arrowprops=solid)
        left.text(0.02, 0.95 if name == "q" else 0.88, f"{name} at position {position}", color=colour,
                  transform=left.transAxes, fontsize=9)
    left.set(xlim=(-reach, reach), ylim=(-reach, reach), aspect="equal",
             xlabel=f"coordinate {pair}", ylabel=f"coordinate {pair + half}",
             title=f"pair {pair}: {theta:.3g} rad per position")
    left.axhline(0, color="#d1d5db", lw=0.8)
    left.axvline(0, color="#d1d5db", lw=0.8)
    left.text(0.02, 0.02, "faint: at position 0", transform=left.transAxes, fontsize=8, color="#6b7280")
    offsets = np.arange(-span, span + 1)
    curve = [scores[max(o, 0), max(-o, 0)] for o in offsets]  # m = o, n = 0 or m = 0, n = -o
    right.plot(offsets, curve, ".-", color="#6b7280")
    score = float(scores[m, n])
    right.plot([m - n], [score], "o", color="#111827")
    right.set(xlabel="offset m − n", ylabel="q_m · k_n", title="score against offset")
    right.grid(alpha=0.3)
    caption = (f"q at position {m}, k at position {n}: offset m − n = {m - n}, "
               f"score q_m · k_n = {score:.4f}")
    return (f'<div class="rope-explorer"><div style="font-size:90%;color:#374151">{html.escape(caption)}'
            f"</div>{figure_to_html(fig, 'RoPE rotation of one coordinate pair; ' + caption)}</div>")


def position_heatmap(seq_len: int = 64, d_model: int = 64, base: float = 10000.0) -> Any:
    """Sliders for ``seq_len``, ``d_model`` and ``base`` over the sinusoidal heatmap (Day 5).

    Example:
        >>> widget = position_heatmap(32, 16)
        >>> "32 positions × 16 dimensions" in widget._repr_mimebundle_()["text/html"]
        True
    """
    import ipywidgets

    sliders = dict(
        seq_len=ipywidgets.IntSlider(value=seq_len, min=4, max=256, step=4, description="seq_len",
                                     continuous_update=False),
        d_model=ipywidgets.IntSlider(value=d_model, min=4, max=256, step=4, description="d_model",
                                     continuous_update=False),
        base=ipywidgets.FloatLogSlider(value=base, base=10, min=1, max=6, step=0.25, description="base",
                                       continuous_update=False),
    )
    return live_html(list(sliders.values()), row=True,
                     render=lambda: render_position_heatmap(**{name: s.value for name, s in sliders.items()}))


def rope_explorer(head_dim: int = 8, m: int = 5, n: int = 2, pair: int = 0, base: float = 10000.0,
                  seed: int = 5) -> Any:
    """Sliders for the query position ``m``, key position ``n`` and the pair shown (Day 5).

    The query and key are random (seeded) vectors of length ``head_dim``.

    Example:
        >>> widget = rope_explorer(head_dim=4, m=6, n=1)
        >>> "offset m − n = 5" in widget._repr_mimebundle_()["text/html"]
        True
    """
    import ipywidgets
    import numpy as np

    _check_int("head_dim", head_dim, 2)
    if head_dim % 2:
        raise ValueError(f"head_dim must be even (RoPE rotates pairs), got {head_dim}")
    rng = np.random.default_rng(seed)
    q, k = rng.standard_normal(head_dim), rng.standard_normal(head_dim)  # (head_dim,) each
    sliders = dict(
        m=ipywidgets.IntSlider(value=m, min=0, max=32, description="q position m", continuous_update=False),
        n=ipywidgets.IntSlider(value=n, min=0, max=32, description="k position n", continuous_update=False),
        pair=ipywidgets.IntSlider(value=pair, min=0, max=head_dim // 2 - 1, description="pair",
                                  continuous_update=False),
    )
    def render() -> str:
        return render_rope_explorer(q, k, base=base, **{name: s.value for name, s in sliders.items()})

    widget = live_html(list(sliders.values()), render, row=True)
    widget.query, widget.key = q, k  # the vectors shown, for anyone who wants to check the score
    return widget
