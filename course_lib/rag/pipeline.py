"""The RAG pipeline: retrieve, assemble a numbered context, ask the LLM, return the answer with sources.

``RAGPipeline(retriever, assembler, llm).query(question)`` returns a :class:`RAGAnswer`. The
pipeline cites only what it retrieved: the sources are exactly the chunks placed in the prompt,
and a citation ``[n]`` in the LLM's reply that names no such chunk is removed from the answer
(and listed in ``invalid_citations``), so a reader never follows a citation to nothing.

Introduced on Day 19; later days swap the retriever (Days 21-23) or the LLM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from course_lib.rag.assemble import AssembledContext, ContextAssembler
from course_lib.rag.base import RetrievedChunk, Retriever, check_k

__all__ = ["RAGPipeline", "RAGAnswer"]

_CITATION = re.compile(r"\s?\[(\d+)\]")


@dataclass(frozen=True)
class RAGAnswer:
    """An answer, the chunks it may cite (``sources[n - 1]`` is ``[n]``) and what was cited."""

    question: str  # the user's question
    answer: str  # the LLM's reply, invalid citations removed
    sources: list[RetrievedChunk] = field(default_factory=list)  # the chunks in the prompt, in citation order
    citations: list[int] = field(default_factory=list)  # valid [n] found in the answer, sorted
    invalid_citations: list[int] = field(default_factory=list)  # [n] in the reply with no such source
    prompt: str = ""  # exactly what the LLM received

    def __str__(self) -> str:
        lines = [self.answer, "", "Sources:"]
        for n in self.citations:
            meta = self.sources[n - 1].metadata
            lines.append(f"[{n}] {meta.get('source', '?')} · {meta.get('section', '')}".rstrip(" ·"))
        return "\n".join(lines if self.citations else lines[:1])


def check_citations(reply: str, n_sources: int) -> tuple[str, list[int], list[int]]:
    """``(reply without invalid [n], valid numbers, invalid numbers)``.

    Example:
        >>> check_citations("Cats purr [1]. Dogs fly [3].", 2)
        ('Cats purr [1]. Dogs fly.', [1], [3])
    """
    valid, invalid = set(), set()

    def keep(m: re.Match) -> str:
        n = int(m.group(1))
        (valid if 1 <= n <= n_sources else invalid).add(n)
        return m.group(0) if 1 <= n <= n_sources else ""

    return _CITATION.sub(keep, reply), sorted(valid), sorted(invalid)


class RAGPipeline:
    """Retrieve ``k`` chunks, assemble them, ask ``llm`` (default :func:`course_lib.llm.get_llm`).

    Example:
        >>> from course_lib.rag import build_book_retriever  # doctest: +SKIP
        >>> rag = RAGPipeline(build_book_retriever("hybrid"))  # doctest: +SKIP
        >>> print(rag.query("What does BPE merge?"))  # doctest: +SKIP
    """

    def __init__(self, retriever: Retriever, assembler: ContextAssembler | None = None, llm=None, k: int = 5):
        if not isinstance(retriever, Retriever):
            raise TypeError(f"retriever must be a Retriever, got {type(retriever).__name__}")
        if assembler is not None and not isinstance(assembler, ContextAssembler):
            raise TypeError(f"assembler must be a ContextAssembler, got {type(assembler).__name__}")
        self.retriever, self.k = retriever, check_k(k)
        self.assembler = assembler or ContextAssembler()
        if llm is None:
            from course_lib.llm import get_llm

            llm = get_llm()
        if not callable(getattr(llm, "complete", None)):
            raise TypeError(f"llm must have a complete(prompt) method, got {type(llm).__name__}")
        self.llm = llm

    def context(self, question: str) -> AssembledContext:
        """The assembled context for ``question`` (retrieval + assembly, no LLM)."""
        return self.assembler.assemble(self.retriever.retrieve(question, self.k))

    def query(self, question: str) -> RAGAnswer:
        """Answer ``question`` from retrieved chunks only."""
        context = self.context(question)
        prompt = self.assembler.prompt(question, context)
        reply = self.llm.complete(prompt)
        answer, valid, invalid = check_citations(reply, len(context.chunks))
        return RAGAnswer(question, answer, list(context.chunks), valid, invalid, prompt)
