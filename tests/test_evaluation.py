"""course_lib.evaluation: rank metrics against sklearn and hand-computed cases, the RAG triad, the eval set."""

import math
import random

import numpy as np
import pytest

from course_lib.corpus import BOOK_EDITION, book_sections
from course_lib.evaluation import (
    QUESTION_TYPES, EvalQuestion, answer_relevance, context_relevance, evaluate_retriever, groundedness,
    hit_rate_at_k, load_eval_set, mean_reciprocal_rank, ndcg_at_k, precision_at_k, rag_triad, recall_at_k,
    reciprocal_rank, strip_citations,
)
from course_lib.rag.base import RetrievedChunk

sklearn_metrics = pytest.importorskip("sklearn.metrics")


@pytest.mark.parametrize("seed", range(20))
def test_ndcg_equals_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    gains = rng.integers(0, 4, size=n).astype(float)
    gains[rng.integers(n)] = max(gains.max(), 1.0)  # at least one relevant item
    scores = rng.permutation(n).astype(float)  # distinct scores: no ties to average
    k = int(rng.integers(1, n + 3))
    ranking = list(np.argsort(-scores))
    ours = ndcg_at_k(ranking, {i: g for i, g in enumerate(gains) if g > 0}, k)
    assert ours == pytest.approx(sklearn_metrics.ndcg_score([gains], [scores], k=k), abs=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_mrr_equals_sklearn_lrap_with_one_relevant_item(seed):
    # with exactly one relevant label per row, label-ranking average precision is the reciprocal rank
    rng = np.random.default_rng(seed)
    q, n = int(rng.integers(1, 20)), int(rng.integers(2, 30))
    y_true = np.zeros((q, n), dtype=int)
    y_true[np.arange(q), rng.integers(0, n, size=q)] = 1
    y_score = np.array([rng.permutation(n) for _ in range(q)], dtype=float)
    rankings = [list(np.argsort(-row)) for row in y_score]
    relevants = [set(np.flatnonzero(row)) for row in y_true]
    ours = mean_reciprocal_rank(rankings, relevants)
    assert ours == pytest.approx(sklearn_metrics.label_ranking_average_precision_score(y_true, y_score))


@pytest.mark.parametrize("seed", range(10))
def test_set_metrics_randomized_against_counting(seed):
    rng = random.Random(seed)
    retrieved = rng.sample(range(30), rng.randint(0, 12))
    relevant = set(rng.sample(range(30), rng.randint(1, 8)))
    k = rng.randint(1, 15)
    top = retrieved[:k]
    found = [x for x in top if x in relevant]
    assert recall_at_k(retrieved, relevant, k) == pytest.approx(len(found) / len(relevant))
    assert precision_at_k(retrieved, relevant, k) == pytest.approx(len(found) / k)
    assert hit_rate_at_k(retrieved, relevant, k) == float(bool(found))
    first = next((i for i, x in enumerate(top) if x in relevant), None)
    assert reciprocal_rank(retrieved, relevant, k) == (0.0 if first is None else 1 / (first + 1))


def test_metrics_hand_computed():
    ranked = ["d", "a", "x", "b"]
    assert recall_at_k(ranked, {"a", "b", "c"}, 2) == pytest.approx(1 / 3)
    assert precision_at_k(ranked, {"a", "b", "c"}, 4) == 0.5
    assert reciprocal_rank(ranked, {"b"}) == 0.25 and reciprocal_rank(ranked, {"b"}, k=3) == 0.0
    assert ndcg_at_k(["a", "b"], {"a": 3.0, "b": 1.0}, 2) == 1.0
    expected = (1 / math.log2(3)) / (3 + 1 / math.log2(3))  # b at rank 2 only; ideal: a then b
    assert ndcg_at_k(["x", "b"], {"a": 3.0, "b": 1.0}, 2) == pytest.approx(expected)
    assert ndcg_at_k(["a"], set(), 3) == 0.0 and recall_at_k(["a"], set(), 3) == 0.0


@pytest.mark.parametrize("call, error, match", [
    (lambda: recall_at_k(["a"], {"a"}, 0), ValueError, "k must be a positive int"),
    (lambda: precision_at_k(["a"], "a", 1), TypeError, "the string 'a'"),
    (lambda: mean_reciprocal_rank([["a"]], []), ValueError, "1 rankings and 0 relevant"),
    (lambda: load_eval_set("train"), ValueError, "'train'"),
    (lambda: groundedness(None, ["x"], embed=lambda t: np.ones((len(t), 2))), TypeError, "answer must be a str"),
])
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def letters(texts):
    """A toy embedding: counts of a, b, c (plus a tiny constant so no vector is zero)."""
    return np.array([[t.count(ch) for ch in "abc"] for t in texts], dtype=float) + 1e-9


def test_strip_citations():
    assert strip_citations("A [1]. B [12] c. [3]") == "A. B c."
    assert strip_citations("no markers [x]") == "no markers [x]"


def test_triad_with_a_toy_embedding_hand_computed():
    assert context_relevance("a", ["aa", "b", "ab"], embed=letters) == pytest.approx((1 + 0 + 1 / math.sqrt(2)) / 3)
    # answer sentences: "aa." best matches "a." (1.0); "cc." matches nothing (0.0)
    assert groundedness("aa. cc.", ["b b. a.", "bb"], embed=letters) == pytest.approx(0.5)
    assert answer_relevance("ab", "b", embed=letters) == pytest.approx(1 / math.sqrt(2))
    assert answer_relevance("ab", "   ", embed=letters) == 0.0
    assert groundedness("a.", [], embed=letters) == 0.0 and context_relevance("a", [], embed=letters) == 0.0
    triad = rag_triad("a", ["aa"], "a.", embed=letters)
    assert triad == pytest.approx({"context_relevance": 1.0, "groundedness": 1.0, "answer_relevance": 1.0})


def test_triad_with_minilm_matches_its_definition(tmp_path):
    from course_lib.embeddings import sentence_embeddings
    from course_lib.rag.embedding import EmbeddingModel

    embed = EmbeddingModel(cache_dir=tmp_path).embed
    question = "How does byte-pair encoding choose which pair to merge?"
    contexts = ["BPE counts every pair of neighbouring ids. It merges the most frequent pair into a new token.",
                "Perplexity is the exponential of the cross-entropy."]
    copied = "It merges the most frequent pair into a new token."
    invented = "The Eiffel Tower was finished in 1889. Paris is in France."
    q, c = sentence_embeddings([question]), sentence_embeddings(contexts)
    assert context_relevance(question, contexts, embed) == pytest.approx(float(np.clip(q @ c.T, 0, 1).mean()), abs=1e-5)
    assert groundedness(copied, contexts, embed) == pytest.approx(1.0, abs=1e-5)
    cited = "BPE counts every pair of neighbouring ids. [1] It merges the most frequent pair into a new token. [1]"
    assert groundedness(cited, contexts, embed) == pytest.approx(1.0, abs=1e-5)  # citation markers are ignored
    no_stop = ["Title line without a full stop\n\nBody sentence here."]
    quoted = "Title line without a full stop [1] Body sentence here. [1]"  # a marker ends the first statement
    assert groundedness(quoted, no_stop, embed) == pytest.approx(1.0, abs=1e-5)
    assert groundedness(invented, contexts, embed) < 0.3
    assert answer_relevance(question, copied, embed) > answer_relevance(question, invented, embed) + 0.3


def test_eval_set_is_large_labelled_and_points_at_real_sections():
    questions = load_eval_set()
    sections = {(s.source, s.section) for s in book_sections(edition=BOOK_EDITION)}
    assert len(questions) >= 100
    assert len({q.id for q in questions}) == len(questions)
    assert len({q.question.lower() for q in questions}) == len(questions)
    missing = [(q.id, r) for q in questions for r in q.relevant if r not in sections]
    assert not missing, missing
    assert all(q.relevant and q.type in QUESTION_TYPES for q in questions)
    assert {q.type for q in questions} == set(QUESTION_TYPES)
    test = load_eval_set("test")
    assert 0.25 <= len(test) / len(questions) <= 0.35 and {q.split for q in test} == {"test"}
    assert {q.type for q in test} == set(QUESTION_TYPES)
    assert len(load_eval_set("dev")) + len(test) == len(questions)


class Fixed:
    """A retriever that returns the same chunks for every question."""

    def __init__(self, chunks):
        self.chunks = chunks

    def retrieve(self, query, k):
        return self.chunks[:k]


def test_evaluate_retriever_counts_a_section_once():
    chunk = lambda src, sec: RetrievedChunk("t", 1.0, {"source": src, "section": sec})
    retriever = Fixed([chunk("x", "1"), chunk("a", "A"), chunk("a", "A"), chunk("b", "B")])
    q = EvalQuestion("q1", "where?", (("a", "A"), ("b", "B")), "test", "factual")
    (row,) = evaluate_retriever(retriever, [q], k=4)
    assert row["retrieved"] == [("x", "1"), ("a", "A"), ("a", "A"), ("b", "B")]
    assert (row["hit"], row["recall"], row["precision"], row["rr"]) == (1.0, 1.0, 0.5, 0.5)
    ideal = 1 + 1 / math.log2(3)
    assert row["ndcg"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / ideal)
    (row,) = evaluate_retriever(retriever, [q], k=2)
    assert (row["recall"], row["precision"], row["rr"]) == (0.5, 0.5, 0.5)
