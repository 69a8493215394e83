"""Grading submissions in the sandbox, one notebook or a whole class, into a gradebook.

:func:`grade_submission` grades one notebook: it finds the day in the notebook's metadata
(file names are whatever learners chose), runs the notebook cell by cell and then each
question's hidden tests inside :mod:`course_lib.sandbox` (see :mod:`course_lib.grade_runner`),
with a time limit per step and per submission, and turns what happened into a
:class:`SubmissionResult`: a score per question, messages a learner can act on (which cell
did not run, the error's last line, then the question's hints) and flags for the instructor
(read-only cells changed or deleted, code that pokes at the grader). :func:`grade_class`
grades a folder in parallel and writes ``gradebook.csv``, ``gradebook.json`` and a log per
submission.

A step that exceeds its limit is stopped and scores zero for its question; if the learner's
code will not stop (it catches the interrupt, or sits in C code), the sandbox is killed and
run again without that step, so a loop in one answer never costs the others.

Example:
    >>> detect_day({"metadata": {"otter": {"assignment_name": "day01_tokens"}}, "cells": []}, "alice.ipynb")
    'day01_tokens'
    >>> grade_class("submissions/", "gradebook/", jobs=2)  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from course_lib.grading import _DAY_NAME, _source
from course_lib.sandbox import WORKDIR, Limits, PidsCgroup, limited_command, sandbox_env, sandboxed_command

__all__ = ["GradeOptions", "SubmissionResult", "STATUSES", "detect_day", "grade_submission", "grade_class",
           "write_gradebook", "read_only_cell_changes", "autograder_zip"]

_CHECK = re.compile(r"""grader\.check\(\s*["'](q[\w-]+)["']\s*\)""")
#: Code that reaches for the grader's own process; flagged for the instructor to read.
_SUSPICIOUS = re.compile(r"/proc/self|\b(?:ctypes|gc\.get_objects|gc\.get_referrers|sys\._getframe|inspect\.stack|"
                         r"__main__|sys\.modules|builtins|__builtins__|signal\.|os\.fdopen|os\.write|f_back|"
                         r"f_globals|setitimer|grade_runner|otter|doctest|grader\.\w+\s*=)")
STATUSES = ("graded", "timed out", "failed to run", "not a notebook", "unknown day", "wrong day",
            "no autograder")
_GRACE_S = 5.0       # after a step's limit, the time the runner gets to stop it before the sandbox is killed
_STARTUP_S = 120.0   # to start Python, import otter and parse the tests
_MAX_RUNS = 4        # a sandbox run per step that had to be killed, at most


@dataclass(frozen=True)
class GradeOptions:
    """How to grade: where the autograders are, time limits (s) and sandbox limits."""

    dist: str | Path = "dist"
    timeout: float = 300.0      # a whole submission, all runs together
    step_timeout: float = 60.0  # one cell, or one question's tests
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self) -> None:
        for name in ("timeout", "step_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"GradeOptions.{name} must be a positive number of seconds, got {value!r}")


@dataclass
class SubmissionResult:
    """One gradebook row: who, which day, the score of each question, messages and status."""

    student: str
    file: str
    status: str
    day: str | None = None
    score: float = 0.0
    max_score: float = 0.0
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


# --------------------------------------------------------------------------- reading submissions

class NotANotebook(ValueError):
    """The file is not a Jupyter notebook (not JSON, or no list of cells)."""


def load_notebook(path: str | Path) -> dict:
    """The notebook at ``path`` as a dict; :class:`NotANotebook` names what is wrong."""
    try:
        notebook = json.loads(Path(path).read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NotANotebook(f"{Path(path).name} is not a notebook: invalid JSON ({error})") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) and "cell_type" in c for c in cells):
        raise NotANotebook(f"{Path(path).name} is not a notebook: no list of cells (nbformat 4 expected)")
    for index, cell in enumerate(cells):
        source = cell.get("source", "")
        text = isinstance(source, str) or (isinstance(source, list) and all(isinstance(s, str) for s in source))
        if not text:
            raise NotANotebook(f"{Path(path).name} is not a notebook: cell {index + 1} has no text source")
        if not isinstance(cell.get("metadata", {}), dict):
            raise NotANotebook(f"{Path(path).name} is not a notebook: cell {index + 1} has bad metadata")
    if not isinstance(notebook.get("metadata", {}), dict):
        raise NotANotebook(f"{Path(path).name} is not a notebook: bad metadata")
    return notebook


def detect_day(notebook: dict, path: str | Path) -> str | None:
    """The day a notebook belongs to: otter's metadata, the ASSIGNMENT CONFIG cell, else the file name."""
    name = ((notebook.get("metadata") or {}).get("otter") or {}).get("assignment_name")
    if isinstance(name, str) and _DAY_NAME.match(name):
        return name
    for cell in notebook.get("cells", []):
        text = _source(cell).strip()
        if cell.get("cell_type") == "raw" and text.upper().startswith("# ASSIGNMENT CONFIG"):
            found = re.search(r"^name:\s*(\S+)", text, re.MULTILINE)
            if found and _DAY_NAME.match(found.group(1)):
                return found.group(1)
    stem = Path(path).stem
    return stem if _DAY_NAME.match(stem) else None


def autograder_zip(day: str, dist: str | Path) -> Path:
    """Where ``python -m course_lib.grading assign`` puts the autograder of ``day``."""
    return Path(dist).resolve() / day / "autograder" / f"{day}-autograder.zip"


def _checksum(cell: dict) -> str:
    text = "\n".join(line.rstrip() for line in _source(cell).strip().splitlines())
    return hashlib.sha256(f"{cell.get('cell_type')}\n{text}".encode()).hexdigest()


def read_only_cell_changes(pristine: dict, submission: dict) -> list[str]:
    """nbgrader-style check: each read-only cell of the handed-out notebook (otter marks them
    ``editable: false``) must appear, unchanged and in order, in the submission.

    Example:
        >>> locked = {"cell_type": "code", "source": "grader.check('q1')", "metadata": {"editable": False}}
        >>> read_only_cell_changes({"cells": [locked]}, {"cells": [dict(locked, source="pass")]})
        ["read-only cell 1 (code: grader.check('q1')) was changed or deleted"]
    """
    wanted = [(i, c) for i, c in enumerate(pristine["cells"])
              if (c.get("metadata") or {}).get("editable") is False]
    have = [_checksum(c) for c in submission["cells"]]
    changes, position = [], 0
    for index, cell in wanted:
        digest = _checksum(cell)
        try:
            position = have.index(digest, position) + 1
        except ValueError:
            first = _source(cell).strip().splitlines()[0][:50] if _source(cell).strip() else ""
            changes.append(f"read-only cell {index + 1} ({cell.get('cell_type')}: {first}) "
                           "was changed or deleted")
    return changes


# --------------------------------------------------------------------------- one sandbox run

def _read_events(process: subprocess.Popen, fd: int, options: GradeOptions, deadline: float, log
                 ) -> tuple[dict[str, dict], str | None, str]:
    """Events of one run: (ends by step, the step running when it stopped, how it stopped)."""
    ends: dict[str, dict] = {}
    running: str | None = None
    started = time.monotonic()
    step_deadline = started + _STARTUP_S
    buffer = b""
    while True:
        now = time.monotonic()
        limit = min(step_deadline, deadline)
        if now >= limit:
            return ends, running, "total" if deadline <= step_deadline else "killed"
        ready, _, _ = select.select([fd], [], [], min(1.0, limit - now))
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            process.wait()
            return ends, running, "exited"
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(event, dict):
                continue
            kind = event.get("event")
            if kind == "start":
                running = str(event.get("step"))
                step_deadline = time.monotonic() + options.step_timeout + _GRACE_S
            elif kind == "end":
                ends[str(event.get("step"))] = event
                log.write(f"[grader] {event.get('step')}: {event.get('status')} "
                          f"in {event.get('seconds')} s\n".encode())
                running = None
                step_deadline = time.monotonic() + options.step_timeout + _GRACE_S
            elif kind == "ready":
                step_deadline = time.monotonic() + options.step_timeout + _GRACE_S
            elif kind == "done":
                process.wait()
                return ends, None, "done"


def _run_once(notebook: Path, tests: Path, day: str, skip: list[str], options: GradeOptions, log,
              deadline: float) -> tuple[dict[str, dict], str | None, str]:
    read_fd, write_fd = os.pipe()
    with tempfile.TemporaryDirectory(prefix="course_grading_") as tmp:
        plan = Path(tmp) / "plan.json"
        plan.write_text(json.dumps({"notebook": f"{WORKDIR}/{day}.ipynb", "tests": "/grader/tests",
                                    "step_timeout": options.step_timeout, "skip": skip, "fd": write_fd}))
        binds = {str(plan): "/grader/plan.json", str(tests): "/grader/tests", str(notebook): f"{WORKDIR}/{day}.ipynb"}
        command = sandboxed_command([sys.executable, "-I", "-m", "course_lib.grade_runner", "/grader/plan.json"],
                                    options.limits, ro_binds=binds)
        cgroup = PidsCgroup(options.limits.max_processes) if os.getuid() == 0 else None
        if cgroup is not None and cgroup.path is None:
            log.write(b"[grader] running as root and no pids cgroup could be made: no limit on processes\n")
        try:
            try:
                process = subprocess.Popen(limited_command(command, options.limits, cgroup),
                                           stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                           env=sandbox_env(), pass_fds=(write_fd,), start_new_session=True)
            finally:
                os.close(write_fd)
            try:
                ends, running, how = _read_events(process, read_fd, options, deadline, log)
            finally:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        finally:
            os.close(read_fd)
            if cgroup is not None:
                cgroup.close()
    if how == "exited" and process.returncode:
        log.write(f"\n[grader] the sandbox exited with status {process.returncode}\n".encode())
    return ends, running, how


# --------------------------------------------------------------------------- one submission

_EXTRACTING = threading.Lock()


def _extract_tests(day: str, dist: str | Path, into: Path) -> tuple[Path, dict[str, float]]:
    """The autograder's own tests (from its zip) in ``into``, and the points of each question."""
    from otter.test_files.ok_test import OKTestFile

    folder = into / day / "tests"
    with _EXTRACTING:  # grade_class's threads share ``into``
        if not folder.is_dir():
            folder.mkdir(parents=True)
            with zipfile.ZipFile(autograder_zip(day, dist)) as archive:
                for member in archive.namelist():
                    if member.startswith("tests/") and member.endswith(".py"):
                        (folder / Path(member).name).write_bytes(archive.read(member))
    points = {}
    for path in sorted(folder.glob("*.py")):
        test = OKTestFile.from_file(str(path))
        points[test.name] = float(test.possible)
    return folder, points


def _regions(cells: list[dict], questions: list[str]) -> dict[int, str]:
    """Which question each code cell belongs to: the cells after the previous check cell (for the
    first question, after the last text cell) up to the question's ``grader.check`` cell."""
    anchors = {}
    for index, cell in enumerate(cells):
        found = _CHECK.search(_source(cell)) if cell.get("cell_type") == "code" else None
        if found and found.group(1) in questions and found.group(1) not in anchors:
            anchors[found.group(1)] = index
    owner, previous = {}, None
    for name, anchor in sorted(anchors.items(), key=lambda item: item[1]):
        start = previous
        if start is None:
            texts = [i for i in range(anchor) if cells[i].get("cell_type") == "markdown"]
            start = texts[-1] if texts else anchor - 1
        for index in range(start + 1, anchor + 1):
            owner[index] = name
        previous = anchor
    return owner


def _describe(step_end: dict, index: int, seconds: float) -> str | None:
    status = step_end.get("status")
    if status == "timeout":
        return f"cell {index + 1} timed out after {seconds:g} s and was stopped"
    if status in ("error", "killed"):
        return f"cell {index + 1} did not run: {step_end.get('error')}"
    return None


def _assemble(result: SubmissionResult, cells: list[dict], points: dict[str, float], ends: dict[str, dict],
              options: GradeOptions, stopped: str) -> None:
    owner = _regions(cells, list(points))
    for name, possible in points.items():
        end = ends.get(f"test:{name}", {"status": "not run"})
        messages = []
        for index in sorted(i for i, q in owner.items() if q == name):
            line = _describe(ends.get(f"cell:{index}", {}), index, options.step_timeout)
            if line:
                messages.append(line)
        if end.get("status") == "timeout":
            messages.append(f"the tests of {name} timed out after {options.step_timeout:g} s "
                            "(an endless loop?) and score 0")
        elif end.get("status") in ("error", "killed"):
            messages.append(f"the tests of {name} could not run: {end.get('error')}")
        elif end.get("status") == "not run":
            messages.append(f"the tests of {name} did not run: {stopped}")
        score = min(float(end.get("score") or 0.0), possible) if end.get("status") == "ok" else 0.0
        if score < possible:
            messages += [f"hint: {hint}" for hint in end.get("hints", [])]
        result.questions[name] = {"score": score, "max_score": possible, "messages": messages}
    for index, cell in enumerate(cells):
        if index not in owner:
            line = _describe(ends.get(f"cell:{index}", {}), index, options.step_timeout)
            if line:
                result.messages.append(line)
    result.score = sum(q["score"] for q in result.questions.values())
    result.max_score = sum(points.values())
    if any(e.get("status") == "timeout" for e in ends.values()):
        result.status = "timed out"
    elif any(f"test:{q}" not in ends for q in points):
        result.status = "failed to run"
    else:
        result.status = "graded"


def _student(path: Path, root: Path | None) -> str:
    relative = path.relative_to(root) if root and path.is_relative_to(root) else Path(path.name)
    return str(relative.with_suffix(""))


def grade_submission(path: str | Path, day: str | None = None, options: GradeOptions | None = None,
                     log_path: str | Path | None = None, root: Path | None = None,
                     cache: Path | None = None) -> SubmissionResult:
    """Grade one submission in the sandbox (see the module docstring); never raises for a bad submission.

    ``day`` is the day to grade against when the notebook does not say; a notebook that says
    another day gets the status ``wrong day``. ``cache`` holds extracted autograder tests.
    """
    options = options or GradeOptions()
    path = Path(path).resolve()
    started = time.monotonic()
    result = SubmissionResult(student=_student(path, root), file=str(path), status="graded")
    with tempfile.TemporaryDirectory(prefix="course_grade_") as tmp, \
            open(log_path or os.devnull, "wb", buffering=0) as log:
        try:
            _grade_into(result, path, day, options, log, Path(cache or tmp), Path(tmp))
        except Exception as error:  # noqa: BLE001 - one submission must never stop a class
            log.write(traceback.format_exc().encode())
            result.status = "failed to run"
            result.messages.append(f"the grader failed on this submission: {type(error).__name__}: {error}")
        finally:
            result.seconds = round(time.monotonic() - started, 2)
            log.write(f"\n[grader] {result.student}: {result.status}, {result.score:g}/{result.max_score:g} "
                      f"in {result.seconds:.1f} s\n".encode())
    return result


def _grade_into(result: SubmissionResult, path: Path, day: str | None, options: GradeOptions, log,
                cache: Path, tmp: Path) -> None:
    try:
        notebook = load_notebook(path)
    except (NotANotebook, OSError) as error:
        result.status, result.messages = "not a notebook", [str(error)]
        return
    found = detect_day(notebook, path)
    if found and day and found != day:
        result.day, result.status = found, "wrong day"
        result.messages = [f"this notebook is {found}, not {day}"]
        return
    result.day = found or day
    if result.day is None:
        result.status = "unknown day"
        result.messages = ["the notebook does not say which day it is: pass --day"]
        return
    if not autograder_zip(result.day, options.dist).is_file():
        result.status = "no autograder"
        result.messages = [f"no autograder at {autograder_zip(result.day, options.dist)}: "
                           f"run `python -m course_lib.grading assign notebooks/{result.day}.ipynb`"]
        return
    tests, points = _extract_tests(result.day, options.dist, cache)
    pristine = Path(options.dist).resolve() / result.day / "student" / f"{result.day}.ipynb"
    handed_out: set[str] = set()
    if pristine.is_file():
        original = load_notebook(pristine)
        result.flags += read_only_cell_changes(original, notebook)
        handed_out = {_checksum(cell) for cell in original["cells"]}
    cells = notebook["cells"]
    for index, cell in enumerate(cells):
        changed = cell.get("cell_type") == "code" and _checksum(cell) not in handed_out
        hit = _SUSPICIOUS.search(_source(cell)) if changed else None
        if hit:
            result.flags.append(f"cell {index + 1} uses {hit.group(0)!r}: read it (it may target the grader)")
    copy = tmp / "submission.ipynb"
    copy.write_text(json.dumps(notebook), encoding="utf-8")
    _execute(result, copy, tests, cells, points, options, log)


def _execute(result: SubmissionResult, copy: Path, tests: Path, cells: list[dict], points: dict[str, float],
             options: GradeOptions, log) -> None:
    deadline = time.monotonic() + options.timeout
    ends: dict[str, dict] = {}
    skip: list[str] = []
    stopped = "the grader stopped early (see the log)"
    for attempt in range(_MAX_RUNS):
        log.write(f"[grader] run {attempt + 1}, skipping {skip or 'nothing'}\n".encode())
        new, running, how = _run_once(copy, tests, result.day, skip, options, log, deadline)
        ends.update(new)
        if how == "done":
            break
        if running is None and not ends:
            result.status = "failed to run"
            result.messages.append(f"the grader could not start the notebook ({how}); see the log")
            return
        if how == "total":
            stopped = f"the submission's time limit ({options.timeout:g} s) was reached"
        if running is None or how == "total":
            if running is not None:
                ends[running] = {"status": "timeout"}
            break
        status = "timeout" if how == "killed" else "killed"
        ends[running] = {"status": status, "error": "the process ended (os._exit, a crash, a signal or "
                                                    "the memory limit)"}
        skip = sorted(set(skip) | {running} | {s for s in ends if s.startswith("test:")})
    else:
        stopped = f"the sandbox was stopped {_MAX_RUNS} times"
    _assemble(result, cells, points, ends, options, stopped)


# --------------------------------------------------------------------------- a class

_COLUMNS = ("student", "day", "status", "score", "max_score")


def write_gradebook(results: list[SubmissionResult], out: str | Path) -> tuple[Path, Path]:
    """``gradebook.csv`` (a row per submission, a column per question) and ``gradebook.json``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    questions = sorted({q for r in results for q in r.questions}, key=lambda q: (len(q), q))
    csv_path, json_path = out / "gradebook.csv", out / "gradebook.json"
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*_COLUMNS, *questions, "seconds", "messages", "flags", "file"])
        for r in results:
            scores = [r.questions[q]["score"] if q in r.questions else "" for q in questions]
            notes = r.messages + [f"{q}: {m}" for q, d in r.questions.items() for m in d["messages"]]
            writer.writerow([r.student, r.day or "", r.status, r.score, r.max_score, *scores, r.seconds,
                             " | ".join(notes), " | ".join(r.flags), r.file])
    json_path.write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    return csv_path, json_path


def grade_class(folder: str | Path, out: str | Path, jobs: int = 2, day: str | None = None,
                options: GradeOptions | None = None, progress: bool = True) -> list[SubmissionResult]:
    """Grade every ``*.ipynb`` under ``folder`` (``jobs`` at a time) into a gradebook in ``out``.

    Logs go to ``out/logs/<student>.log``. Returns the rows, sorted by student.
    """
    folder, out = Path(folder).resolve(), Path(out).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder of submissions at {folder}")
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive int, got {jobs!r}")
    files = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
                   and not p.is_relative_to(out))
    (out / "logs").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="course_grade_tests_") as cache:
        def one(path: Path) -> SubmissionResult:
            log = out / "logs" / (_student(path, folder).replace(os.sep, "__") + ".log")
            row = grade_submission(path, day, options, log, root=folder, cache=Path(cache))
            if progress:
                print(f"{row.student}: {row.status} {row.score:g}/{row.max_score:g} ({row.seconds:.1f} s)",
                      file=sys.stderr, flush=True)
            return row

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(one, files))
    write_gradebook(results, out)
    return sorted(results, key=lambda r: r.student)
