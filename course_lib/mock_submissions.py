"""Made-up submissions of Day 1, good and bad, to test and benchmark the grader.

Built from the real notebooks: the handed-out student notebook with the master's solutions
filled in, then broken in one way per :data:`KINDS` (a syntax error, an endless loop, an
escape attempt, tampering with the tests...). :data:`EXPECTED` says what an honest grader must
give each kind, so tests and ``benchmarks/bench_grading.py`` check the same table.

Example:
    >>> EXPECTED["syntax_error"]
    ('graded', 7.0)
    >>> notebook = make_submission("solved", "notebooks/day01_tokens.ipynb",
    ...                            "dist/day01_tokens/student/day01_tokens.ipynb")  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path

from course_lib.grading import _source

__all__ = ["KINDS", "EXPECTED", "solutions", "make_submission", "write_submission"]

_MARK = "{marker}"  # replaced by a host path that the sandbox must not be able to touch

#: kind -> (status, total score out of 9) for Day 1 (q1 2, q2 2, q3 3, q4 2 points).
EXPECTED: dict[str, tuple[str, float | None]] = {
    "solved": ("graded", 9.0),
    "untouched": ("graded", 0.0),
    "syntax_error": ("graded", 7.0),             # q1's cell does not parse
    "infinite_loop": ("timed out", 7.0),         # q2's function never returns
    "stubborn_loop": ("timed out", 7.0),         # q2 loops and swallows the interrupt: sandbox killed, rerun
    "exception": ("graded", 6.0),                # q3's cell raises before defining the function
    "sys_exit": ("graded", 7.0),                 # q4's cell calls sys.exit
    "os_exit": ("graded", 7.0),                  # q4's cell ends the process with os._exit: rerun without it
    "os_system": ("graded", 9.0),                # shell command writing to the host
    "write_outside": ("graded", 9.0),            # writes to the host, the package's tests, the repository
    "network": ("graded", 9.0),                  # removes the offline guard and connects out
    "memory_bomb": ("graded", 9.0),
    "fork_bomb": ("graded", 9.0),
    "edit_tests": ("graded", 7.0),               # q1 unanswered; rewrites every test file it can see
    "redefine_builtins": ("graded", 7 + 2 / 3),  # q1 ignores min_frequency (right on 1 of q1's 3 cases);
                                                 # patches max() so that the hidden test would pass
    "patch_module": ("graded", 7.0),             # q4 wrong; patches math.isclose
    "patch_grader": ("graded", 7.0),             # q1 unanswered; patches otter and doctest to pass everything
    "redefine_check": ("graded", 7.0),           # q1 unanswered; grader.check always says "passed"
    "delete_tests": ("graded", 7.0),             # q1 unanswered; its check cell and statement removed
    "corrupt_json": ("not a notebook", None),
    "other_day": ("wrong day", None),
}
KINDS = tuple(EXPECTED)


def _code(text: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": [], "execution_count": None}


def solutions(master: str | Path) -> list[str]:
    """The solution cells of a master notebook, in order, without otter's solution markers."""
    found, inside = [], False
    for cell in json.loads(Path(master).read_text(encoding="utf-8"))["cells"]:
        marker = _source(cell).strip().upper()
        if cell["cell_type"] == "raw" and marker.startswith("# BEGIN SOLUTION"):
            inside = True
        elif cell["cell_type"] == "raw" and marker.startswith("# END SOLUTION"):
            inside = False
        elif inside and cell["cell_type"] == "code":
            lines = _source(cell).splitlines()
            markers = ("# BEGIN SOLUTION", "# END SOLUTION")
            found.append("\n".join(line for line in lines if line.strip() not in markers))
    return found


def _answer_cells(notebook: dict) -> list[dict]:
    return [c for c in notebook["cells"] if "otter_answer_cell" in c.get("metadata", {}).get("tags", [])]


