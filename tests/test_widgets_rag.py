"""Retrieval widgets: the explorer shows what the retriever returns, the comparison colours exactly the shared chunks."""

import random
import re

import pytest

from course_lib.rag import BM25, Document, RetrievedChunk
from course_lib.widgets.rag import (SHARED_COLOURS, chunk_label, compare_rankers, highlight_terms,
                                    render_comparison_columns, render_ranking_html, retrieval_explorer)

pytest.importorskip("ipywidgets")

WORDS = ["retrieval", "chunk", "vector", "cosine", "token", "merge", "pair", "budget", "context", "rank", "fusion"]


def random_docs(seed, n=30):
    rng = random.Random(seed)
    return [Document(" ".join(rng.choices(WORDS, k=rng.randrange(3, 15))) + ".",
                     {"source": f"notebooks/day{rng.randrange(1, 30):02d}_x.ipynb", "section": f"S{i}", "chunk_id": f"c{i}"})
            for i in range(n)]


def rows(page):
    """(rank, score, label) of each row of a ranking table."""
    return re.findall(r'<td[^>]*>(\d+)</td><td[^>]*>([-\d.]+)</td><td[^>]*><b>([^<]*)</b>', page)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_explorer_shows_the_retrievers_ranking(seed):
    rng = random.Random(seed)
    docs = random_docs(seed)
    bm25 = BM25(docs)
    queries = [" ".join(rng.sample(WORDS, 2)) for _ in range(3)]
    k = rng.randrange(1, 8)
    widget = retrieval_explorer({"bm25": bm25, "reversed": lambda q, k: bm25.retrieve(q, k)[::-1]}, queries, k=k)
    query_box, slider, choice, view = widget.children
    expected = bm25.retrieve(queries[0], k)
    got = rows(widget._repr_mimebundle_()["text/html"])
    assert [int(r) for r, _, _ in got] == list(range(1, len(expected) + 1))
    assert [float(s) for _, s, _ in got] == [round(c.score, 3) for c in expected]
    assert [html_label for _, _, html_label in got] == [chunk_label(c.metadata) for c in expected]
    choice.value = "reversed"
    assert [float(s) for _, s, _ in rows(view.value)] == [round(c.score, 3) for c in expected[::-1]]
    slider.value = k + 1
    query_box.value = queries[1]
    assert len(rows(view.value)) == len(bm25.retrieve(queries[1], k + 1))


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_comparison_colours_exactly_the_chunks_found_twice(seed):
    rng = random.Random(seed)
    pool = [RetrievedChunk(f"text {i}", rng.random(), {"chunk_id": f"id{i}", "source": "a.md"}) for i in range(12)]
    rankings = {name: rng.sample(pool, rng.randrange(1, 7)) for name in ("bm25", "dense", "hybrid", "rerank")}
    page = render_comparison_columns("zzz", rankings)
    cells = re.findall(r'<div class="rag-cell" style="background:(#[0-9a-f]{6});.*?text (\d+)', page)
    assert len(cells) == sum(len(r) for r in rankings.values())
    counts = {f"id{i}": sum(any(c.id == f"id{i}" for c in r) for r in rankings.values()) for i in range(12)}
    colour_of = {}
    for colour, i in cells:
        if counts[f"id{i}"] > 1:
            assert colour in SHARED_COLOURS
            assert colour_of.setdefault(i, colour) == colour, "a shared chunk has one colour in every column"
        else:
            assert colour == "#ffffff", "a chunk found by one ranker only stays white"
    assert len(set(colour_of.values())) == len(colour_of) or len(colour_of) > len(SHARED_COLOURS)
    badges = [int(n) for n in re.findall(r">×(\d+)</span>", page)]
    assert sorted(badges) == sorted(n for n in counts.values() if n > 1 for _ in range(n))


def test_compare_rankers_widget_follows_the_dropdown():
    docs = random_docs(7)
    bm25 = BM25(docs)
    widget = compare_rankers({"bm25": bm25, "bm25 again": bm25}, ["merge pair", "cosine vector"], k=3)
    choice, view = widget.children
    first = widget._repr_mimebundle_()["text/html"]
    assert "<b>merge pair</b>" in first and first.count(">×2<") == 2 * len(bm25.retrieve("merge pair", 3))
    choice.value = "cosine vector"
    assert "<b>cosine vector</b>" in view.value


def test_book_grid_covers_presets_retrievers_and_some_k():
    from course_lib.widgets.static import static_grid_html

    bm25 = BM25(random_docs(8))
    queries = ["merge pair", "cosine vector", "rank fusion"]
    widget = retrieval_explorer({"bm25": bm25, "twice": lambda q, k: bm25.retrieve(q, k) * 2}, queries, k=3, max_k=8)
    page = static_grid_html(widget)
    assert widget.static_reason is None
    assert widget.static_stats["states"] == len(queries) * 2 * len({1, 3, 5, 8})
    for query in queries:  # every preset's ranking is in the page
        assert render_ranking_html(query, bm25.retrieve(query, 5)) in page
    compare = compare_rankers({"bm25": bm25}, queries, k=2)
    static_grid_html(compare)
    assert compare.static_stats["states"] == len(queries)


def test_highlight_and_escape():
    assert highlight_terms("The <b>merge</b> step", "merge?") == "The &lt;b&gt;<mark>merge</mark>&lt;/b&gt; step"
    assert highlight_terms("what is it", "what is") == "what is it"  # stop words are not marked
    page = render_ranking_html("x", [RetrievedChunk("<script>", 1.0, {"source": "<i>.md"})])
    assert "<script>" not in page and "&lt;script&gt;" in page and "<i>" not in page
    assert "no chunks" in render_ranking_html("x", [])
    assert chunk_label({}) == "?" and chunk_label({"source": "book/intro.md", "title": "T", "section": "T"}) == "intro"


def test_bad_input():
    with pytest.raises(ValueError, match="non-empty mapping"):
        retrieval_explorer({}, ["q"])
    with pytest.raises(ValueError, match="queries"):
        retrieval_explorer({"a": lambda q, k: []}, [])
    with pytest.raises(ValueError, match="k must be"):
        retrieval_explorer({"a": lambda q, k: []}, ["q"], k=0)
    with pytest.raises(ValueError, match="k must be"):
        compare_rankers({"a": lambda q, k: []}, ["q"], k=-1)
    with pytest.raises(TypeError, match="int"):
        compare_rankers({"a": 42}, ["q"], k=2)
    with pytest.raises(ValueError, match="rankings"):
        render_comparison_columns("q", {})
