"""Book retrievers: right kinds, cached, chunks carry the book metadata, answers come from the right page."""

import pytest

from course_lib.rag import (BM25, BOOK_CHUNKING, DenseRetriever, HybridRetriever, RerankRetriever, book_chunks,
                            book_documents, build_book_retriever)
from course_lib.rag.book import SNAPSHOT_CHUNKINGS, main


def test_book_chunks_carry_book_metadata_and_fit_the_budget():
    chunks = book_chunks()
    sources = {d.metadata["source"] for d in book_documents()}
    assert len(chunks) >= len(book_documents())
    for c in chunks[::7]:
        assert c.metadata["source"] in sources and c.metadata["section"] and c.metadata["chunk_id"]
        assert BOOK_CHUNKING.count_tokens(c.text) <= BOOK_CHUNKING.chunk_size
    assert len({c.metadata["chunk_id"] for c in chunks}) == len(chunks)
    assert BOOK_CHUNKING in SNAPSHOT_CHUNKINGS


@pytest.mark.parametrize("kind, cls", [("dense", DenseRetriever), ("bm25", BM25), ("hybrid", HybridRetriever),
                                       ("rerank", RerankRetriever)])
def test_kinds_are_cached_and_find_the_bpe_page(kind, cls):
    retriever = build_book_retriever(kind)
    assert isinstance(retriever, cls) and build_book_retriever(kind) is retriever
    hits = retriever.retrieve("How does byte pair encoding decide which pair of tokens to merge next?", k=5)
    assert len(hits) == 5
    assert any(h.metadata["source"] == "notebooks/day02_bpe.ipynb" for h in hits[:3])


def test_snapshot_is_current(capsys):
    assert main(["check"]) == 0, "run python -m course_lib.rag build"
    assert "0 of" in capsys.readouterr().out
    assert main(["nonsense"]) == 2


def test_bad_kind():
    with pytest.raises(ValueError, match="kind.*colbert"):
        build_book_retriever("colbert")
    with pytest.raises(TypeError, match="TextChunker"):
        book_chunks("sentence")
