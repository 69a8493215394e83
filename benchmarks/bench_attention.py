"""Benchmark course_lib's readable attention against torch's fused kernel as the sequence doubles.

Run from the repository root (offline, CPU by default, ~1 minute on 2 cores):

    python benchmarks/bench_attention.py                      # lengths 128 .. 4096, 4 heads of 64
    python benchmarks/bench_attention.py --device cuda --max-len 16384 --dtype float16

Both sides compute causal self-attention on the same random q, k, v of shape (batch, heads, n, 64):
``course_lib.attention.scaled_dot_product_attention`` (the readable path: it builds the n x n score
matrix, masks it, and returns the weights) and ``torch.nn.functional.scaled_dot_product_attention``
(``is_causal=True``; on CPU a fused flash-style kernel that never stores the n x n matrix). Outputs are
checked to agree. For each n it prints the time of each (best of ``--repeats``; CPU time of the
process on CPU, so other jobs on a shared machine matter less; wall time on CUDA), the ratio ours/torch,
and the extra peak memory each needs: on CUDA ``torch.cuda.max_memory_allocated``; on Linux CPUs the
rise of the process's peak resident set (``VmHWM``, reset through ``/proc/self/clear_refs``). Last, the
slope of log(time) and log(memory) against log(n) over the longer half of the lengths: 2 means
O(n^2). Exits 1 if the outputs disagree. Reported only, no target.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_lib.attention import scaled_dot_product_attention  # noqa: E402


def _rss_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def fixed_mmap_threshold(threshold: int = 1 << 16) -> bool:
    """Make glibc serve every allocation above ``threshold`` bytes with a fresh ``mmap`` (returned on
    free), so that the peak resident set counts each large tensor instead of reusing freed heap."""
    try:
        import ctypes

        return bool(ctypes.CDLL("libc.so.6").mallopt(-3, threshold))  # M_MMAP_THRESHOLD = -3
    except (OSError, AttributeError):
        return False


def peak_extra_bytes(fn, device: str) -> float | None:
    """Extra peak memory (bytes) that one call of ``fn`` needs beyond what is allocated before it."""
    if device == "cuda":
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        fn()
        torch.cuda.synchronize()
        return float(torch.cuda.max_memory_allocated() - base)
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current resident set
    except OSError:
        return None
    base = _rss_kib("VmRSS")
    fn()
    peak = _rss_kib("VmHWM")
    return None if base is None or peak is None else 1024.0 * max(peak - base, 0)


def best_time(fn, repeats: int, device: str) -> float:
    """Fastest of ``repeats`` calls: CPU time of the process on CPU (steady on a shared machine), wall on CUDA."""
    clock = time.perf_counter if device == "cuda" else time.process_time
    times = []
    for _ in range(repeats):
        if device == "cuda":
            torch.cuda.synchronize()
        start = clock()
        fn()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append(clock() - start)
    return min(times)


def slope(xs: list[float], ys: list[float | None]) -> float:
    """Least-squares slope of log(y) against log(x)."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if y]
    if len(pts) < 2:
        return float("nan")
    mx, my = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)


def mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value / 2**20:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-len", type=int, default=128)
    parser.add_argument("--max-len", type=int, default=4096)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--head-dim", type=int, default=64)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float16", "bfloat16"])
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1: steadier on a shared machine)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.device == "cpu" and not fixed_mmap_threshold():
        print("note: could not set glibc's mmap threshold; CPU memory figures may undercount")
    dtype = getattr(torch, args.dtype)
    print(f"torch {torch.__version__}, device {args.device}, {args.threads} thread(s), {args.dtype}, batch {args.batch}, "
          f"{args.heads} heads x {args.head_dim}, causal, best of {args.repeats}")
    print(f"{'n':>6} | {'ours s':>9} | {'torch s':>9} | {'ratio':>6} | {'ours MiB':>9} | {'torch MiB':>9}")
    lengths, rows, n, ok = [], [], args.min_len, True
    while n <= args.max_len:
        gen = torch.Generator().manual_seed(n)
        q, k, v = (torch.randn(args.batch, args.heads, n, args.head_dim, generator=gen).to(args.device, dtype)
                   for _ in range(3))

        def ours():
            return scaled_dot_product_attention(q, k, v, is_causal=True)[0]

        def theirs():
            return F.scaled_dot_product_attention(q, k, v, is_causal=True)

        with torch.no_grad():
            tol = 1e-4 if dtype == torch.float32 else 2e-2
            if not torch.allclose(ours().float(), theirs().float(), atol=tol, rtol=tol):
                print(f"n={n}: outputs differ", file=sys.stderr)
                ok = False
            ours(), theirs()  # warm-up
            t_ours, t_theirs = best_time(ours, args.repeats, args.device), best_time(theirs, args.repeats, args.device)
            m_ours, m_theirs = peak_extra_bytes(ours, args.device), peak_extra_bytes(theirs, args.device)
        rows.append((t_ours, t_theirs, m_ours, m_theirs))
        lengths.append(n)
        print(f"{n:>6} | {t_ours:>9.4f} | {t_theirs:>9.4f} | {t_ours / t_theirs:>6.2f} | "
              f"{mib(m_ours):>9} | {mib(m_theirs):>9}", flush=True)
        del q, k, v
        n *= 2
    upper = len(lengths) // 2
    xs = lengths[upper:]
    print(f"slope of log(time) vs log(n), n >= {xs[0]}: ours {slope(xs, [r[0] for r in rows[upper:]]):.2f}, "
          f"torch {slope(xs, [r[1] for r in rows[upper:]]):.2f}")
    print(f"slope of log(memory) vs log(n), n >= {xs[0]}: ours {slope(xs, [r[2] for r in rows[upper:]]):.2f}, "
          f"torch {slope(xs, [r[3] for r in rows[upper:]]):.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
