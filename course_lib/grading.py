"""Graded exercises: the learner's checker and the instructor's commands, on otter-grader.

Master notebooks (``notebooks/dayNN_<slug>.ipynb``) are written in otter-grader's format: raw
cells ``# BEGIN QUESTION`` / ``# BEGIN SOLUTION`` / ``# BEGIN TESTS`` and test cells, hidden
ones starting with ``# HIDDEN``. nbval runs them as they are, so every solution passes its
tests on every CI run. From them this module makes, per day:

* the student notebook (solutions replaced by ``...``, hidden tests removed) and the autograder
  zip: ``python -m course_lib.grading assign`` (writes ``dist/<day>/``), and the public tests
  shipped inside ``course_lib`` (``course_lib/exercise_tests/<day>/``), so that
  ``grader.check("q1")`` works on Colab and on laptops alike;
* a grade, without Docker, in a sandbox (:mod:`course_lib.sandbox`, bubblewrap):
  ``python -m course_lib.grading grade SUBMISSION.ipynb`` prints one JSON object with the score
  of each question, and ``python -m course_lib.grading grade-class FOLDER --out gradebook/``
  grades a whole class in parallel into a gradebook (:mod:`course_lib.gradebook`); the day
  comes from the notebook's metadata, whatever the file is called;
* a self-check: ``python -m course_lib.grading selfcheck`` proves that the master notebook gets
  full marks and the untouched student notebook gets zero on every question;
* cell tags for the book: ``python -m course_lib.grading tag`` hides solutions behind a toggle
  (``hide-input``) and removes otter's raw cells and hidden tests (``remove-cell``).

otter is imported inside the functions that need it. Introduced on Day 1.

Example (in a notebook):
    >>> from course_lib.grading import exercise_checker
    >>> grader = exercise_checker("day01_tokens")  # doctest: +SKIP
    >>> grader.check("q1")  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["exercise_checker", "public_tests_dir", "assign", "grade", "grade_class", "otter_grade",
           "selfcheck", "tag_cells", "master_notebooks", "GradeReport"]

PACKAGED_TESTS = Path(__file__).parent / "exercise_tests"
_DAY_NAME = re.compile(r"^day\d\d_[a-z0-9_]+$")
_MESSAGE = re.compile(r"^\s*(q[\w-]+) - \d+ message: (.*)$", re.MULTILINE)


def public_tests_dir(day: str) -> Path:
    """Folder of the public tests of ``day`` shipped inside course_lib.

    Example:
        >>> public_tests_dir("day01_tokens").name
        'day01_tokens'
    """
    if not isinstance(day, str) or not _DAY_NAME.match(day):
        raise ValueError(f"day must look like 'day01_tokens' (dayNN_slug), got {day!r}")
    return PACKAGED_TESTS / day


def exercise_checker(day: str) -> Any:
    """An ``otter.Notebook`` that checks the exercises of ``day`` against their public tests.

    While an autograder runs the notebook, otter points it at the full tests instead.
    """
    import otter

    tests_dir = str(public_tests_dir(day))
    notebook = f"{day}.ipynb"  # found in the working directory locally; not on Colab (cwd /content)
    return otter.Notebook(notebook if os.path.isfile(notebook) else None, tests_dir=tests_dir)


# --------------------------------------------------------------------------- notebooks and tags

def master_notebooks(folder: str | Path = "notebooks") -> list[Path]:
    """The master notebooks under ``folder`` that contain graded exercises, sorted by day."""
    found = []
    for path in sorted(Path(folder).glob("day[0-9][0-9]_*.ipynb")):
        if any(_is_config_cell(cell) for cell in _read(path)["cells"]):
            found.append(path)
    return found


def _read(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _is_config_cell(cell: dict) -> bool:
    return cell["cell_type"] == "raw" and _source(cell).lstrip().upper().startswith("# ASSIGNMENT CONFIG")


def _wanted_tags(cells: list[dict]) -> list[set[str] | None]:
    """For each cell, the book tags it must carry (None: not an exercise cell, the author's choice).

    Raw cells and hidden tests are removed, solutions folded, the Colab bootstrap removed.
    """
    wanted: list[set[str] | None] = []
    in_solution = False
    for index, cell in enumerate(cells):
        text = _source(cell).strip()
        tags: set[str] | None = set()
        if index == 0 and cell["cell_type"] == "code" and "google.colab" in text:
            tags = {"remove-cell"}  # runs everywhere, shown nowhere in the book
        elif cell["cell_type"] == "raw":
            tags.add("remove-cell")
            marker = text.upper()
            if marker.startswith("# BEGIN SOLUTION"):
                in_solution = True
            elif marker.startswith("# END SOLUTION"):
                in_solution = False
        elif cell["cell_type"] == "code" and text.startswith("# HIDDEN"):
            tags.add("remove-cell")
        elif cell["cell_type"] == "code" and in_solution:
            tags.add("hide-input")
        else:
            tags = None
        wanted.append(tags)
    return wanted


_MANAGED_TAGS = {"remove-cell", "hide-input"}


def tag_cells(path: str | Path, check: bool = False) -> list[str]:
    """Set the book tags of an exercise notebook; return a line per cell that was (or would be) changed.

    With ``check=True`` nothing is written. The Colab bootstrap (first cell) is removed from the book.
    """
    path = Path(path)
    notebook = _read(path)
    changes = []
    for index, (cell, wanted) in enumerate(zip(notebook["cells"], _wanted_tags(notebook["cells"]))):
        if wanted is None:
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        new = (tags - _MANAGED_TAGS) | wanted
        if new != tags:
            changes.append(f"{path.name} cell {index}: tags {sorted(tags)} -> {sorted(new)}")
            cell.setdefault("metadata", {})["tags"] = sorted(new)
            if not new:
                del cell["metadata"]["tags"]
    if changes and not check:
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changes


# --------------------------------------------------------------------------- otter runs

def _otter(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    run = subprocess.run([sys.executable, "-m", "otter", *args], cwd=cwd, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"otter {' '.join(args)} failed (exit {run.returncode}):\n"
                           f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return run


def assign(master: str | Path, out_dir: str | Path = "dist", run_tests: bool = True,
           update_package: bool = True) -> Path:
    """Make ``out_dir/<day>/student/`` and ``out_dir/<day>/autograder/<day>-autograder.zip``.

    With ``update_package`` the public tests are also copied into ``course_lib/exercise_tests/<day>``.
    Returns the folder ``out_dir/<day>``.
    """
    master = Path(master).resolve()
    day = master.stem
    public_tests_dir(day)  # validates the name
    target = Path(out_dir).resolve() / day
    shutil.rmtree(target, ignore_errors=True)
    _otter("assign", *([] if run_tests else ["--no-run-tests"]), str(master), str(target))
    zips = sorted((target / "autograder").glob("*-autograder_*.zip"))
    if len(zips) != 1:
        raise RuntimeError(f"expected one autograder zip in {target / 'autograder'}, found {zips}")
    zips[0].rename(target / "autograder" / f"{day}-autograder.zip")
    if update_package:
        destination = public_tests_dir(day)
        shutil.rmtree(destination, ignore_errors=True)
        shutil.copytree(target / "student" / "tests", destination)
    return target


@dataclass
class GradeReport:
    """Scores of one graded notebook: total and per question, with otter's failure messages."""

    notebook: str
    day: str
    score: float
    max_score: float
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2)


