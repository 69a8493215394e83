"""HyDE and query expansion: use a generative LLM's text, and fall back to the plain query with the
extractive reader."""

import numpy as np
import pytest

from course_lib.llm import ExtractiveReader
from course_lib.rag import (DenseRetriever, Document, EmbeddingModel, HyDERetriever, QueryExpansionRetriever,
                            expand_query, hypothetical_document)

DOCS = [Document(t, {"chunk_id": str(i)}) for i, t in enumerate([
    "Byte pair encoding merges the most frequent pair of symbols.",
    "Rotary embeddings rotate queries and keys by position.",
    "The softmax turns scores into probabilities.",
    "A tokenizer maps text to integer ids."])]


class _Scripted:
    def __init__(self, reply):
        self.reply, self.prompts = reply, []

    def complete(self, prompt):
        self.prompts.append(prompt)
        return self.reply


@pytest.fixture(scope="module")
def dense():
    return DenseRetriever(DOCS, EmbeddingModel(cache_dir=None))


def test_hyde_averages_question_and_hypothetical_passage(dense):
    llm = _Scripted("Softmax exponentiates scores and normalises them to probabilities.")
    hyde = HyDERetriever(dense, llm)
    v = hyde.query_vector("How are scores normalised?")
    e = dense.embedding_model.embed(["How are scores normalised?", llm.reply]).mean(axis=0)
    np.testing.assert_allclose(v, e / np.linalg.norm(e), atol=1e-6)
    assert "How are scores normalised?" in llm.prompts[0]
    assert hyde.retrieve("How are scores normalised?", k=1)[0].id == "2"


def test_extractive_reader_degrades_to_plain_query(dense):
    q = "what maps text to ids"
    assert hypothetical_document(q, ExtractiveReader()) is None
    assert expand_query(q, ExtractiveReader()) == [q]
    plain = [c.id for c in dense.retrieve(q, k=3)]
    assert [c.id for c in HyDERetriever(dense, ExtractiveReader()).retrieve(q, k=3)] == plain
    assert [c.id for c in QueryExpansionRetriever(dense, ExtractiveReader()).retrieve(q, k=3)] == plain


def test_query_expansion_fuses_rephrasings(dense):
    llm = _Scripted("1. rotary position embedding\n2. RoPE rotation of keys\n")
    qe = QueryExpansionRetriever(dense, llm, n=2, candidates=4)
    hits = qe.retrieve("how are positions encoded", k=2)
    assert qe.last_queries == ["how are positions encoded", "rotary position embedding", "RoPE rotation of keys"]
    assert hits[0].id == "1"
    assert hits[0].score == pytest.approx(3 / 61)  # first in all three rankings


def test_bad_input(dense):
    with pytest.raises(TypeError, match="complete"):
        HyDERetriever(dense, llm="gpt")
    with pytest.raises(ValueError, match="k must.*0"):
        expand_query("q", _Scripted("x"), n=0)
