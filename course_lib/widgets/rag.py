"""Retrieval widgets (Days 20 and 22): what a retriever returns for a query, and how rankers differ.

* :func:`retrieval_explorer` (Day 20): a query box with preset questions, a ``k`` slider and a
  dropdown of retrievers (one per chunking strategy, say) above the ranked chunks: rank, score,
  source and the start of the text, with the query's words highlighted.
* :func:`compare_rankers` (Day 22): a dropdown of preset queries above one column per ranker
  (BM25, dense, hybrid, reranked...). A chunk found by more than one ranker gets the same colour in
  every column, with a badge saying how many rankers found it; chunks only one ranker found stay white.

A retriever is anything with ``retrieve(query, k)`` returning objects with ``text``, ``score`` and
``metadata`` (:class:`course_lib.rag.base.RetrievedChunk`), or a function ``(query, k) -> list``.
In the built book (:func:`course_lib.widgets.static.live_html`'s static grid) both widgets stay
interactive over their preset queries (and, for the explorer, every retriever and a few values of ``k``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["run_retriever", "chunk_label", "highlight_terms", "render_ranking_html", "render_comparison_columns",
           "retrieval_explorer", "compare_rankers"]

# Pale colours for chunks that several rankers share (one per shared chunk, in order of first appearance).
SHARED_COLOURS = ("#fde68a", "#bfdbfe", "#bbf7d0", "#fbcfe8", "#ddd6fe", "#fed7aa", "#a5f3fc", "#d9f99d",
                  "#fecaca", "#e5e7eb")
_STOP = {"a", "an", "the", "of", "to", "in", "is", "and", "or", "for", "on", "what", "how", "why", "does", "do",
         "it", "be", "by", "with", "which", "are", "as", "at", "from", "that", "this", "can", "when", "who"}


def run_retriever(retriever: Any, query: str, k: int) -> list:
    """``retriever.retrieve(query, k)``, or ``retriever(query, k)`` for a plain function.

    Example:
        >>> run_retriever(lambda q, k: [q] * k, "hi", 2)
        ['hi', 'hi']
    """
    if hasattr(retriever, "retrieve"):
        return list(retriever.retrieve(query, k))
    if callable(retriever):
        return list(retriever(query, k))
    raise TypeError(f"expected a retriever with .retrieve(query, k) or a function (query, k) -> results, "
                    f"got {type(retriever).__name__}: {retriever!r:.60}")


def _meta(item: Any) -> dict:
    return dict(getattr(item, "metadata", None) or {})


def _item_id(item: Any) -> str:
    ident = getattr(item, "id", None)
    return str(ident) if ident is not None else str(getattr(item, "text", item))


def chunk_label(metadata: Mapping[str, Any]) -> str:
    """Where a chunk comes from, short: ``day02_bpe › 3. Merging pairs`` (or ``?`` when unknown).

    Example:
        >>> chunk_label({"source": "notebooks/day02_bpe.ipynb", "section": "Merges"})
        'day02_bpe › Merges'
    """
    source = str(metadata.get("source", "?"))
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    section = metadata.get("section")
    return f"{stem} › {section}" if section and section != metadata.get("title") else stem


def highlight_terms(text: str, query: str) -> str:
    """``text`` escaped for HTML, with the query's content words marked (``<mark>``), case-insensitive.

    Example:
        >>> highlight_terms("BM25 likes <rare> words", "rare words?")
        'BM25 likes &lt;<mark>rare</mark>&gt; <mark>words</mark>'
    """
    words = {w for w in re.findall(r"\w+", query.lower()) if w not in _STOP and len(w) > 1}
    if not words:
        return html.escape(text)
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")\b", re.I)
    out, last = [], 0
    for m in pattern.finditer(text):
        out += [html.escape(text[last:m.start()]), f"<mark>{html.escape(m.group(0))}</mark>"]
        last = m.end()
    return "".join(out + [html.escape(text[last:])])


def _snippet(text: str, chars: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + " …"


def render_ranking_html(query: str, results: Sequence[Any], snippet_chars: int = 280) -> str:
    """HTML: one row per retrieved chunk, best first: rank, score, source and the highlighted start of the text.

    Example:
        >>> from course_lib.rag.base import RetrievedChunk
        >>> page = render_ranking_html("rare words", [RetrievedChunk("Rare words weigh more.", 0.5, {"source": "d.md"})])
        >>> "0.500" in page and "<mark>Rare</mark>" in page and "d</b>" in page
        True
    """
    if not results:
        return '<div class="rag-ranking"><i>no chunks retrieved</i></div>'
    rows = []
    for rank, item in enumerate(results, 1):
        text = str(getattr(item, "text", item))
        score = getattr(item, "score", None)
        score_html = f"{float(score):.3f}" if score is not None else "–"
        rows.append('<tr style="border-top:1px solid #e5e7eb;vertical-align:top">'
                    f'<td style="padding:4px 8px;font-weight:bold">{rank}</td>'
                    f'<td style="padding:4px 8px;font-family:monospace">{score_html}</td>'
                    f'<td style="padding:4px 8px"><b>{html.escape(chunk_label(_meta(item)))}</b><br>'
                    f'<span style="font-size:90%">{highlight_terms(_snippet(text, snippet_chars), query)}</span></td>'
                    '</tr>')
    return ('<div class="rag-ranking"><table style="border-collapse:collapse;width:100%">'
            '<tr style="text-align:left"><th style="padding:4px 8px">rank</th><th style="padding:4px 8px">score</th>'
            f'<th style="padding:4px 8px">chunk (source › section)</th></tr>{"".join(rows)}</table></div>')


def retrieval_explorer(retrievers: Mapping[str, Any], queries: Sequence[str], k: int = 3, max_k: int = 10) -> Any:
    """Query box (preset questions offered) + ``k`` slider + retriever dropdown → ranked chunks (Day 20).

    ``retrievers`` maps a name (a chunking strategy, say) to a retriever.

    Example:
        >>> fake = {"echo": lambda q, k: [f"{q} #{i}" for i in range(k)]}
        >>> widget = retrieval_explorer(fake, ["what is a chunk"], k=2)
        >>> widget._repr_mimebundle_()["text/html"].count("border-top")  # one row per chunk
        2
    """
    import ipywidgets

    if not isinstance(retrievers, Mapping) or not retrievers:
        raise ValueError(f"retrievers must be a non-empty mapping name -> retriever, got {retrievers!r:.80}")
    queries = list(queries)
    if not queries or not all(isinstance(q, str) and q.strip() for q in queries):
        raise ValueError(f"queries must be a non-empty list of non-empty strings, got {queries!r:.80}")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= max_k:
        raise ValueError(f"k must be an int in [1, max_k={max_k}], got {k!r}")
    query_box = ipywidgets.Combobox(value=queries[0], options=queries, description="Query", ensure_option=False,
                                    continuous_update=False, layout=ipywidgets.Layout(width="95%"))
    k_slider = ipywidgets.IntSlider(value=k, min=1, max=max_k, description="k")
    choice = ipywidgets.Dropdown(options=list(retrievers), value=next(iter(retrievers)), description="Retriever")

    def render() -> str:
        query = query_box.value.strip()
        if not query:
            return "<i>type a question</i>"
        results = run_retriever(retrievers[choice.value], query, k_slider.value)
        return (f'<div style="color:#374151;margin:4px 0">{html.escape(choice.value)}: top {k_slider.value} for '
                f'<b>{html.escape(query)}</b></div>' + render_ranking_html(query, results))

    # the book precomputes every preset query and retriever, at a few values of k
    return live_html([query_box, k_slider, choice], render, grid={k_slider: sorted({1, 3, 5, k, max_k})})


def render_comparison_columns(query: str, rankings: Mapping[str, Sequence[Any]], snippet_chars: int = 140) -> str:
    """HTML: one column per ranker; a chunk that several rankers return has one colour everywhere and a
    badge ``×n`` (n = how many rankers found it).

    Example:
        >>> page = render_comparison_columns("q", {"a": ["x", "y"], "b": ["y", "z"]})
        >>> page.count("×2"), page.count(SHARED_COLOURS[0])
        (2, 2)
    """
    if not isinstance(rankings, Mapping) or not rankings:
        raise ValueError(f"rankings must be a non-empty mapping name -> results, got {rankings!r:.80}")
    found: dict[str, int] = {}
    for results in rankings.values():
        for item_id in {_item_id(item) for item in results}:
            found[item_id] = found.get(item_id, 0) + 1
    shared = [i for results in rankings.values() for i in map(_item_id, results) if found[i] > 1]
    colour = {i: SHARED_COLOURS[n % len(SHARED_COLOURS)] for n, i in enumerate(dict.fromkeys(shared))}
    columns = []
    for name, results in rankings.items():
        cells = []
        for rank, item in enumerate(results, 1):
            item_id = _item_id(item)
            background = colour.get(item_id, "#ffffff")
            badge = (f' <span style="background:#374151;color:white;border-radius:3px;padding:0 4px">'
                     f'×{found[item_id]}</span>') if found[item_id] > 1 else ""
            score = getattr(item, "score", None)
            score_html = f" · {float(score):.3f}" if score is not None else ""
            cells.append(f'<div class="rag-cell" style="background:{background};border:1px solid #d1d5db;'
                         f'margin:3px 0;padding:4px;font-size:85%"><b>{rank}</b>{score_html}{badge}<br>'
                         f'<i>{html.escape(chunk_label(_meta(item)))}</i><br>'
                         f'{highlight_terms(_snippet(str(getattr(item, "text", item)), snippet_chars), query)}</div>')
        columns.append(f'<td style="vertical-align:top;width:{100 // len(rankings)}%;padding:0 4px">'
                       f'<div style="font-weight:bold;text-align:center">{html.escape(str(name))}</div>'
                       f'{"".join(cells) or "<i>nothing</i>"}</td>')
    legend = (f'<div style="color:#374151;font-size:90%;margin:4px 0">query: <b>{html.escape(query)}</b> · '
              f'{len(colour)} chunks found by more than one ranker (coloured, ×n = by how many)</div>')
    return f'<div class="rag-compare">{legend}<table style="width:100%"><tr>{"".join(columns)}</tr></table></div>'


def compare_rankers(retrievers: Mapping[str, Any], queries: Sequence[str], k: int = 5) -> Any:
    """Preset queries in a dropdown → the top ``k`` of every ranker side by side, overlaps coloured (Day 22).

    Example:
        >>> rankers = {"a": lambda q, k: ["x", "y"][:k], "b": lambda q, k: ["y", "z"][:k]}
        >>> "×2" in compare_rankers(rankers, ["q"], k=2)._repr_mimebundle_()["text/html"]
        True
    """
    import ipywidgets

    if not isinstance(retrievers, Mapping) or not retrievers:
        raise ValueError(f"retrievers must be a non-empty mapping name -> retriever, got {retrievers!r:.80}")
    queries = list(queries)
    if not queries or not all(isinstance(q, str) and q.strip() for q in queries):
        raise ValueError(f"queries must be a non-empty list of non-empty strings, got {queries!r:.80}")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    choice = ipywidgets.Dropdown(options=queries, value=queries[0], description="Query",
                                 layout=ipywidgets.Layout(width="95%"))
    cache: dict[str, str] = {}

    def render() -> str:
        query = choice.value
        if query not in cache:  # each query's rankings are computed once
            rankings = {name: run_retriever(r, query, k) for name, r in retrievers.items()}
            cache[query] = render_comparison_columns(query, rankings)
        return cache[query]

    return live_html([choice], render)

