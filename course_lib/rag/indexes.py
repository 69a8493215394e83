"""Vector indexes for inner-product search on unit vectors: exact brute force and IVF.

Introduced on Day 21. Every index stores float32 row vectors and answers ``search(queries, k)`` with
``(scores, ids)``, both ``(n_queries, k)``, best first, the way faiss does. Scores are inner products,
which for unit vectors are cosine similarities.

- :class:`BruteForceIndex` scores every stored vector: exact, and the yardstick the others are judged by.
- :class:`IVFIndex` (inverted file; Jégou, Douze & Schmid, "Product quantization for nearest neighbor
  search", 2011, and faiss' ``IndexIVFFlat``): k-means cuts the space into ``nlist`` cells, each vector
  is filed under its nearest centroid, and a query scores only the vectors of its ``nprobe`` nearest
  cells. ``nprobe = nlist`` is exact again; small ``nprobe`` is fast and misses neighbours that sit just
  across a cell border.
- HNSW lives in :mod:`course_lib.rag.hnsw`.

An approximate index is judged by :func:`knn_recall`: the share of the true top-k (from brute force)
that it returns. Tests (``tests/test_indexes.py``) check ``BruteForceIndex`` against
``faiss.IndexFlatIP`` (identical ids) and IVF's recall against ``faiss.IndexIVFFlat`` at the same
``nlist``/``nprobe``. Left out: product quantization (compressed codes), GPU search, deletion.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BruteForceIndex", "IVFIndex", "kmeans", "knn_recall", "top_k"]


def as_unit_matrix(vectors: object, dim: int | None = None, name: str = "vectors") -> np.ndarray:
    """``vectors`` as a C-contiguous float32 ``(n, dim)`` array of unit rows; ValueError otherwise."""
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim != 2 or (dim is not None and array.shape[1] != dim):
        raise ValueError(f"{name} must have shape (n, {dim or 'dim'}), got {array.shape}")
    norms = np.linalg.norm(array, axis=1)
    if array.size and not np.allclose(norms, 1.0, atol=1e-3):
        bad = int(np.argmax(np.abs(norms - 1.0)))
        raise ValueError(f"{name} must be unit vectors (normalize them first); row {bad} has norm {norms[bad]:.4f}")
    return array


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    return int(k)


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` largest entries of each row of ``scores`` ``(q, n)``: ``(values, columns)``, best first.

    Rows with fewer than ``k`` columns are padded with score ``-inf`` and id ``-1`` (as faiss does).
    Ties go to the smaller column.

    Example:
        >>> values, cols = top_k(np.array([[0.1, 0.9, 0.5]]), 2)
        >>> cols.tolist(), values.tolist()
        ([[1, 2]], [[0.9, 0.5]])
    """
    q, n = scores.shape
    kk = min(k, n)
    if kk < n:
        cols = np.argpartition(-scores, kk - 1, axis=1)[:, :kk]  # (q, kk), unordered
    else:
        cols = np.broadcast_to(np.arange(n), (q, n))
    part = np.take_along_axis(scores, cols, axis=1)
    order = np.lexsort((cols, -part), axis=1)  # by score descending, then by column
    values = np.full((q, k), -np.inf, dtype=scores.dtype)
    ids = np.full((q, k), -1, dtype=np.int64)
    values[:, :kk] = np.take_along_axis(part, order, axis=1)
    ids[:, :kk] = np.take_along_axis(cols, order, axis=1)
    return values, ids


