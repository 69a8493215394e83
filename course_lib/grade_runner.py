"""Runs one submission inside the sandbox: its cells one by one, then each question's tests.

Started by :mod:`course_lib.gradebook` as ``python -I -m course_lib.grade_runner PLAN.json``
inside bubblewrap; never run it on a notebook outside the sandbox. The plan names the
notebook, the autograder's test files (a read-only copy from the autograder zip), the time
limit of a step, and the steps to skip (a cell or a question whose earlier run had to be
killed). Progress goes to file descriptor ``plan["fd"]`` as JSON lines:
``{"event": "start", "step": "cell:12"}``, then ``{"event": "end", "step": ..., ...}``, so
that the grader knows which step was running if it must kill the sandbox.

Honest marks: the tests are read and parsed, and the modules they import are imported and
snapshotted, *before* any learner code runs. Before each question's tests the built-ins and
those modules are restored from the snapshot, and the tests run in a fresh namespace (the
learner's names plus pristine built-ins), so redefining ``len``, ``math.isclose``,
``grader.check`` or the test files changes nothing. A learner who attacks this process itself
(frame or gc introspection, ctypes) is outside what an in-process runner can stop; the
grader flags such code for the instructor to read.

Example:
    >>> sorted(_imported_modules(">>> import math\\n>>> from course_lib.corpus import course_corpus\\n"))
    ['course_lib.corpus', 'math']
"""

from __future__ import annotations

import ast
import builtins
import json
import os
import signal
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

__all__ = ["StepTimeout", "main"]


class StepTimeout(BaseException):
    """Raised in the learner's code when a cell or a question's tests exceed the time limit."""


class _Alarm:
    """SIGALRM as a step time limit; after it fires once it keeps firing, so loops that catch it still end."""

    def __init__(self) -> None:
        self.armed = False
        self.fired = False

    def _handler(self, signum: int, frame: Any) -> None:
        if self.armed:
            self.fired = True
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            raise StepTimeout("time limit")

    def arm(self, seconds: float) -> None:
        signal.signal(signal.SIGALRM, self._handler)
        self.fired = False
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, seconds)

    def disarm(self) -> None:
        self.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)


def _imported_modules(doctest_code: str) -> set[str]:
    """Names of the modules a doctest imports (so that they can be imported and snapshotted first)."""
    lines = [line[4:] for line in doctest_code.splitlines() if line.startswith((">>> ", "... "))]
    try:
        tree = ast.parse(textwrap.dedent("\n".join(lines)))
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _load_tests(folder: Path) -> dict[str, Any]:
    """The autograder's test files, parsed by otter, keyed by question name."""
    from otter.test_files.ok_test import OKTestFile

    tests = {}
    for path in sorted(folder.glob("*.py")):
        spec: dict[str, Any] = {}
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), spec)  # the instructor's own files
        tests[spec["test"]["name"]] = OKTestFile.from_spec(spec["test"], path=str(path))
    return tests


#: Modules the grading itself relies on: restored before every question's tests too.
_GRADER_MODULES = {"math", "random", "doctest", "otter.test_files.ok_test", "otter.test_files.abstract_test"}


class _Snapshot:
    """Built-ins and the tests' modules as they were before the learner's code ran."""

    def __init__(self, module_names: set[str]) -> None:
        import importlib

        for name in sorted(module_names):
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a test importing a missing module fails on its own
                pass
        self.builtins = dict(vars(builtins))
        self.modules = {name: mod for name, mod in sys.modules.items() if name in module_names}
        self.module_dicts = {name: dict(vars(mod)) for name, mod in self.modules.items()}
        self.classes = {cls: dict(vars(cls)) for name, mod in self.modules.items()
                        for cls in vars(mod).values()
                        if isinstance(cls, type) and getattr(cls, "__module__", None) == name}
        self.stdout, self.stderr = sys.stdout, sys.stderr

    def restore(self) -> None:
        namespace = builtins.__dict__  # taken before clear(): vars() itself is a built-in
        namespace.clear()
        namespace.update(self.builtins)
        for name, module in self.modules.items():
            sys.modules[name] = module
            attributes = vars(module)
            for key in [k for k in attributes if k not in self.module_dicts[name]]:
                del attributes[key]
            attributes.update(self.module_dicts[name])
        for cls, saved in self.classes.items():
            for key in [k for k in vars(cls) if k not in saved]:
                delattr(cls, key)
            for key, value in saved.items():
                if key not in ("__dict__", "__weakref__") and vars(cls).get(key) is not value:
                    setattr(cls, key, value)
        sys.stdout, sys.stderr = self.stdout, self.stderr

    def namespace(self, learner: dict[str, Any]) -> dict[str, Any]:
        """A fresh namespace for tests: the learner's public names, pristine built-ins."""
        names = {k: v for k, v in learner.items() if not k.startswith("_")}
        return {**names, "__builtins__": dict(self.builtins), "__name__": "__main__"}


