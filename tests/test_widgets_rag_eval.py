"""Day 24 widget: one evaluated question rendered (relevant chunks marked, triad bars), dropdown switching."""

import pytest

from course_lib.widgets.rag_eval import TRIAD, rag_eval_explorer, render_rag_case

pytest.importorskip("ipywidgets")


def case(question, relevant_first, scores):
    chunks = [{"source": "notebooks/day02_bpe.ipynb", "section": "3. Training BPE by hand", "text": "BPE <merges> pairs.",
               "score": 0.81},
              {"source": "book/intro.md", "section": "Who this course is for", "text": "x" * 500, "score": 0.42}]
    labels = [("notebooks/day02_bpe.ipynb", "3. Training BPE by hand")] if relevant_first else [("a", "b")]
    return {"question": question, "labels": labels, "chunks": chunks, "answer": "It merges the most frequent pair.",
            **dict(zip(TRIAD, scores)), "recall": 1.0 if relevant_first else 0.0, "rr": 1.0 if relevant_first else 0.0}


def test_render_marks_relevant_chunks_escapes_and_truncates():
    snippet = render_rag_case(case("How does BPE train?", True, (0.55, 0.97, 0.31)))
    assert snippet.count("#dcfce7") == 1 and "relevant)" in snippet
    assert "&lt;merges&gt;" in snippet and "<merges>" not in snippet
    assert "x" * 220 + " …" in snippet and "x" * 221 not in snippet
    assert [f"<b>{v}</b>" in snippet for v in ("0.55", "0.97", "0.31")] == [True] * 3
    assert "recall@k 1.00" in snippet
    miss = render_rag_case(case("Unrelated?", False, (0.1, 0.2, 0.3)))
    assert "#dcfce7" not in miss and "recall@k 0.00" in miss


def test_dropdown_switches_the_snapshot():
    cases = [case("first question?", True, (0.5, 0.5, 0.5)), case("second question?", False, (0.1, 0.9, 0.2))]
    widget = rag_eval_explorer(cases)
    assert "first question?" in widget._repr_mimebundle_()["text/html"]
    widget.children[0].value = 1
    html = widget._repr_mimebundle_()["text/html"]
    assert "second question?" in html and "first question?" not in html and "<b>0.90</b>" in html


def test_bad_cases_are_named():
    with pytest.raises(ValueError, match="groundedness"):
        render_rag_case({"question": "q", "labels": [], "chunks": [], "answer": "", "context_relevance": 0.1,
                         "answer_relevance": 0.2})
    with pytest.raises(ValueError, match="at least one case"):
        rag_eval_explorer([])
