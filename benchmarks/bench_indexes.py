"""Benchmark course_lib.rag.indexes / hnsw against faiss, in the same run.

Run from the repository root (offline; needs faiss-cpu):

    python benchmarks/bench_indexes.py                  # the figures in benchmarks/README.md
    python benchmarks/bench_indexes.py --n 200000 --hnsw-n 20000

Prints and exits 1 if a target fails:
  1. brute force, ``BruteForceIndex.search`` / ``faiss.IndexFlatIP.search`` time, batch and single queries,
     identical ids required: target <= 1.5;
  2. HNSW at equal M, ef_construction, ef_search: our recall@10 (against brute force), query time and build
     time next to ``faiss.IndexHNSWFlat``'s: target recall >= faiss' - 0.05 at every ef_search; times reported;
  3. IVF at equal nlist, nprobe: recall@10 and query time next to ``faiss.IndexIVFFlat``'s (reported only).

Data (seeded): for brute force, random unit vectors; for HNSW and IVF, unit vectors with a low intrinsic
dimension (``--latent-dim`` Gaussian factors mapped into ``--dim`` dimensions plus a little noise), which,
like sentence embeddings, have real near neighbours. Fully random 384-d vectors are all nearly orthogonal
to each other, and every approximate index, faiss' included, then finds few true neighbours. Each timing
is the best of ``--repeats`` runs. Brute force: faiss and numpy use their default threads; HNSW and IVF:
faiss runs on one thread, like our Python loop, so per-query times compare like with like.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_lib.rag.hnsw import HNSWIndex  # noqa: E402
from course_lib.rag.indexes import BruteForceIndex, IVFIndex, knn_recall  # noqa: E402
from _timing import best_time  # benchmarks/_timing.py

MAX_BRUTE_FORCE_RATIO = 1.5
MAX_RECALL_GAP = 0.05


def unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    x = rng.normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def low_rank_unit(rng: np.random.Generator, n: int, dim: int, latent_dim: int, projection: np.ndarray) -> np.ndarray:
    """Unit vectors near a ``latent_dim``-dimensional subspace of ``dim`` dimensions."""
    x = rng.normal(size=(n, latent_dim)) @ projection + 0.05 * rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def brute_force(args, rng) -> bool:
    import faiss

    data, queries = unit(rng, args.n, args.dim), unit(rng, args.queries, args.dim)
    ours = BruteForceIndex.from_vectors(data)
    reference = faiss.IndexFlatIP(args.dim)
    reference.add(data)
    ok = True
    print(f"1. brute force, n={args.n:,}, dim={args.dim}")
    for label, q in [(f"batch of {args.queries}", queries), ("single query", queries[:1])]:
        same = np.array_equal(ours.search(q, 10)[1], reference.search(q, 10)[1])
        t_ours = best_time(lambda: ours.search(q, 10), args.repeats)
        t_ref = best_time(lambda: reference.search(q, 10), args.repeats)
        ratio = t_ours / t_ref
        ok &= same and ratio <= MAX_BRUTE_FORCE_RATIO
        print(f"   {label:>16}: ours {t_ours * 1e3:8.2f} ms, faiss {t_ref * 1e3:8.2f} ms, ratio {ratio:.2f} "
              f"(target <= {MAX_BRUTE_FORCE_RATIO}), identical ids: {same}")
    return ok


def hnsw_and_ivf(args, rng) -> bool:
    import faiss

    faiss.omp_set_num_threads(1)
    projection = rng.normal(size=(args.latent_dim, args.dim)) / np.sqrt(args.latent_dim)
    data = low_rank_unit(rng, args.hnsw_n, args.dim, args.latent_dim, projection)
    queries = low_rank_unit(rng, args.queries, args.dim, args.latent_dim, projection)
    exact = BruteForceIndex.from_vectors(data).search(queries, 10)[1]
    start = time.perf_counter()
    ours = HNSWIndex(args.dim, M=args.M, ef_construction=args.ef_construction, seed=0)
    ours.add(data)
    build_ours = time.perf_counter() - start
    start = time.perf_counter()
    reference = faiss.IndexHNSWFlat(args.dim, args.M, faiss.METRIC_INNER_PRODUCT)
    reference.hnsw.efConstruction = args.ef_construction
    reference.add(data)
    build_ref = time.perf_counter() - start
    print(f"2. HNSW, n={args.hnsw_n:,}, dim={args.dim} (latent {args.latent_dim}), M={args.M}, ef_construction={args.ef_construction}: "
          f"build ours {build_ours:.1f} s, faiss {build_ref:.2f} s ({build_ours / build_ref:.0f}x)")
    ok = True
    for ef in (16, 32, 64, 128):
        reference.hnsw.efSearch = ef
        r_ours = knn_recall(ours.search(queries, 10, ef_search=ef)[1], exact)
        r_ref = knn_recall(reference.search(queries, 10)[1], exact)
        t_ours = best_time(lambda: ours.search(queries, 10, ef_search=ef), args.repeats) / len(queries)
        t_ref = best_time(lambda: reference.search(queries, 10), args.repeats) / len(queries)
        ok &= r_ours >= r_ref - MAX_RECALL_GAP
        print(f"   ef_search={ef:>3}: recall@10 ours {r_ours:.3f}, faiss {r_ref:.3f}; "
              f"query ours {t_ours * 1e3:.3f} ms, faiss {t_ref * 1e3:.4f} ms ({t_ours / t_ref:.0f}x)")
    nlist = args.nlist
    ivf = IVFIndex(args.dim, nlist=nlist, seed=0)
    ivf.train(data)
    ivf.add(data)
    ref_ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(args.dim), args.dim, nlist, faiss.METRIC_INNER_PRODUCT)
    ref_ivf.train(data)
    ref_ivf.add(data)
    print(f"3. IVF, nlist={nlist}")
    for nprobe in (1, 4, 16, nlist):
        ref_ivf.nprobe = nprobe
        r_ours = knn_recall(ivf.search(queries, 10, nprobe=nprobe)[1], exact)
        r_ref = knn_recall(ref_ivf.search(queries, 10)[1], exact)
        t_ours = best_time(lambda: ivf.search(queries, 10, nprobe=nprobe), args.repeats) / len(queries)
        t_ref = best_time(lambda: ref_ivf.search(queries, 10), args.repeats) / len(queries)
        print(f"   nprobe={nprobe:>3}: recall@10 ours {r_ours:.3f}, faiss {r_ref:.3f}; "
              f"query ours {t_ours * 1e3:.3f} ms, faiss {t_ref * 1e3:.4f} ms")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="vectors for the brute-force comparison")
    parser.add_argument("--hnsw-n", type=int, default=10_000, help="vectors for HNSW and IVF (ours builds slowly)")
    parser.add_argument("--dim", type=int, default=384, help="dimension (MiniLM's is 384)")
    parser.add_argument("--latent-dim", type=int, default=16, help="intrinsic dimension of the HNSW/IVF data")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--M", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=40)
    parser.add_argument("--nlist", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    ok = brute_force(args, rng)
    ok &= hnsw_and_ivf(args, rng)
    print("all targets met" if ok else "A TARGET FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
