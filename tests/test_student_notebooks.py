"""student/<day>.ipynb (what the book's Colab and download links open) is fresh: it equals what
``python -m course_lib.grading assign`` makes from today's master, and it is a real student version."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from course_lib.grading import master_notebooks  # noqa: E402
from student_notebooks import STUDENT, generated  # noqa: E402

MASTERS = master_notebooks(ROOT / "notebooks")


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_student_notebook_is_fresh(master: Path, tmp_path: Path) -> None:
    committed = STUDENT / f"{master.stem}.ipynb"
    assert committed.is_file(), f"{committed} is missing: run `make assign`"
    assert committed.read_text(encoding="utf-8") == generated(master, tmp_path), (
        f"{committed} differs from the student version of {master}: run `make assign`")


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_student_notebook_has_no_solutions_and_checks_answers(master: Path) -> None:
    cells = json.loads((STUDENT / f"{master.stem}.ipynb").read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells)
    assert "BEGIN SOLUTION" not in text and "# HIDDEN" not in text, f"{master.stem}: master markup left"
    assert not any(c["cell_type"] == "raw" for c in cells), f"{master.stem}: raw otter cells left"
    assert 'grader.check("q1")' in text or "grader.check('q1')" in text, f"{master.stem}: no grader.check cell"


def test_no_student_notebook_without_a_master() -> None:
    orphans = sorted({p.stem for p in STUDENT.glob("*.ipynb")} - {m.stem for m in MASTERS})
    assert not orphans, f"student notebooks with no master in notebooks/: {orphans}"
