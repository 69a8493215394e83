"""An embedding model for retrieval: MiniLM, batched, normalised, cached on disk by content hash.

:class:`EmbeddingModel` wraps :func:`course_lib.embeddings.sentence_embeddings` (same numbers
as sentence-transformers' ``encode(normalize_embeddings=True)``) and remembers every vector it
computes: the key of a text is ``sha256(model key + "\\0" + text)``, where the model key names
the model and the first digits of its weights' sha256. A changed text or model therefore never
meets a stale vector. Lookup order: memory, the read-only snapshot shipped in package data
(``course_lib/data/rag_embeddings.npz``, precomputed for the book's chunks so notebooks need
not embed the whole book on a 2-core CPU), the on-disk cache (``cache_dir``, default
``$COURSE_CACHE_DIR/embeddings`` or ``~/.cache/course_lib/embeddings``), and only then MiniLM.

Introduced on Day 19; Day 20 compares it with llama-index's embedding wrappers.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np

from course_lib.rag.documents import content_hash

__all__ = ["EmbeddingModel", "default_cache_dir", "SNAPSHOT_FILE"]

SNAPSHOT_FILE = "rag_embeddings.npz"  # in course_lib/data: arrays "keys" (S64 hex) and "vectors" (n, d) float32
MODELS = ("minilm",)


def default_cache_dir() -> Path:
    """``$COURSE_CACHE_DIR/embeddings`` when that variable is set, else ``~/.cache/course_lib/embeddings``."""
    root = os.environ.get("COURSE_CACHE_DIR")
    base = Path(root) if root else Path.home() / ".cache" / "course_lib"
    return base / "embeddings"


def _model_key(name: str) -> str:
    from course_lib.pretrained import MINILM_SHA256

    return f"all-MiniLM-L6-v2@{MINILM_SHA256[:12]}"


@lru_cache(maxsize=1)
def _snapshot() -> dict[str, np.ndarray]:
    """key -> vector from the shipped snapshot (empty when there is none)."""
    ref = resources.files("course_lib").joinpath("data", SNAPSHOT_FILE)
    if not ref.is_file():
        return {}
    with resources.as_file(ref) as path, np.load(path, allow_pickle=False) as z:
        keys = [k.decode("ascii") if isinstance(k, bytes) else str(k) for k in z["keys"].tolist()]
        return dict(zip(keys, z["vectors"]))


class EmbeddingModel:
    """Embed texts with MiniLM: ``embed(texts) -> (n, 384)`` float32 unit rows, cached by content.

    Example:
        >>> model = EmbeddingModel(cache_dir=None)  # doctest: +SKIP
        >>> model.embed(["a cat", "a dog"]).shape  # doctest: +SKIP
        (2, 384)
    """

    dim = 384

    def __init__(self, name: str = "minilm", cache_dir: str | os.PathLike | None | bool = True,
                 batch_size: int = 32, use_snapshot: bool = True):
        """``cache_dir``: a folder, ``True`` for :func:`default_cache_dir`, ``None``/``False`` for no disk cache."""
        if name not in MODELS:
            raise ValueError(f"name must be one of {MODELS}, got {name!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self.name, self.batch_size, self.use_snapshot = name, batch_size, use_snapshot
        self.model_key = _model_key(name)
        if cache_dir is True:
            cache_dir = default_cache_dir()
        self.cache_dir = Path(cache_dir) / self.model_key if cache_dir else None
        self._memory: dict[str, np.ndarray] = {}
        self.computed = 0  # texts embedded by MiniLM (not found in any cache) since creation

    def key(self, text: str) -> str:
        """The cache key of ``text`` for this model."""
        return content_hash(self.model_key + "\0" + text)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """``(n, 384)`` float32 unit vectors, one per text, in order."""
        from course_lib.embeddings import _check_texts, sentence_embeddings

        texts = _check_texts(texts)
        keys = [self.key(t) for t in texts]
        out = np.zeros((len(texts), self.dim), np.float32)
        missing: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            vec = self._lookup(key)
            if vec is None:
                missing.setdefault(key, []).append(i)
            else:
                out[i] = vec
        if missing:
            todo = [texts[rows[0]] for rows in missing.values()]
            vectors = sentence_embeddings(todo, batch_size=self.batch_size)  # (m, 384)
            self.computed += len(todo)
            for (key, rows), vec in zip(missing.items(), vectors):
                out[rows] = vec
                self._store(key, vec)
        return out

    def embed_query(self, query: str) -> np.ndarray:
        """One text's vector ``(384,)``."""
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, got {type(query).__name__} {query!r}")
        return self.embed([query])[0]

    def _path(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.npy"

    def _lookup(self, key: str) -> np.ndarray | None:
        if key in self._memory:
            return self._memory[key]
        vec = _snapshot().get(key) if self.use_snapshot else None
        if vec is None and self.cache_dir is not None and self._path(key).is_file():
            try:
                vec = np.load(self._path(key), allow_pickle=False)
            except (OSError, ValueError):
                vec = None  # a torn or foreign file: recompute
            if vec is not None and vec.shape != (self.dim,):
                vec = None
        if vec is not None:
            self._memory[key] = vec
        return vec

    def _store(self, key: str, vec: np.ndarray) -> None:
        self._memory[key] = vec
        if self.cache_dir is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                np.save(f, vec.astype(np.float32))
            os.replace(tmp, path)  # atomic: a reader never sees half a file
        except OSError:
            pass  # a read-only cache folder only costs speed

    def save_snapshot(self, texts: Sequence[str], path: str | os.PathLike) -> Path:
        """Write the vectors of ``texts`` (duplicates once) as a snapshot file (``keys``, ``vectors``)."""
        from course_lib.embeddings import _check_texts

        texts = list(dict.fromkeys(_check_texts(texts)))
        vectors = self.embed(texts)
        keys = np.array([self.key(t).encode("ascii") for t in texts], dtype="S64")
        np.savez_compressed(path, keys=keys, vectors=vectors)
        return Path(path)

    def __repr__(self) -> str:
        return f"EmbeddingModel({self.model_key!r}, dim={self.dim}, cache_dir={str(self.cache_dir)!r})"
