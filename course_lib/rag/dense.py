"""Dense retrieval by brute force: embed every chunk once, return the chunks whose vectors are
most cosine-similar to the query's.

Exact (no approximation): the reference that approximate indexes (IVF, HNSW, faiss; Day 21) are
measured against by recall@k. Cost per query: one embedding plus an (n, 384) matrix-vector product.

Introduced on Day 19.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from course_lib.rag.base import RetrievedChunk, Retriever
from course_lib.rag.documents import Document
from course_lib.rag.embedding import EmbeddingModel

__all__ = ["DenseRetriever"]


class DenseRetriever(Retriever):
    """Brute-force cosine search over embedded chunks.

    Example:
        >>> docs = [Document("Cats purr."), Document("Rockets fly to orbit.")]  # doctest: +SKIP
        >>> DenseRetriever(docs).retrieve("space travel", k=1)[0].text  # doctest: +SKIP
        'Rockets fly to orbit.'
    """

    def __init__(self, documents: Sequence[Document], embedding_model: EmbeddingModel | None = None,
                 embeddings: np.ndarray | None = None):
        """``embeddings`` (n, d): precomputed unit vectors of the documents (skips embedding)."""
        self.documents = _check_documents(documents)
        self.embedding_model = embedding_model or EmbeddingModel()
        if embeddings is None:
            embeddings = self.embedding_model.embed([d.text for d in self.documents])
        embeddings = np.asarray(embeddings, np.float32)
        if embeddings.shape != (len(self.documents), self.embedding_model.dim):
            raise ValueError(f"embeddings must have shape ({len(self.documents)}, {self.embedding_model.dim}), "
                             f"got {embeddings.shape}")
        self.embeddings = embeddings  # (n, d), unit rows

    def __len__(self) -> int:
        return len(self.documents)

    def scores(self, query: str) -> np.ndarray:
        """Cosine similarity of the query with every chunk, ``(n,)``."""
        return self.embeddings @ self.embedding_model.embed_query(query)  # (n,)

    def _retrieve(self, query: str, k: int) -> list[RetrievedChunk]:
        return _top_k(self.documents, self.scores(query), k)


def _top_k(documents: Sequence[Document], scores: np.ndarray, k: int) -> list[RetrievedChunk]:
    """The k highest-scoring documents as RetrievedChunks; ties keep document order."""
    order = np.argsort(-scores, kind="stable")[:k]
    return [RetrievedChunk(documents[i].text, float(scores[i]), dict(documents[i].metadata)) for i in order]


def _check_documents(documents: Sequence[Document]) -> list[Document]:
    if isinstance(documents, (str, Document)):
        raise TypeError(f"documents must be a list of Document, got {type(documents).__name__}")
    documents = list(documents)
    if not documents:
        raise ValueError("documents must not be empty")
    for d in documents:
        if not isinstance(d, Document):
            raise TypeError(f"every item must be a Document, got {type(d).__name__} {d!r:.60}")
    return documents
