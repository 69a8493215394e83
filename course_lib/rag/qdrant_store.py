"""A real vector database: Qdrant, through ``qdrant-client``, the way a team would use it.

Introduced on Day 21. A vector database adds to an index what an application needs around it: points
that persist on disk and survive a restart, a payload (metadata) stored with every vector, and filters
on that payload applied during the search ("only chunks from Day 2"). Qdrant is one of several such
databases (Milvus, Weaviate, pgvector, Chroma, ...); it builds an HNSW graph per collection.

:class:`QdrantStore` wraps one collection: :meth:`~QdrantStore.add`, :meth:`~QdrantStore.search`
with ``filter={"source": ...}``, :meth:`~QdrantStore.count`, :meth:`~QdrantStore.close`.
:class:`QdrantRetriever` adapts it to the course's retriever interface, ``retrieve(query, k)`` returning
:class:`~course_lib.rag.base.RetrievedChunk` objects, so it drops into a RAG pipeline in place of the
in-memory retrievers.

Here the client runs **embedded** (``QdrantClient(path=...)``: local mode, pure Python, data in a folder,
exact search; only one client may open a folder at a time). The same client code talks to a Qdrant
server or cluster with ``QdrantClient(url="http://localhost:6333")`` (pass ``client=`` to
:class:`QdrantStore`); there the HNSW index, payload indexes and replication are real.

Checked in ``tests/test_qdrant_store.py``: points and filters round-trip across close and reopen, and
search results equal brute-force cosine top-k. Qdrant is imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from course_lib.rag.base import RetrievedChunk, Retriever

__all__ = ["QdrantStore", "QdrantRetriever", "payload_filter"]


def payload_filter(conditions: Mapping[str, Any] | None) -> Any:
    """A Qdrant ``Filter`` from ``{key: value}``: every key must match; a list value matches any of its items.

    Example:
        >>> f = payload_filter({"source": ["a.md", "b.md"], "section": "Intro"})
        >>> [type(c.match).__name__ for c in f.must]
        ['MatchAny', 'MatchValue']
    """
    from qdrant_client import models

    if conditions is None:
        return None
    if isinstance(conditions, models.Filter):
        return conditions
    if not isinstance(conditions, Mapping):
        raise TypeError(f"filter must be a dict {{key: value}} or a qdrant Filter, got {type(conditions).__name__}")
    must = []
    for key, value in conditions.items():
        if isinstance(value, (list, tuple, set)):
            match = models.MatchAny(any=list(value))
        elif isinstance(value, (str, int, bool)):
            match = models.MatchValue(value=value)
        else:
            raise TypeError(f"filter value for {key!r} must be a str, int, bool or a list of them, got {value!r}")
        must.append(models.FieldCondition(key=key, match=match))
    return models.Filter(must=must)


class QdrantStore:
    """One Qdrant collection of unit vectors with payloads, persisted in ``path`` (or in memory).

    Example:
        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> store = QdrantStore(folder, dim=2)
        >>> store.add([[1.0, 0.0], [0.0, 1.0]], [{"text": "x axis", "day": 1}, {"text": "y axis", "day": 2}])
        [0, 1]
        >>> store.close()
        >>> store = QdrantStore(folder, dim=2)           # reopened: the points are still there
        >>> store.count(), [hit.text for hit in store.search([0.6, 0.8], k=2, filter={"day": 1})]
        (2, ['x axis'])
        >>> store.close()
    """

    def __init__(self, path: str | Path | None = None, collection: str = "chunks", dim: int = 384,
                 client: Any = None) -> None:
        from qdrant_client import QdrantClient, models

        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise ValueError(f"dim must be a positive int, got {dim!r}")
        if client is None:
            client = QdrantClient(path=str(path)) if path is not None else QdrantClient(location=":memory:")
        self.client, self.collection, self.dim = client, collection, dim
        if not client.collection_exists(collection):
            client.create_collection(collection, vectors_config=models.VectorParams(
                size=dim, distance=models.Distance.COSINE))
        else:
            size = client.get_collection(collection).config.params.vectors.size
            if size != dim:
                raise ValueError(f"collection {collection!r} holds {size}-d vectors, got dim={dim}")

    def add(self, vectors: object, payloads: Sequence[Mapping[str, Any]], ids: Sequence[int] | None = None) -> list[int]:
        """Upsert points: one vector ``(dim,)`` and one payload dict each; ids default to the next integers."""
        from qdrant_client import models

        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"vectors must have shape (n, {self.dim}), got {vectors.shape}")
        if len(payloads) != len(vectors):
            raise ValueError(f"need one payload per vector, got {len(payloads)} payloads for {len(vectors)} vectors")
        start = self.count()
        ids = list(range(start, start + len(vectors))) if ids is None else [int(i) for i in ids]
        points = [models.PointStruct(id=i, vector=v.tolist(), payload=dict(p))
                  for i, v, p in zip(ids, vectors, payloads)]
        self.client.upsert(self.collection, points=points)
        return ids

    def search(self, vector: object, k: int = 5, filter: Mapping[str, Any] | Any = None) -> list[RetrievedChunk]:
        """The ``k`` most similar points (cosine) among those whose payload passes ``filter``, best first.

        Each hit is a ``RetrievedChunk``: ``text`` from the payload's ``"text"``, the cosine score, and
        the rest of the payload plus ``point_id`` as metadata.
        """
        vector = np.asarray(vector, dtype=np.float32)
        if vector.shape != (self.dim,):
            raise ValueError(f"vector must have shape ({self.dim},), got {vector.shape}")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        hits = self.client.query_points(self.collection, query=vector.tolist(), limit=k,
                                        query_filter=payload_filter(filter), with_payload=True).points
        return [RetrievedChunk(str(h.payload.get("text", "")), float(h.score),
                               {**{key: v for key, v in h.payload.items() if key != "text"}, "point_id": h.id})
                for h in hits]

    def count(self, filter: Mapping[str, Any] | Any = None) -> int:
        """How many points pass ``filter`` (all points without one)."""
        return self.client.count(self.collection, count_filter=payload_filter(filter), exact=True).count

    def close(self) -> None:
        """Release the folder (embedded mode holds a lock on it until closed)."""
        self.client.close()

    def __enter__(self) -> QdrantStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class QdrantRetriever(Retriever):
    """``retrieve(query, k)`` over a :class:`QdrantStore`: embed the query, search with an optional filter.

    ``model`` is anything with ``embed(texts) -> (n, dim)`` unit vectors (the course's ``EmbeddingModel``).
    :meth:`index` embeds documents (``.text`` and ``.metadata``) and stores them with their metadata.

    Example:
        >>> class Letters:  # a toy model: one axis per letter a, b
        ...     def embed(self, texts):
        ...         v = np.array([[t.count("a"), t.count("b")] for t in texts], dtype=float) + 1e-9
        ...         return v / np.linalg.norm(v, axis=1, keepdims=True)
        >>> from course_lib.rag.documents import Document
        >>> retriever = QdrantRetriever(QdrantStore(dim=2), Letters())
        >>> retriever.index([Document("aaa", {"day": 1}), Document("bbb", {"day": 2})])
        >>> retriever.retrieve("ab b", k=1)[0].text
        'bbb'
    """

    def __init__(self, store: QdrantStore, model: Any, filter: Mapping[str, Any] | None = None) -> None:
        if not callable(getattr(model, "embed", None)):
            raise TypeError(f"model must have an embed(texts) method, got {type(model).__name__}")
        self.store, self.model, self.filter = store, model, filter

    def index(self, documents: Sequence[Any], batch_size: int = 256) -> None:
        """Embed and store documents; the payload is the document's metadata plus its text."""
        for start in range(0, len(documents), batch_size):
            batch = documents[start:start + batch_size]
            vectors = np.asarray(self.model.embed([d.text for d in batch]))
            self.store.add(vectors, [{**d.metadata, "text": d.text} for d in batch])

    def __len__(self) -> int:
        return self.store.count()

    def _retrieve(self, query: str, k: int) -> list[RetrievedChunk]:
        vector = np.asarray(self.model.embed([query]))[0]
        return self.store.search(vector, k, filter=self.filter)
