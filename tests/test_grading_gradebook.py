"""The gradebook's pieces without a sandbox: day detection, notebook checks, read-only cell
checksums, question regions, the runner's tamper snapshot, limits and the bwrap command line."""

import builtins
import doctest
import json
import math
import random

import pytest

from course_lib import gradebook, mock_submissions, sandbox
from course_lib.grade_runner import _imported_modules, _Snapshot


def cell(kind, text, **metadata):
    return {"cell_type": kind, "metadata": metadata, "source": text, **({"outputs": []} if kind == "code" else {})}


@pytest.mark.parametrize("notebook, name, expected", [
    ({"metadata": {"otter": {"assignment_name": "day03_x"}}, "cells": []}, "alice.ipynb", "day03_x"),
    ({"metadata": {}, "cells": [cell("raw", "# ASSIGNMENT CONFIG\nname: day04_y\n")]}, "bob.ipynb", "day04_y"),
    ({"metadata": {}, "cells": []}, "day05_z.ipynb", "day05_z"),
    ({"metadata": {"otter": {"assignment_name": "../etc"}}, "cells": []}, "carol.ipynb", None),
    ({"metadata": {}, "cells": []}, "final (1).ipynb", None),
])
def test_detect_day_prefers_metadata_then_config_then_file_name(notebook, name, expected):
    assert gradebook.detect_day(notebook, name) == expected


@pytest.mark.parametrize("content, reason", [(b"{\"cells\": [", "invalid JSON"), (b"\xff\xfe", "invalid JSON"),
                                              (b"[1, 2]", "no list of cells"), (b'{"cells": [{"x": 1}]}', "no list"),
                                              (b'{"cells": [{"cell_type": "code", "source": [1]}]}', "cell 1 has no text")])
def test_load_notebook_names_what_is_wrong(tmp_path, content, reason):
    path = tmp_path / "n.ipynb"
    path.write_bytes(content)
    with pytest.raises(gradebook.NotANotebook, match=reason):
        gradebook.load_notebook(path)


def test_read_only_cells_must_survive_in_order_but_learners_may_add_cells():
    rng = random.Random(7)
    locked = [cell(rng.choice(["code", "markdown"]), f"locked {i}", editable=False) for i in range(6)]
    free = [cell("code", f"answer {i}") for i in range(6)]
    pristine = {"cells": [c for pair in zip(locked, free) for c in pair]}
    ok = {"cells": [c for pair in zip(locked, free) for c in (*pair, cell("code", "print('mine')"))]}
    assert gradebook.read_only_cell_changes(pristine, ok) == []
    for victim in rng.sample(range(6), 3):
        edited = json.loads(json.dumps(ok))
        edited["cells"][3 * victim]["source"] += " changed"
        assert gradebook.read_only_cell_changes(pristine, edited) == [
            f"read-only cell {2 * victim + 1} ({locked[victim]['cell_type']}: locked {victim}) was changed or deleted"]
    swapped = {"cells": [locked[1], locked[0], *locked[2:]]}
    assert len(gradebook.read_only_cell_changes(pristine, swapped)) == 1  # order matters
    spaced = {"cells": [dict(c, source=c["source"] + "  \n") for c in locked]}
    assert gradebook.read_only_cell_changes(pristine, spaced) == []  # trailing blanks are not edits


def test_regions_give_each_question_its_cells_up_to_its_check():
    cells = [cell("code", "setup"), cell("markdown", "## Exercises"), cell("markdown", "Q1"),
             cell("code", "answer 1"), cell("code", "scratch"), cell("code", 'grader.check("q1")'),
             cell("markdown", "Q2"), cell("code", "answer 2"), cell("code", "grader.check('q2')"),
             cell("code", "after")]
    assert gradebook._regions(cells, ["q1", "q2"]) == {3: "q1", 4: "q1", 5: "q1", 6: "q2", 7: "q2", 8: "q2"}
    assert gradebook._regions(cells, ["q2"]) == {7: "q2", 8: "q2"}  # from the last text cell before its check


def test_imported_modules_reads_doctests():
    code = ">>> import math, os.path\n>>> from course_lib import corpus\n>>> from . import x\n>>> if 1:\n...     import re\n"
    assert _imported_modules(code) == {"math", "os.path", "course_lib", "re"}
    assert _imported_modules(">>> this is not python") == set()


