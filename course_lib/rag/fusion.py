"""Hybrid retrieval with reciprocal rank fusion (Cormack, Clarke & Buettcher, SIGIR 2009).

Scores of different retrievers (cosine in [-1, 1], BM25 unbounded) cannot be added, but ranks
can. RRF gives each item the sum over rankings of ``1 / (k + rank)``, ranks counted **from 1**,
``k = 60`` (the paper's value: it damps the influence of the very top ranks). Items missing
from a ranking get nothing from it.

Note: llama-index's ``QueryFusionRetriever(mode="reciprocal_rerank")`` counts ranks from 0
(``1 / (rank + k)`` with rank = 0 for the best), so its scores are slightly larger than the
paper's; the order it produces is usually, not always, the same.

Introduced on Day 21.
"""

from __future__ import annotations

from typing import Hashable, Sequence

from course_lib.rag.base import RetrievedChunk, Retriever, check_k

__all__ = ["reciprocal_rank_fusion", "fuse_results", "HybridRetriever", "RRF_K"]

RRF_K = 60  # Cormack et al. 2009


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Hashable]], k: float = RRF_K) -> list[tuple[Hashable, float]]:
    """Fuse rankings (lists of ids, best first): ``[(id, score), ...]``, best first.

    score(id) = sum over rankings containing id of 1 / (k + rank), rank = 1 for the best.
    Ties keep the order in which ids were first met.

    Example:
        >>> fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c"]], k=60)
        >>> [i for i, _ in fused]
        ['b', 'c', 'a']
        >>> fused[0][1] == 1 / 62 + 1 / 61  # b: rank 2 in the first list, rank 1 in the second
        True
    """
    if isinstance(k, bool) or not isinstance(k, (int, float)) or k < 0:
        raise ValueError(f"k must be a number >= 0, got {k!r}")
    if isinstance(rankings, (str, bytes)):
        raise TypeError(f"rankings must be a list of lists of ids, got {rankings!r}")
    scores: dict[Hashable, float] = {}
    for ranking in rankings:
        if isinstance(ranking, (str, bytes)):
            raise TypeError(f"each ranking must be a list of ids, got the string {ranking!r}")
        if len(set(ranking)) != len(ranking):
            raise ValueError(f"a ranking lists an id twice: {list(ranking)!r}")
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])  # sorted() is stable: ties keep first-met order


class HybridRetriever(Retriever):
    """Ask several retrievers for ``candidates`` chunks each and fuse their rankings with RRF.

    Chunks are matched by id (``metadata["chunk_id"]``). The returned score is the RRF score.

    Example:
        >>> from course_lib.rag import BM25, DenseRetriever, book_documents  # doctest: +SKIP
        >>> HybridRetriever([DenseRetriever(docs), BM25(docs)]).retrieve("what is BPE?", k=3)  # doctest: +SKIP
    """

    def __init__(self, retrievers: Sequence[Retriever], rrf_k: float = RRF_K, candidates: int = 20):
        retrievers = list(retrievers)
        if not retrievers:
            raise ValueError("retrievers must not be empty")
        for r in retrievers:
            if not isinstance(r, Retriever):
                raise TypeError(f"every retriever must be a Retriever, got {type(r).__name__}")
        self.retrievers, self.rrf_k, self.candidates = retrievers, rrf_k, check_k(candidates)
        reciprocal_rank_fusion([], rrf_k)  # validates rrf_k

    def __len__(self) -> int:
        return max(len(r) for r in self.retrievers if hasattr(r, "__len__")) if self.retrievers else 0

    def _retrieve(self, query: str, k: int) -> list[RetrievedChunk]:
        n = max(k, self.candidates)
        return fuse_results([r.retrieve(query, n) for r in self.retrievers], k, self.rrf_k)


def fuse_results(results: Sequence[Sequence[RetrievedChunk]], k: int, rrf_k: float = RRF_K) -> list[RetrievedChunk]:
    """RRF over lists of retrieved chunks (matched by ``chunk.id``): the top ``k``, score = RRF score.

    Example:
        >>> a, b, c = (RetrievedChunk(t, 1.0, {"chunk_id": t}) for t in "abc")
        >>> [x.text for x in fuse_results([[a, b], [c, b]], k=2)]
        ['b', 'a']
    """
    by_id: dict[str, RetrievedChunk] = {}
    for hits in results:
        for c in hits:
            by_id.setdefault(c.id, c)
    fused = reciprocal_rank_fusion([[c.id for c in hits] for hits in results], rrf_k)[:check_k(k)]
    return [RetrievedChunk(by_id[i].text, score, dict(by_id[i].metadata)) for i, score in fused]