def otter_grade(submission: str | Path, day: str | None = None, dist: str | Path = "dist") -> GradeReport:
    """Grade a notebook *you trust* with otter's own runner, unsandboxed (the self-check uses it).

    ``day`` defaults to the notebook's file name (``day01_tokens.ipynb`` -> ``day01_tokens``).
    Learners' submissions go through :func:`grade` instead, which runs them in the sandbox.
    """
    submission = Path(submission).resolve()
    if not submission.is_file():
        raise FileNotFoundError(f"no notebook at {submission}")
    day = day or submission.stem
    public_tests_dir(day)
    autograder = Path(dist).resolve() / day / "autograder" / f"{day}-autograder.zip"
    if not autograder.is_file():
        raise FileNotFoundError(f"no autograder at {autograder}: run `python -m course_lib.grading assign` "
                                f"(or `make assign`) first, or pass --day if the notebook was renamed")
    with tempfile.TemporaryDirectory() as out:
        _otter("run", "--no-logo", "-a", str(autograder), "-o", out, str(submission))
        results = json.loads((Path(out) / "results.json").read_text())
    questions = {}
    for test in results["tests"]:
        if "max_score" not in test or test.get("name") == "Public Tests":
            continue
        output = test.get("output", "")
        questions[test["name"]] = {
            "score": float(test.get("score") or 0.0),
            "max_score": float(test["max_score"]),
            "messages": sorted({message for _, message in _MESSAGE.findall(output)}),
        }
    return GradeReport(notebook=str(submission), day=day,
                       score=sum(q["score"] for q in questions.values()),
                       max_score=sum(q["max_score"] for q in questions.values()),
                       questions=questions)


