"""Day 21 widget: the trade-off points agree with knn_recall and the work counters; the snapshot follows the sliders."""

import numpy as np
import pytest

from course_lib.rag.hnsw import HNSWIndex
from course_lib.rag.indexes import BruteForceIndex, IVFIndex, knn_recall
from course_lib.widgets.retrieval_indexes import index_tradeoff_explorer, render_tradeoff, tradeoff_points

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 12)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    queries = x[:30] + 0.1 * rng.normal(size=(30, 12)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    exact = BruteForceIndex.from_vectors(x).search(queries, 10)[1]
    ivf = IVFIndex(12, nlist=12, seed=1)
    ivf.train(x)
    ivf.add(x)
    hnsw = HNSWIndex(12, M=6, ef_construction=20, seed=1)
    hnsw.add(x)
    return x, queries, exact, ivf, hnsw


def test_points_match_independent_recall_and_work(setup):
    x, queries, exact, ivf, hnsw = setup
    for index, param, values in [(ivf, "nprobe", [1, 3, 12]), (hnsw, "ef_search", [10, 40])]:
        points = tradeoff_points(index, queries, exact, param, values)
        assert [p["value"] for p in points] == values
        for p in points:
            ids = index.search(queries, 10, **{param: p["value"]})[1]
            assert p["recall"] == pytest.approx(knn_recall(ids, exact))
            assert p["scored"] == pytest.approx(index.last_scored.mean()) and p["ms"] > 0
    full = tradeoff_points(ivf, queries, exact, "nprobe", [12])[0]
    assert full["recall"] == 1.0 and full["scored"] == 12 + 600
    with pytest.raises(ValueError, match="'ef'"):
        tradeoff_points(hnsw, queries, exact, "ef", [1])


def test_snapshot_follows_the_sliders(setup):
    x, queries, exact, ivf, hnsw = setup
    curves = {"IVF": tradeoff_points(ivf, queries, exact, "nprobe", [1, 2, 4]),
              "HNSW": tradeoff_points(hnsw, queries, exact, "ef_search", [10, 20])}
    widget = index_tradeoff_explorer(curves, n_vectors=600)
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    first = bundle["text/html"]
    assert "IVF value 1:" in first and "HNSW value 10:" in first and 'src="data:image/png;base64,' in first
    ivf_slider, hnsw_slider = widget.children[0].children
    ivf_slider.value, hnsw_slider.value = 4, 20
    second = widget._repr_mimebundle_()["text/html"]
    point = curves["IVF"][2]
    assert f"IVF value 4: recall {point['recall']:.2f}, {point['scored']:.0f} inner products" in second
    assert "HNSW value 20:" in second and second != first


def test_render_rejects_a_value_not_on_the_curve():
    curve = {"IVF": [{"value": 1, "recall": 0.5, "scored": 10.0, "ms": 0.1}]}
    with pytest.raises(ValueError, match="one of \\[1\\], got 7"):
        render_tradeoff(curve, {"IVF": 7}, n_vectors=100)