def knn_recall(approx_ids: np.ndarray, exact_ids: np.ndarray) -> float:
    """Recall@k of an approximate search: the mean share of each exact top-k found in the approximate one.

    Both arrays are ``(n_queries, k)``; ids ``-1`` (padding) never count.

    Example:
        >>> knn_recall(np.array([[1, 2], [3, 9]]), np.array([[2, 1], [3, 4]]))
        0.75
    """
    approx_ids, exact_ids = np.asarray(approx_ids), np.asarray(exact_ids)
    if approx_ids.shape != exact_ids.shape or approx_ids.ndim != 2:
        raise ValueError(f"need two (n_queries, k) arrays of equal shape, got {approx_ids.shape} and {exact_ids.shape}")
    hits = [len(set(a[a >= 0].tolist()) & set(e[e >= 0].tolist())) for a, e in zip(approx_ids, exact_ids)]
    return float(np.mean(hits) / exact_ids.shape[1])


class BruteForceIndex:
    """Exact search: score the queries against every stored vector with one matrix product.

    Example:
        >>> index = BruteForceIndex(2)
        >>> index.add(np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]]))
        >>> scores, ids = index.search(np.array([[0.8, 0.6]]), k=2)
        >>> ids.tolist(), [round(float(s), 2) for s in scores[0]]
        ([[2, 0]], [0.96, 0.8])
    """

    def __init__(self, dim: int) -> None:
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise ValueError(f"dim must be a positive int, got {dim!r}")
        self.dim = dim
        self.vectors = np.zeros((0, dim), dtype=np.float32)  # (n, dim)

    @classmethod
    def from_vectors(cls, vectors: object) -> BruteForceIndex:
        """A brute-force index holding ``vectors`` ``(n, dim)``."""
        vectors = as_unit_matrix(vectors)
        index = cls(vectors.shape[1])
        index.add(vectors)
        return index

    @property
    def ntotal(self) -> int:
        """How many vectors are stored (ids run 0 .. ntotal-1, in the order added)."""
        return len(self.vectors)

    def add(self, vectors: object) -> None:
        """Append unit row vectors ``(n, dim)``."""
        self.vectors = np.concatenate([self.vectors, as_unit_matrix(vectors, self.dim)])

    def search(self, queries: object, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best stored vectors for each query: ``(scores, ids)``, each ``(n_queries, k)``."""
        queries = as_unit_matrix(queries, self.dim, "queries")
        return top_k(queries @ self.vectors.T, _check_k(k))  # (q, n) scores


def kmeans(vectors: np.ndarray, n_clusters: int, n_iter: int = 20, seed: int = 0) -> np.ndarray:
    """Spherical k-means: ``n_clusters`` unit centroids ``(n_clusters, dim)`` for unit ``vectors``.

    Start from ``n_clusters`` distinct random vectors; then repeat: file every vector under the centroid
    with the largest inner product, and move each centroid to the normalized mean of its vectors. A
    cluster that loses all its vectors restarts from a random vector.

    Example:
        >>> points = np.array([[1.0, 0.0], [0.99, 0.141], [0.0, 1.0], [0.141, 0.99]])
        >>> centroids = kmeans(points / np.linalg.norm(points, axis=1, keepdims=True), 2)
        >>> sorted(round(float(x), 1) for x in centroids[:, 0])
        [0.1, 1.0]
    """
    vectors = as_unit_matrix(vectors)
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, int) or not 1 <= n_clusters <= len(vectors):
        raise ValueError(f"n_clusters must be an int in [1, {len(vectors)}] (the number of vectors), got {n_clusters!r}")
    rng = np.random.default_rng(seed)
    centroids = vectors[rng.choice(len(vectors), n_clusters, replace=False)].copy()  # (c, dim)
    for _ in range(n_iter):
        assign = np.argmax(vectors @ centroids.T, axis=1)  # (n,) nearest centroid of each vector
        sums = np.zeros_like(centroids)
        np.add.at(sums, assign, vectors)
        empty = ~np.bincount(assign, minlength=n_clusters).astype(bool)
        sums[empty] = vectors[rng.choice(len(vectors), int(empty.sum()))]
        centroids = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    return centroids.astype(np.float32)


class IVFIndex:
    """Inverted-file index: k-means cells, and a search that visits only the ``nprobe`` nearest cells.

    ``train`` learns the centroids (before ``add``); ``add`` files each vector under its nearest centroid;
    ``search`` ranks the centroids for each query, gathers the vectors of the best ``nprobe`` cells and
    scores only those. Work per query: ``nlist + nprobe * n / nlist`` inner products instead of ``n``.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> data = rng.normal(size=(500, 8)); data /= np.linalg.norm(data, axis=1, keepdims=True)
        >>> index = IVFIndex(8, nlist=10, nprobe=10)
        >>> index.train(data); index.add(data)
        >>> bool((index.search(data[:5], 3)[1] == BruteForceIndex.from_vectors(data).search(data[:5], 3)[1]).all())
        True
    """

    def __init__(self, dim: int, nlist: int = 16, nprobe: int = 1, n_iter: int = 20, seed: int = 0) -> None:
        for name, value in [("dim", dim), ("nlist", nlist), ("nprobe", nprobe)]:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        self.dim, self.nlist, self.nprobe, self.n_iter, self.seed = dim, nlist, nprobe, n_iter, seed
        self.centroids: np.ndarray | None = None  # (nlist, dim) after train
        self.vectors = np.zeros((0, dim), dtype=np.float32)  # (n, dim), ids = row numbers
        self.lists: list[np.ndarray] = [np.zeros(0, dtype=np.int64) for _ in range(nlist)]  # ids per cell
        self.last_scored = np.zeros(0, dtype=np.int64)  # inner products per query in the last search

    @property
    def ntotal(self) -> int:
        """How many vectors are stored."""
        return len(self.vectors)

    def train(self, vectors: object) -> None:
        """Learn the ``nlist`` centroids by spherical k-means on ``vectors``."""
        self.centroids = kmeans(as_unit_matrix(vectors, self.dim), self.nlist, self.n_iter, self.seed)

    def add(self, vectors: object) -> None:
        """Store unit vectors and file each one under its nearest centroid."""
        if self.centroids is None:
            raise ValueError("IVFIndex.add needs centroids: call train(vectors) first")
        vectors = as_unit_matrix(vectors, self.dim)
        first = self.ntotal
        cells = np.argmax(vectors @ self.centroids.T, axis=1)  # (n,)
        self.vectors = np.concatenate([self.vectors, vectors])
        for cell in np.unique(cells):
            self.lists[cell] = np.concatenate([self.lists[cell], first + np.flatnonzero(cells == cell)])

    def search(self, queries: object, k: int, nprobe: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(scores, ids)`` ``(n_queries, k)`` from the ``nprobe`` cells nearest each query.

        ``last_scored`` then holds how many inner products each query cost: ``nlist`` centroids plus
        the vectors of the visited cells (brute force: ``ntotal``).
        """
        if self.centroids is None:
            raise ValueError("IVFIndex.search needs a trained index: call train(vectors) first")
        queries, k = as_unit_matrix(queries, self.dim, "queries"), _check_k(k)
        nprobe = self.nprobe if nprobe is None else nprobe
        if isinstance(nprobe, bool) or not isinstance(nprobe, int) or nprobe < 1:
            raise ValueError(f"nprobe must be a positive int, got {nprobe!r}")
        _, cells = top_k(queries @ self.centroids.T, min(nprobe, self.nlist))  # (q, nprobe) nearest cells
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        self.last_scored = np.zeros(len(queries), dtype=np.int64)
        for row, (query, probe) in enumerate(zip(queries, cells)):
            candidates = np.concatenate([self.lists[c] for c in probe])  # ids in the visited cells
            self.last_scored[row] = self.nlist + len(candidates)
            if len(candidates) == 0:
                continue  # every visited cell is empty: the row stays padding
            values, cols = top_k((self.vectors[candidates] @ query)[None, :], k)
            scores[row], ids[row] = values[0], np.where(cols[0] >= 0, candidates[np.maximum(cols[0], 0)], -1)
        return scores, ids

