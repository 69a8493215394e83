"""Evaluating retrieval and RAG: rank metrics, the RAG triad, and the course's question set.

Introduced on Day 24. Two kinds of measurement:

**Retrieval metrics** need to know which items are relevant to a question (the labels of the
evaluation set). For a ranked list ``retrieved`` and the set ``relevant``, with ranks counted from 1:

- ``hit_rate_at_k``: 1 if any relevant item is in the top k, else 0;
- ``recall_at_k``: the share of the relevant items found in the top k;
- ``precision_at_k``: the share of the top k that is relevant (divided by k even if fewer were returned);
- ``reciprocal_rank``: 1 / rank of the first relevant item (0 if none); its mean is **MRR**;
- ``ndcg_at_k``: DCG = sum over ranks i <= k of gain_i / log2(i + 1), divided by the DCG of the best
  possible order (the ideal DCG). Equal to ``sklearn.metrics.ndcg_score`` (checked in the tests).

**The RAG triad** (TruLens' name) needs no labels: three similarity scores computed here with MiniLM
sentence embeddings (cosine similarity, clipped to [0, 1]):

- ``context_relevance(question, contexts)``: is what was retrieved about the question? The mean cosine
  between the question and each retrieved chunk.
- ``groundedness(answer, contexts)``: is the answer supported by what was retrieved? Cut the answer at
  citation markers (``[2]``, which are dropped) and into sentences, and the contexts into sentences; each answer sentence scores its best cosine with any context sentence;
  the mean over answer sentences. An answer sentence that no context sentence resembles pulls it down.
- ``answer_relevance(question, answer)``: does the answer address the question? The cosine between
  the two (citation markers dropped).

Embedding similarity is a cheap stand-in for the LLM judges that TruLens or Ragas use; it rewards
shared topic, not correctness. An extractive reader copies context sentences, so its groundedness is
near 1 by construction.

:func:`load_eval_set` reads ``course_lib/data/rag_eval.jsonl``, questions about this book written by
hand, each labelled with the ``(source, section)`` pairs of :func:`course_lib.corpus.book_sections`
of the frozen edition :data:`course_lib.corpus.BOOK_EDITION`
that answer it. :func:`evaluate_retriever` runs a retriever over them and returns one row per question.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from course_lib.rag.base import check_k as _check_k

__all__ = ["EvalQuestion", "load_eval_set", "hit_rate_at_k", "recall_at_k", "precision_at_k",
           "reciprocal_rank", "mean_reciprocal_rank", "ndcg_at_k", "context_relevance", "groundedness",
           "answer_relevance", "rag_triad", "evaluate_retriever", "strip_citations", "QUESTION_TYPES", "SPLITS"]

QUESTION_TYPES = ("factual", "conceptual", "paraphrase", "keyword")
SPLITS = ("dev", "test")
EVAL_FILE = "rag_eval.jsonl"


def _as_set(relevant: Iterable[Hashable]) -> set:
    if isinstance(relevant, (str, bytes)):
        raise TypeError(f"relevant must be a collection of ids, got the string {relevant!r}")
    return set(relevant)


def hit_rate_at_k(retrieved: Sequence[Hashable], relevant: Iterable[Hashable], k: int) -> float:
    """1.0 if any of the first ``k`` retrieved ids is relevant, else 0.0.

    Example:
        >>> hit_rate_at_k(["a", "b", "c"], {"c"}, 2), hit_rate_at_k(["a", "b", "c"], {"c"}, 3)
        (0.0, 1.0)
    """
    return float(bool(set(retrieved[:_check_k(k)]) & _as_set(relevant)))


def recall_at_k(retrieved: Sequence[Hashable], relevant: Iterable[Hashable], k: int) -> float:
    """The share of the relevant ids found among the first ``k`` retrieved (0.0 when nothing is relevant).

    Example:
        >>> recall_at_k(["a", "b", "c"], {"a", "c", "d", "e"}, 3)
        0.5
    """
    relevant = _as_set(relevant)
    return len(set(retrieved[:_check_k(k)]) & relevant) / len(relevant) if relevant else 0.0


def precision_at_k(retrieved: Sequence[Hashable], relevant: Iterable[Hashable], k: int) -> float:
    """The share of the first ``k`` positions holding a relevant id (a missing position counts as a miss).

    Example:
        >>> precision_at_k(["a", "b", "c"], {"a", "c"}, 4)
        0.5
    """
    relevant = _as_set(relevant)
    return sum(item in relevant for item in retrieved[:_check_k(k)]) / k


def reciprocal_rank(retrieved: Sequence[Hashable], relevant: Iterable[Hashable], k: int | None = None) -> float:
    """1 / (rank of the first relevant id), ranks from 1; 0.0 if none is in the first ``k`` (all if None).

    Example:
        >>> reciprocal_rank(["a", "b", "c"], {"b", "c"})
        0.5
    """
    relevant = _as_set(relevant)
    for rank, item in enumerate(retrieved[:_check_k(k)] if k is not None else retrieved, start=1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def mean_reciprocal_rank(rankings: Sequence[Sequence[Hashable]], relevants: Sequence[Iterable[Hashable]],
                         k: int | None = None) -> float:
    """MRR: the mean of :func:`reciprocal_rank` over questions.

    Example:
        >>> mean_reciprocal_rank([["a", "b"], ["c", "d"]], [{"a"}, {"d"}])
        0.75
    """
    if len(rankings) != len(relevants) or not rankings:
        raise ValueError(f"need as many relevant sets as rankings (at least one), got {len(rankings)} "
                         f"rankings and {len(relevants)} relevant sets")
    return float(np.mean([reciprocal_rank(r, rel, k) for r, rel in zip(rankings, relevants)]))


def ndcg_at_k(retrieved: Sequence[Hashable], gains: dict[Hashable, float] | Iterable[Hashable], k: int) -> float:
    """Normalized discounted cumulative gain of the first ``k`` retrieved ids.

    ``gains`` maps each relevant id to its gain (a set means gain 1 each). DCG@k = sum over ranks
    i = 1..k of gain / log2(i + 1); the ideal DCG puts the largest gains first. 0.0 when no gain is positive.

    Example:
        >>> round(ndcg_at_k(["x", "a", "b"], {"a": 1.0, "b": 1.0}, 3), 4)  # (1/log2(3) + 1/2) / (1 + 1/log2(3))
        0.6934
    """
    k = _check_k(k)
    gains = dict(gains) if isinstance(gains, dict) else dict.fromkeys(_as_set(gains), 1.0)
    dcg = sum(gains.get(item, 0.0) / math.log2(rank + 1) for rank, item in enumerate(retrieved[:k], start=1))
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal, start=1))
    return dcg / idcg if idcg > 0 else 0.0


# ---------------------------------------------------------------------------------------------- RAG triad

Embed = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, d) unit vectors


@lru_cache(maxsize=1)
def _default_embed() -> Embed:
    """MiniLM through the course's cached ``EmbeddingModel`` (one instance, so its memory cache is shared)."""
    from course_lib.rag.embedding import EmbeddingModel

    return EmbeddingModel().embed


