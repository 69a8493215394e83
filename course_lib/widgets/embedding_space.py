"""Embedding-space widget (Day 16): the book's passages as points on a plane, and your sentences among them.

Every chunk of the book (:func:`course_lib.embeddings.book_passages`) has a 384-number MiniLM vector.
:func:`pca_basis` finds the two directions along which those vectors spread most (principal
component analysis by SVD, checked against scikit-learn's ``PCA`` in the tests), :func:`project`
puts any vector on that plane, and :func:`render_embedding_space` draws the passages coloured by
the part of the course they come from, with the learner's sentences as black stars and, under the
picture, the book passage nearest to each of them (cosine in the full 384 dimensions, not on the
plane: the plane keeps only part of the picture). The plane is fitted on the book alone, so
adding sentences never moves the axes. matplotlib and ipywidgets are imported inside the functions.
"""

from __future__ import annotations

import html
import re
from typing import Any, Sequence

import numpy as np

from course_lib.widgets.positions import figure_to_html
from course_lib.widgets.static import live_html

__all__ = ["pca_basis", "project", "course_part", "PART_COLOURS", "render_embedding_space", "embedding_space",
           "DEFAULT_SENTENCES", "PRESETS"]

#: part of the course -> colour of its passages
PART_COLOURS = {"I tokens and vectors": "#2563eb", "II attention and the Transformer": "#16a34a",
                "III generation": "#ca8a04", "IV representations": "#9333ea", "V retrieval": "#dc2626",
                "VI systems": "#0891b2", "book pages": "#9ca3af"}
_PART_OF_DAY = [(5, "I tokens and vectors"), (10, "II attention and the Transformer"), (15, "III generation"),
                (19, "IV representations"), (24, "V retrieval"), (30, "VI systems")]
DEFAULT_SENTENCES = "Which words does a tokenizer keep whole?\nHow do I find the passage that answers my question?"
PRESETS = [DEFAULT_SENTENCES,
           "Attention weighs every earlier word.\nA query vector meets the keys.",
           "My cat sleeps on the sofa all afternoon.\nThe recipe needs two eggs and a cup of flour.",
           "Cosine similarity ranks the chunks.\nBytes are merged into subwords."]


