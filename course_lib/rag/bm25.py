"""BM25 from scratch: the classic lexical ranking function (Robertson & Zaragoza 2009).

For a query with terms q_1..q_m (repeated terms count again) and a document D of |D| tokens,

    score(D) = sum_i idf(q_i) * tf(q_i, D) * (k1 + 1) / (tf(q_i, D) + k1 * (1 - b + b * |D| / avgdl))

``k1`` (default 1.5) saturates repeated words; ``b`` (0.75) normalises by document length.
idf variants (``idf=``):

* ``"lucene"`` (default, Lucene/Elasticsearch and bm25s's default): ln(1 + (N - df + 0.5) / (df + 0.5)),
  always positive;
* ``"robertson"`` (the original Okapi idf): ln((N - df + 0.5) / (df + 0.5)), *negative* for terms
  in more than half of the documents, so such a word lowers a document's score;
* ``"atire"``: ln(N / df).

References (tests/test_rag_bm25.py): ``bm25s.BM25(method="lucene")`` gives our default's scores
divided by ``k1 + 1`` (Lucene since version 8, and bm25s after it, drop that constant factor of the
numerator: same ranking, smaller numbers); ``rank_bm25.BM25Okapi`` uses the robertson idf but replaces every negative idf by
``epsilon * mean idf`` (epsilon = 0.25): ours equals it exactly when no term is in more than half
of the documents, and differs where one is (we keep the negative idf; rank_bm25 floors it).
Tokens: lowercase ``\\w+`` words; ``stopwords="english"`` drops a short list of function words.

Leaves out: stemming, BM25+/BM25L variants, an on-disk index. Introduced on Day 21.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Sequence

import numpy as np

from course_lib.rag.base import RetrievedChunk, Retriever
from course_lib.rag.dense import _check_documents, _top_k
from course_lib.rag.documents import Document

__all__ = ["BM25", "bm25_tokenize", "ENGLISH_STOPWORDS", "IDF_VARIANTS"]

IDF_VARIANTS = ("lucene", "robertson", "atire")
ENGLISH_STOPWORDS = frozenset(
    "a an and are as at be but by can did do does for from had has have how i if in into is it its "
    "me my no not of on or our so than that the their them then there these they this to was we were "
    "what when where which who why will with you your".split())


def bm25_tokenize(text: str, stopwords: str | None = None) -> list[str]:
    """Lowercase word tokens (``\\w+``), minus stop words when ``stopwords="english"``.

    Example:
        >>> bm25_tokenize("What is BM25's k1?", stopwords="english")
        ['bm25', 's', 'k1']
    """
    if stopwords not in (None, "english"):
        raise ValueError(f"stopwords must be None or 'english', got {stopwords!r}")
    words = re.findall(r"\w+", text.lower())
    return [w for w in words if w not in ENGLISH_STOPWORDS] if stopwords else words


def idf_weight(variant: str, n_docs: int, df: int) -> float:
    """idf of a term found in ``df`` of ``n_docs`` documents (see the module docstring).

    Example:
        >>> round(idf_weight("lucene", 10, 2), 4), round(idf_weight("robertson", 10, 8), 4)
        (1.4816, -1.2238)
    """
    if variant == "lucene":
        return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
    if variant == "robertson":
        return math.log((n_docs - df + 0.5) / (df + 0.5))
    if variant == "atire":
        return math.log(n_docs / df)
    raise ValueError(f"idf must be one of {IDF_VARIANTS}, got {variant!r}")


class BM25(Retriever):
    """Okapi BM25 over documents (or over pre-tokenized texts with :meth:`from_tokens`).

    Example:
        >>> docs = [Document("the cat sat"), Document("the dog barked"), Document("a cat and a dog")]
        >>> bm25 = BM25(docs)
        >>> [c.text for c in bm25.retrieve("cat", k=2)]
        ['the cat sat', 'a cat and a dog']
        >>> bm25.scores("dog").round(3).tolist()
        [0.0, 0.512, 0.404]
    """

    def __init__(self, documents: Sequence[Document], k1: float = 1.5, b: float = 0.75, idf: str = "lucene",
                 stopwords: str | None = None):
        self.documents = _check_documents(documents)
        self.stopwords = stopwords
        self._index([bm25_tokenize(d.text, stopwords) for d in self.documents], k1, b, idf)

    @classmethod
    def from_tokens(cls, corpus: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75,
                    idf: str = "lucene") -> BM25:
        """BM25 over already tokenized texts (queries then go to :meth:`scores_tokens`)."""
        self = cls.__new__(cls)
        self.documents = [Document(" ".join(toks)) for toks in corpus]
        self.stopwords = None
        self._index([list(t) for t in corpus], k1, b, idf)
        return self

    def _index(self, corpus: list[list[str]], k1: float, b: float, idf: str) -> None:
        if isinstance(k1, bool) or not isinstance(k1, (int, float)) or not k1 >= 0:
            raise ValueError(f"k1 must be a number >= 0, got {k1!r}")
        if isinstance(b, bool) or not isinstance(b, (int, float)) or not 0 <= b <= 1:
            raise ValueError(f"b must be a number in [0, 1], got {b!r}")
        if idf not in IDF_VARIANTS:
            raise ValueError(f"idf must be one of {IDF_VARIANTS}, got {idf!r}")
        if not corpus:
            raise ValueError("documents must not be empty")
        self.k1, self.b, self.idf_variant = float(k1), float(b), idf
        self.doc_len = np.array([len(t) for t in corpus], np.float64)  # (N,)
        self.avgdl = max(float(self.doc_len.mean()), 1e-9)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for i, toks in enumerate(corpus):
            for term, tf in Counter(toks).items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(i)
                tfs.append(tf)
        self.postings = {t: (np.array(ids), np.array(tfs, np.float64)) for t, (ids, tfs) in postings.items()}
        n = len(corpus)
        self.idf = {t: idf_weight(idf, n, len(ids)) for t, (ids, _) in self.postings.items()}

    def __len__(self) -> int:
        return len(self.documents)

    def scores_tokens(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for a tokenized query, ``(N,)``."""
        scores = np.zeros(len(self.doc_len))
        norm = self.k1 * (1 - self.b + self.b * self.doc_len / self.avgdl)  # (N,)
        for term in query_tokens:
            if term not in self.postings:
                continue
            ids, tf = self.postings[term]
            scores[ids] += self.idf[term] * tf * (self.k1 + 1) / (tf + norm[ids])
        return scores

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query``, ``(N,)``."""
        return self.scores_tokens(bm25_tokenize(query, self.stopwords))

    def _retrieve(self, query: str, k: int) -> list[RetrievedChunk]:
        """Top k by score, keeping only positive scores (a document sharing no word is no hit)."""
        return [c for c in _top_k(self.documents, self.scores(query), k) if c.score > 0]
