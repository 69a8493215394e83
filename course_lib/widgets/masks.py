"""Sparse attention masks and their gallery widget (Day 7).

A mask is a boolean ``(seq_len, seq_len)`` numpy array, True where query ``i`` (row) may attend to
key ``j`` (column), torch's convention. :func:`sparse_mask` builds the patterns of the long-context
papers on one square sequence:

* ``"full"``: every pair (an encoder such as BERT);
* ``"causal"``: ``j <= i`` (a decoder such as GPT);
* ``"sliding_window"``: causal, and only the ``window`` most recent keys, own position included
  (Mistral 7B; the same as :func:`course_lib.masks.sliding_window_mask`);
* ``"dilated"``: causal, ``window`` keys spaced ``dilation`` apart, ``j = i, i - d, i - 2d, ...``
  (Longformer's dilated sliding window, Beltagy et al. 2020);
* ``"strided"``: causal, the ``window`` most recent keys plus every ``window``-th key before them
  (``(i - j) % window == 0``; the two heads of the Sparse Transformer's strided pattern, Child et
  al. 2019, drawn as one mask);
* ``"global_local"``: not causal, keys within ``window // 2`` on either side, plus ``n_global``
  global tokens at the start that see and are seen by every token (Longformer, BigBird).

:func:`mask_gallery` shows one of them with a dropdown and sliders, and reports the fraction of
the ``seq_len²`` pairs that are attended: the work (and score memory) the pattern costs, relative
to full attention. Checked in ``tests/test_widgets_masks.py`` against explicit loops over ``(i, j)``
and against ``course_lib.masks``. numpy, matplotlib and ipywidgets are imported inside the functions.
"""

from __future__ import annotations

import html
from typing import Any

from course_lib.widgets.positions import figure_to_html
from course_lib.widgets.static import live_html

__all__ = ["MASK_KINDS", "sparse_mask", "attended_fraction", "render_mask", "mask_gallery"]

MASK_KINDS = ("full", "causal", "sliding_window", "dilated", "strided", "global_local")


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def sparse_mask(kind: str, seq_len: int, window: int = 4, dilation: int = 2, n_global: int = 1) -> Any:
    """Boolean ``(seq_len, seq_len)`` mask of one of :data:`MASK_KINDS`, True = may attend (Day 7).

    ``window`` is the number of recent keys (own position included) for the causal local kinds, and
    the width of the band for ``"global_local"``; ``dilation`` is the gap of ``"dilated"``;
    ``n_global`` the number of global tokens of ``"global_local"``.

    Example:
        >>> sparse_mask("sliding_window", 5, window=2).astype(int)
        array([[1, 0, 0, 0, 0],
               [1, 1, 0, 0, 0],
               [0, 1, 1, 0, 0],
               [0, 0, 1, 1, 0],
               [0, 0, 0, 1, 1]])
        >>> sparse_mask("dilated", 5, window=2, dilation=2)[4].astype(int)  # keys 4 and 2
        array([0, 0, 1, 0, 1])
    """
    import numpy as np

    if kind not in MASK_KINDS:
        raise ValueError(f"kind must be one of {MASK_KINDS}, got {kind!r}")
    _check_int("seq_len", seq_len, 1)
    _check_int("window", window, 1)
    _check_int("dilation", dilation, 1)
    _check_int("n_global", n_global, 0)
    i = np.arange(seq_len)[:, None]  # (T, 1) query positions
    j = np.arange(seq_len)[None, :]  # (1, T) key positions
    back = i - j  # (T, T) how far back key j lies from query i
    causal = back >= 0
    if kind == "full":
        return np.ones((seq_len, seq_len), dtype=bool)
    if kind == "causal":
        return causal
    if kind == "sliding_window":
        return causal & (back < window)
    if kind == "dilated":
        return causal & (back % dilation == 0) & (back < window * dilation)
    if kind == "strided":
        return causal & ((back < window) | (back % window == 0))
    is_global = (i < n_global) | (j < n_global)  # (T, T) a global token on either side
    return (np.abs(back) <= window // 2) | is_global


def attended_fraction(mask: Any) -> float:
    """The share of (query, key) pairs a boolean mask lets through (Day 7).

    Example:
        >>> attended_fraction(sparse_mask("causal", 4))  # 10 of 16 pairs
        0.625
    """
    import numpy as np

    mask = np.asarray(mask)
    if mask.dtype != bool or mask.ndim != 2:
        raise ValueError(f"mask must be a 2-D boolean array, got dtype {mask.dtype} and shape {mask.shape}")
    return float(mask.mean())


def render_mask(kind: str, seq_len: int = 32, window: int = 6, dilation: int = 2, n_global: int = 2) -> str:
    """HTML: the mask as a picture, with the fraction of pairs it attends against full and causal (Day 7).

    Example:
        >>> snippet = render_mask("causal", 8)
        >>> 'class="mask-gallery"' in snippet and "36 of 64 pairs (56.2%)" in snippet
        True
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    mask = sparse_mask(kind, seq_len, window=window, dilation=dilation, n_global=n_global)  # (T, T)
    attended = int(mask.sum())
    causal_pairs = seq_len * (seq_len + 1) // 2
    fig = Figure(figsize=(4.2, 4.2), layout="constrained")
    ax = fig.subplots()
    ax.imshow(mask, cmap=ListedColormap(["#f3f4f6", "#2563eb"]), vmin=0, vmax=1, interpolation="nearest")
    ax.set(xlabel="key position j", ylabel="query position i", title=kind.replace("_", " "))
    caption = (f"{kind}: {attended} of {seq_len * seq_len} pairs ({attended / seq_len**2:.1%}) attended; "
               f"causal would attend {causal_pairs} ({causal_pairs / seq_len**2:.1%}), full {seq_len * seq_len}. "
               f"Longest row: {int(mask.sum(axis=1).max())} keys.")
    return (f'<div class="mask-gallery"><div style="font-size:90%;color:#374151">{html.escape(caption)}</div>'
            f"{figure_to_html(fig, 'attention mask; ' + caption)}</div>")


def mask_gallery(kind: str = "sliding_window", seq_len: int = 32, window: int = 6, dilation: int = 2,
                 n_global: int = 2) -> Any:
    """A dropdown of mask kinds and sliders for their sizes, over the mask picture (Day 7).

    Example:
        >>> widget = mask_gallery("strided", seq_len=16, window=4)
        >>> "strided: " in widget._repr_mimebundle_()["text/html"]
        True
    """
    import ipywidgets

    render_mask(kind, seq_len, window, dilation, n_global)  # validate before building controls
    controls = dict(
        kind=ipywidgets.Dropdown(options=list(MASK_KINDS), value=kind, description="mask"),
        seq_len=ipywidgets.IntSlider(value=seq_len, min=4, max=96, description="seq_len", continuous_update=False),
        window=ipywidgets.IntSlider(value=window, min=1, max=32, description="window", continuous_update=False),
        dilation=ipywidgets.IntSlider(value=dilation, min=1, max=8, description="dilation", continuous_update=False),
        n_global=ipywidgets.IntSlider(value=n_global, min=0, max=8, description="n_global", continuous_update=False),
    )
    def render() -> str:
        return render_mask(**{name: control.value for name, control in controls.items()})

    return live_html(list(controls.values()), render)
