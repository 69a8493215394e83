"""MaxSim reranking: the formula on hand-made vectors, token vectors from MiniLM, reordering, bad input."""

import numpy as np
import pytest

from course_lib.embeddings import token_embeddings
from course_lib.rag import MaxSimReranker, RerankRetriever, RetrievedChunk, Retriever, maxsim


@pytest.mark.parametrize("seed", range(5))
def test_maxsim_formula(seed):
    rng = np.random.default_rng(seed)
    q, d = rng.normal(size=(int(rng.integers(1, 6)), 7)), rng.normal(size=(int(rng.integers(1, 9)), 7))
    expected = np.mean([max(qi @ dj / np.linalg.norm(qi) / np.linalg.norm(dj) for dj in d) for qi in q])
    assert maxsim(q, d) == pytest.approx(expected)


def test_token_scores_are_maxsim_over_minilm_token_vectors():
    texts = ["Byte pair encoding merges frequent pairs.", "Cats purr on the sofa."]
    query = "which pairs does BPE merge?"
    ours = MaxSimReranker("token").scores(query, texts)
    vecs, mask, _ = token_embeddings([query] + texts)
    inner = [vecs[i, 1:int(mask[i].sum()) - 1] for i in range(3)]  # drop [CLS] and [SEP]
    expected = [maxsim(inner[0], inner[1]), maxsim(inner[0], inner[2])]
    np.testing.assert_allclose(ours, expected, atol=2e-3)  # float16 cache of chunk token vectors
    assert ours[0] > ours[1]


class _Fixed(Retriever):
    def __init__(self, chunks):
        self.chunks = chunks

    def _retrieve(self, query, k):
        return self.chunks[:k]


@pytest.mark.parametrize("granularity", ["token", "sentence"])
def test_rerank_moves_the_answer_up(granularity):
    chunks = [RetrievedChunk(t, 1.0 - i / 10, {"chunk_id": str(i)}) for i, t in enumerate([
        "The weather was pleasant and the market was busy.",
        "Stock prices rose on Tuesday.",
        "Byte pair encoding merges the most frequent pair of symbols, again and again."])]
    reranked = RerankRetriever(_Fixed(chunks), MaxSimReranker(granularity), candidates=3).retrieve(
        "What does byte pair encoding merge?", k=2)
    assert reranked[0].id == "2" and len(reranked) == 2 and reranked[0].score > reranked[1].score


def test_bad_input():
    with pytest.raises(ValueError, match="granularity.*word"):
        MaxSimReranker("word")
    with pytest.raises(ValueError, match="query.*''"):
        MaxSimReranker().scores("", ["x"])
    with pytest.raises(TypeError, match="Retriever.*list"):
        RerankRetriever([])
