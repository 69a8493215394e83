"""BM25 against bm25s (lucene idf) and rank_bm25 (robertson idf with its negative-idf floor)."""

import math
import random

import numpy as np
import pytest

from course_lib.rag import BM25, Document, bm25_tokenize
from course_lib.rag.bm25 import idf_weight


def _corpus(seed, n_docs=None, vocab=None):
    rng = random.Random(seed)
    vocab = vocab or [f"w{i}" for i in range(rng.randint(8, 30))]
    n_docs = n_docs or rng.randint(5, 40)
    docs = [[rng.choice(vocab[: rng.randint(3, len(vocab))]) for _ in range(rng.randint(1, 25))] for _ in range(n_docs)]
    queries = [[rng.choice(vocab) for _ in range(rng.randint(1, 5))] for _ in range(5)]
    return docs, queries, rng


@pytest.mark.parametrize("seed", range(8))
def test_lucene_variant_equals_bm25s(seed):
    import bm25s

    docs, queries, rng = _corpus(seed)
    k1, b = rng.uniform(0.5, 2.0), rng.uniform(0.0, 1.0)
    ref = bm25s.BM25(k1=k1, b=b, method="lucene")
    ref.index(docs, show_progress=False)
    ours = BM25.from_tokens(docs, k1=k1, b=b, idf="lucene")
    for q in queries:  # repeated query terms count again in both; bm25s drops the constant factor (k1 + 1)
        np.testing.assert_allclose(ours.scores_tokens(q) / (k1 + 1), ref.get_scores(q), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_robertson_variant_equals_rank_bm25_without_common_terms(seed):
    from rank_bm25 import BM25Okapi

    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(60)]
    docs = [rng.sample(vocab, 4) * rng.randint(1, 3) for _ in range(30)]  # every df well below N/2
    ours = BM25.from_tokens(docs, k1=1.2 + seed / 10, b=0.6, idf="robertson")
    ref = BM25Okapi(docs, k1=1.2 + seed / 10, b=0.6)
    assert all(idf > 0 for idf in ours.idf.values())
    for _ in range(5):
        q = rng.sample(vocab, 3)
        np.testing.assert_allclose(ours.scores_tokens(q), ref.get_scores(q), rtol=1e-12)


def test_rank_bm25_floors_negative_idf_we_keep_it():
    from rank_bm25 import BM25Okapi

    docs = [["the", "cat"], ["the", "dog"], ["the", "cow"], ["a", "bird"]]  # "the": df 3 of 4 > N/2
    ours = BM25.from_tokens(docs, idf="robertson")
    ref = BM25Okapi(docs)
    assert ours.idf["the"] == pytest.approx(math.log(1.5 / 3.5)) and ours.idf["the"] < 0
    floor = 0.25 * np.mean(list(ours.idf.values()))  # epsilon * mean of the raw (unfloored) idfs
    assert ref.idf["the"] == pytest.approx(floor) and floor > 0
    assert ours.scores_tokens(["the"])[0] < 0 and ours.scores_tokens(["cat"])[0] == pytest.approx(
        ref.get_scores(["cat"])[0])  # terms under N/2 agree


def test_formula_by_hand():
    docs = [["a", "b", "b"], ["b", "c"], ["c", "d", "a", "a"]]
    bm = BM25.from_tokens(docs, k1=1.2, b=0.75)
    avgdl, n = 3.0, 3
    tf, dl, df = 2, 4, 2
    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
    expected = idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * dl / avgdl))
    assert bm.scores_tokens(["a"])[2] == pytest.approx(expected, rel=1e-12)
    assert idf_weight("atire", 10, 5) == pytest.approx(math.log(2))


def test_retrieve_ranks_and_drops_non_matching():
    docs = [Document("the cat sat", {"chunk_id": "c"}), Document("dogs bark", {"chunk_id": "d"}),
            Document("a cat and a cat", {"chunk_id": "cc"})]
    hits = BM25(docs).retrieve("cat", k=3)
    assert [h.metadata["chunk_id"] for h in hits] == ["cc", "c"]  # no hit for a document without "cat"
    assert hits[0].score > hits[1].score > 0


def test_tokenizer_and_stopwords():
    assert bm25_tokenize("The Cat's 2 hats!") == ["the", "cat", "s", "2", "hats"]
    assert bm25_tokenize("What is the BPE?", stopwords="english") == ["bpe"]


@pytest.mark.parametrize("kwargs, match", [({"k1": -1}, "k1.*-1"), ({"b": 1.5}, "b must.*1.5"),
                                           ({"idf": "bm25+"}, "bm25\\+")])
def test_bad_parameters_name_the_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        BM25([Document("x")], **kwargs)


def test_bad_input():
    with pytest.raises(ValueError, match="empty"):
        BM25([])
    with pytest.raises(TypeError, match="str"):
        BM25([Document("x")]).retrieve(["x"])
    with pytest.raises(ValueError, match="k must.*0"):
        BM25([Document("x")]).retrieve("x", k=0)
    with pytest.raises(ValueError, match="stopwords.*german"):
        bm25_tokenize("x", stopwords="german")
