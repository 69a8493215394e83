"""The course corpus: a few thousand words of plain English written for this course.

Introduced on Day 1, where a word-level tokenizer learns its vocabulary from it. Later days
train n-gram models and a tiny GPT on the same text, so every experiment runs offline and
gives the same numbers everywhere. The text (``data/course_corpus.txt``) is about the
course's own subjects: tokens, vocabularies, next-token prediction, attention, training,
retrieval and evaluation. Paragraphs are separated by blank lines.

Leaves out: anything but English prose; no markup, no code, no non-ASCII characters.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

__all__ = ["course_corpus"]


@lru_cache(maxsize=1)
def _paragraphs() -> tuple[str, ...]:
    text = resources.files("course_lib").joinpath("data", "course_corpus.txt").read_text(encoding="utf-8")
    return tuple(p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip())


def course_corpus() -> list[str]:
    """The paragraphs of the course corpus, in order (a new list on every call).

    Example:
        >>> paragraphs = course_corpus()
        >>> len(paragraphs)
        47
        >>> paragraphs[0][:33]
        'A language model never sees lette'
    """
    return list(_paragraphs())
