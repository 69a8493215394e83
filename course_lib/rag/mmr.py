"""Maximal marginal relevance (Carbonell & Goldstein, SIGIR 1998): relevant *and* diverse results.

Greedy: pick next the candidate d maximising

    lambda * sim(q, d) - (1 - lambda) * max over already selected s of sim(d, s)

``lambda_mult = 1`` is plain top-k by similarity; smaller values push near-duplicates down.
Similarities are cosines of unit vectors.

Reference note: llama-index's ``get_top_k_mmr_embeddings`` (its ``mmr_threshold`` is our
``lambda_mult``) penalises only the similarity to the *most recently* selected item, not the
maximum over all selected ones. The two agree on the first two picks and can differ from the
third on (tests/test_rag_mmr.py checks both facts).

Introduced on Day 22.
"""

from __future__ import annotations

import numpy as np

from course_lib.rag.base import RetrievedChunk, Retriever, check_k
from course_lib.rag.dense import DenseRetriever

__all__ = ["mmr_select", "MMRRetriever"]


def mmr_select(query: np.ndarray, vectors: np.ndarray, k: int, lambda_mult: float = 0.5) -> list[int]:
    """Indices of ``k`` rows of ``vectors`` (n, d) chosen by MMR for ``query`` (d,), in pick order.

    Example:
        >>> v = np.array([[1.0, 0.0], [0.999, 0.045], [0.6, 0.8]])  # rows 0 and 1 are near-duplicates
        >>> q = np.array([0.9, 0.436])
        >>> mmr_select(q, v, k=2, lambda_mult=1.0), mmr_select(q, v, k=2, lambda_mult=0.5)
        ([1, 0], [1, 2])
    """
    check_k(k)
    if isinstance(lambda_mult, bool) or not isinstance(lambda_mult, (int, float)) or not 0 <= lambda_mult <= 1:
        raise ValueError(f"lambda_mult must be a number in [0, 1], got {lambda_mult!r}")
    vectors = np.asarray(vectors, np.float64)
    query = np.asarray(query, np.float64)
    if vectors.ndim != 2 or query.shape != (vectors.shape[1],):
        raise ValueError(f"expected query (d,) and vectors (n, d), got {query.shape} and {vectors.shape}")
    relevance = vectors @ query  # (n,)
    pairwise = vectors @ vectors.T  # (n, n)
    redundancy = np.full(len(vectors), -np.inf)  # max similarity to the selected set so far
    selected: list[int] = []
    available = np.ones(len(vectors), bool)
    for _ in range(min(k, len(vectors))):
        penalty = np.where(np.isfinite(redundancy), redundancy, 0.0)
        objective = np.where(available, lambda_mult * relevance - (1 - lambda_mult) * penalty, -np.inf)
        best = int(np.argmax(objective))  # ties: lowest index
        selected.append(best)
        available[best] = False
        redundancy = np.maximum(redundancy, pairwise[best])
    return selected


class MMRRetriever(Retriever):
    """Take the dense retriever's top ``candidates`` chunks and re-select ``k`` of them by MMR.

    The returned score is the chunk's cosine similarity to the query (order is MMR's).

    Example:
        >>> MMRRetriever(dense, lambda_mult=0.5).retrieve("attention", k=4)  # doctest: +SKIP
    """

    def __init__(self, dense: DenseRetriever, lambda_mult: float = 0.5, candidates: int = 20):
        if not isinstance(dense, DenseRetriever):
            raise TypeError(f"dense must be a DenseRetriever, got {type(dense).__name__}")
        mmr_select(np.zeros(1), np.zeros((1, 1)), 1, lambda_mult)  # validates lambda_mult
        self.dense, self.lambda_mult, self.candidates = dense, lambda_mult, check_k(candidates)

    def __len__(self) -> int:
        return len(self.dense)

    def _retrieve(self, query: str, k: int) -> list[RetrievedChunk]:
        q = self.dense.embedding_model.embed_query(query)  # (d,)
        sims = self.dense.embeddings @ q  # (n,)
        pool = np.argsort(-sims, kind="stable")[:max(k, self.candidates)]
        picks = mmr_select(q, self.dense.embeddings[pool], k, self.lambda_mult)
        docs = self.dense.documents
        return [RetrievedChunk(docs[pool[i]].text, float(sims[pool[i]]), dict(docs[pool[i]].metadata)) for i in picks]
