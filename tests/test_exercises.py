"""The grading self-check, for every day with exercises: masters get full marks, untouched
student notebooks get zero on every question (so no test is vacuous), and the public tests
shipped in course_lib match what the master generates."""

from pathlib import Path

import pytest

from course_lib.grading import master_notebooks, selfcheck

ROOT = Path(__file__).resolve().parents[1]
MASTERS = master_notebooks(ROOT / "notebooks")


def test_there_are_graded_days():
    assert MASTERS, "no master notebook with an ASSIGNMENT CONFIG cell under notebooks/"


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_selfcheck(master):
    problems = selfcheck(master)
    assert not problems, "\n".join(problems)