_ESCAPES = {
    "os_system": 'import os\nos.system("id > {marker}/os_system.txt; touch {marker}/os_system_touch")',
    "write_outside": ('import pathlib, course_lib\n'
                      'for target in ["{marker}/written.txt", pathlib.Path.home() / "written.txt",\n'
                      '               pathlib.Path(course_lib.__file__).parent / "written.txt"]:\n'
                      '    try:\n        pathlib.Path(target).write_text("escaped")\n'
                      '    except OSError as error:\n        print("blocked:", error)\n'
                      'pathlib.Path("{marker}/written.txt").write_text("escaped")'),
    "network": ('from course_lib import offline\noffline.uninstall()\nimport socket\n'
                'socket.create_connection(("1.1.1.1", 53), timeout=5)'),
    "memory_bomb": "hog = [0] * (8 * 1024 ** 3)  # 64 GiB of pointers",
    "fork_bomb": ('import os, time\nchildren = 0\nwhile True:\n    if os.fork() == 0:\n        time.sleep(600)\n'
                  '        os._exit(0)\n    children += 1'),
    "edit_tests": ('import pathlib, course_lib\n'
                   'fake = "OK_FORMAT = True\\ntest = {\'name\': \'q1\', \'points\': 2, \'suites\': []}\\n"\n'
                   'for folder in [pathlib.Path("tests"), pathlib.Path(course_lib.__file__).parent / "exercise_tests"\n'
                   '               / "day01_tokens", pathlib.Path("/grader/tests")]:\n'
                   '    for name in ("q1.py",):\n'
                   '        try:\n            folder.mkdir(exist_ok=True)\n'
                   '            (folder / name).write_text(fake)\n'
                   '        except OSError as error:\n            print("blocked:", error)'),
    "redefine_builtins": "import builtins\nbuiltins.max = lambda *args, **kwargs: 0",
    "patch_module": "import math\nmath.isclose = lambda *args, **kwargs: True",
    "patch_grader": ("import doctest\nimport otter.test_files.ok_test as ok_test\n"
                     "ok_test.run_doctest = lambda *args, **kwargs: (True, '')\n"
                     "doctest.DocTestRunner.run = lambda self, *args, **kwargs: doctest.TestResults(0, 0)"),
    "redefine_check": "grader.check = lambda *args, **kwargs: 'q1 results: All test cases passed!'",
}


def make_submission(kind: str, master: str | Path, student: str | Path, marker: str | Path = "/nonexistent",
                    other_day_student: str | Path | None = None) -> dict | bytes:
    """A Day 1 submission of ``kind`` (bytes for ``corrupt_json``, else a notebook dict).

    ``marker`` is a host folder that escape attempts try to write into (it must stay empty).
    """
    if kind not in EXPECTED:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if kind == "corrupt_json":
        return Path(student).read_bytes()[:500]
    if kind == "other_day":
        if other_day_student is None:
            raise ValueError("other_day needs other_day_student: another day's student notebook")
        return json.loads(Path(other_day_student).read_text(encoding="utf-8"))
    notebook = json.loads(Path(student).read_text(encoding="utf-8"))
    if kind == "untouched":
        return notebook
    answers = _answer_cells(notebook)
    for cell, solution in zip(answers, solutions(master), strict=True):
        cell["source"] = solution
    q1, q2, q3, q4 = answers
    if kind == "syntax_error":
        q1["source"] = q1["source"].replace("counts = Counter(", "counts = Counter((", 1)
    elif kind in ("infinite_loop", "stubborn_loop"):
        loop = ("    while True:\n        pass\n" if kind == "infinite_loop" else
                "    while True:\n        try:\n            while True:\n                pass\n"
                "        except BaseException:\n            pass\n")
        q2["source"] = q2["source"].replace('"""\n', '"""\n' + loop, 1)
    elif kind == "exception":
        q3["source"] = 'raise RuntimeError("not finished yet")\n' + q3["source"]
    elif kind == "sys_exit":
        q4["source"] = 'import sys\nsys.exit("stop here")\n' + q4["source"]
    elif kind == "os_exit":
        q4["source"] = "import os\nos._exit(3)\n" + q4["source"]
    elif kind in ("edit_tests", "patch_grader", "redefine_check", "delete_tests"):
        q1["source"] = "def build_char_vocabulary(texts, min_frequency=1):\n    ...\n"
    elif kind == "redefine_builtins":  # ignores min_frequency: right only on the case that keeps the default
        q1["source"] = ("def build_char_vocabulary(texts, min_frequency=1):\n"
                        "    counts = Counter(ch for text in texts for ch in text)\n"
                        "    return list(SPECIAL_TOKENS) + sorted(counts, key=lambda ch: (-counts[ch], ch))\n")
    elif kind == "patch_module":
        q4["source"] = "def conversation_cost(user_tokens, reply_tokens, usd_in, usd_out):\n    return 0.0\n"
    if kind == "delete_tests":
        cells = notebook["cells"]
        check = next(i for i, c in enumerate(cells) if 'grader.check("q1")' in _source(c))
        del cells[check]
        cells[check - 2]["source"] = "### Exercise 1 (I removed the statement)"
    if kind in _ESCAPES:
        notebook["cells"].append(_code(_ESCAPES[kind].replace(_MARK, str(marker))))
    return notebook


def write_submission(path: str | Path, submission: dict | bytes) -> Path:
    """Write what :func:`make_submission` made to ``path``."""
    path = Path(path)
    data = submission if isinstance(submission, bytes) else json.dumps(submission, indent=1).encode()
    path.write_bytes(data)
    return path
