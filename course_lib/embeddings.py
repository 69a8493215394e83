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

Day 16 adds the two other kinds of vector a word can have, for contrast: :func:`static_embeddings`
(rows of the input embedding table, the same vector for "bank" in every sentence) beside the
contextual ones, :func:`word_vectors` (the vector of one word in each of several sentences, static
or contextual) and :func:`book_passages` (the book cut into chunks, with their MiniLM vectors from
the shipped snapshot). Contextual token vectors are checked against sentence-transformers'
``encode(output_value="token_embeddings")``; static ones against the table in the safetensors file.

Leaves out: other pooling modes (CLS, max), GPU batching heuristics (length sorting).

Introduced on Day 6 (sentence embeddings), extended on Day 16; Part V (retrieval, Days 20-30) builds on it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

import numpy as np

__all__ = ["MINILM_MAX_TOKENS", "MINILM_DIM", "load_minilm", "token_embeddings", "mean_pool",
           "sentence_embeddings", "cosine_similarity", "cosine_top_k", "static_embeddings", "word_vectors",
           "book_passages"]

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


def static_embeddings(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """Rows of MiniLM's input embedding table for each token: ``(vectors (B, T, 384), mask (B, T), tokens)``.

    The same layout as :func:`token_embeddings`, but nothing has run: a token's vector is a table
    lookup (no position, no attention), so "bank" gets the same row in every sentence (Day 16).

    Example:
        >>> vectors, mask, tokens = static_embeddings(["the bank", "a bank"])  # doctest: +SKIP
        >>> bool((vectors[0, 2] == vectors[1, 2]).all())  # doctest: +SKIP
        True
    """
    texts = _check_texts(texts)
    if not texts:
        return np.zeros((0, 0, MINILM_DIM), np.float32), np.zeros((0, 0), np.int64), []
    model, tokenizer = load_minilm()
    batch = tokenizer(texts, padding=True, truncation=True, max_length=MINILM_MAX_TOKENS, return_tensors="np")
    table = model.embeddings.word_embeddings.weight.detach().float().numpy()  # (30522, 384)
    mask = batch["attention_mask"]  # (B, T)
    vectors = table[batch["input_ids"]] * mask[..., None]  # (B, T, 384), zero at padding
    tokens = [tokenizer.convert_ids_to_tokens(ids[m.astype(bool)].tolist())
              for ids, m in zip(batch["input_ids"], mask)]
    return vectors.astype(np.float32), mask.astype(np.int64), tokens


def _find(pieces: list[str], tokens: list[str]) -> int:
    for start in range(len(tokens) - len(pieces) + 1):
        if tokens[start:start + len(pieces)] == pieces:
            return start
    return -1


def word_vectors(texts: Sequence[str], word: str, kind: str = "contextual") -> np.ndarray:
    """The vector of ``word`` in each text, ``(n, 384)``: its first occurrence, averaged over its WordPieces.

    ``kind="contextual"``: MiniLM's last hidden state there (:func:`token_embeddings`);
    ``kind="static"``: the input table's rows (:func:`static_embeddings`), identical in every text.

    Example:
        >>> v = word_vectors(["We sat on the bank of the river.", "The bank raised its rates."], "bank")  # doctest: +SKIP
        >>> v.shape  # doctest: +SKIP
        (2, 384)
    """
    texts = _check_texts(texts)
    if not isinstance(word, str) or not word.strip():
        raise ValueError(f"word must be a non-empty string, got {word!r}")
    if kind not in ("contextual", "static"):
        raise ValueError(f"kind must be 'contextual' or 'static', got {kind!r}")
    pieces = load_minilm()[1].tokenize(word)  # e.g. ['bank'] or ['river', '##bank']
    vectors, _, tokens = (token_embeddings if kind == "contextual" else static_embeddings)(texts)
    out = np.zeros((len(texts), MINILM_DIM), np.float32)
    for i, toks in enumerate(tokens):
        start = _find(pieces, toks)
        if start < 0:
            raise ValueError(f"word {word!r} (WordPieces {pieces}) is not in text {i}: {texts[i][:60]!r}")
        out[i] = vectors[i, start:start + len(pieces)].mean(axis=0)
    return out


def book_passages(edition: str | None = None) -> tuple[list[Any], np.ndarray]:
    """The book cut into retrieval chunks and their MiniLM sentence vectors: ``(chunks, (n, 384))``.

    ``edition`` names a frozen edition of the book's text (``course_lib.corpus.STATS_EDITION``
    keeps a notebook's numbers still while pages are added); ``None`` is the current text. Chunks
    are :class:`course_lib.rag.Document` (``metadata["source"]`` is the page) cut like Part V's
    (``BOOK_CHUNKING``); vectors come from the shipped snapshot where it has them (Day 16).

    Example:
        >>> chunks, vectors = book_passages()  # doctest: +SKIP
        >>> len(chunks) == len(vectors), vectors.shape[1]  # doctest: +SKIP
        (True, 384)
    """
    from course_lib.corpus import book_sections
    from course_lib.rag.book import BOOK_CHUNKING
    from course_lib.rag.documents import Document
    from course_lib.rag.embedding import EmbeddingModel

    docs = [Document(s.text, {"source": s.source, "title": s.title, "section": s.section})
            for s in book_sections(edition=edition) if s.text.strip()]
    chunks = BOOK_CHUNKING.split_documents(docs)
    return chunks, EmbeddingModel().embed([c.text for c in chunks])  # (n, 384)