def grade(submission: str | Path, day: str | None = None, dist: str | Path = "dist", timeout: float = 300.0,
          step_timeout: float = 60.0, log_path: str | Path | None = None) -> Any:
    """Grade a learner's ``submission`` in the sandbox; return its gradebook row.

    The row is a :class:`course_lib.gradebook.SubmissionResult`.

    The day comes from the notebook's metadata (any file name works); ``day`` is used when the
    notebook does not say. A missing file, an unknown day, a missing autograder or a machine
    without the sandbox raise an error naming what to do; a broken notebook is a result with a
    status (see :mod:`course_lib.gradebook`).
    """
    from course_lib import gradebook, sandbox

    submission = Path(submission).resolve()
    if not submission.is_file():
        raise FileNotFoundError(f"no notebook at {submission}")
    if day is not None:
        public_tests_dir(day)  # validates the name
    try:
        found = gradebook.detect_day(gradebook.load_notebook(submission), submission) or day
        if found is None:
            raise ValueError(f"cannot tell the day of {submission.name}: its metadata names no assignment; "
                             "pass --day dayNN_slug")
    except gradebook.NotANotebook:
        found = day
    if found is not None and not gradebook.autograder_zip(found, dist).is_file():
        raise FileNotFoundError(f"no autograder at {gradebook.autograder_zip(found, dist)}: run `python -m "
                                f"course_lib.grading assign notebooks/{found}.ipynb` (or `make assign`) first")
    problem = sandbox.sandbox_problem()
    if problem:
        raise sandbox.SandboxUnavailable(f"cannot grade safely: {problem}")
    options = gradebook.GradeOptions(dist=dist, timeout=timeout, step_timeout=step_timeout)
    return gradebook.grade_submission(submission, day, options, log_path)


def grade_class(folder: str | Path, out: str | Path = "gradebook", jobs: int = 2, day: str | None = None,
                dist: str | Path = "dist", timeout: float = 300.0, step_timeout: float = 60.0) -> list:
    """Grade every notebook under ``folder`` in the sandbox into ``out/gradebook.{csv,json}`` and
    ``out/logs/``; return the rows."""
    from course_lib import gradebook, sandbox

    if day is not None:
        public_tests_dir(day)
    if not Path(folder).is_dir():
        raise FileNotFoundError(f"no folder of submissions at {Path(folder).resolve()}")
    problem = sandbox.sandbox_problem()
    if problem:
        raise sandbox.SandboxUnavailable(f"cannot grade safely: {problem}")
    options = gradebook.GradeOptions(dist=dist, timeout=timeout, step_timeout=step_timeout)
    return gradebook.grade_class(folder, out, jobs=jobs, day=day, options=options)


def selfcheck(master: str | Path) -> list[str]:
    """Problems with one day's exercises (empty list: all is well).

    The master must get full marks; the student notebook exactly as generated must get zero on
    every question, each with a failure message for the learner; the shipped public tests must
    match the generated ones; and the book tags must be in place.
    """
    master = Path(master)
    day = master.stem
    problems = [f"tags out of date: {line} (run `python -m course_lib.grading tag`)"
                for line in tag_cells(master, check=True)]
    with tempfile.TemporaryDirectory() as tmp:
        target = assign(master, tmp, run_tests=False, update_package=False)
        generated = {p.name: p.read_text() for p in (target / "student" / "tests").glob("*.py")}
        shipped = {p.name: p.read_text() for p in public_tests_dir(day).glob("*.py")}
        if generated != shipped:
            problems.append(f"public tests in {public_tests_dir(day)} differ from the master's: "
                            "run `python -m course_lib.grading assign`")
        full = otter_grade(target / "autograder" / f"{day}.ipynb", day, tmp)
        for name, q in full.questions.items():
            if q["score"] != q["max_score"]:
                problems.append(f"{day} master {name}: {q['score']}/{q['max_score']} {q['messages']}")
        if not full.questions:
            problems.append(f"{day}: the autograder found no questions")
        empty = otter_grade(target / "student" / f"{day}.ipynb", day, tmp)
        for name, q in empty.questions.items():
            if q["score"] != 0:
                problems.append(f"{day} student {name}: the untouched stub scores {q['score']}: "
                                "a test passes without an answer")
            if not q["messages"]:
                problems.append(f"{day} {name}: a failing answer gets no failure_message to help the learner")
        if set(empty.questions) != set(full.questions):
            problems.append(f"{day}: student questions {sorted(empty.questions)} != master {sorted(full.questions)}")
    return problems


