"""Retrieval quality on the held-out questions: BM25, dense, hybrid and rerank over the whole book.

Run from the repository root (offline; MiniLM from package data):

    python benchmarks/bench_retrieval.py                 # held-out "test" split, k = 5
    python benchmarks/bench_retrieval.py --split dev     # the split that may be used for tuning

For each retriever of ``course_lib.rag.build_book_retriever`` it runs every question of
``course_lib/data/rag_eval.jsonl`` in the chosen split through ``course_lib.evaluation.evaluate_retriever``
and prints recall@k, MRR@k, nDCG@k and hit rate@k, overall and per question type (factual, conceptual,
paraphrase, keyword), plus the time per question (retrieval only: the questions' vectors are computed
once, in one batch, before timing). A chunk counts as relevant when its (source, section)
is one of the question's labels; several chunks of one section count once. No target: these are the
figures Days 22 and 24 discuss. The test split is held out from any tuning, so report it, do not tune on it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_lib.evaluation import QUESTION_TYPES, evaluate_retriever, load_eval_set  # noqa: E402
from course_lib.rag import build_book_retriever  # noqa: E402

KINDS = ("bm25", "dense", "hybrid", "rerank")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("test", "dev", "all"), default="test")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args(argv)
    questions = load_eval_set(None if args.split == "all" else args.split)
    print(f"{len(questions)} questions ({args.split}), k = {args.k}")
    header = f"{'retriever':<8} {'recall':>7} {'MRR':>6} {'nDCG':>6} {'hit':>6} {'ms/q':>7}  " + \
             "  ".join(f"{t[:5]:>5}" for t in QUESTION_TYPES) + "   (recall@k per type)"
    print(header)
    # embed every question once, in one batch (the dense retriever's model keeps the vectors), so the
    # times below are retrieval only, the same for every retriever
    build_book_retriever("dense").embedding_model.embed([q.question for q in questions])
    for kind in KINDS:
        retriever = build_book_retriever(kind)
        retriever.retrieve(questions[0].question, args.k)  # warm up: load models, embed the book
        start = time.perf_counter()
        rows = evaluate_retriever(retriever, questions, args.k)
        per_question = (time.perf_counter() - start) / len(questions)
        mean = {m: float(np.mean([r[m] for r in rows])) for m in ("recall", "rr", "ndcg", "hit")}
        by_type = [np.mean([r["recall"] for r in rows if r["type"] == t] or [np.nan]) for t in QUESTION_TYPES]
        print(f"{kind:<8} {mean['recall']:7.3f} {mean['rr']:6.3f} {mean['ndcg']:6.3f} {mean['hit']:6.3f} "
              f"{per_question * 1e3:7.1f}  " + "  ".join(f"{v:5.2f}" for v in by_type))
    return 0


if __name__ == "__main__":
    sys.exit(main())