def _error_line(error: BaseException) -> str:
    """The last line of a traceback: ``SyntaxError: invalid syntax (line 3)``."""
    if isinstance(error, SyntaxError):
        return f"{type(error).__name__}: {error.msg} (line {error.lineno})"
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[-1]}" if text else type(error).__name__


def _run_cells(cells: list[dict], plan: dict, emit, alarm: _Alarm) -> dict[str, Any]:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="NoColor")
    skip = set(plan["skip"])
    for index, cell in enumerate(cells):
        step = f"cell:{index}"
        if cell.get("cell_type") != "code" or step in skip:
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        emit({"event": "start", "step": step})
        started = time.monotonic()
        error: BaseException | None = None
        try:
            try:
                alarm.arm(plan["step_timeout"])
                result = shell.run_cell(source, store_history=False)
                error = result.error_before_exec or result.error_in_exec
            finally:
                alarm.disarm()
        except StepTimeout as timeout:
            error = timeout
        except BaseException as other:  # noqa: BLE001 - learner code may raise anything
            error = other
        timed_out = alarm.fired or isinstance(error, StepTimeout)
        status = "timeout" if timed_out else ("error" if error else "ok")
        emit({"event": "end", "step": step, "status": status,
              "error": None if error is None or timed_out else _error_line(error),
              "seconds": round(time.monotonic() - started, 3)})
    return shell.user_ns


def _run_tests(tests: dict[str, Any], learner: dict[str, Any], snapshot: _Snapshot, plan: dict, emit,
               alarm: _Alarm) -> None:
    skip = set(plan["skip"])
    for name, test_file in tests.items():
        step = f"test:{name}"
        if step in skip:
            continue
        snapshot.restore()
        emit({"event": "start", "step": step})
        started = time.monotonic()
        crashed = None
        try:
            try:
                alarm.arm(plan["step_timeout"])
                test_file.run(snapshot.namespace(learner))
            finally:
                alarm.disarm()
        except BaseException as error:  # noqa: BLE001
            crashed = error
        snapshot.restore()
        timed_out = alarm.fired or isinstance(crashed, StepTimeout)
        results = getattr(test_file, "test_case_results", []) if crashed is None and not timed_out else []
        failed = [r.test_case.failure_message for r in results
                  if not r.passed and r.test_case.failure_message]
        status = "timeout" if timed_out else ("error" if crashed else "ok")
        emit({"event": "end", "step": step, "status": status,
              "score": 0.0 if (timed_out or crashed) else float(test_file.score),
              "max_score": float(test_file.possible), "hints": list(dict.fromkeys(failed)),
              "error": None if crashed is None or timed_out else _error_line(crashed),
              "seconds": round(time.monotonic() - started, 3)})


def main(argv: list[str] | None = None) -> int:
    plan = json.loads(Path((argv or sys.argv[1:])[0]).read_text(encoding="utf-8"))
    channel = os.fdopen(plan["fd"], "w", buffering=1, encoding="utf-8")

    def emit(event: dict) -> None:
        for stream in (sys.__stdout__, sys.__stderr__):  # the log is complete even if the sandbox is killed
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        channel.write(json.dumps(event) + "\n")
        channel.flush()

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a huge print fails with EFBIG instead of killing us
    from course_lib import offline

    offline.install()  # defence in depth: the sandbox has no network anyway
    tests = _load_tests(Path(plan["tests"]))
    modules = set().union(*(_imported_modules(case.body) for t in tests.values() for case in t.test_cases))
    snapshot = _Snapshot(modules | _GRADER_MODULES)
    cells = json.loads(Path(plan["notebook"]).read_text(encoding="utf-8"))["cells"]
    alarm = _Alarm()
    emit({"event": "ready"})
    learner = _run_cells(cells, plan, emit, alarm)
    _run_tests(tests, learner, snapshot, plan, emit, alarm)
    emit({"event": "done"})
    channel.close()
    os._exit(0)  # skip atexit handlers and threads the learner may have left behind


if __name__ == "__main__":
    sys.exit(main())
