"""ContextAssembler (budget, numbering, order) and RAGPipeline (cites only what it retrieved)."""

import random
import re

import pytest

from course_lib.llm import ExtractiveReader, NOT_IN_CONTEXT, parse_rag_prompt
from course_lib.rag import (BM25, ContextAssembler, Document, RAGAnswer, RAGPipeline, RetrievedChunk, Retriever,
                            TextChunker)
from course_lib.rag.chunking import token_spans
from course_lib.rag.pipeline import check_citations


def _chunks(seed, n=12):
    rng = random.Random(seed)
    words = "alpha beta gamma delta token vector merge attention query key value".split()
    return [RetrievedChunk(" ".join(rng.choice(words) for _ in range(rng.randint(3, 40))), 1.0 - i / 100,
                           {"source": f"notebooks/day{rng.randint(1, 9):02d}.ipynb", "section": f"S{i}",
                            "chunk_id": f"c{i}", "start_char": rng.randint(0, 999)}) for i in range(n)]


@pytest.mark.parametrize("seed", range(8))
def test_budget_numbering_and_order(seed):
    rng = random.Random(seed)
    chunks = _chunks(seed)
    budget = rng.randint(20, 200)
    tokenizer = rng.choice(["whitespace", "minilm"])
    order = rng.choice(["score", "source"])
    ctx = ContextAssembler(budget, tokenizer, order).assemble(chunks)
    assert ctx.n_tokens == len(token_spans(ctx.text, tokenizer)) <= budget
    blocks = ctx.text.split("\n\n") if ctx.text else []
    assert len(blocks) == len(ctx.chunks)
    for n, (block, chunk) in enumerate(zip(blocks, ctx.chunks), start=1):
        header, body = block.split("\n", 1)
        assert header == f"[{n}] {chunk.metadata['source']} · {chunk.metadata['section']}" and body == chunk.text
    kept = [c.id for c in ctx.chunks]
    greedy, used = [], 0  # the greedy rule: take in retrieval order, skip what does not fit
    for c in chunks:
        cost = len(token_spans(f"[{len(greedy) + 1}] {c.metadata['source']} · {c.metadata['section']}\n{c.text}",
                               tokenizer))
        if used + cost <= budget:
            greedy.append(c.id)
            used += cost
    assert sorted(kept) == sorted(greedy)
    if order == "score":
        assert kept == greedy
    else:
        keys = [(c.metadata["source"], c.metadata["start_char"]) for c in ctx.chunks]
        assert keys == sorted(keys)


def test_duplicates_are_dropped_and_citation_labels():
    c = RetrievedChunk("Cats purr.", 1.0, {"source": "a.md", "section": "Cats", "chunk_id": "x"})
    ctx = ContextAssembler(100, "whitespace").assemble([c, c])
    assert len(ctx.chunks) == 1 and ctx.citation(1) == "a.md · Cats"
    with pytest.raises(ValueError, match="citation.*2"):
        ctx.citation(2)


def test_prompt_round_trips_through_the_reader_parser():
    chunks = _chunks(3, 4)
    assembler = ContextAssembler(1000, "whitespace")
    ctx = assembler.assemble(chunks)
    question, passages = parse_rag_prompt(assembler.prompt("What is a key?", ctx))
    assert question == "What is a key?" and passages == [(i + 1, c.text) for i, c in enumerate(ctx.chunks)]


class _Fixed(Retriever):
    def __init__(self, chunks):
        self.chunks = chunks

    def _retrieve(self, query, k):
        return self.chunks[:k]


class _Liar:
    """A fake LLM that cites passages that do not exist."""

    def complete(self, prompt):
        return "Cats purr [1]. Dogs fly [7]. Fish sing [0]."


def test_pipeline_cites_only_retrieved_chunks():
    chunks = _chunks(0, 3)
    rag = RAGPipeline(_Fixed(chunks), ContextAssembler(10_000, "whitespace"), _Liar(), k=2)
    out = rag.query("anything?")
    assert isinstance(out, RAGAnswer)
    assert out.answer == "Cats purr [1]. Dogs fly. Fish sing." and out.citations == [1] and out.invalid_citations == [0, 7]
    assert [c.id for c in out.sources] == ["c0", "c1"]  # only the k retrieved chunks
    assert str(out).endswith(f"[1] {chunks[0].metadata['source']} · S0")


def test_pipeline_with_extractive_reader_on_real_text():
    docs = [Document("Byte pair encoding merges the most frequent pair of symbols. It starts from bytes.",
                     {"source": "notebooks/day02_bpe.ipynb", "section": "Merges", "id": "d2"}),
            Document("Rotary embeddings rotate queries and keys by a position-dependent angle.",
                     {"source": "notebooks/day05.ipynb", "section": "RoPE", "id": "d5"})]
    retriever = BM25(TextChunker("sentence", 64, 0).split_documents(docs))
    rag = RAGPipeline(retriever, ContextAssembler(256), ExtractiveReader(), k=2)
    out = rag.query("What does byte pair encoding merge?")
    assert out.answer.startswith("Byte pair encoding merges the most frequent pair") and out.citations == [1]
    assert out.sources[0].metadata["source"] == "notebooks/day02_bpe.ipynb"
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", out.answer)}
    assert cited <= set(range(1, len(out.sources) + 1))
    assert rag.query("Who painted the Mona Lisa?").answer == NOT_IN_CONTEXT


def test_check_citations():
    assert check_citations("A [2] and [3].", 2) == ("A [2] and.", [2], [3])


def test_bad_input():
    with pytest.raises(ValueError, match="max_tokens|k must.*0"):
        ContextAssembler(0)
    with pytest.raises(ValueError, match="order.*random"):
        ContextAssembler(order="random")
    with pytest.raises(TypeError, match="RetrievedChunk.*str"):
        ContextAssembler().assemble(["text"])
    with pytest.raises(TypeError, match="Retriever.*str"):
        RAGPipeline("bm25", llm=_Liar())
    with pytest.raises(TypeError, match="complete"):
        RAGPipeline(_Fixed([]), llm=object())
    with pytest.raises(ValueError, match="question.*''"):
        ContextAssembler().prompt("", ContextAssembler().assemble([]))