_BULLET = re.compile(r"^(?:[-*•]|\d+\.)\s+")  # a list marker starting a sentence is layout, not content


def _sentences(text: str) -> list[str]:
    from course_lib.rag.chunking import split_sentences

    sentences = (_BULLET.sub("", text[a:b].strip()) for a, b in split_sentences(text))
    return [s for s in sentences if re.search(r"\w", s)]


def _cosines(a: Sequence[str], b: Sequence[str], embed: Embed) -> np.ndarray:
    """Clipped cosine similarities ``(len(a), len(b))`` between two lists of texts."""
    vectors = np.asarray(embed(list(a) + list(b)), dtype=np.float64)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return np.clip(vectors[:len(a)] @ vectors[len(a):].T, 0.0, 1.0)


_CITATION = re.compile(r"\s*\[\d+\]")


def strip_citations(text: str) -> str:
    """``text`` without citation markers such as ``[2]``: they are pointers, not claims, so the triad ignores them.

    Example:
        >>> strip_citations("BPE merges pairs. [1] It starts from bytes [2].")
        'BPE merges pairs. It starts from bytes.'
    """
    return _CITATION.sub("", text)


def _check_text(name: str, text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__} {text!r:.60}")
    return text


def context_relevance(question: str, contexts: Sequence[str], embed: Embed | None = None) -> float:
    """Mean clipped cosine between the question and each retrieved chunk (0.0 with no chunks).

    Example:
        >>> toy = lambda texts: np.array([[t.count("a") + 1e-9, t.count("b")] for t in texts], float)
        >>> round(context_relevance("a", ["aa", "bb"], embed=toy), 3)
        0.5
    """
    _check_text("question", question)
    if not contexts:
        return 0.0
    return float(_cosines([question], list(contexts), embed or _default_embed()).mean())