# --------------------------------------------------------------------------- command line

def _grading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--day", help="day like day01_tokens, for notebooks whose metadata does not say "
                                      "(a notebook that says another day is reported, not graded)")
    parser.add_argument("--dist", default="dist", help="where `assign` wrote the autograders")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds per submission, reruns included (default 300)")
    parser.add_argument("--step-timeout", type=float, default=60.0,
                        help="seconds per cell and per question's tests (default 60)")


def main(argv: list[str] | None = None) -> int:
    """The command line; a user mistake (missing file, unknown day, no autograder) prints one line, exit 2."""
    from course_lib.sandbox import SandboxUnavailable

    try:
        return _main(argv)
    except (FileNotFoundError, NotADirectoryError, ValueError, SandboxUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.grading", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("assign", help="build student notebooks and autograders into dist/")
    p.add_argument("notebooks", nargs="*", help="master notebooks (default: every day with exercises)")
    p.add_argument("--out", default="dist")
    p = commands.add_parser("grade", help="grade a learner's notebook in the sandbox; print JSON scores")
    p.add_argument("submission")
    _grading_options(p)
    p.add_argument("--log", help="write the run's output here")
    p = commands.add_parser("grade-class", help="grade a folder of submissions (sandboxed) into a gradebook")
    p.add_argument("folder")
    p.add_argument("--out", default="gradebook", help="folder for gradebook.csv, gradebook.json and logs/")
    p.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    _grading_options(p)
    p = commands.add_parser("selfcheck", help="masters get full marks, untouched students get zero")
    p.add_argument("notebooks", nargs="*")
    p = commands.add_parser("tag", help="set book tags (hide solutions, remove hidden tests)")
    p.add_argument("notebooks", nargs="*")
    p.add_argument("--check", action="store_true", help="only report; exit 1 if tags are out of date")
    args = parser.parse_args(argv)

    missing = [n for n in getattr(args, "notebooks", []) if not Path(n).is_file()]
    if missing:
        raise FileNotFoundError(f"no notebook at {Path(missing[0]).resolve()}")
    notebooks = [Path(n) for n in getattr(args, "notebooks", [])] or master_notebooks()
    if args.command == "assign":
        for nb in notebooks:
            print(f"{nb.stem}: {assign(nb, args.out)}")
    elif args.command == "grade":
        result = grade(args.submission, args.day, args.dist, args.timeout, args.step_timeout, args.log)
        print(result.to_json())
        return 0 if result.status in ("graded", "timed out") else 1
    elif args.command == "grade-class":
        rows = grade_class(args.folder, args.out, args.jobs, args.day, args.dist, args.timeout,
                           args.step_timeout)
        for row in rows:
            print(f"{row.student}\t{row.day or '-'}\t{row.status}\t{row.score:g}/{row.max_score:g}\t"
                  f"{row.seconds:.1f} s")
        out = Path(args.out)
        print(f"{len(rows)} submission(s): {out / 'gradebook.csv'}, {out / 'gradebook.json'}, {out / 'logs'}/")
    elif args.command == "selfcheck":
        problems = [p for nb in notebooks for p in selfcheck(nb)]
        print("\n".join(problems) or f"selfcheck: {len(notebooks)} day(s) OK")
        return 1 if problems else 0
    elif args.command == "tag":
        changes = [c for nb in notebooks for c in tag_cells(nb, check=args.check)]
        print("\n".join(changes) or "tags up to date")
        return 1 if (changes and args.check) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
