"""Chunking: cut documents into pieces of at most ``chunk_size`` tokens, three ways.

* ``"fixed"``: windows of ``chunk_size`` tokens, each starting ``chunk_size - chunk_overlap``
  tokens after the previous one (cuts anywhere, even inside a word);
* ``"sentence"``: whole sentences packed greedily up to ``chunk_size`` tokens; the next chunk
  repeats the last sentences of the previous one while they fit in ``chunk_overlap`` tokens
  (a sentence longer than ``chunk_size`` is cut into fixed windows);
* ``"recursive"``: LangChain's ``RecursiveCharacterTextSplitter`` algorithm with a token length:
  split on the first separator of ``("\\n\\n", "\\n", ". ", " ", "")`` that occurs, recurse into
  pieces that are still too long, then merge neighbours up to ``chunk_size`` with
  ``chunk_overlap`` tokens of overlap.

Sizes are counted in tokens of a named tokenizer: ``"minilm"`` (MiniLM's WordPiece, what the
embedding model sees; 256 is its limit) or ``"whitespace"`` (runs of non-space characters;
light, for examples). A chunk's token count is the number of the document's tokens that lie
inside it, so the counts are exact and cutting never re-tokenizes. Chunks are verbatim
substrings of the document (outer whitespace stripped) and carry its metadata plus
``chunk_index``, ``chunk_id``, ``start_char`` and ``end_char``.

Checked by invariants (tests/test_rag_chunking.py): no chunk over the budget, every character
covered, exact overlap of fixed windows, sentence chunks end at sentence ends.
Leaves out: semantic chunking (cut where embeddings change), markdown/code-aware splitting.

Introduced on Day 19.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

from course_lib.rag.documents import Document

__all__ = ["TextChunker", "token_spans", "split_sentences", "STRATEGIES", "TOKENIZERS"]

STRATEGIES = ("fixed", "sentence", "recursive")
TOKENIZERS = ("minilm", "whitespace")
SEPARATORS = ("\n\n", "\n", ". ", " ", "")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\s*\n\s*")

Span = tuple[int, int]


@lru_cache(maxsize=1)
def _minilm_tokenizer():
    from course_lib.pretrained import load_minilm_tokenizer

    return load_minilm_tokenizer()


def token_spans(text: str, tokenizer: str = "whitespace") -> list[Span]:
    """Character spans ``(start, end)`` of the tokens of ``text`` (no special tokens).

    Example:
        >>> token_spans("Chunks keep  text.")
        [(0, 6), (7, 11), (13, 18)]
    """
    if tokenizer == "whitespace":
        return [m.span() for m in re.finditer(r"\S+", text)]
    if tokenizer == "minilm":
        enc = _minilm_tokenizer().encode(text, add_special_tokens=False)
        return [tuple(o) for o in enc.offsets]
    raise ValueError(f"tokenizer must be one of {TOKENIZERS}, got {tokenizer!r}")


def split_sentences(text: str) -> list[Span]:
    """Spans of the sentences of ``text``: a sentence ends at ``.``, ``!`` or ``?`` followed by
    whitespace, or at a line break (list items and headings of markdown prose end there too).
    Spans tile the text (the whitespace stays with the sentence).

    Example:
        >>> t = "One. Two? Three"
        >>> [t[a:b] for a, b in split_sentences(t)]
        ['One. ', 'Two? ', 'Three']
    """
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _check_int(name: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")


@dataclass(frozen=True)
class TextChunker:
    """Cut documents into chunks of at most ``chunk_size`` tokens (see the module docstring).

    Example:
        >>> chunker = TextChunker("fixed", chunk_size=4, chunk_overlap=1, tokenizer="whitespace")
        >>> [c.text for c in chunker.split(Document("a b c d e f g", {"source": "x"}))]
        ['a b c d', 'd e f g']
        >>> TextChunker("sentence", 6, 0, "whitespace").split_text("One two three. Four five. Six seven eight.")
        ['One two three. Four five.', 'Six seven eight.']
    """

    strategy: str = "sentence"  # "fixed", "sentence" or "recursive"
    chunk_size: int = 128  # most tokens in one chunk
    chunk_overlap: int = 16  # tokens shared by neighbouring chunks (at most, for sentence/recursive)
    tokenizer: str = "minilm"  # what a token is: "minilm" (WordPiece) or "whitespace"

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {self.strategy!r}")
        if self.tokenizer not in TOKENIZERS:
            raise ValueError(f"tokenizer must be one of {TOKENIZERS}, got {self.tokenizer!r}")
        _check_int("chunk_size", self.chunk_size, 1)
        _check_int("chunk_overlap", self.chunk_overlap, 0)
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(f"chunk_overlap must be smaller than chunk_size={self.chunk_size}, "
                             f"got {self.chunk_overlap!r}")

    def split_text(self, text: str) -> list[str]:
        """The chunk texts of one string."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__} {text!r}")
        return [text[a:b] for a, b in self._spans(text)]

    def split(self, document: Document) -> list[Document]:
        """Chunks of one document, with its metadata plus ``chunk_index``, ``chunk_id``,
        ``start_char`` and ``end_char``."""
        if not isinstance(document, Document):
            raise TypeError(f"expected a Document, got {type(document).__name__} {document!r:.60}")
        chunks = []
        for i, (a, b) in enumerate(self._spans(document.text)):
            meta = dict(document.metadata, chunk_index=i, chunk_id=f"{document.id}:{i}", start_char=a, end_char=b)
            chunks.append(Document(document.text[a:b], meta))
        return chunks

    def split_documents(self, documents: Sequence[Document]) -> list[Document]:
        """Chunks of every document, in order."""
        return [c for d in documents for c in self.split(d)]

    def count_tokens(self, text: str) -> int:
        """Number of tokens of ``text`` for this chunker's tokenizer."""
        return len(token_spans(text, self.tokenizer))

    # -- spans ---------------------------------------------------------------------------------
    def _spans(self, text: str) -> list[Span]:
        tokens = token_spans(text, self.tokenizer)
        if not tokens:
            return []
        starts, ends = [s for s, _ in tokens], [e for _, e in tokens]

        def count(a: int, b: int) -> int:  # tokens lying inside text[a:b]
            return max(0, bisect.bisect_right(ends, b) - bisect.bisect_left(starts, a))

        if self.strategy == "fixed":
            spans = self._fixed(tokens, 0, len(tokens), self.chunk_overlap)
        elif self.strategy == "sentence":
            units = [u for s in split_sentences(text) for u in self._fit(s, tokens, starts, ends, count)]
            spans = _merge(units, count, self.chunk_size, self.chunk_overlap)
        else:
            spans = self._recursive(text, (0, len(text)), SEPARATORS, tokens, starts, ends, count)
        return [s for s in (_strip(text, a, b) for a, b in spans) if s[1] > s[0]]

    def _fixed(self, tokens: list[Span], lo: int, hi: int, overlap: int) -> list[Span]:
        """Windows over tokens[lo:hi] as character spans."""
        step, out = self.chunk_size - overlap, []
        for i in range(lo, hi, step):
            j = min(i + self.chunk_size, hi)
            out.append((tokens[i][0], tokens[j - 1][1]))
            if j == hi:
                break
        return out

    def _fit(self, span: Span, tokens, starts, ends, count) -> list[Span]:
        """The span itself if it fits, else fixed windows (no overlap) over its tokens."""
        if count(*span) <= self.chunk_size:
            return [span]
        lo, hi = bisect.bisect_left(starts, span[0]), bisect.bisect_right(ends, span[1])
        return self._fixed(tokens, lo, hi, 0)

    def _recursive(self, text: str, span: Span, seps: Sequence[str], tokens, starts, ends,
                   count) -> list[Span]:
        a, b = span
        if count(a, b) <= self.chunk_size:
            return [span]
        sep = next((s for s in seps if s == "" or s in text[a:b]), "")
        if sep == "":
            return self._fit(span, tokens, starts, ends, count)
        rest = seps[seps.index(sep) + 1:]
        pieces, start = [], a
        for m in re.finditer(re.escape(sep), text[a:b]):
            pieces.append((start, a + m.end()))
            start = a + m.end()
        pieces.append((start, b))
        out: list[Span] = []
        small: list[Span] = []
        for p in pieces:
            if count(*p) <= self.chunk_size:
                small.append(p)
                continue
            out += _merge(small, count, self.chunk_size, self.chunk_overlap)
            small = []
            out += self._recursive(text, p, rest, tokens, starts, ends, count)
        return out + _merge(small, count, self.chunk_size, self.chunk_overlap)


def _merge(units: list[Span], count: Callable[[int, int], int], size: int, overlap: int) -> list[Span]:
    """Pack consecutive spans (each within budget) greedily up to ``size`` tokens; a new chunk
    starts with the previous chunk's last units while they total at most ``overlap`` tokens."""
    out: list[Span] = []
    current: list[Span] = []
    for u in units:
        if current and count(current[0][0], u[1]) > size:
            out.append((current[0][0], current[-1][1]))
            keep: list[Span] = []
            for prev in reversed(current):
                if count(prev[0], current[-1][1]) > overlap or count(prev[0], u[1]) > size:
                    break
                keep.insert(0, prev)
            current = keep
        current.append(u)
    if current:
        out.append((current[0][0], current[-1][1]))
    return out


def _strip(text: str, a: int, b: int) -> Span:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b
