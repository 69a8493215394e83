"""Timing helper shared by the benchmark scripts (run as ``python benchmarks/bench_x.py``)."""

import time


def best_time(fn, repeats: int) -> float:
    """The fastest of ``repeats`` wall-clock runs of ``fn()``, in seconds (the least disturbed by other load)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
