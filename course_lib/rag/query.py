"""Query transformations through an LLM: HyDE and query expansion.

* HyDE (Gao et al. 2022, "Precise Zero-Shot Dense Retrieval without Relevance Labels"): ask the
  LLM to write a passage that would answer the question, embed that hypothetical passage (averaged
  with the question's own embedding) and search with it: answers resemble answers more than
  questions do.
* Query expansion (as llama-index's ``QueryFusionRetriever(num_queries > 1)``): ask the LLM for
  ``n`` rephrasings, retrieve for each and the original, fuse the rankings with RRF.

With the offline default LLM (:class:`course_lib.llm.ExtractiveReader`, which only quotes a
given context) there is no context to quote, so it replies "not in the context"; both methods
detect that reply and degrade gracefully to the plain query: HyDE searches with the question's
embedding alone and expansion uses the original query only, i.e. the results equal the base
retriever's. They become useful with a generative backend (``COURSE_LLM=transformers:...`` or
``openai:...``).

Introduced on Day 22.
"""

from __future__ import annotations

import re

import numpy as np

from course_lib.rag.base import RetrievedChunk, Retriever, check_k
from course_lib.rag.dense import DenseRetriever, _top_k
from course_lib.rag.fusion import RRF_K, fuse_results

__all__ = ["hypothetical_document", "expand_query", "HyDERetriever", "QueryExpansionRetriever"]

HYDE_PROMPT = "Write a short passage from a textbook that answers the question.\nQuestion: {question}\nPassage:"
EXPANSION_PROMPT = ("Write {n} different search queries for the question below, one per line, "
                    "without numbering.\nQuestion: {question}\nQueries:")


def _llm_or_default(llm):
    if llm is None:
        from course_lib.llm import get_llm

        return get_llm()
    if not callable(getattr(llm, "complete", None)):
        raise TypeError(f"llm must have a complete(prompt) method, got {type(llm).__name__}")
    return llm


def _usable(reply: str) -> bool:
    from course_lib.llm import NOT_IN_CONTEXT

    return bool(reply.strip()) and reply.strip() != NOT_IN_CONTEXT


def hypothetical_document(question: str, llm=None) -> str | None:
    """The LLM's hypothetical answer passage, or None when the LLM cannot write one.

    Example:
        >>> class Fake:
        ...     def complete(self, prompt): return "Byte pair encoding merges frequent pairs."
        >>> hypothetical_document("What is BPE?", Fake())
        'Byte pair encoding merges frequent pairs.'
    """
    reply = _llm_or_default(llm).complete(HYDE_PROMPT.format(question=question))
    return reply.strip() if _usable(reply) else None


def expand_query(question: str, llm=None, n: int = 3) -> list[str]:
    """``[question, rephrasing_1, ..., rephrasing_m]`` (m <= n; just ``[question]`` when the LLM cannot).

    Example:
        >>> class Fake:
        ...     def complete(self, prompt): return "1. BPE merges\\n- byte pair encoding\\n\\nBPE merges"
        >>> expand_query("What is BPE?", Fake(), n=3)
        ['What is BPE?', 'BPE merges', 'byte pair encoding']
    """
    check_k(n)
    reply = _llm_or_default(llm).complete(EXPANSION_PROMPT.format(n=n, question=question))
    queries = [question]
    if _usable(reply):
        for line in reply.splitlines():
            line = re.sub(r"^\s*(?:\d+[.)]|[-*•])\s*", "", line).strip()
            if line and line not in queries:
                queries.append(line)
    return queries[: n + 1]


class HyDERetriever(Retriever):
    """Dense search with the mean of the question's and the hypothetical passage's embeddings."""

    def __init__(self, dense: DenseRetriever, llm=None):
        if not isinstance(dense, DenseRetriever):
            raise TypeError(f"dense must be a DenseRetriever, got {type(dense).__name__}")
        self.dense, self.llm = dense, _llm_or_default(llm)
        self.last_hypothetical: str | None = None  # for inspection in notebooks

    def __len__(self) -> int:
        return len(self.dense)

    def query_vector(self, query: str) -> np.ndarray:
        texts = [query]
        self.last_hypothetical = hypothetical_document(query, self.llm)
        if self.last_hypothetical:
            texts.append(self.last_hypothetical)
        v = self.dense.embedding_model.embed(texts).mean(axis=0)  # (d,)
        return v / np.linalg.norm(v)

    def _retrieve(self, query: str, k: int) -> list[RetrievedChunk]:
        return _top_k(self.dense.documents, self.dense.embeddings @ self.query_vector(query), k)


class QueryExpansionRetriever(Retriever):
    """Retrieve for the question and its LLM rephrasings, fuse with reciprocal rank fusion."""

    def __init__(self, base: Retriever, llm=None, n: int = 3, candidates: int = 20, rrf_k: float = RRF_K):
        if not isinstance(base, Retriever):
            raise TypeError(f"base must be a Retriever, got {type(base).__name__}")
        self.base, self.llm, self.n = base, _llm_or_default(llm), check_k(n)
        self.candidates, self.rrf_k = check_k(candidates), rrf_k
        self.last_queries: list[str] = []

    def __len__(self) -> int:
        return len(self.base)

    def _retrieve(self, query: str, k: int) -> list[RetrievedChunk]:
        self.last_queries = expand_query(query, self.llm, self.n)
        n = max(k, self.candidates)
        return fuse_results([self.base.retrieve(q, n) for q in self.last_queries], k, self.rrf_k)
