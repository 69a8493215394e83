"""MMR: lambda = 1 is top-k; agrees with llama-index on the first two picks; max (not last) redundancy."""

import numpy as np
import pytest

from course_lib.rag import Document, DenseRetriever, EmbeddingModel, MMRRetriever, mmr_select


def _unit(rng, n, d):
    v = rng.normal(size=(n, d))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("seed", range(6))
def test_lambda_one_is_plain_top_k(seed):
    rng = np.random.default_rng(seed)
    v, q = _unit(rng, 30, 8), _unit(rng, 1, 8)[0]
    assert mmr_select(q, v, 7, 1.0) == np.argsort(-(v @ q), kind="stable")[:7].tolist()


@pytest.mark.parametrize("seed", range(6))
def test_first_two_picks_equal_llamaindex(seed):
    from llama_index.core.indices.query.embedding_utils import get_top_k_mmr_embeddings

    rng = np.random.default_rng(seed)
    v, q = _unit(rng, 25, 6), _unit(rng, 1, 6)[0]
    lam = float(rng.uniform(0.2, 0.9))
    _, ids = get_top_k_mmr_embeddings(q.tolist(), v.tolist(), similarity_top_k=2, mmr_threshold=lam)
    assert mmr_select(q, v, 2, lam) == ids


@pytest.mark.parametrize("seed", range(4))
def test_each_pick_maximises_mmr_with_max_redundancy(seed):
    from llama_index.core.indices.query.embedding_utils import get_top_k_mmr_embeddings

    rng = np.random.default_rng(seed)
    v, q = _unit(rng, 8, 3), _unit(rng, 1, 3)[0]
    lam = 0.5
    ours = mmr_select(q, v, 6, lam)
    pairwise = v @ v.T
    for step in range(1, 6):
        chosen, left = ours[:step], [i for i in range(8) if i not in ours[:step]]
        objective = {i: lam * v[i] @ q - (1 - lam) * max(pairwise[i, j] for j in chosen) for i in left}
        assert objective[ours[step]] == pytest.approx(max(objective.values()))
    _, theirs = get_top_k_mmr_embeddings(q.tolist(), v.tolist(), similarity_top_k=6, mmr_threshold=lam)
    assert ours[:2] == theirs[:2]
    assert ours != theirs  # llama-index penalises only the similarity to the last pick


def test_near_duplicates_are_pushed_down():
    docs = [Document("Cats purr when they are content.", {"chunk_id": "a"}),
            Document("Cats purr when they are content!", {"chunk_id": "b"}),
            Document("A purring cat is usually a happy cat.", {"chunk_id": "c"}),
            Document("Stock markets fell sharply today.", {"chunk_id": "d"})]
    dense = DenseRetriever(docs, EmbeddingModel(cache_dir=None))
    plain = [h.id for h in dense.retrieve("why do cats purr", k=2)]
    diverse = [h.id for h in MMRRetriever(dense, lambda_mult=0.5).retrieve("why do cats purr", k=2)]
    assert set(plain) == {"a", "b"} and diverse[0] in {"a", "b"} and diverse[1] == "c"


def test_bad_input():
    with pytest.raises(ValueError, match="lambda_mult.*1.5"):
        mmr_select(np.ones(2), np.ones((3, 2)), 2, 1.5)
    with pytest.raises(ValueError, match="shape|expected"):
        mmr_select(np.ones(3), np.ones((3, 2)), 2)
    with pytest.raises(TypeError, match="DenseRetriever"):
        MMRRetriever("dense")
