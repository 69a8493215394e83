"""The retriever interface: ``retrieve(query, k) -> list[RetrievedChunk]``, best first.

As in llama-index (``BaseRetriever.retrieve`` checks and normalises its input, then calls the
subclass's ``_retrieve``), every retriever here inherits the public :meth:`Retriever.retrieve`,
which validates ``query`` and ``k`` and the result, and implements only ``_retrieve``.
A :class:`RetrievedChunk` is llama-index's ``NodeWithScore`` flattened: text, score, metadata.
Scores are comparable only within one retriever (cosine, BM25, fused rank score...).

Introduced on Day 19.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["RetrievedChunk", "Retriever", "check_k"]


@dataclass(frozen=True)
class RetrievedChunk:
    """One retrieved chunk: its text, the retriever's score (higher = better) and its metadata.

    Example:
        >>> RetrievedChunk("BM25 weighs rare words.", 3.2, {"source": "notebooks/day21.ipynb"}).score
        3.2
    """

    text: str  # the chunk's text
    score: float  # the retriever's score; higher is better
    metadata: dict[str, Any] = field(default_factory=dict)  # the chunk's metadata (source, section, ...)

    @property
    def id(self) -> str:
        """The chunk's id: ``metadata["chunk_id"]``, else ``metadata["id"]``, else the text."""
        return str(self.metadata.get("chunk_id", self.metadata.get("id", self.text)))


def check_k(k: object) -> int:
    """``k`` if it is a positive int, else ValueError naming it.

    Example:
        >>> check_k(3)
        3
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    return k


class Retriever:
    """Base class: subclasses implement ``_retrieve(query, k)``; callers use :meth:`retrieve`.

    Example:
        >>> class Echo(Retriever):
        ...     def _retrieve(self, query, k):
        ...         return [RetrievedChunk(query, 1.0)][:k]
        >>> Echo().retrieve("hello", k=1)[0].text
        'hello'
    """

    def retrieve(self, query: str, k: int = 5) -> list[RetrievedChunk]:
        """The ``k`` best chunks for ``query`` (fewer when the index holds fewer), best first."""
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, got {type(query).__name__} {query!r}")
        if not query.strip():
            raise ValueError(f"query must contain some text, got {query!r}")
        check_k(k)
        results = list(self._retrieve(query, k))
        if len(results) > k:
            raise RuntimeError(f"{type(self).__name__}._retrieve returned {len(results)} chunks for k={k}")
        return results

    def _retrieve(self, query: str, k: int) -> list[RetrievedChunk]:
        raise NotImplementedError(f"{type(self).__name__} must implement _retrieve(query, k)")

    def __repr__(self) -> str:
        size = getattr(self, "__len__", None)
        return f"{type(self).__name__}({len(self)} chunks)" if size else f"{type(self).__name__}()"
