"""Speed of the from-scratch RAG core against its references, in the same run.

    OMP_NUM_THREADS=1 python benchmarks/bench_rag_core.py

* sentence embeddings: ``course_lib.embeddings.sentence_embeddings`` vs sentence-transformers'
  ``encode(normalize_embeddings=True)`` on the book's chunks (same batch size 32);
* BM25: index + 100 queries, ``course_lib.rag.BM25`` vs ``bm25s`` and ``rank_bm25``
  (same tokens), plus the scores' agreement.

Prints seconds and the ratio ours / reference (below 1 = we are faster). No target: the point is
that the readable versions cost about the same, so the notebooks can use them.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_lib.embeddings import load_minilm, sentence_embeddings  # noqa: E402
from course_lib.rag import BM25, bm25_tokenize, book_chunks  # noqa: E402


def _time(fn, repeats=1):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> int:
    from sentence_transformers import SentenceTransformer

    from course_lib.pretrained import minilm_path

    texts = [c.text for c in book_chunks()][:128]
    load_minilm()
    st = SentenceTransformer(str(minilm_path()), device="cpu")
    ours_s, ours = _time(lambda: sentence_embeddings(texts, batch_size=32))
    ref_s, ref = _time(lambda: st.encode(texts, batch_size=32, normalize_embeddings=True))
    print(f"embeddings, {len(texts)} chunks: ours {ours_s:.2f}s, sentence-transformers {ref_s:.2f}s, "
          f"ratio {ours_s / ref_s:.2f}, min cosine {float((ours * ref).sum(axis=1).min()):.6f}")

    import bm25s
    from rank_bm25 import BM25Okapi

    corpus = [bm25_tokenize(c.text) for c in book_chunks()]
    rng = np.random.default_rng(0)
    queries = [list(rng.choice(corpus[i], size=min(4, len(corpus[i])))) for i in rng.integers(0, len(corpus), 100)]

    def ours_run():
        bm = BM25.from_tokens(corpus)
        return [bm.scores_tokens(q) for q in queries]

    def bm25s_run():
        bm = bm25s.BM25(method="lucene")
        bm.index(corpus, show_progress=False)
        return [bm.get_scores(q) for q in queries]

    def rank_run():
        bm = BM25Okapi(corpus)
        return [bm.get_scores(q) for q in queries]

    o_s, o = _time(ours_run, 3)
    b_s, b = _time(bm25s_run, 3)
    r_s, _ = _time(rank_run, 3)
    agree = max(float(np.abs(x / 2.5 - y).max()) for x, y in zip(o, b))  # bm25s drops the (k1 + 1) = 2.5 factor
    print(f"BM25, {len(corpus)} chunks + 100 queries: ours {o_s:.3f}s, bm25s {b_s:.3f}s (ratio {o_s / b_s:.2f}), "
          f"rank_bm25 {r_s:.3f}s (ratio {o_s / r_s:.2f}); max |ours/(k1+1) - bm25s| = {agree:.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
