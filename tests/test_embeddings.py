"""course_lib.embeddings against sentence-transformers (the trusted reference for MiniLM sentence vectors)."""

import random

import numpy as np
import pytest

from course_lib import embeddings as E
from course_lib.corpus import course_corpus


def _random_texts(seed, n):
    rng = random.Random(seed)
    words = " ".join(course_corpus()).split()
    texts = []
    for _ in range(n):
        length = rng.choice([1, 3, 12, 40, 150, 400])  # 400 words > 256 tokens: truncation must match
        start = rng.randrange(len(words) - length)
        texts.append(" ".join(words[start:start + length]))
    return texts


@pytest.fixture(scope="module")
def reference():
    from sentence_transformers import SentenceTransformer

    from course_lib.pretrained import minilm_path

    return SentenceTransformer(str(minilm_path()), device="cpu")


@pytest.mark.parametrize("seed", [0, 1])
def test_sentence_embeddings_equal_sentence_transformers(reference, seed):
    texts = _random_texts(seed, 9) + ["", "Ünïcödé — text ✓"]
    ours = E.sentence_embeddings(texts, batch_size=random.Random(seed).choice([2, 4, 32]))
    ref = reference.encode(texts, normalize_embeddings=True)
    assert ours.shape == (len(texts), 384) and ours.dtype == np.float32
    cos = (ours * ref).sum(axis=1) / np.linalg.norm(ref, axis=1)
    assert cos.min() >= 0.9999, cos
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_batch_size_does_not_change_vectors():
    texts = _random_texts(3, 6)
    np.testing.assert_allclose(E.sentence_embeddings(texts, batch_size=1), E.sentence_embeddings(texts, batch_size=6),
                               atol=2e-5)


def test_token_embeddings_tokens_and_mask():
    vectors, mask, tokens = E.token_embeddings(["Retrieval finds text.", "a"])
    assert vectors.shape[:2] == mask.shape and vectors.shape[2] == 384
    assert tokens[0] == ["[CLS]", "retrieval", "finds", "text", ".", "[SEP]"]
    assert mask.sum(axis=1).tolist() == [6, 3]


@pytest.mark.parametrize("seed", range(3))
def test_mean_pool_ignores_masked_positions(seed):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(4, 7, 5))
    m = (rng.random((4, 7)) < 0.6).astype(int)
    m[:, 0] = 1
    expected = np.stack([v[i][m[i] == 1].mean(axis=0) for i in range(4)])
    np.testing.assert_allclose(E.mean_pool(v, m), expected)


@pytest.mark.parametrize("seed", range(3))
def test_cosine_top_k_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    matrix, query = rng.normal(size=(50, 8)), rng.normal(size=8)
    k = int(rng.integers(1, 10))
    idx, scores = E.cosine_top_k(query, matrix, k)
    cos = matrix @ query / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
    assert idx.tolist() == np.argsort(-cos)[:k].tolist()
    np.testing.assert_allclose(scores, cos[idx])


def test_model_is_loaded_once():
    assert E.load_minilm() is E.load_minilm()


def test_bad_inputs_name_the_value():
    with pytest.raises(TypeError, match="single string"):
        E.sentence_embeddings("not a list")
    with pytest.raises(TypeError, match="42"):
        E.sentence_embeddings(["ok", 42])
    with pytest.raises(ValueError, match="batch_size.*0"):
        E.sentence_embeddings(["ok"], batch_size=0)
    with pytest.raises(ValueError, match="k must be.*-1"):
        E.cosine_top_k(np.ones(3), np.ones((2, 3)), -1)
    with pytest.raises(ValueError, match="dimension"):
        E.cosine_similarity(np.ones((1, 3)), np.ones((2, 4)))
