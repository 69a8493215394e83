"""Held-out bits per byte: the course GPT against the best smoothed n-gram models (n = 1..5).

Both models read the same ids (the course GPT's BPE tokenizer) of the same held-out book sections
(course_lib.corpus.split_book) and predict every token of each section and its closing end-of-text id.
bits per byte = total negative log-likelihood in bits / UTF-8 bytes of the held-out text, so models
with different tokenizers could be compared too.

n-grams (course_lib.lm.NGramLM, counts over BPE ids): for each n, add-k with k tuned on a dev split
of the TRAIN sections (never on the held-out ones), then refit on all train sections; and a
Jelinek-Mercer interpolation of orders 1..n with weights fitted by EM on the same dev split.

Run: python benchmarks/bench_bpb.py   (about a minute on a laptop CPU)
"""

from __future__ import annotations

import math
import time

import torch

from course_lib.corpus import BOOK_EDITION, book_sections, course_corpus, split_book
from course_lib.course_gpt import EOT
from course_lib.lm import NGramLM
from course_lib.pretrained import load_course_gpt
from course_lib.training import sequence_nll

K_GRID = [1.0, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001]


def ngram_probs(models: list[NGramLM], docs: list[list[int]]) -> list[list[float]]:
    """For every predicted token of ``docs``: [P_1, ..., P_n] under each order's model."""
    rows = []
    for doc in docs:
        for i, token in enumerate([*doc, models[0].eos]):
            rows.append([m.prob(token, doc[:i][-(m.n - 1):] if m.n > 1 else []) for m in models])
    return rows


def em_weights(rows: list[list[float]], iterations: int = 30) -> list[float]:
    """Jelinek-Mercer interpolation weights that maximise the likelihood of ``rows`` (EM)."""
    n = len(rows[0])
    weights = [1 / n] * n
    for _ in range(iterations):
        totals = [0.0] * n
        for row in rows:
            mix = sum(w * p for w, p in zip(weights, row))
            for j in range(n):
                totals[j] += weights[j] * row[j] / mix
        weights = [t / len(rows) for t in totals]
    return weights


def nll_bits(rows: list[list[float]], weights: list[float]) -> float:
    return -sum(math.log2(sum(w * p for w, p in zip(weights, row))) for row in rows)


def main() -> None:
    torch.set_num_threads(2)
    model, tokenizer = load_course_gpt()
    eot = tokenizer.special_tokens[EOT]
    train_sections, held_sections = split_book(book_sections(edition=BOOK_EDITION))
    train_texts = [s.text for s in train_sections] + course_corpus()  # what the GPT was trained on
    held_texts = [s.text for s in held_sections]
    encode = lambda texts: [tokenizer.encode(t, allowed_special="none") for t in texts]  # noqa: E731
    train_ids, held_ids = encode(train_texts), encode(held_texts)
    held_bytes = sum(len(t.encode("utf-8")) for t in held_texts)
    predictions = sum(len(d) + 1 for d in held_ids)
    print(f"held-out: {len(held_texts)} sections, {held_bytes} bytes, {predictions} predicted tokens "
          f"(vocab {tokenizer.vocab_size})")

    t0 = time.perf_counter()
    gpt_bits = sum(sequence_nll(model, [eot, *d, eot], model.config.block_size) for d in held_ids) / math.log(2)
    gpt_time = time.perf_counter() - t0

    # dev split of the TRAIN sections for tuning (every 10th document)
    fit_ids = [d for i, d in enumerate(train_ids) if i % 10 != 9]
    dev_ids = [d for i, d in enumerate(train_ids) if i % 10 == 9]
    vocab = range(tokenizer.vocab_size)
    results, best_k = [], []
    for n in range(1, 6):
        scores = {k: NGramLM(n=n, k=k, eos=eot, vocab=vocab).fit(fit_ids).cross_entropy(dev_ids) for k in K_GRID}
        best_k.append(min(scores, key=scores.get))
        final = NGramLM(n=n, k=best_k[-1], eos=eot, vocab=vocab).fit(train_ids)
        addk_bits = final.cross_entropy(held_ids) * predictions / math.log(2)
        tuned = [NGramLM(n=i + 1, k=best_k[i], eos=eot, vocab=vocab).fit(fit_ids) for i in range(n)]
        weights = em_weights(ngram_probs(tuned, dev_ids))
        finals = [NGramLM(n=i + 1, k=best_k[i], eos=eot, vocab=vocab).fit(train_ids) for i in range(n)]
        interp_bits = nll_bits(ngram_probs(finals, held_ids), weights)
        results.append((n, best_k[-1], addk_bits / held_bytes, interp_bits / held_bytes, weights))

    print(f"\n{'model':38} {'bits/byte':>9}")
    print(f"{'course GPT (' + str(model.num_parameters()) + ' params)':38} {gpt_bits / held_bytes:9.3f}"
          f"   ({gpt_time:.1f} s)")
    for n, k, addk, interp, weights in results:
        print(f"{f'{n}-gram add-k (k={k:g})':38} {addk:9.3f}")
        print(f"{f'{n}-gram interpolated (EM weights)':38} {interp:9.3f}   "
              f"weights {[round(w, 2) for w in weights]}")
    best = min(min(r[2], r[3]) for r in results)
    print(f"\nbest n-gram {best:.3f} bits/byte; course GPT {gpt_bits / held_bytes:.3f}: "
          f"{best / (gpt_bits / held_bytes):.2f}x fewer bits")


if __name__ == "__main__":
    main()
