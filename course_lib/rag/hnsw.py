"""HNSW, hierarchical navigable small-world graphs, for inner-product search on unit vectors.

Introduced on Day 21. Malkov & Yashunin, "Efficient and robust approximate nearest neighbor search using
Hierarchical Navigable Small World graphs" (2016/2018), the algorithm behind faiss' ``IndexHNSWFlat``,
hnswlib and most vector databases (Qdrant included).

The idea, in three steps:

1. **A graph.** Every vector is a node linked to a few similar vectors. To search, start anywhere and
   walk greedily to whichever neighbour is more similar to the query, until no neighbour improves.
2. **A beam.** Greedy walks get stuck; keep the ``ef`` best nodes seen so far and expand them all
   (:meth:`HNSWIndex.search_layer`). A larger ``ef`` means more work and better recall.
3. **Layers.** Each node gets a random top layer (geometric: a share ``1/M`` of the nodes of a layer
   reach the next one). The sparse top layers have long links, so a search first crosses the space
   there with ``ef = 1`` and then refines on the dense bottom layer with ``ef = ef_search``.

A new node is inserted by searching for its ``ef_construction`` nearest nodes on each of its layers and
linking it to up to ``M`` of them (``2 * M`` on layer 0), chosen by the paper's heuristic
(:meth:`HNSWIndex.select_neighbors`): skip a candidate that is more similar to an already chosen
neighbour than to the new node, so links spread out in different directions. A node that gets too many
links drops some by the same rule. Readable Python over numpy, so about a thousand times slower to build
than faiss; the tests compare its recall@k against brute force and against ``faiss.IndexHNSWFlat`` with
the same ``M``, ``ef_construction`` and ``ef_search``. Left out: deletion, concurrent insertion.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

from course_lib.rag.indexes import _check_k, as_unit_matrix

__all__ = ["HNSWIndex"]


class HNSWIndex:
    """A layered proximity graph searched greedily from the top layer down, with a beam of ``ef`` nodes.

    Example:
        >>> from course_lib.rag.indexes import BruteForceIndex, knn_recall
        >>> rng = np.random.default_rng(0)
        >>> data = rng.normal(size=(300, 8)); data /= np.linalg.norm(data, axis=1, keepdims=True)
        >>> index = HNSWIndex(8, M=8, ef_construction=40, ef_search=32)
        >>> index.add(data)
        >>> exact = BruteForceIndex.from_vectors(data).search(data[:20], 5)[1]
        >>> knn_recall(index.search(data[:20], 5)[1], exact) >= 0.95
        True
    """

    def __init__(self, dim: int, M: int = 16, ef_construction: int = 40, ef_search: int = 16, seed: int = 0) -> None:
        for name, value in [("dim", dim), ("M", M), ("ef_construction", ef_construction), ("ef_search", ef_search)]:
            if isinstance(value, bool) or not isinstance(value, int) or value < (2 if name == "M" else 1):
                raise ValueError(f"{name} must be a positive int{' >= 2' if name == 'M' else ''}, got {value!r}")
        self.dim, self.M, self.ef_construction, self.ef_search = dim, M, ef_construction, ef_search
        self.level_mult = 1 / math.log(M)  # mL: P(level >= l) = M ** -l
        self.rng = np.random.default_rng(seed)
        self.vectors = np.zeros((0, dim), dtype=np.float32)  # (n, dim)
        self.levels: list[int] = []  # top layer of each node
        self.graph: list[dict[int, list[int]]] = []  # graph[layer][node] -> neighbour ids
        self.entry_point = -1  # a node on the top layer
        self.scored = 0  # inner products computed by search_layer so far (the work an index saves)
        self.last_scored = np.zeros(0, dtype=np.int64)  # inner products per query in the last search

    @property
    def ntotal(self) -> int:
        """How many vectors are stored."""
        return len(self.vectors)

    def max_links(self, layer: int) -> int:
        """How many links a node may keep on ``layer``: ``2 * M`` on layer 0, ``M`` above."""
        return 2 * self.M if layer == 0 else self.M

    def random_level(self) -> int:
        """A node's top layer: ``floor(-ln(U) * mL)``, so each layer holds about ``1/M`` of the one below."""
        return int(-math.log(1.0 - self.rng.random()) * self.level_mult)

    def search_layer(self, query: np.ndarray, entry_points: list[int], ef: int, layer: int) -> list[tuple[float, int]]:
        """Beam search on one layer: the ``ef`` best ``(score, node)`` pairs found, best first.

        ``candidates`` is a max-heap of nodes still to expand, ``best`` a min-heap of the ``ef`` best seen.
        Stop when the most promising candidate is worse than the worst of a full ``best``.
        """
        visited = set(entry_points)
        scores = (self.vectors[entry_points] @ query).tolist()
        self.scored += len(entry_points)
        candidates = [(-s, node) for s, node in zip(scores, entry_points)]
        best = [(s, node) for s, node in zip(scores, entry_points)]
        heapq.heapify(candidates)
        heapq.heapify(best)
        while candidates:
            negative, node = heapq.heappop(candidates)
            if len(best) >= ef and -negative < best[0][0]:
                break  # nothing left to expand can improve the beam
            fresh = [n for n in self.graph[layer][node] if n not in visited]
            visited.update(fresh)
            if not fresh:
                continue
            self.scored += len(fresh)
            for s, neighbour in zip((self.vectors[fresh] @ query).tolist(), fresh):
                if len(best) < ef or s > best[0][0]:
                    heapq.heappush(candidates, (-s, neighbour))
                    heapq.heappush(best, (s, neighbour))
                    if len(best) > ef:
                        heapq.heappop(best)
        return sorted(best, reverse=True)

    def select_neighbors(self, base: np.ndarray, candidates: list[tuple[float, int]], m: int) -> list[int]:
        """Up to ``m`` of ``candidates`` (``(score to base, node)``, best first), spread out by the heuristic.

        Keep a candidate only if it is more similar to ``base`` than to every neighbour kept so far.
        """
        kept: list[int] = []
        for score, node in candidates:
            if len(kept) == m:
                break
            if not kept or score > float(np.max(self.vectors[kept] @ self.vectors[node])):
                kept.append(node)
        return kept

    def _link(self, node: int, neighbours: list[int], layer: int) -> None:
        """Link ``node`` both ways to ``neighbours``; shrink any neighbour's list that grew too long."""
        links = self.graph[layer]
        links[node] = list(neighbours)
        for other in neighbours:
            links[other].append(node)
            if len(links[other]) > self.max_links(layer):
                scores = (self.vectors[links[other]] @ self.vectors[other]).tolist()
                ranked = sorted(zip(scores, links[other]), reverse=True)
                links[other] = self.select_neighbors(self.vectors[other], ranked, self.max_links(layer))

    def _insert(self, node: int) -> None:
        vector, level = self.vectors[node], self.random_level()
        self.levels.append(level)
        while len(self.graph) <= level:
            self.graph.append({})
        for layer in range(level + 1):
            self.graph[layer][node] = []
        if self.entry_point < 0:
            self.entry_point = node
            return
        top = self.levels[self.entry_point]
        entry = [self.entry_point]
        for layer in range(top, level, -1):  # above the new node's level: greedy, ef = 1
            entry = [self.search_layer(vector, entry, 1, layer)[0][1]]
        for layer in range(min(level, top), -1, -1):
            found = self.search_layer(vector, entry, self.ef_construction, layer)
            self._link(node, self.select_neighbors(vector, found, self.M), layer)
            entry = [n for _, n in found]
        if level > top:
            self.entry_point = node

    def add(self, vectors: object) -> None:
        """Insert unit vectors ``(n, dim)`` one at a time (ids continue from ``ntotal``)."""
        vectors = as_unit_matrix(vectors, self.dim)
        first = self.ntotal
        self.vectors = np.concatenate([self.vectors, vectors])
        for node in range(first, self.ntotal):
            self._insert(node)

    def search(self, queries: object, k: int, ef_search: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(scores, ids)`` ``(n_queries, k)``: greedy descent to layer 1, then a beam of ``max(ef, k)``.

        ``last_scored`` then holds how many inner products each query cost (brute force: ``ntotal``).
        """
        queries, k = as_unit_matrix(queries, self.dim, "queries"), _check_k(k)
        ef = self.ef_search if ef_search is None else ef_search
        if isinstance(ef, bool) or not isinstance(ef, int) or ef < 1:
            raise ValueError(f"ef_search must be a positive int, got {ef!r}")
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        self.last_scored = np.zeros(len(queries), dtype=np.int64)
        if self.entry_point < 0:
            return scores, ids
        for row, query in enumerate(queries):
            before = self.scored
            entry = [self.entry_point]
            for layer in range(self.levels[self.entry_point], 0, -1):
                entry = [self.search_layer(query, entry, 1, layer)[0][1]]
            found = self.search_layer(query, entry, max(ef, k), 0)[:k]
            scores[row, :len(found)] = [s for s, _ in found]
            ids[row, :len(found)] = [n for _, n in found]
            self.last_scored[row] = self.scored - before
        return scores, ids
