"""Benchmark the sandboxed class grader on 100 Day 1 submissions of mixed kinds.

Run from the repository root, with bubblewrap installed (scripts/install_sandbox.sh):

    python benchmarks/bench_grading.py                  # 100 submissions, 2 jobs, 10 s per step
    python benchmarks/bench_grading.py --n 30 --jobs 2  # a quicker run

Builds Day 1's (and Day 2's, for "another day") student notebook and autograder in a temporary
folder, writes ``--n`` submissions made by ``course_lib.mock_submissions`` (every kind once, the
rest drawn with seeded weights that look like a real class: mostly solved or partly solved, a few
loops, crashes and tampering), grades them with ``grade_class`` and prints the time per
submission (by kind) and in total. Also times the reference, otter's own unsandboxed
``otter run`` (``grading.otter_grade``), against ``grade_submission`` on the same solved notebook
and prints the ratio: the price of the sandbox and of cell-by-cell execution. Exits 1 if a row
differs from ``mock_submissions.EXPECTED``.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_lib import grading, gradebook, mock_submissions  # noqa: E402
from course_lib.mock_submissions import EXPECTED  # noqa: E402

DAY = "day01_tokens"
#: What a class hands in, roughly: weights of the kinds drawn after each kind has appeared once.
WEIGHTS = {"solved": 40, "untouched": 5, "syntax_error": 10, "exception": 10, "sys_exit": 2, "infinite_loop": 4,
           "redefine_check": 2, "corrupt_json": 2, "other_day": 2, "os_system": 1, "network": 1, "memory_bomb": 1}


def build(folder: Path, n: int, seed: int) -> tuple[Path, dict[str, str]]:
    dist = folder / "dist"
    for day in (DAY, "day02_bpe"):
        grading.assign(ROOT / "notebooks" / f"{day}.ipynb", dist, run_tests=False, update_package=False)
    rng = random.Random(seed)
    kinds = list(EXPECTED) + rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()), k=max(0, n - len(EXPECTED)))
    submissions, marker = folder / "submissions", folder / "marker"
    submissions.mkdir()
    marker.mkdir()
    which = {}
    for number, kind in enumerate(kinds[:n]):
        made = mock_submissions.make_submission(kind, ROOT / "notebooks" / f"{DAY}.ipynb",
                                                dist / DAY / "student" / f"{DAY}.ipynb", marker,
                                                dist / "day02_bpe" / "student" / "day02_bpe.ipynb")
        name = f"learner{number:03d}_{rng.choice(['final', 'v2', 'day1', 'hw'])}"
        mock_submissions.write_submission(submissions / f"{name}.ipynb", made)
        which[name] = kind
    return dist, which


def reference_ratio(dist: Path, folder: Path, options: gradebook.GradeOptions, repeats: int) -> tuple[float, float]:
    """Seconds per solved notebook: otter's unsandboxed run, and ours in the sandbox (best of ``repeats``)."""
    solved = folder / f"{DAY}.ipynb"  # otter_grade takes the day from the file name
    mock_submissions.write_submission(solved, mock_submissions.make_submission(
        "solved", ROOT / "notebooks" / f"{DAY}.ipynb", dist / DAY / "student" / f"{DAY}.ipynb"))
    otter_s, ours_s = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        assert grading.otter_grade(solved, DAY, dist).score == 9.0
        otter_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        assert gradebook.grade_submission(solved, options=options).score == 9.0
        ours_s.append(time.perf_counter() - start)
    return min(otter_s), min(ours_s)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--step-timeout", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--repeats", type=int, default=2, help="runs of the reference comparison")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_grading_") as tmp:
        folder = Path(tmp)
        dist, which = build(folder, args.n, args.seed)
        options = gradebook.GradeOptions(dist=dist, timeout=args.timeout, step_timeout=args.step_timeout)
        otter_s, ours_s = reference_ratio(dist, folder, options, args.repeats)
        start = time.perf_counter()
        rows = gradebook.grade_class(folder / "submissions", folder / "gradebook", jobs=args.jobs, day=DAY,
                                     options=options, progress=False)
        total = time.perf_counter() - start
        escaped = list((folder / "marker").iterdir())
    by_kind, wrong = defaultdict(list), []
    for row in rows:
        kind = which[row.student]
        by_kind[kind].append(row.seconds)
        status, score = EXPECTED[kind]
        if row.status != status or (score is not None and not math.isclose(row.score, score, abs_tol=1e-9)):
            wrong.append(f"{row.student} ({kind}): {row.status} {row.score:g}, expected {status} {score}")
    seconds = [row.seconds for row in rows]
    print(f"{len(rows)} submissions, {args.jobs} jobs, step limit {args.step_timeout:g} s")
    print(f"{'kind':<18} {'n':>3} {'mean s':>7} {'max s':>7}")
    for kind in sorted(by_kind, key=lambda k: -len(by_kind[k])):
        print(f"{kind:<18} {len(by_kind[kind]):>3} {statistics.mean(by_kind[kind]):>7.1f} {max(by_kind[kind]):>7.1f}")
    print(f"per submission: mean {statistics.mean(seconds):.1f} s, median {statistics.median(seconds):.1f} s, "
          f"max {max(seconds):.1f} s")
    print(f"total wall time: {total:.0f} s ({total / len(rows):.1f} s per submission with {args.jobs} jobs)")
    print(f"reference (solved notebook, 1 job): otter run unsandboxed {otter_s:.1f} s, ours sandboxed "
          f"{ours_s:.1f} s, ratio ours/otter {ours_s / otter_s:.2f}")
    print(f"rows as expected: {len(rows) - len(wrong)}/{len(rows)}; files written outside the sandbox: {len(escaped)}")
    for line in wrong:
        print("  WRONG", line)
    return 1 if wrong or escaped else 0


if __name__ == "__main__":
    sys.exit(main())
