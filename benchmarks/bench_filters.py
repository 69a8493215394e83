"""Time course_lib's sampling filters against transformers' logits processors on the same logits.

    python benchmarks/bench_filters.py [--batch 8] [--vocab 32000] [--repeats 50]

Prints the median time of each and the ratio ours / transformers (below 1: ours is faster).
"""

import argparse
import statistics
import time

import torch
from transformers.generation.logits_process import (RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper,
                                                    TopKLogitsWarper, TopPLogitsWarper)

from course_lib.generation.filters import repetition_penalty, temperature_scale, top_k_filter, top_p_filter


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--vocab", type=int, default=32000)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    torch.manual_seed(0)
    logits = torch.randn(args.batch, args.vocab) * 3  # (B, V)
    ids = torch.randint(0, args.vocab, (args.batch, 256))  # (B, T)
    cases = {
        "temperature 0.7": (lambda: temperature_scale(logits, 0.7), TemperatureLogitsWarper(0.7), None),
        "top-k 50": (lambda: top_k_filter(logits, 50), TopKLogitsWarper(50), None),
        "top-p 0.9": (lambda: top_p_filter(logits, 0.9), TopPLogitsWarper(0.9), None),
        "repetition 1.3": (lambda: repetition_penalty(logits, ids, 1.3), RepetitionPenaltyLogitsProcessor(1.3), ids),
    }
    print(f"logits ({args.batch}, {args.vocab}), torch threads {torch.get_num_threads()}, "
          f"median of {args.repeats}")
    for name, (ours, processor, input_ids) in cases.items():
        assert torch.equal(ours(), processor(input_ids, logits.clone()))
        mine = median_seconds(ours, args.repeats)
        theirs = median_seconds(lambda: processor(input_ids, logits), args.repeats)
        print(f"{name:16} ours {mine * 1e3:7.3f} ms   transformers {theirs * 1e3:7.3f} ms   "
              f"ratio {mine / theirs:.2f}")


if __name__ == "__main__":
    main()
