"""Documents, the embedding model (sentence-transformers, disk cache by content hash) and dense retrieval."""

import random

import numpy as np
import pytest

from course_lib.corpus import book_sections, course_corpus
from course_lib.rag import (DenseRetriever, Document, EmbeddingModel, RetrievedChunk, Retriever, book_documents,
                            content_hash)
from course_lib.rag.embedding import _snapshot


@pytest.fixture(scope="module")
def reference():
    from sentence_transformers import SentenceTransformer

    from course_lib.pretrained import minilm_path

    return SentenceTransformer(str(minilm_path()), device="cpu")


def test_book_documents_follow_book_sections():
    from course_lib.corpus import BOOK_EDITION

    docs, sections = book_documents(), book_sections(edition=BOOK_EDITION)  # the frozen edition by default
    assert len(docs) == sum(1 for s in sections if s.text.strip())
    live = book_sections()
    assert len(book_documents(edition=None)) == sum(1 for s in live if s.text.strip())
    first = next(s for s in sections if s.text.strip())
    assert docs[0].text == first.text
    assert {k: docs[0].metadata[k] for k in ("source", "title", "section")} == {
        "source": first.source, "title": first.title, "section": first.section}
    assert len({d.id for d in docs}) == len(docs)
    assert any(d.metadata["source"] == "notebooks/day02_bpe.ipynb" for d in docs)


def test_embedding_model_equals_sentence_transformers_and_caches(tmp_path, reference):
    rng = random.Random(0)
    texts = rng.sample(course_corpus(), 5) + ["a fresh sentence written for this test"]
    model = EmbeddingModel(cache_dir=tmp_path, batch_size=2, use_snapshot=False)
    first = model.embed(texts)
    ref = reference.encode(texts, normalize_embeddings=True)
    assert ((first * ref).sum(axis=1) >= 0.9999).all()
    assert model.computed == 6
    files = list(tmp_path.rglob("*.npy"))
    assert len(files) == 6 and {f.stem for f in files} == {model.key(t) for t in texts}
    again = EmbeddingModel(cache_dir=tmp_path, use_snapshot=False)
    np.testing.assert_array_equal(again.embed(texts[::-1]), first[::-1])
    assert again.computed == 0  # all from disk


def test_cache_is_keyed_by_content_so_a_changed_text_misses(tmp_path):
    model = EmbeddingModel(cache_dir=tmp_path, use_snapshot=False)
    model.embed(["the cat sat"])
    fresh = EmbeddingModel(cache_dir=tmp_path, use_snapshot=False)
    fresh.embed(["the cat sat", "the cat sat."])
    assert fresh.computed == 1
    path = next(tmp_path.rglob(f"{model.key('the cat sat')}.npy"))
    path.write_bytes(b"garbage")  # a torn file is recomputed, never trusted
    torn = EmbeddingModel(cache_dir=tmp_path, use_snapshot=False)
    torn.embed(["the cat sat"])
    assert torn.computed == 1
    assert model.key("x") == content_hash(model.model_key + "\0x")


def test_shipped_snapshot_vectors_are_right(reference):
    from course_lib.rag import book_chunks

    chunks = book_chunks()
    snap = _snapshot()
    model = EmbeddingModel(cache_dir=None)
    hit = [c.text for c in chunks if model.key(c.text) in snap]
    assert len(hit) >= 0.9 * len(chunks), "snapshot stale: run python -m course_lib.rag build"
    sample = random.Random(1).sample(hit, 4)
    ref = reference.encode(sample, normalize_embeddings=True)
    assert ((np.stack([snap[model.key(t)] for t in sample]) * ref).sum(axis=1) >= 0.9999).all()


def test_dense_retriever_is_brute_force_cosine():
    rng = np.random.default_rng(0)
    docs = [Document(f"doc {i}", {"chunk_id": str(i)}) for i in range(20)]
    emb = rng.normal(size=(20, 384)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    dense = DenseRetriever(docs, EmbeddingModel(cache_dir=None), embeddings=emb)
    q = dense.embedding_model.embed_query("some query")
    hits = dense.retrieve("some query", k=5)
    assert [h.id for h in hits] == [str(i) for i in np.argsort(-(emb @ q))[:5]]
    np.testing.assert_allclose([h.score for h in hits], np.sort(emb @ q)[::-1][:5], rtol=1e-5)
    assert len(dense.retrieve("x", k=50)) == 20


def test_dense_finds_the_right_paragraph():
    docs = [Document(p, {"chunk_id": str(i)}) for i, p in enumerate(course_corpus())]
    dense = DenseRetriever(docs)
    top = dense.retrieve("what does attention compare tokens with", k=3)
    assert any("ttention" in h.text for h in top)
    assert all(isinstance(h, RetrievedChunk) for h in top)
    assert top[0].score >= top[1].score >= top[2].score


def test_base_retriever_validates():
    class Bad(Retriever):
        def _retrieve(self, query, k):
            return [RetrievedChunk("x", 1.0)] * (k + 1)

    with pytest.raises(RuntimeError, match="returned 3"):
        Bad().retrieve("q", k=2)
    with pytest.raises(ValueError, match="some text.*'  '"):
        Bad().retrieve("  ")
    with pytest.raises(ValueError, match="k must.*True"):
        Bad().retrieve("q", k=True)
    with pytest.raises(NotImplementedError):
        Retriever().retrieve("q")


def test_bad_input_names_the_value():
    with pytest.raises(TypeError, match="metadata.*list"):
        Document("x", [1])
    with pytest.raises(TypeError, match="Document.text.*int"):
        Document(3)
    with pytest.raises(ValueError, match="name.*openai"):
        EmbeddingModel("openai")
    with pytest.raises(ValueError, match="shape"):
        DenseRetriever([Document("a")], EmbeddingModel(cache_dir=None), embeddings=np.zeros((2, 384)))
    with pytest.raises(TypeError, match="Document.*str"):
        DenseRetriever(["a"])
    with pytest.raises(ValueError, match="min_chars.*-1"):
        book_documents(min_chars=-1)