def pca_basis(vectors: np.ndarray, n_components: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """``(mean (d,), components (n_components, d))``: the directions of largest variance, by SVD.

    Each component is a unit vector, signed so that its largest-magnitude coordinate is positive.

    Example:
        >>> x = np.array([[0.0, 0.0], [2.0, 0.1], [4.0, -0.1], [6.0, 0.0]])
        >>> mean, comps = pca_basis(x, 1)
        >>> mean.tolist(), comps.round(3).tolist()
        ([3.0, 0.0], [[1.0, -0.01]])
    """
    x = np.asarray(vectors, np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"vectors must be a (n, d) matrix with n >= 2, got shape {x.shape}")
    if isinstance(n_components, bool) or not isinstance(n_components, int) \
            or not 1 <= n_components <= min(x.shape):
        raise ValueError(f"n_components must be an int in [1, {min(x.shape)}], got {n_components!r}")
    mean = x.mean(axis=0)  # (d,)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)  # vt: (min(n, d), d), by decreasing variance
    comps = vt[:n_components]
    signs = np.sign(comps[np.arange(n_components), np.abs(comps).argmax(axis=1)])
    return mean, comps * signs[:, None]


def project(vectors: np.ndarray, mean: np.ndarray, components: np.ndarray) -> np.ndarray:
    """Coordinates of ``vectors`` (n, d) on the plane of :func:`pca_basis`: ``(n, n_components)``.

    Example:
        >>> project(np.array([[5.0, 1.0]]), np.array([3.0, 0.0]), np.array([[1.0, 0.0]])).tolist()
        [[2.0]]
    """
    return (np.atleast_2d(np.asarray(vectors, np.float64)) - mean) @ components.T


def course_part(source: str) -> str:
    """The part of the course a page belongs to, from its path (``"book pages"`` for non-day pages).

    Example:
        >>> course_part("notebooks/day07_multi_head_attention.ipynb"), course_part("book/intro.md")
        ('II attention and the Transformer', 'book pages')
    """
    match = re.search(r"day(\d+)_", source)
    if not match:
        return "book pages"
    day = int(match.group(1))
    return next((part for last, part in _PART_OF_DAY if day <= last), "book pages")


def _sentences(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:8]


def render_embedding_space(text: str, chunks: Sequence[Any], vectors: np.ndarray,
                           basis: tuple[np.ndarray, np.ndarray] | None = None) -> str:
    """HTML: the book's passages on the PCA plane, the sentences of ``text`` (one per line, 8 at most)
    as stars, and each sentence's nearest passage by cosine.

    Example:
        >>> chunks, vectors = book_passages()  # doctest: +SKIP
        >>> 'class="embedding-space"' in render_embedding_space("Tokens cost money.", chunks, vectors)  # doctest: +SKIP
        True
    """
    from matplotlib.figure import Figure

    from course_lib.embeddings import cosine_top_k, sentence_embeddings

    if not isinstance(text, str):
        raise TypeError(f"text must be a str (one sentence per line), got {type(text).__name__}")
    if len(chunks) != len(vectors):
        raise ValueError(f"need one vector per chunk, got {len(chunks)} chunks and {len(vectors)} vectors")
    mean, comps = basis if basis is not None else pca_basis(vectors)
    points = project(vectors, mean, comps)  # (n, 2)
    parts = [course_part(c.metadata["source"]) for c in chunks]
    fig = Figure(figsize=(8.5, 5.2), layout="constrained")
    ax = fig.subplots()
    for part, colour in PART_COLOURS.items():
        rows = [i for i, p in enumerate(parts) if p == part]
        if rows:
            ax.scatter(points[rows, 0], points[rows, 1], s=9, color=colour, alpha=0.55, label=f"Part {part}"
                       if part != "book pages" else part)
    sentences = _sentences(text)
    lines = []
    if sentences:
        mine = sentence_embeddings(sentences)  # (m, 384)
        xy = project(mine, mean, comps)  # (m, 2)
        ax.scatter(xy[:, 0], xy[:, 1], marker="*", s=220, color="black", zorder=3, label="your sentences")
        for n, (sentence, (x, y), vector) in enumerate(zip(sentences, xy, mine), start=1):
            ax.annotate(str(n), (x, y), xytext=(6, 4), textcoords="offset points", fontsize=11, fontweight="bold")
            (best,), (score,) = cosine_top_k(vector, vectors, 1)
            nearest = chunks[int(best)]
            lines.append(f"<li><b>{n}. {html.escape(sentence)}</b> → nearest passage (cosine {score:.2f}), "
                         f"{html.escape(nearest.metadata['source'])} · {html.escape(nearest.metadata['section'])}: "
                         f"<i>{html.escape(nearest.text[:110])}…</i></li>")
    ax.set(xlabel="first principal component", ylabel="second principal component",
           title=f"{len(chunks)} passages of the book in MiniLM space, flattened to 2-D by PCA")
    ax.legend(fontsize=8, loc="best", markerscale=1.5)
    ax.grid(alpha=0.3)
    caption = f"{len(sentences)} sentence(s) of yours among {len(chunks)} book passages"
    return (f'<div class="embedding-space"><div style="font-size:90%;color:#374151">{html.escape(caption)}</div>'
            f"{figure_to_html(fig, 'embedding space scatter: ' + caption)}"
            f'<ol style="font-size:88%;list-style:none;padding-left:0">{"".join(lines)}</ol></div>')


def embedding_space(text: str = DEFAULT_SENTENCES, chunks: Sequence[Any] | None = None,
                    vectors: np.ndarray | None = None, presets: Sequence[str] = PRESETS) -> Any:
    """A text box (one sentence per line) over :func:`render_embedding_space` (Day 16).

    ``chunks``/``vectors`` default to :func:`course_lib.embeddings.book_passages`; the book version
    precomputes ``presets`` (plus the starting text).

    Example:
        >>> widget = embedding_space("Tokens cost money.")  # doctest: +SKIP
        >>> "Tokens cost money." in widget._repr_mimebundle_()["text/html"]  # doctest: +SKIP
        True
    """
    import ipywidgets

    from course_lib.embeddings import book_passages

    if chunks is None or vectors is None:
        chunks, vectors = book_passages()
    basis = pca_basis(vectors)  # fitted once, on the book only: the axes stay put
    box = ipywidgets.Textarea(value=text, description="sentences", rows=3, continuous_update=False,
                              layout=ipywidgets.Layout(width="95%"))
    return live_html([box], lambda: render_embedding_space(box.value, chunks, vectors, basis),
                     grid={box: list(dict.fromkeys([text, *presets]))})
