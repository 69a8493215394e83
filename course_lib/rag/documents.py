"""Documents: a text with metadata, the unit every retriever indexes; the book as documents.

A :class:`Document` is what llama-index calls a ``Document``/``TextNode`` and LangChain a
``Document``: plain text plus a dictionary of metadata that travels with it (where it came from,
which section). Chunkers (:mod:`course_lib.rag.chunking`) turn documents into smaller documents
whose metadata adds the chunk's index and id.

:func:`book_documents` turns the book's prose (:func:`course_lib.corpus.book_sections`, by
default the frozen edition :data:`course_lib.corpus.BOOK_EDITION` in package data) into one document per section, with metadata ``source`` (the page's
path in the repository, e.g. ``notebooks/day02_bpe.ipynb``), ``title`` and ``section``.

Leaves out: relationships between nodes (parent/child, previous/next) that llama-index keeps.

Introduced on Day 19 (retrieval-augmented generation).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Document", "book_documents", "content_hash"]


def content_hash(text: str) -> str:
    """sha256 of a text (UTF-8), hex: the key under which derived data (embeddings) is cached.

    Example:
        >>> content_hash("abc")[:12]
        'ba7816bf8f01'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__} {text!r}")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Document:
    """A text and its metadata (``source``, ``title``, ``section``, chunk ids, ...).

    Example:
        >>> d = Document("BPE merges the most frequent pair.", {"source": "notebooks/day02_bpe.ipynb"})
        >>> d.metadata["source"], len(d.text)
        ('notebooks/day02_bpe.ipynb', 34)
    """

    text: str  # the content that is embedded, indexed and shown to the reader
    metadata: dict[str, Any] = field(default_factory=dict)  # where it came from; copied into every chunk

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"Document.text must be a str, got {type(self.text).__name__} {self.text!r}")
        if not isinstance(self.metadata, dict):
            raise TypeError(f"Document.metadata must be a dict, got {type(self.metadata).__name__} "
                            f"{self.metadata!r}")
        for key in self.metadata:
            if not isinstance(key, str):
                raise TypeError(f"metadata keys must be str, got {key!r}")

    @property
    def id(self) -> str:
        """``metadata["id"]`` when present, else the first 16 hex digits of the text's sha256."""
        return str(self.metadata.get("id", content_hash(self.text)[:16]))


def book_documents(min_chars: int = 1, edition: str | None = "default") -> list[Document]:
    """The book's prose, one :class:`Document` per section, in table-of-contents order.

    ``edition`` picks the text: by default the frozen :data:`course_lib.corpus.BOOK_EDITION`, the
    book as it stood when the evaluation questions (Day 24) were labelled, so that pages added
    later neither move Part V's measured figures nor leave relevant sections unlabelled;
    ``edition=None`` reads the live book (every page as it is now).

    Metadata: ``source`` (repository path of the page), ``title`` (page title), ``section``
    (heading of the section), ``id`` (``"<source>#<n>"``, n = position of the section in its page).
    Sections with fewer than ``min_chars`` characters of text are skipped.

    Example:
        >>> docs = book_documents()  # doctest: +SKIP
        >>> sorted(docs[0].metadata)  # doctest: +SKIP
        ['id', 'section', 'source', 'title']
    """
    if isinstance(min_chars, bool) or not isinstance(min_chars, int) or min_chars < 0:
        raise ValueError(f"min_chars must be a non-negative int, got {min_chars!r}")
    from course_lib.corpus import BOOK_EDITION, book_sections

    edition = BOOK_EDITION if edition == "default" else edition
    docs: list[Document] = []
    position: dict[str, int] = {}
    for sec in book_sections(edition=edition):
        n = position.get(sec.source, 0)
        position[sec.source] = n + 1
        if len(sec.text.strip()) < min_chars:
            continue
        meta = {"source": sec.source, "title": sec.title, "section": sec.section, "id": f"{sec.source}#{n}"}
        docs.append(Document(sec.text, meta))
    return docs
