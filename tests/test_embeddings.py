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


# ---------------------------------------------------------------- Day 16: static vs contextual, word vectors

def _bank_sentences(seed, n):
    rng = random.Random(seed)
    river = ["We sat on the bank of the river.", "Reeds grow along the muddy bank.", "The canoe drifted to the bank."]
    money = ["The bank raised its interest rates.", "I paid the cheque into my bank account.",
             "She works at a bank in the city."]
    return [rng.choice(river + money) + " " * rng.randrange(3) for _ in range(n)]


@pytest.mark.parametrize("seed", [0, 1])
def test_token_embeddings_equal_sentence_transformers_token_output(reference, seed):
    texts = _random_texts(seed, 4) + _bank_sentences(seed, 2)
    vectors, mask, tokens = E.token_embeddings(texts)
    ref = reference.encode(texts, output_value="token_embeddings")
    for i, r in enumerate(ref):
        n = int(mask[i].sum())
        assert n == len(r) == len(tokens[i])
        np.testing.assert_allclose(vectors[i, :n], r.numpy(), atol=2e-4)


@pytest.mark.parametrize("seed", range(3))
def test_static_embeddings_are_rows_of_the_table_in_the_weights_file(seed):
    from course_lib.pretrained import load_minilm_embeddings

    table = load_minilm_embeddings()  # read from model.safetensors, not through transformers
    _, tokenizer = E.load_minilm()
    texts = _random_texts(seed, 3)
    vectors, mask, tokens = E.static_embeddings(texts)
    for i, toks in enumerate(tokens):
        ids = tokenizer.convert_tokens_to_ids(toks)
        np.testing.assert_array_equal(vectors[i, :len(ids)], table[ids])
        assert not vectors[i, len(ids):].any() and mask[i].sum() == len(ids)


def test_static_bank_is_one_vector_and_contextual_bank_is_not():
    texts = _bank_sentences(5, 6)
    static = E.word_vectors(texts, "bank", kind="static")
    contextual = E.word_vectors(texts, "bank")
    np.testing.assert_array_equal(static, np.repeat(static[:1], len(texts), axis=0))
    distinct = [i for i in range(len(texts)) if texts[i].strip() != texts[0].strip()]
    assert distinct and all(not np.allclose(contextual[0], contextual[i]) for i in distinct)


def test_word_vectors_average_the_pieces_of_a_split_word():
    text = "The riverbank flooded in spring."
    vectors, _, tokens = E.token_embeddings([text])
    start = tokens[0].index("river")
    assert tokens[0][start + 1] == "##bank"
    np.testing.assert_allclose(E.word_vectors([text], "riverbank")[0], vectors[0, start:start + 2].mean(axis=0),
                               rtol=1e-6)
    np.testing.assert_allclose(E.word_vectors([text], "flooded")[0], vectors[0, tokens[0].index("flooded")])


def test_word_vectors_bad_inputs():
    with pytest.raises(ValueError, match="'zebra'.*not in text 0"):
        E.word_vectors(["no such word here"], "zebra")
    with pytest.raises(ValueError, match="kind.*'dynamic'"):
        E.word_vectors(["a bank"], "bank", kind="dynamic")
    with pytest.raises(ValueError, match="word must be"):
        E.word_vectors(["a bank"], " ")


def test_book_passages_vectors_equal_fresh_embeddings():
    from course_lib.corpus import STATS_EDITION

    chunks, vectors = E.book_passages(STATS_EDITION)
    assert len(chunks) == len(vectors) > 500 and vectors.shape[1] == 384
    picks = random.Random(0).sample(range(len(chunks)), 4)
    fresh = E.sentence_embeddings([chunks[i].text for i in picks])
    assert (np.sum(fresh * vectors[picks], axis=1) >= 0.9999).all()
    assert {c.metadata["source"] for c in chunks} >= {"notebooks/day01_tokens.ipynb", "book/glossary.md"}
