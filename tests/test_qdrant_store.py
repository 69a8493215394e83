"""QdrantStore (embedded Qdrant): persistence across close + reopen, payload filters, brute-force agreement."""

import numpy as np
import pytest

from course_lib.rag.documents import Document
from course_lib.rag.indexes import BruteForceIndex
from course_lib.rag.qdrant_store import QdrantRetriever, QdrantStore, payload_filter

pytest.importorskip("qdrant_client")


def unit(rng, n, dim):
    x = rng.normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("seed", range(3))
def test_points_and_filters_survive_close_and_reopen(tmp_path, seed):
    rng = np.random.default_rng(seed)
    dim, n = int(rng.integers(4, 40)), int(rng.integers(30, 120))
    vectors = unit(rng, n, dim)
    days = rng.integers(1, 6, size=n).tolist()
    payloads = [{"text": f"chunk {i}", "day": d, "source": f"notebooks/day0{d}.ipynb"} for i, d in enumerate(days)]
    store = QdrantStore(tmp_path / "db", collection="book", dim=dim)
    assert store.add(vectors[: n // 2], payloads[: n // 2]) == list(range(n // 2))
    assert store.add(vectors[n // 2:], payloads[n // 2:]) == list(range(n // 2, n))
    store.close()

    with QdrantStore(tmp_path / "db", collection="book", dim=dim) as store:  # a fresh client on the same folder
        assert store.count() == n
        assert store.count(filter={"day": 2}) == days.count(2)
        assert store.count(filter={"day": [1, 3]}) == days.count(1) + days.count(3)
        queries = unit(rng, 5, dim)
        exact_scores, exact_ids = BruteForceIndex.from_vectors(vectors).search(queries, 7)
        for query, scores, ids in zip(queries, exact_scores, exact_ids):
            hits = store.search(query, k=7)
            assert [h.metadata["point_id"] for h in hits] == ids.tolist()
            np.testing.assert_allclose([h.score for h in hits], scores, atol=1e-5)
            assert [h.text for h in hits] == [f"chunk {i}" for i in ids]
            filtered = store.search(query, k=4, filter={"source": "notebooks/day02.ipynb"})
            wanted = [i for i in ids.tolist() + list(np.argsort(-(vectors @ query))) if days[i] == 2]
            expected = list(dict.fromkeys(int(i) for i in wanted))[:4]
            assert [h.metadata["point_id"] for h in filtered] == expected
            assert all(h.metadata["day"] == 2 for h in filtered)


def test_reopen_with_another_dim_is_refused(tmp_path):
    QdrantStore(tmp_path, dim=3).close()
    with pytest.raises(ValueError, match="holds 3-d vectors, got dim=5"):
        QdrantStore(tmp_path, dim=5)


class Counts:
    """A toy embedding model: counts of a few words, normalized."""

    words = ["bpe", "token", "vector", "index"]

    def embed(self, texts):
        v = np.array([[t.lower().count(w) for w in self.words] for t in texts], dtype=float) + 1e-6
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_retriever_adapter_filters_and_persists(tmp_path):
    docs = [Document("bpe merges token pairs", {"source": "day02", "section": "BPE"}),
            Document("a vector index answers queries", {"source": "day21", "section": "IVF"}),
            Document("token token token", {"source": "day01", "section": "Tokens"})]
    store = QdrantStore(tmp_path, dim=4)
    retriever = QdrantRetriever(store, Counts())
    retriever.index(docs)
    assert len(retriever) == 3
    top = retriever.retrieve("which token?", k=2)
    assert [c.text for c in top] == ["token token token", "bpe merges token pairs"]
    assert top[0].metadata["source"] == "day01" and top[0].metadata["section"] == "Tokens"
    store.close()
    reopened = QdrantRetriever(QdrantStore(tmp_path, dim=4), Counts(), filter={"source": ["day02", "day21"]})
    assert [c.text for c in reopened.retrieve("which token?", k=2)] == ["bpe merges token pairs",
                                                                         "a vector index answers queries"]
    reopened.store.close()


@pytest.mark.parametrize("bad, error, match", [
    ({"day": 1.5}, TypeError, "'day'"), ("day=1", TypeError, "dict"),
])
def test_payload_filter_rejects_bad_input(bad, error, match):
    with pytest.raises(error, match=match):
        payload_filter(bad)


def test_store_rejects_bad_shapes():
    store = QdrantStore(dim=3)
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        store.add(np.ones((2, 4)), [{}, {}])
    with pytest.raises(ValueError, match="one payload per vector"):
        store.add(np.eye(3), [{}])
    with pytest.raises(ValueError, match="k must be a positive int"):
        store.search(np.ones(3), k=0)
    with pytest.raises(TypeError, match="embed"):
        QdrantRetriever(store, object())
