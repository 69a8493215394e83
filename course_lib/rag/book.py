"""Ready-made retrievers over the whole book, for the notebooks of Part V.

``build_book_retriever(kind)`` with kind ``"dense"``, ``"bm25"`` (English stop words dropped), ``"hybrid"``
(dense + BM25, reciprocal rank fusion) or ``"rerank"`` (hybrid's top 20 re-ordered by token MaxSim,
:mod:`course_lib.rag.rerank`).
Default chunking (:data:`BOOK_CHUNKING`): ``"sentence"`` chunks of at most 128 MiniLM tokens,
16 tokens of overlap: whole sentences keep chunks readable as citations, and 128 tokens is the
length MiniLM was trained on (it truncates at 256). Retrievers and chunks are cached per
argument set (``lru_cache``), so a notebook pays once.

Embedding the book costs about 17 ms of CPU per chunk (one thread; measured while building the
snapshot: 1203 chunks in 21 s), i.e. ~12 s for the 703 default chunks and ~32 s for the three
chunkings Day 20 compares, too much for a notebook's 60 s budget on a shared 2-core machine, so
the vectors of the chunks of :data:`SNAPSHOT_CHUNKINGS` ship in package data
(``course_lib/data/rag_embeddings.npz``, keys = sha256 of model + chunk text, see
:mod:`course_lib.rag.embedding`): a chunk whose text changed since the snapshot simply misses
and is embedded on the spot, a stale vector is never used. Rebuild the snapshot after the book
changes (after ``python -m course_lib.corpus build``)::

    python -m course_lib.rag build     # write the snapshot (chunkings in SNAPSHOT_CHUNKINGS)
    python -m course_lib.rag check     # exit 1 when some chunk of those chunkings is not in it

Introduced on Day 19; Days 20-30 use it.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

from course_lib.rag.base import Retriever
from course_lib.rag.chunking import TextChunker
from course_lib.rag.documents import Document, book_documents

__all__ = ["build_book_retriever", "book_chunks", "BOOK_CHUNKING", "KINDS"]

BOOK_CHUNKING = TextChunker(strategy="sentence", chunk_size=128, chunk_overlap=16, tokenizer="minilm")
KINDS = ("dense", "bm25", "hybrid", "rerank")
#: chunkings whose vectors ship in the snapshot: the default and the two others Day 20 compares
SNAPSHOT_CHUNKINGS = tuple(TextChunker(s, 128, 16, "minilm") for s in ("sentence", "fixed", "recursive"))


@lru_cache(maxsize=4)
def _chunks(chunker: TextChunker) -> tuple[Document, ...]:
    return tuple(chunker.split_documents(book_documents()))


def book_chunks(chunker: TextChunker = BOOK_CHUNKING) -> list[Document]:
    """The book cut into chunks (default :data:`BOOK_CHUNKING`), cached.

    Example:
        >>> chunks = book_chunks()  # doctest: +SKIP
        >>> sorted(chunks[0].metadata)  # doctest: +SKIP
        ['chunk_id', 'chunk_index', 'end_char', 'id', 'section', 'source', 'start_char', 'title']
    """
    if not isinstance(chunker, TextChunker):
        raise TypeError(f"chunker must be a TextChunker, got {type(chunker).__name__}")
    return list(_chunks(chunker))


@lru_cache(maxsize=16)
def build_book_retriever(kind: str = "hybrid", chunker: TextChunker = BOOK_CHUNKING) -> Retriever:
    """A retriever over the whole book: ``"dense"``, ``"bm25"``, ``"hybrid"`` or ``"rerank"`` (cached).

    Example:
        >>> r = build_book_retriever("hybrid")  # doctest: +SKIP
        >>> r.retrieve("How does byte pair encoding choose a merge?", k=3)[0].metadata["source"]  # doctest: +SKIP
        'notebooks/day02_bpe.ipynb'
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if kind == "dense":
        from course_lib.rag.dense import DenseRetriever

        return DenseRetriever(book_chunks(chunker))
    if kind == "bm25":
        from course_lib.rag.bm25 import BM25

        return BM25(book_chunks(chunker), stopwords="english")
    if kind == "hybrid":
        from course_lib.rag.fusion import HybridRetriever

        return HybridRetriever([build_book_retriever("dense", chunker), build_book_retriever("bm25", chunker)])
    from course_lib.rag.rerank import MaxSimReranker, RerankRetriever

    return RerankRetriever(build_book_retriever("hybrid", chunker), MaxSimReranker("token"), candidates=20)


def _snapshot_path() -> Path:
    return Path(str(resources.files("course_lib").joinpath("data"))) / "rag_embeddings.npz"


def main(argv: list[str]) -> int:
    """``python -m course_lib.rag build|check``: write or check the embedding snapshot."""
    from course_lib.rag.embedding import EmbeddingModel, _snapshot

    if argv not in (["build"], ["check"]):
        print("usage: python -m course_lib.rag build|check", file=sys.stderr)
        return 2
    texts = [c.text for chunker in SNAPSHOT_CHUNKINGS for c in book_chunks(chunker)]
    model = EmbeddingModel(cache_dir=True)
    if argv == ["build"]:
        model.save_snapshot(texts, _snapshot_path())
        print(f"wrote {len(set(texts))} vectors to {_snapshot_path()}")
        return 0
    missing = sum(model.key(t) not in _snapshot() for t in set(texts))
    print(f"{missing} of {len(set(texts))} book chunks are missing from {_snapshot_path().name}")
    return 1 if missing else 0

