"""The student notebooks the book links to: ``student/<day>.ipynb``, one per day with exercises.

``python -m course_lib.grading assign`` makes each day's student notebook (solutions replaced by
``...``, hidden tests and otter's raw cells removed, ``grader.check`` cells added) in
``dist/<day>/student/<day>.ipynb``; ``dist/`` is not committed. This script copies them to
``student/`` (committed), where the book's "Exercises in Colab" and "Download the exercises"
links point (``_ext/student_links.py``). ``make assign`` runs both steps.

    python tools/student_notebooks.py            # dist/ -> student/
    python tools/student_notebooks.py --check    # exit 1 if student/ differs from a fresh assign
    python tools/student_notebooks.py --from-masters   # student/ straight from the masters (no dist/)

``tests/test_student_notebooks.py`` regenerates every student notebook from its master and
compares it with ``student/`` (``--check`` does the same from the command line).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUDENT = ROOT / "student"


def _master_ids(master: Path) -> set[str]:
    return {c["id"] for c in json.loads(master.read_text(encoding="utf-8"))["cells"] if "id" in c}


def normalized(notebook: dict, master_ids: set[str]) -> str:
    """The notebook as stored in student/: no outputs or execution counts, stable JSON.

    Cells copied from the master keep their ids; otter gives the cells it adds (``grader.check``)
    random ids, replaced here by one made from the cell's position and source, so that the same
    master always gives the same file.
    """
    notebook = json.loads(json.dumps(notebook))
    for number, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") == "code":
            cell["execution_count"] = None
            cell["outputs"] = []
        if "id" in cell and cell["id"] not in master_ids:
            source = "".join(cell.get("source", ""))
            cell["id"] = hashlib.sha1(f"{number}:{source}".encode()).hexdigest()[:8]
    return json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def generated(master: Path, out_dir: Path) -> str:
    """The normalized student notebook of ``master``, freshly made by otter in ``out_dir``."""
    from course_lib.grading import assign

    target = assign(master, out_dir, run_tests=False, update_package=False)
    student = json.loads((target / "student" / f"{master.stem}.ipynb").read_text(encoding="utf-8"))
    return normalized(student, _master_ids(master))


def copy_from_dist(dist: Path) -> list[Path]:
    """Write student/<day>.ipynb for every master, from ``dist/<day>/student/<day>.ipynb``."""
    from course_lib.grading import master_notebooks

    STUDENT.mkdir(exist_ok=True)
    written = []
    for master in master_notebooks(ROOT / "notebooks"):
        source = dist / master.stem / "student" / f"{master.stem}.ipynb"
        if not source.is_file():
            raise FileNotFoundError(f"no {source}: run `python -m course_lib.grading assign` first")
        target = STUDENT / f"{master.stem}.ipynb"
        student = json.loads(source.read_text(encoding="utf-8"))
        target.write_text(normalized(student, _master_ids(master)), encoding="utf-8")
        written.append(target)
    return written


def stale() -> list[str]:
    """Days whose student/<day>.ipynb is missing or differs from a fresh assign of the master."""
    from course_lib.grading import master_notebooks

    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for master in master_notebooks(ROOT / "notebooks"):
            target = STUDENT / f"{master.stem}.ipynb"
            if not target.is_file() or target.read_text(encoding="utf-8") != generated(master, Path(tmp)):
                problems.append(master.stem)
    return problems


def regenerate() -> list[Path]:
    """Write student/<day>.ipynb straight from each master (otter in a temporary folder; dist/ and
    course_lib/exercise_tests/ are left alone)."""
    from course_lib.grading import master_notebooks

    STUDENT.mkdir(exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for master in master_notebooks(ROOT / "notebooks"):
            target = STUDENT / f"{master.stem}.ipynb"
            target.write_text(generated(master, Path(tmp)), encoding="utf-8")
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", default=str(ROOT / "dist"), help="where `grading assign` wrote (default dist/)")
    parser.add_argument("--check", action="store_true", help="only compare student/ with a fresh assign")
    parser.add_argument("--from-masters", action="store_true",
                        help="regenerate student/ from the masters without writing dist/")
    args = parser.parse_args(argv)
    if args.from_masters:
        for path in regenerate():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if args.check:
        problems = stale()
        print("\n".join(f"student/{day}.ipynb is stale: run `make assign`" for day in problems)
              or "student notebooks up to date")
        return 1 if problems else 0
    for path in copy_from_dist(Path(args.dist)):
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