def test_snapshot_undoes_tampering_with_builtins_modules_and_classes():
    snapshot = _Snapshot({"math", "doctest"})
    original_run, original_isclose, original_max = doctest.DocTestRunner.run, math.isclose, max
    try:
        builtins.max = lambda *args, **kwargs: 0
        builtins.sneaky = True
        math.isclose = lambda *args, **kwargs: True
        math.extra = 1
        doctest.DocTestRunner.run = lambda self, *args, **kwargs: doctest.TestResults(0, 0)
        namespace = snapshot.namespace({"answer": 42, "_private": 1})
        snapshot.restore()
        assert builtins.max is original_max and not hasattr(builtins, "sneaky")
        assert math.isclose is original_isclose and not hasattr(math, "extra")
        assert doctest.DocTestRunner.run is original_run
        assert namespace["answer"] == 42 and "_private" not in namespace
        assert namespace["__builtins__"]["max"] is original_max
    finally:
        builtins.max, math.isclose, doctest.DocTestRunner.run = original_max, original_isclose, original_run
        for module, name in ((builtins, "sneaky"), (math, "extra")):
            if hasattr(module, name):
                delattr(module, name)


@pytest.mark.parametrize("field, bad", [("memory_mb", 0), ("max_processes", -1), ("file_mb", 1.5), ("tmp_mb", None)])
def test_limits_reject_nonsense(field, bad):
    with pytest.raises(ValueError, match=f"Limits.{field}"):
        sandbox.Limits(**{field: bad})


def test_grade_options_and_submission_kinds_reject_nonsense():
    with pytest.raises(ValueError, match="step_timeout"):
        gradebook.GradeOptions(step_timeout=0)
    with pytest.raises(ValueError, match="kind must be one of"):
        mock_submissions.make_submission("sneaky", "a", "b")


@pytest.mark.skipif(sandbox.bwrap_path() is None, reason="bubblewrap is not installed")
def test_sandboxed_command_isolates_everything_and_binds_read_only():
    limits = sandbox.Limits(tmp_mb=32)
    command = sandbox.sandboxed_command(["python"], limits, ro_binds={"/host/tests": "/grader/tests"})
    assert "--unshare-all" in command and "--share-net" not in command and "--die-with-parent" in command
    assert command[command.index("--cap-drop") + 1] == "ALL"
    binds = [command[i + 1] for i, arg in enumerate(command) if arg == "--bind"]
    assert binds == [], "nothing of the host is mounted writable"
    assert command[command.index("/host/tests") - 1] == "--ro-bind"
    assert command.count(str(32 * 1024 * 1024)) == 2 and command[-2:] == ["--", "python"]
    wrapped = sandbox.limited_command(command, limits)
    assert wrapped[0] == "prlimit" and f"--as={4096 * 1024 * 1024}" in wrapped and "--core=0" in wrapped


def test_expected_table_covers_the_issue():
    assert {"solved", "syntax_error", "infinite_loop", "exception", "sys_exit", "os_system", "write_outside",
            "network", "memory_bomb", "edit_tests", "redefine_builtins", "redefine_check", "delete_tests",
            "corrupt_json", "other_day"} <= set(mock_submissions.KINDS)
    assert set(gradebook.STATUSES) >= {status for status, _ in mock_submissions.EXPECTED.values()}


def test_rows_that_need_no_sandbox(tmp_path):
    def write(name, metadata):
        path = tmp_path / name
        path.write_text(json.dumps({"cells": [cell("code", "x = 1")], "metadata": metadata}))
        return path

    options = gradebook.GradeOptions(dist=tmp_path / "dist")
    nameless = gradebook.grade_submission(write("final.ipynb", {}), options=options)
    assert (nameless.status, nameless.day) == ("unknown day", None) and "--day" in nameless.messages[0]
    other = gradebook.grade_submission(write("a.ipynb", {"otter": {"assignment_name": "day02_bpe"}}), "day01_tokens",
                                       options)
    assert (other.status, other.day) == ("wrong day", "day02_bpe")
    missing = gradebook.grade_submission(write("b.ipynb", {}), "day01_tokens", options)
    assert missing.status == "no autograder" and "grading assign notebooks/day01_tokens.ipynb" in missing.messages[0]
    rows = [nameless, other, missing]
    csv_path, json_path = gradebook.write_gradebook(rows, tmp_path / "book")
    assert [r["status"] for r in json.loads(json_path.read_text())] == ["unknown day", "wrong day", "no autograder"]
    assert csv_path.read_text().splitlines()[0].startswith("student,day,status,score,max_score,seconds,messages")
