"""Per-question RAG evaluation, as a widget (Day 24): pick a question, see what was retrieved and scored.

A *case* is a dict with ``question``, ``labels`` (the (source, section) pairs that answer it),
``chunks`` (a list of ``{"source", "section", "text", "score"}``, best first), ``answer`` and the triad
scores ``context_relevance``, ``groundedness`` and ``answer_relevance`` (from
:func:`course_lib.evaluation.rag_triad`), optionally ``recall`` and ``rr``. :func:`render_rag_case`
shows one case as HTML: retrieved chunks with the relevant ones in green, the answer, and a bar per
score. :func:`rag_eval_explorer` puts a dropdown of the questions above it. ipywidgets is imported
inside the function.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["render_rag_case", "rag_eval_explorer", "TRIAD"]

TRIAD = ("context_relevance", "groundedness", "answer_relevance")


def _bar(name: str, value: float) -> str:
    width = max(0.0, min(1.0, value)) * 100
    colour = "#16a34a" if value >= 0.6 else "#ca8a04" if value >= 0.4 else "#dc2626"
    return (f'<div style="display:flex;align-items:center;gap:6px;margin:2px 0">'
            f'<span style="width:140px">{html.escape(name.replace("_", " "))}</span>'
            f'<span style="display:inline-block;width:200px;height:12px;background:#e5e7eb">'
            f'<span style="display:block;width:{width:.0f}%;height:12px;background:{colour}"></span></span>'
            f"<b>{value:.2f}</b></div>")


def render_rag_case(case: dict[str, Any], max_chars: int = 220) -> str:
    """HTML for one evaluated question: chunks (relevant ones green), the answer, the triad as bars.

    Example:
        >>> case = {"question": "What is BPE?", "labels": [("d2", "BPE")], "answer": "A merge rule.",
        ...         "chunks": [{"source": "d2", "section": "BPE", "text": "BPE merges pairs.", "score": 0.7}],
        ...         "context_relevance": 0.5, "groundedness": 0.9, "answer_relevance": 0.3}
        >>> snippet = render_rag_case(case)
        >>> "What is BPE?" in snippet, "#dcfce7" in snippet, "<b>0.90</b>" in snippet
        (True, True, True)
    """
    missing = [key for key in ("question", "labels", "chunks", "answer", *TRIAD) if key not in case]
    if missing:
        raise ValueError(f"case is missing {missing}; it needs question, labels, chunks, answer and {TRIAD}")
    labels = {tuple(label) for label in case["labels"]}
    rows = []
    for rank, chunk in enumerate(case["chunks"], start=1):
        relevant = (chunk["source"], chunk["section"]) in labels
        text = chunk["text"] if len(chunk["text"]) <= max_chars else chunk["text"][:max_chars] + " …"
        rows.append(f'<li style="background:{"#dcfce7" if relevant else "#f3f4f6"};margin:2px 0;padding:3px">'
                    f'<b>{rank}.</b> <code>{html.escape(chunk["source"])}</code> › {html.escape(chunk["section"])} '
                    f'<span style="color:#6b7280">(score {chunk["score"]:.3f}{", relevant" if relevant else ""})'
                    f"</span><br>{html.escape(text)}</li>")
    wanted = "; ".join(f"{s} › {sec}" for s, sec in sorted(labels))
    extra = "".join(f" · {name} {case[key]:.2f}" for key, name in (("recall", "recall@k"), ("rr", "reciprocal rank"))
                    if key in case)
    return (f'<div class="rag-case"><div><b>Question:</b> {html.escape(case["question"])}</div>'
            f'<div style="font-size:90%;color:#374151">answered by: {html.escape(wanted)}{html.escape(extra)}</div>'
            f'<ol style="list-style:none;padding-left:0">{"".join(rows)}</ol>'
            f'<div><b>Answer:</b> {html.escape(case["answer"])}</div>'
            f'<div style="margin-top:6px">{"".join(_bar(name, float(case[name])) for name in TRIAD)}</div></div>')


def rag_eval_explorer(cases: Sequence[dict[str, Any]]) -> Any:
    """A dropdown of the cases' questions above :func:`render_rag_case` of the chosen one."""
    import ipywidgets

    if not cases:
        raise ValueError("rag_eval_explorer needs at least one case")
    options = [(f"{i + 1}. {c['question'][:70]}", i) for i, c in enumerate(cases)]
    dropdown = ipywidgets.Dropdown(options=options, value=0, description="question",
                                   layout=ipywidgets.Layout(width="95%"))
    return live_html([dropdown], lambda: render_rag_case(cases[dropdown.value]))
