"""Context assembly: turn retrieved chunks into the numbered context of a RAG prompt, within a token budget.

Each chunk becomes a block ``[n] <source> · <section>`` + newline + its text; blocks are separated
by blank lines. Chunks are taken in retrieval order (best first) while their blocks fit in
``max_tokens`` (a block that does not fit is skipped, later smaller ones may still enter);
duplicates (same chunk id) are dropped. ``order="score"`` numbers the kept blocks best first,
``order="source"`` in reading order (source, then position in it), which keeps neighbouring
chunks of one page together. Numbers are the citations ``[1], [2]`` the answer refers to.
The prompt around it is :data:`course_lib.llm.RAG_PROMPT_TEMPLATE` (:meth:`ContextAssembler.prompt`).

Tokens are counted with the chunker's tokenizers (``"minilm"`` WordPiece by default); blank lines
between blocks add no WordPiece token, so the context's token count is the sum of its blocks'.

Introduced on Day 19.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from course_lib.rag.base import RetrievedChunk, check_k
from course_lib.rag.chunking import TOKENIZERS, token_spans

__all__ = ["ContextAssembler", "AssembledContext", "ORDERS"]

ORDERS = ("score", "source")


@dataclass(frozen=True)
class AssembledContext:
    """The context text, the chunks it holds (chunk i is citation [i + 1]) and its token count."""

    text: str  # "[1] source · section\ntext\n\n[2] ..."
    chunks: list[RetrievedChunk] = field(default_factory=list)  # in citation order
    n_tokens: int = 0  # tokens of text for the assembler's tokenizer

    def citation(self, n: int) -> str:
        """``"<source> · <section>"`` of citation ``[n]``."""
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(self.chunks):
            raise ValueError(f"citation must be an int in [1, {len(self.chunks)}], got {n!r}")
        return _label(self.chunks[n - 1])


def _label(chunk: RetrievedChunk) -> str:
    meta = chunk.metadata
    parts = [str(meta[key]) for key in ("source", "section") if meta.get(key)]
    return " · ".join(parts) if parts else chunk.id[:40]


@dataclass(frozen=True)
class ContextAssembler:
    """Numbered, budgeted context from retrieved chunks (see the module docstring).

    Example:
        >>> chunks = [RetrievedChunk("Cats purr.", 0.9, {"source": "a.md", "section": "Cats"}),
        ...           RetrievedChunk("Dogs bark loudly at night.", 0.5, {"source": "b.md", "section": "Dogs"})]
        >>> ctx = ContextAssembler(max_tokens=8, tokenizer="whitespace").assemble(chunks)
        >>> print(ctx.text)
        [1] a.md · Cats
        Cats purr.
        >>> ctx.n_tokens
        6
    """

    max_tokens: int = 512  # budget for the whole context (headers included)
    tokenizer: str = "minilm"  # how tokens are counted: "minilm" or "whitespace"
    order: str = "score"  # "score": best first; "source": reading order
    dedupe: bool = True  # drop a chunk whose id was already taken

    def __post_init__(self) -> None:
        check_k(self.max_tokens)
        if self.tokenizer not in TOKENIZERS:
            raise ValueError(f"tokenizer must be one of {TOKENIZERS}, got {self.tokenizer!r}")
        if self.order not in ORDERS:
            raise ValueError(f"order must be one of {ORDERS}, got {self.order!r}")

    def count_tokens(self, text: str) -> int:
        return len(token_spans(text, self.tokenizer))

    def assemble(self, chunks: Sequence[RetrievedChunk]) -> AssembledContext:
        """Keep chunks in the budget, number them, write the context text."""
        kept, seen, used = [], set(), 0
        for c in chunks:
            if not isinstance(c, RetrievedChunk):
                raise TypeError(f"expected RetrievedChunk items, got {type(c).__name__} {c!r:.60}")
            if self.dedupe and c.id in seen:
                continue
            cost = self.count_tokens(f"[{len(kept) + 1}] {_label(c)}\n{c.text}")
            if used + cost > self.max_tokens:
                continue
            kept.append(c)
            seen.add(c.id)
            used += cost
        if self.order == "source":
            kept.sort(key=lambda c: (str(c.metadata.get("source", "")), c.metadata.get("start_char", 0)))
        text = "\n\n".join(f"[{i}] {_label(c)}\n{c.text}" for i, c in enumerate(kept, start=1))
        return AssembledContext(text, kept, self.count_tokens(text))

    def prompt(self, question: str, context: AssembledContext) -> str:
        """The full RAG prompt (:data:`course_lib.llm.RAG_PROMPT_TEMPLATE`)."""
        from course_lib.llm import RAG_PROMPT_TEMPLATE

        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"question must be a non-empty str, got {question!r}")
        return RAG_PROMPT_TEMPLATE.format(context=context.text, question=question.strip())
