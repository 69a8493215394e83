"""Reciprocal rank fusion equals Cormack et al.'s formula (ranks from 1, k = 60) on hand-made rankings."""

import random

import pytest

from course_lib.rag import HybridRetriever, RetrievedChunk, Retriever, fuse_results, reciprocal_rank_fusion


@pytest.mark.parametrize("seed", range(10))
def test_rrf_equals_formula(seed):
    rng = random.Random(seed)
    ids = [f"d{i}" for i in range(rng.randint(3, 15))]
    rankings = [rng.sample(ids, rng.randint(1, len(ids))) for _ in range(rng.randint(1, 4))]
    k = rng.choice([60, 1, 10.5])
    expected = {}
    for ranking in rankings:
        for position, item in enumerate(ranking):
            expected[item] = expected.get(item, 0.0) + 1 / (k + position + 1)
    fused = reciprocal_rank_fusion(rankings, k)
    assert dict(fused) == pytest.approx(expected)
    scores = [s for _, s in fused]
    assert scores == sorted(scores, reverse=True)


def test_hand_made_case_and_llamaindex_offset():
    fused = dict(reciprocal_rank_fusion([["a", "b"], ["b", "c"]]))
    assert fused == {"a": 1 / 61, "b": 1 / 62 + 1 / 61, "c": 1 / 62}
    # llama-index counts ranks from 0: its score for "a" would be 1/60, not the paper's 1/61
    assert fused["a"] != 1 / 60


def test_ties_keep_first_seen_order():
    assert [i for i, _ in reciprocal_rank_fusion([["x", "y"], ["y", "x"]])] == ["x", "y"]


class _Fixed(Retriever):
    def __init__(self, ids):
        self.ids = ids

    def _retrieve(self, query, k):
        return [RetrievedChunk(f"text {i}", 1.0 / (r + 1), {"chunk_id": i}) for r, i in enumerate(self.ids)][:k]


def test_hybrid_fuses_retrievers():
    hybrid = HybridRetriever([_Fixed(["a", "b", "c"]), _Fixed(["c", "b", "d"])], candidates=3)
    hits = hybrid.retrieve("q", k=2)
    assert [h.id for h in hits] == ["c", "b"]  # c: 1/63 + 1/61 > b: 1/62 + 1/62 > a: 1/61
    assert hits[0].score == pytest.approx(1 / 63 + 1 / 61) and hits[1].text == "text b"
    assert [c.id for c in fuse_results([[RetrievedChunk("t", 1, {"chunk_id": "z"})]], k=1)] == ["z"]


def test_bad_input():
    with pytest.raises(ValueError, match="twice"):
        reciprocal_rank_fusion([["a", "a"]])
    with pytest.raises(ValueError, match="k must.*-1"):
        reciprocal_rank_fusion([["a"]], k=-1)
    with pytest.raises(TypeError, match="string"):
        reciprocal_rank_fusion(["abc"])
    with pytest.raises(TypeError, match="Retriever.*str"):
        HybridRetriever(["bm25"])
    with pytest.raises(ValueError, match="empty"):
        HybridRetriever([])
