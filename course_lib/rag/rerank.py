"""Offline reranking: re-score the first-stage top-n with a finer, slower comparison.

The usual reranker is a cross-encoder (query and chunk read together by one transformer), but no
cross-encoder model is available offline here. We use what MiniLM already gives:

* ``granularity="token"``: late interaction, ColBERT's MaxSim (Khattab & Zaharia, SIGIR 2020):
  every query token vector finds its most similar token vector in the chunk;
  score = mean over query tokens of that maximum cosine. Token vectors are MiniLM's contextual
  last hidden states ([CLS]/[SEP] dropped), *not* ColBERT's trained projection, so this is a
  stand-in for ColBERT, not ColBERT itself.
* ``granularity="sentence"``: score = the best cosine between the query's sentence embedding and
  the embeddings of the chunk's sentences (a chunk that contains one sentence answering the
  question is not diluted by its other sentences).

How much either helps is measured, not assumed: ``benchmarks/bench_rerank.py`` prints hit rate,
MRR and nDCG at 5 with and without each reranker on the course's question set
(``course_lib.evaluation.load_eval_set``). On the book of 29 Nov 2026 (held-out split, 52
questions) token MaxSim over the top 20 raised MRR@5 from 0.83 to 0.86 for the hybrid retriever
and from 0.76 to 0.86 for dense alone (dev split: 0.79 to 0.81 and 0.73 to 0.81); the sentence
variant lowered MRR on the dev split, so ``build_book_retriever("rerank")`` uses tokens. The price is
one MiniLM pass over the 20 candidates per query (about a second on 2 CPU cores).

Introduced on Day 23.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

import numpy as np

from course_lib.rag.base import RetrievedChunk, Retriever, check_k
from course_lib.rag.documents import content_hash
from course_lib.rag.embedding import EmbeddingModel

__all__ = ["MaxSimReranker", "RerankRetriever", "maxsim", "GRANULARITIES"]

GRANULARITIES = ("token", "sentence")


def maxsim(query_vectors: np.ndarray, doc_vectors: np.ndarray) -> float:
    """Late-interaction score: mean over query rows of the max cosine with any document row.

    Example:
        >>> maxsim(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.6, 0.8]]))
        0.9
    """
    q = query_vectors / np.linalg.norm(query_vectors, axis=1, keepdims=True)  # (Tq, d)
    d = doc_vectors / np.linalg.norm(doc_vectors, axis=1, keepdims=True)  # (Td, d)
    return float((q @ d.T).max(axis=1).mean())


class MaxSimReranker:
    """Re-score chunks for a query by token MaxSim or best-sentence cosine (see the module docstring).

    Example:
        >>> r = MaxSimReranker("token")  # doctest: +SKIP
        >>> r.scores("what merges does BPE make?", ["BPE merges frequent pairs.", "Cats purr."])  # doctest: +SKIP
    """

    def __init__(self, granularity: str = "token", embedding_model: EmbeddingModel | None = None,
                 batch_size: int = 16, cache_size: int = 1024):
        if granularity not in GRANULARITIES:
            raise ValueError(f"granularity must be one of {GRANULARITIES}, got {granularity!r}")
        self.granularity, self.batch_size = granularity, check_k(batch_size)
        self.embedding_model = embedding_model or EmbeddingModel()
        self._tokens: OrderedDict[str, np.ndarray] = OrderedDict()  # LRU: text hash -> (T, d) float16
        self.cache_size = cache_size

    def _token_vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        from course_lib.embeddings import token_embeddings

        keys = [content_hash(t) for t in texts]
        todo = sorted({i for i, key in enumerate(keys) if key not in self._tokens}, key=lambda i: len(texts[i]))
        for start in range(0, len(todo), self.batch_size):
            rows = todo[start:start + self.batch_size]
            vecs, mask, _ = token_embeddings([texts[i] for i in rows])  # (B, T, d), (B, T)
            for b, i in enumerate(rows):
                n = int(mask[b].sum())
                inner = vecs[b, 1:n - 1] if n > 2 else vecs[b, :n]  # drop [CLS] and [SEP]
                self._tokens[keys[i]] = inner.astype(np.float16)
        out = []
        for key in keys:
            self._tokens.move_to_end(key)
            out.append(self._tokens[key].astype(np.float32))
        while len(self._tokens) > self.cache_size:
            self._tokens.popitem(last=False)
        return out

    def scores(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """Score of each text for ``query``, ``(n,)``; higher is better."""
        if not isinstance(query, str) or not query.strip():
            raise ValueError(f"query must be a non-empty str, got {query!r}")
        texts = list(texts)
        if not texts:
            return np.zeros(0)
        if self.granularity == "token":
            qv, *dvs = self._token_vectors([query, *texts])
            return np.array([maxsim(qv, dv) for dv in dvs])
        from course_lib.rag.chunking import split_sentences

        q = self.embedding_model.embed_query(query)  # (d,)
        out = np.zeros(len(texts))
        for i, text in enumerate(texts):
            sents = [text[a:b].strip() for a, b in split_sentences(text)]
            sents = [s for s in sents if s] or [text]
            out[i] = float((self.embedding_model.embed(sents) @ q).max())
        return out

    def rerank(self, query: str, chunks: Sequence[RetrievedChunk], k: int | None = None) -> list[RetrievedChunk]:
        """The chunks re-ordered by this reranker's score (which replaces theirs), best first, top ``k``."""
        chunks = list(chunks)
        scores = self.scores(query, [c.text for c in chunks])
        order = np.argsort(-scores, kind="stable")[: (check_k(k) if k is not None else len(chunks))]
        return [RetrievedChunk(chunks[i].text, float(scores[i]), dict(chunks[i].metadata)) for i in order]

    def __repr__(self) -> str:
        return f"MaxSimReranker(granularity={self.granularity!r})"


class RerankRetriever(Retriever):
    """Two stages: ``base`` proposes ``candidates`` chunks, ``reranker`` orders them, keep ``k``.

    Example:
        >>> RerankRetriever(dense, MaxSimReranker("sentence"), candidates=20).retrieve("q", k=5)  # doctest: +SKIP
    """

    def __init__(self, base: Retriever, reranker: MaxSimReranker | None = None, candidates: int = 20):
        if not isinstance(base, Retriever):
            raise TypeError(f"base must be a Retriever, got {type(base).__name__}")
        self.base, self.candidates = base, check_k(candidates)
        self.reranker = reranker or MaxSimReranker()

    def __len__(self) -> int:
        return len(self.base)

    def _retrieve(self, query: str, k: int) -> list[RetrievedChunk]:
        return self.reranker.rerank(query, self.base.retrieve(query, max(k, self.candidates)), k)
