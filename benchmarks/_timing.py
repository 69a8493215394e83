"""Timing helper shared by the benchmark scripts (run as ``python benchmarks/bench_x.py``)."""

import time


def best_time(fn, repeats: int, clock=time.perf_counter) -> float:
    """The fastest of ``repeats`` runs of ``fn()``, in seconds (the least disturbed by other load).

    ``clock`` is wall time by default; ``time.process_time`` measures this process's CPU time instead.
    """
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times)