def groundedness(answer: str, contexts: Sequence[str], embed: Embed | None = None) -> float:
    """Mean over the answer's sentences of the best clipped cosine with any context sentence.

    Citation markers such as ``[2]`` are removed and end a statement (a reader that quotes a line with
    no full stop and cites it still quotes one sentence).

    1.0 when every answer sentence is copied from the contexts; 0.0 for an empty answer or no contexts.

    Example:
        >>> toy = lambda texts: np.array([[t.count("a") + 1e-9, t.count("b")] for t in texts], float)
        >>> round(groundedness("aa. bb.", ["a a a. a."], embed=toy), 3)
        0.5
    """
    pieces = _CITATION.split(_check_text("answer", answer))  # a citation marker also ends a statement
    statements = [sentence for piece in pieces for sentence in _sentences(piece)]
    sources = [s for c in contexts for s in _sentences(_check_text("context", c))]
    if not statements or not sources:
        return 0.0
    return float(_cosines(statements, sources, embed or _default_embed()).max(axis=1).mean())


def answer_relevance(question: str, answer: str, embed: Embed | None = None) -> float:
    """Clipped cosine between the question and the answer (0.0 for an empty answer).

    Example:
        >>> toy = lambda texts: np.array([[t.count("a") + 1e-9, t.count("b")] for t in texts], float)
        >>> round(answer_relevance("ab", "aab", embed=toy), 3)
        0.949
    """
    _check_text("question", question)
    answer = strip_citations(_check_text("answer", answer))
    if not answer.strip():
        return 0.0
    return float(_cosines([question], [answer], embed or _default_embed())[0, 0])


def rag_triad(question: str, contexts: Sequence[str], answer: str, embed: Embed | None = None) -> dict[str, float]:
    """The three triad scores of one RAG call: ``context_relevance``, ``groundedness``, ``answer_relevance``."""
    embed = embed or _default_embed()
    return {"context_relevance": context_relevance(question, contexts, embed),
            "groundedness": groundedness(answer, contexts, embed),
            "answer_relevance": answer_relevance(question, answer, embed)}


# -------------------------------------------------------------------------------------- evaluation set

@dataclass(frozen=True)
class EvalQuestion:
    """One hand-written question about the book and the sections that answer it."""

    id: str  # stable id, e.g. "q017"
    question: str  # the question as a learner would type it
    relevant: tuple[tuple[str, str], ...]  # (source, section) pairs of book_sections() that answer it
    split: str  # "dev" (tune on it) or "test" (held out: report only)
    type: str  # factual | conceptual | paraphrase (few words shared with the text) | keyword (identifiers)


def load_eval_set(split: str | None = None) -> list[EvalQuestion]:
    """The course's RAG evaluation questions, all or one split (``"dev"`` or ``"test"``).

    Example:
        >>> questions = load_eval_set("test")
        >>> {q.split for q in questions}
        {'test'}
    """
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS} or None, got {split!r}")
    text = resources.files("course_lib").joinpath("data", EVAL_FILE).read_text(encoding="utf-8")
    questions = []
    for line in text.splitlines():
        if line.strip():
            row = json.loads(line)
            relevant = tuple((r["source"], r["section"]) for r in row["relevant"])
            questions.append(EvalQuestion(row["id"], row["question"], relevant, row["split"], row["type"]))
    return [q for q in questions if split is None or q.split == split]


def _section_keys(chunks: Sequence[Any]) -> list[tuple[str, str] | None]:
    """(source, section) of each retrieved chunk; a section seen before becomes None (it counts once)."""
    keys, seen = [], set()
    for chunk in chunks:
        key = (chunk.metadata.get("source"), chunk.metadata.get("section"))
        keys.append(None if key in seen else key)
        seen.add(key)
    return keys


def evaluate_retriever(retriever: Any, questions: Sequence[EvalQuestion], k: int = 5) -> list[dict[str, Any]]:
    """Run ``retriever.retrieve(question, k)`` on each question; one row of metrics per question.

    A retrieved chunk is relevant when its metadata's ``(source, section)`` is among the question's
    labels; several chunks of one section count once (at the first rank), so recall and nDCG stay <= 1.
    Row keys: ``id, question, type, split, retrieved`` (the (source, section) of each chunk) and
    ``hit, recall, precision, rr, ndcg`` (all @k).
    """
    k = _check_k(k)
    rows = []
    for q in questions:
        chunks = retriever.retrieve(q.question, k)
        keys, relevant = _section_keys(chunks), set(q.relevant)
        rows.append({"id": q.id, "question": q.question, "type": q.type, "split": q.split,
                     "retrieved": [(c.metadata.get("source"), c.metadata.get("section")) for c in chunks],
                     "hit": hit_rate_at_k(keys, relevant, k), "recall": recall_at_k(keys, relevant, k),
                     "precision": precision_at_k(keys, relevant, k), "rr": reciprocal_rank(keys, relevant, k),
                     "ndcg": ndcg_at_k(keys, relevant, k)})
    return rows
