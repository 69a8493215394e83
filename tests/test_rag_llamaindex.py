"""llama-index adapters: an index built with our embedding finds what our DenseRetriever finds, and the
LLM adapter says exactly what course_lib.llm says."""

import random

import numpy as np
import pytest

pytest.importorskip("llama_index.core")

from course_lib.rag import DenseRetriever, Document, EmbeddingModel, TextChunker, book_documents  # noqa: E402
from course_lib.rag.llamaindex import (course_embedding, course_llm, to_llamaindex_documents,  # noqa: E402
                                       to_llamaindex_nodes, use_course_settings)

QUERIES = ["How does byte-pair encoding merge pairs?", "What is the out-of-vocabulary rate?",
           "Why divide attention scores by the square root of the dimension?", "How do I run the notebooks on Colab?",
           "What does temperature do when sampling?", "positional embeddings and rotary positions"]


@pytest.fixture(scope="module")
def model():
    return EmbeddingModel(cache_dir=None)  # memory only: the test writes no files


@pytest.fixture(scope="module")
def settings_guard():
    from llama_index.core import Settings

    before = (Settings._embed_model, Settings._llm)
    yield
    Settings._embed_model, Settings._llm = before


def _book_chunks(seed):
    rng = random.Random(seed)
    docs = rng.sample(book_documents(min_chars=200), 12)
    chunker = TextChunker(rng.choice(["fixed", "sentence", "recursive"]), chunk_size=rng.choice([48, 64, 96]),
                          chunk_overlap=rng.choice([0, 8]))
    return chunker.split_documents(docs), rng


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vector_store_index_retrieves_the_same_chunks_as_dense_retriever(seed, model, settings_guard):
    from llama_index.core import Settings, VectorStoreIndex

    chunks, rng = _book_chunks(seed)
    ours = DenseRetriever(chunks, model)
    # the llama-index side embeds again, through the adapter, with a fresh model (no shared cache)
    embed = course_embedding(EmbeddingModel(cache_dir=None, use_snapshot=False), embed_batch_size=rng.choice([7, 64]))
    Settings.embed_model, Settings.llm = use_course_settings(embed, lambda prompt: "unused")
    nodes = to_llamaindex_nodes(chunks)
    assert [n.get_content(metadata_mode="embed") for n in nodes] == [c.text for c in chunks]  # metadata hidden
    index = VectorStoreIndex(nodes, show_progress=False)
    k = rng.choice([3, 5, 8])
    retriever = index.as_retriever(similarity_top_k=k)
    for query in rng.sample(QUERIES, 3) + [" ".join(rng.choice(chunks).text.split()[:12])]:
        theirs = retriever.retrieve(query)
        mine = ours.retrieve(query, k)
        assert [n.node.node_id for n in theirs] == [c.id for c in mine], query
        np.testing.assert_allclose([n.score for n in theirs], [c.score for c in mine], atol=1e-5)


def test_embedding_adapter_batches_and_matches_the_model(model):
    calls = []

    def counting(texts):
        calls.append(len(texts))
        return model.embed(texts)

    embed = course_embedding(counting, embed_batch_size=5)
    texts = [f"text number {i} about retrieval" for i in range(12)]
    vectors = np.array(embed.get_text_embedding_batch(texts))
    assert calls == [5, 5, 2], "batches must reach the model whole, not one text at a time"
    np.testing.assert_allclose(vectors, model.embed(texts), atol=1e-6)
    np.testing.assert_allclose(embed.get_query_embedding("a query"), model.embed_query("a query"), atol=1e-6)


def test_nodes_and_documents_keep_ids_text_and_metadata():
    chunks, _ = _book_chunks(5)
    nodes = to_llamaindex_nodes(chunks)
    assert [n.node_id for n in nodes] == [c.metadata["chunk_id"] for c in chunks]
    assert [n.metadata for n in nodes] == [c.metadata for c in chunks]
    assert all(n.get_content(metadata_mode="llm") == c.text for n, c in zip(nodes, chunks))
    docs = to_llamaindex_documents(book_documents()[:5])
    assert [d.doc_id for d in docs] == [d.metadata["id"] for d in book_documents()[:5]]
    with_vec = Document("x", {"chunk_id": "a:0"})
    object.__setattr__(with_vec, "embedding", [0.5, 0.5])  # a chunk carrying its vector keeps it
    assert to_llamaindex_nodes([with_vec])[0].embedding == [0.5, 0.5]


@pytest.mark.parametrize("seed", [0, 1])
def test_llm_adapter_returns_what_the_backend_returns(seed):
    from llama_index.core.llms import ChatMessage

    rng = random.Random(seed)

    class Backend:  # a stand-in with course_lib.llm's shape: complete(prompt) and stream(prompt)
        name = "scripted"

        def complete(self, prompt):
            return prompt[::-1] + str(len(prompt))

        def stream(self, prompt):
            text = self.complete(prompt)
            return (text[i:i + 3] for i in range(0, len(text), 3))

    llm = course_llm(Backend(), context_window=rng.choice([512, 2048]))
    for _ in range(5):
        prompt = "".join(rng.choices("abc xyz.?", k=rng.randrange(1, 40)))
        assert llm.complete(prompt).text == Backend().complete(prompt)
        pieces = list(llm.stream_complete(prompt))
        assert "".join(p.delta for p in pieces) == pieces[-1].text == Backend().complete(prompt)
    assert llm.metadata.model_name == "scripted" and not llm.metadata.is_function_calling_model
    chat = llm.chat([ChatMessage(role="user", content="hi")])  # llama-index's default: one flattened prompt
    assert chat.message.content == Backend().complete("user: hi\nassistant: ")


def test_llm_adapter_over_course_llm():
    from course_lib.llm import RAG_PROMPT_TEMPLATE, get_llm

    llm = course_llm()  # COURSE_LLM unset: the extractive reader
    context = ("[1] day22 · BM25\nBM25 scores a document by term frequency and inverse document frequency. "
               "It was tuned on news.\n\n[2] day20 · Dense\nDense retrieval compares vectors.")
    for question in ["How does BM25 score a document?", "What does dense retrieval compare?"]:
        prompt = RAG_PROMPT_TEMPLATE.format(context=context, question=question)
        expected = get_llm().complete(prompt)
        assert llm.complete(prompt).text == expected and "[" in expected
        assert list(llm.stream_complete(prompt))[-1].text == expected
    assert llm.metadata.model_name == (getattr(get_llm(), "name", None) or type(get_llm()).__name__)


def test_settings_are_both_set(settings_guard):
    from llama_index.core import Settings

    embed, llm = use_course_settings(lambda texts: [[1.0, 0.0]] * len(texts), lambda p: "fixed answer")
    assert Settings.embed_model is embed and Settings.llm is llm
    assert Settings.llm.complete("anything").text == "fixed answer"
    assert Settings.embed_model.get_text_embedding("t") == [1.0, 0.0]


def test_bad_input():
    with pytest.raises(TypeError, match="int"):
        course_embedding(42)
    with pytest.raises(ValueError, match="embed_batch_size"):
        course_embedding(lambda t: t, embed_batch_size=0)
    with pytest.raises(TypeError, match="llm must be"):
        course_llm(3.5)
    with pytest.raises(ValueError, match="context_window"):
        course_llm(lambda p: p, context_window=0)
    with pytest.raises(TypeError, match="text"):
        to_llamaindex_nodes([object()])
    with pytest.raises(ValueError, match="'a:0'"):
        to_llamaindex_nodes([Document("x", {"chunk_id": "a:0"}), Document("y", {"chunk_id": "a:0"})])
