"""Does the offline reranker help? Dense/hybrid retrieval with and without MaxSim reranking over the book.

Run from the repository root (offline; MiniLM from package data):

    python benchmarks/bench_rerank.py                # dev split (the one we may tune on), k = 5
    python benchmarks/bench_rerank.py --split test   # held-out split: report only

First stage: ``build_book_retriever("dense")`` or ``("hybrid")``; second stage:
``course_lib.rag.MaxSimReranker`` with ``granularity="token"`` (ColBERT-style MaxSim over MiniLM's
contextual token vectors) or ``"sentence"`` (best sentence cosine) re-ordering the first stage's
top 20. Prints hit rate@k, MRR@k and nDCG@k of each (course_lib.evaluation.evaluate_retriever) and
the seconds per question, in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_lib.evaluation import evaluate_retriever, load_eval_set  # noqa: E402
from course_lib.rag import MaxSimReranker, RerankRetriever, build_book_retriever  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--candidates", type=int, default=20)
    args = parser.parse_args(argv)
    questions = load_eval_set(None if args.split == "all" else args.split)
    print(f"{len(questions)} questions ({args.split}), k = {args.k}, rerank the top {args.candidates}")
    systems = {}
    for first in ("dense", "hybrid"):
        base = build_book_retriever(first)
        systems[first] = base
        for granularity in ("token", "sentence"):
            systems[f"{first} + {granularity} MaxSim"] = RerankRetriever(base, MaxSimReranker(granularity),
                                                                         args.candidates)
    build_book_retriever("dense").retrieve("warm up MiniLM", k=1)
    print(f"{'system':28s} {'hit@k':>6s} {'MRR@k':>6s} {'nDCG@k':>7s} {'s/question':>10s}")
    for name, retriever in systems.items():
        start = time.perf_counter()
        rows = evaluate_retriever(retriever, questions, k=args.k)
        per_q = (time.perf_counter() - start) / len(questions)
        mean = {m: float(np.mean([r[m] for r in rows])) for m in ("hit", "rr", "ndcg")}
        print(f"{name:28s} {mean['hit']:6.3f} {mean['rr']:6.3f} {mean['ndcg']:7.3f} {per_q:10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
