"""Sentence embeddings from MiniLM, written out: contextual token vectors, mean pooling, L2 norm.

all-MiniLM-L6-v2 (Wang et al. 2020, "MiniLM"; fine-tuned by sentence-transformers on 1B sentence
pairs) maps a text to 384 numbers. The recipe is three lines once the transformer has run:

1. :func:`token_embeddings`: the last hidden state, one contextual vector per WordPiece token,
   ``(batch, T, 384)``, inputs truncated at 256 tokens (the model's ``max_seq_length``);
2. mean pooling: average the token vectors where the attention mask is 1 (padding excluded);
3. L2 normalisation, so that a dot product is a cosine similarity.

Trusted reference: ``sentence_transformers.SentenceTransformer(str(minilm_path())).encode(texts,
normalize_embeddings=True)`` (tests/test_embeddings.py asserts cosine >= 0.9999 per text).
Loading goes through ``transformers.AutoModel``/``AutoTokenizer`` from the local folder
(:func:`course_lib.pretrained.minilm_path`); the loaded pair is cached (``lru_cache``).

Leaves out: other pooling modes (CLS, max), GPU batching heuristics (length sorting).

Introduced on Day 6 (sentence embeddings); Part V (retrieval, Days 19-30) builds on it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

import numpy as np

__all__ = ["MINILM_MAX_TOKENS", "MINILM_DIM", "load_minilm", "token_embeddings", "mean_pool",
           "sentence_embeddings", "cosine_similarity", "cosine_top_k"]

MINILM_MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length (longer inputs are truncated)
MINILM_DIM = 384  # hidden size of all-MiniLM-L6-v2


@lru_cache(maxsize=2)
def load_minilm(attn_implementation: str | None = None) -> tuple[Any, Any]:
    """``(model, tokenizer)``: MiniLM as a ``transformers`` BertModel in eval mode, loaded once.

    ``attn_implementation="eager"`` (Day 6's attention maps) gives the model whose attention layers
    can return their weights; the default lets transformers pick its fused kernel. Same numbers.

    Example:
        >>> model, tokenizer = load_minilm()  # doctest: +SKIP
        >>> model.config.hidden_size  # doctest: +SKIP
        384
    """
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from course_lib.pretrained import minilm_path

    folder = str(minilm_path())
    bar_was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # no "Loading weights" bar in notebook outputs
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        options = {} if attn_implementation is None else {"attn_implementation": attn_implementation}
        model = AutoModel.from_pretrained(folder, **options).eval()
    finally:
        if bar_was_on:
            hf_logging.enable_progress_bar()
    return model, tokenizer


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError(f"texts must be a list of strings, got the single string {texts[:40]!r}; wrap it in a list")
    texts = list(texts)
    for t in texts:
        if not isinstance(t, str):
            raise TypeError(f"every text must be a str, got {type(t).__name__} {t!r}")
    return texts


def _check_batch_size(batch_size: int) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")


def token_embeddings(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """Contextual token vectors of one batch: ``(vectors (B, T, 384), mask (B, T), tokens)``.

    Rows are padded to the longest text in the batch (mask 0 there); ``tokens[i]`` lists text i's
    WordPiece tokens including ``[CLS]`` and ``[SEP]`` (length = ``mask[i].sum()``).

    Example:
        >>> vectors, mask, tokens = token_embeddings(["Retrieval finds text."])  # doctest: +SKIP
        >>> vectors.shape, tokens[0]  # doctest: +SKIP
        ((1, 6, 384), ['[CLS]', 'retrieval', 'finds', 'text', '.', '[SEP]'])
    """
    import torch

    texts = _check_texts(texts)
    if not texts:
        return np.zeros((0, 0, MINILM_DIM), np.float32), np.zeros((0, 0), np.int64), []
    model, tokenizer = load_minilm()
    batch = tokenizer(texts, padding=True, truncation=True, max_length=MINILM_MAX_TOKENS, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state  # (B, T, 384)
    mask = batch["attention_mask"]  # (B, T)
    tokens = [tokenizer.convert_ids_to_tokens(ids[m.bool()].tolist()) for ids, m in zip(batch["input_ids"], mask)]
    return hidden.float().numpy(), mask.numpy(), tokens


def mean_pool(vectors: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Average of the token vectors where ``mask`` is 1: ``(B, T, d), (B, T) -> (B, d)``.

    Example:
        >>> v = np.array([[[1.0, 0.0], [3.0, 2.0], [9.0, 9.0]]]); m = np.array([[1, 1, 0]])
        >>> mean_pool(v, m)
        array([[2., 1.]])
    """
    m = mask[..., None].astype(vectors.dtype)  # (B, T, 1)
    return (vectors * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)  # (B, d)


def _l2_normalize(x: np.ndarray) -> np.ndarray:
    return x / np.clip(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12, None)


def sentence_embeddings(texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
    """MiniLM sentence embeddings, ``(n, 384)`` float32, each row of unit length.

    Same numbers as ``SentenceTransformer(...).encode(texts, normalize_embeddings=True)``.

    Example:
        >>> e = sentence_embeddings(["Paris is in France", "The capital of France is Paris"])  # doctest: +SKIP
        >>> round(float(e[0] @ e[1]), 2)  # doctest: +SKIP
        0.82
    """
    texts = _check_texts(texts)
    _check_batch_size(batch_size)
    out = np.zeros((len(texts), MINILM_DIM), np.float32)
    for start in range(0, len(texts), batch_size):
        vectors, mask, _ = token_embeddings(texts[start:start + batch_size])
        out[start:start + batch_size] = _l2_normalize(mean_pool(vectors, mask))
    return out


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row of ``a`` (m, d) with every row of ``b`` (n, d): ``(m, n)``.

    Example:
        >>> cosine_similarity(np.array([[1.0, 0.0]]), np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 1.0]])).round(3)
        array([[1.   , 0.   , 0.707]])
    """
    a, b = np.atleast_2d(np.asarray(a, np.float64)), np.atleast_2d(np.asarray(b, np.float64))
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"vectors must have the same dimension, got {a.shape[-1]} and {b.shape[-1]}")
    return _l2_normalize(a) @ _l2_normalize(b).T


def cosine_top_k(query: np.ndarray, matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Brute-force nearest neighbours: ``(indices (k,), scores (k,))`` of the rows of ``matrix`` (n, d)
    most cosine-similar to ``query`` (d,), best first; ties keep the lower index first.

    Example:
        >>> m = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
        >>> idx, scores = cosine_top_k(np.array([1.0, 0.2]), m, k=2)
        >>> idx.tolist(), scores.round(3).tolist()
        ([0, 2], [0.981, 0.832])
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    query = np.asarray(query)
    if query.ndim != 1:
        raise ValueError(f"query must be one vector (d,), got shape {query.shape}")
    scores = cosine_similarity(query[None, :], matrix)[0]  # (n,)
    order = np.argsort(-scores, kind="stable")[:k]
    return order, scores[order]
