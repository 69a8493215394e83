"""The recall/work trade-off of approximate vector indexes, as a widget (Day 21).

:func:`tradeoff_points` sweeps one search parameter of an index (``nprobe`` for IVF, ``ef_search`` for
HNSW) and records, for each value, recall@k against the exact neighbours, the inner products computed per
query (the machine-independent cost) and the wall time per query. :func:`render_tradeoff` draws the
curves with the chosen setting of each index marked, as an inline PNG; :func:`index_tradeoff_explorer`
puts one slider per index above it. matplotlib and ipywidgets are imported inside the functions.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from course_lib.widgets.positions import figure_to_html
from course_lib.widgets.static import live_html

__all__ = ["tradeoff_points", "render_tradeoff", "index_tradeoff_explorer"]

_COLOURS = {"IVF": "#2563eb", "HNSW": "#dc2626"}


def tradeoff_points(index: Any, queries: np.ndarray, exact_ids: np.ndarray, param: str,
                    values: Sequence[int]) -> list[dict[str, float]]:
    """For each value of ``param``: ``{"value", "recall", "scored", "ms"}`` of ``index.search``.

    ``exact_ids`` ``(n_queries, k)`` are the true top-k; ``scored`` is the mean of ``index.last_scored``.

    Example:
        >>> from course_lib.rag.indexes import BruteForceIndex, IVFIndex
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=(200, 4)); x /= np.linalg.norm(x, axis=1, keepdims=True)
        >>> ivf = IVFIndex(4, nlist=8); ivf.train(x); ivf.add(x)
        >>> exact = BruteForceIndex.from_vectors(x).search(x[:10], 3)[1]
        >>> [p["recall"] for p in tradeoff_points(ivf, x[:10], exact, "nprobe", [8])]
        [1.0]
    """
    from course_lib.rag.indexes import knn_recall

    if param not in ("nprobe", "ef_search"):
        raise ValueError(f"param must be 'nprobe' or 'ef_search', got {param!r}")
    k = exact_ids.shape[1]
    points = []
    for value in values:
        start = time.perf_counter()
        ids = index.search(queries, k, **{param: int(value)})[1]
        elapsed = time.perf_counter() - start
        points.append({"value": int(value), "recall": knn_recall(ids, exact_ids),
                       "scored": float(np.mean(index.last_scored)), "ms": 1e3 * elapsed / len(queries)})
    return points


def render_tradeoff(curves: dict[str, list[dict[str, float]]], chosen: dict[str, int], n_vectors: int) -> str:
    """HTML: recall@k against inner products per query for each index, the chosen settings marked.

    ``curves`` maps a label (``"IVF"``, ``"HNSW"``) to :func:`tradeoff_points` output; ``chosen`` maps
    the label to the parameter value to mark; ``n_vectors`` places brute force (all vectors, recall 1).

    Example:
        >>> curve = {"IVF": [{"value": 1, "recall": 0.5, "scored": 40.0, "ms": 0.1},
        ...                  {"value": 4, "recall": 0.9, "scored": 100.0, "ms": 0.2}]}
        >>> snippet = render_tradeoff(curve, {"IVF": 4}, n_vectors=1000)
        >>> "IVF value 4: recall 0.90, 100 inner products" in snippet, "<img" in snippet
        (True, True)
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    lines = []
    for label, points in curves.items():
        if chosen.get(label) not in [p["value"] for p in points]:
            raise ValueError(f"chosen value for {label} must be one of {[p['value'] for p in points]}, "
                             f"got {chosen.get(label)!r}")
        colour = _COLOURS.get(label, "#059669")
        ax.plot([p["scored"] for p in points], [p["recall"] for p in points], "o-", color=colour, label=label,
                alpha=0.6)
        point = next(p for p in points if p["value"] == chosen[label])
        ax.plot(point["scored"], point["recall"], "o", markersize=13, color=colour, markeredgecolor="black")
        lines.append(f"{label} value {point['value']}: recall {point['recall']:.2f}, "
                     f"{point['scored']:.0f} inner products ({100 * point['scored'] / n_vectors:.1f}% of brute force), "
                     f"{point['ms']:.2f} ms per query")
    ax.plot(n_vectors, 1.0, "s", color="black", markersize=9, label=f"brute force ({n_vectors:,})")
    ax.set_xscale("log")
    ax.set(xlabel="inner products computed per query (log scale)", ylabel="recall@k against brute force",
           ylim=(0, 1.05), title="Approximate search: less work, fewer true neighbours")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    caption = "<br>".join(html.escape(line) for line in lines)
    return (f'<div class="index-tradeoff"><div style="font-size:90%;color:#374151">{caption}</div>'
            f"{figure_to_html(fig, 'recall against work per query for IVF and HNSW')}</div>")


def index_tradeoff_explorer(curves: dict[str, list[dict[str, float]]], n_vectors: int,
                            names: dict[str, str] | None = None) -> Any:
    """One slider per index (its parameter's values from ``curves``) above :func:`render_tradeoff`."""
    import ipywidgets

    names = names or {"IVF": "nprobe", "HNSW": "ef_search"}
    sliders = {label: ipywidgets.SelectionSlider(options=[p["value"] for p in points], value=points[0]["value"],
                                                 description=f"{label} {names.get(label, 'value')}",
                                                 continuous_update=False,
                                                 style={"description_width": "initial"})
               for label, points in curves.items()}
    return live_html(list(sliders.values()),
                     lambda: render_tradeoff(curves, {k: s.value for k, s in sliders.items()}, n_vectors),
                     row=True)
