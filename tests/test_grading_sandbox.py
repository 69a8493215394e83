"""Grading a class in the sandbox: Day 1 submissions of every kind (course_lib.mock_submissions),
built from the real notebooks, graded in one `grade-class` run; each gets the expected row and
nothing escapes the sandbox. Needs bubblewrap (scripts/install_sandbox.sh); skipped without it."""

import csv
import hashlib
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib import grading, gradebook, mock_submissions, sandbox
from course_lib.mock_submissions import EXPECTED

ROOT = Path(__file__).resolve().parents[1]
DAY = "day01_tokens"
STEP_TIMEOUT = 5.0
needs_sandbox = pytest.mark.skipif(sandbox.sandbox_problem() is not None, reason=str(sandbox.sandbox_problem()))


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    for day in (DAY, "day02_bpe"):
        grading.assign(ROOT / "notebooks" / f"{day}.ipynb", out, run_tests=False, update_package=False)
    return out


@pytest.fixture(scope="module")
def graded(dist, tmp_path_factory):
    """Every kind, saved under a learner's own file name, graded by the CLI with 2 jobs."""
    folder, out = tmp_path_factory.mktemp("submissions"), tmp_path_factory.mktemp("gradebook")
    marker = tmp_path_factory.mktemp("host_marker")
    student = dist / DAY / "student" / f"{DAY}.ipynb"
    for kind in EXPECTED:
        made = mock_submissions.make_submission(kind, ROOT / "notebooks" / f"{DAY}.ipynb", student, marker,
                                                dist / "day02_bpe" / "student" / "day02_bpe.ipynb")
        mock_submissions.write_submission(folder / f"alice_{kind}.ipynb", made)
    package = Path(sandbox.__file__).parent
    before = _digest(package / "exercise_tests" / DAY)
    code = grading.main(["grade-class", str(folder), "--out", str(out), "--jobs", "2", "--day", DAY, "--dist",
                         str(dist), "--step-timeout", str(STEP_TIMEOUT), "--timeout", "120"])
    rows = {r["student"].removeprefix("alice_"): r for r in json.loads((out / "gradebook.json").read_text())}
    return {"code": code, "rows": rows, "out": out, "marker": marker, "package": package,
            "tests_before": before, "tests_after": _digest(package / "exercise_tests" / DAY)}


@needs_sandbox
@pytest.mark.parametrize("kind", list(EXPECTED))
def test_every_kind_gets_its_expected_status_and_score(graded, kind):
    row = graded["rows"][kind]
    status, score = EXPECTED[kind]
    assert row["status"] == status, row
    if score is not None:
        assert math.isclose(row["score"], score, abs_tol=1e-9), row
        assert row["max_score"] == 9.0 and row["day"] == DAY  # found in the metadata: no --day needed for Day 1


@needs_sandbox
def test_the_table_of_the_issue(graded):
    rows = graded["rows"]
    assert graded["code"] == 0
    assert rows["solved"]["score"] == 9.0 and not rows["solved"]["flags"]
    syntax = rows["syntax_error"]["questions"]["q1"]["messages"]
    assert syntax[0].startswith("cell ") and " did not run: SyntaxError: " in syntax[0], syntax
    assert any(m.startswith("hint: ") for m in syntax[1:]), "the question's hints follow the failed cell"
    loop = rows["infinite_loop"]
    assert [q for q, d in loop["questions"].items() if d["score"] == 0] == ["q2"]
    assert any("timed out" in m for m in loop["questions"]["q2"]["messages"])
    assert loop["seconds"] < 10 * STEP_TIMEOUT + 60, "the loop cost bounded time"
    stubborn = rows["stubborn_loop"]["questions"]
    assert stubborn["q3"]["score"] == 3.0 and any("timed out" in m for m in stubborn["q2"]["messages"])
    assert rows["exception"]["questions"]["q3"]["messages"][0].endswith("RuntimeError: not finished yet")
    assert rows["sys_exit"]["questions"]["q4"]["messages"][0].endswith("SystemExit: stop here")
    assert "the process ended" in rows["os_exit"]["questions"]["q4"]["messages"][0]


@needs_sandbox
def test_nothing_escapes_the_sandbox(graded):
    rows = graded["rows"]
    assert list(graded["marker"].iterdir()) == [], "os.system or a file write reached the host folder"
    assert graded["tests_before"] == graded["tests_after"], "the packaged public tests were rewritten"
    assert not (graded["package"] / "written.txt").exists() and not (Path.home() / "written.txt").exists()
    assert any("Network is unreachable" in m for m in rows["network"]["messages"]), rows["network"]
    assert any("MemoryError" in m for m in rows["memory_bomb"]["messages"]), rows["memory_bomb"]
    assert any("Resource temporarily unavailable" in m for m in rows["fork_bomb"]["messages"]), rows["fork_bomb"]
    assert not [p for p in Path("/sys/fs/cgroup").glob("*/course_grading_*")], "pids cgroups left behind"
    assert any("Read-only file system" in line or "blocked" in line
               for line in (graded["out"] / "logs" / "alice_write_outside.log").read_text().splitlines())


@needs_sandbox
def test_tampering_is_caught_and_flagged(graded):
    rows = graded["rows"]
    for kind in ("edit_tests", "patch_grader", "redefine_check", "delete_tests"):
        assert rows[kind]["questions"]["q1"]["score"] == 0.0, kind  # unanswered q1 stays at zero
    assert rows["patch_module"]["questions"]["q4"]["score"] == 0.0
    assert math.isclose(rows["redefine_builtins"]["questions"]["q1"]["score"], 2 / 3)  # only the honest edge case
    deleted = rows["delete_tests"]["flags"]
    assert any('grader.check("q1")' in f and "changed or deleted" in f for f in deleted), deleted
    assert any("Exercise 1" in f for f in deleted), deleted
    for kind in ("redefine_builtins", "patch_grader", "redefine_check"):
        assert any("read it" in f for f in rows[kind]["flags"]), (kind, rows[kind]["flags"])
    assert not rows["solved"]["flags"] and not rows["syntax_error"]["flags"]


@needs_sandbox
def test_gradebook_files_and_logs(graded):
    out = graded["out"]
    with open(out / "gradebook.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == len(EXPECTED)
    assert {"student", "day", "status", "score", "q1", "q2", "q3", "q4", "seconds", "messages", "flags"} <= set(table[0])
    by_student = {row["student"]: row for row in table}
    assert by_student["alice_syntax_error"]["q1"] == "0.0" and by_student["alice_syntax_error"]["q2"] == "2.0"
    assert by_student["alice_corrupt_json"]["status"] == "not a notebook"
    assert len(list((out / "logs").glob("*.log"))) == len(EXPECTED)
    assert "9/9" in (out / "logs" / "alice_solved.log").read_text()


@needs_sandbox
def test_sandbox_has_no_network_no_capabilities_and_a_read_only_view(tmp_path):
    probe = ("import json, os, socket\n"
             "print('uid', os.getuid())\n"
             "print('caps', open('/proc/self/status').read().split('CapEff:')[1].split()[0])\n"
             f"print('notebooks', os.path.exists({str(ROOT / 'notebooks')!r}))\n"
             f"print('home', json.dumps(os.path.isdir({str(Path.home())!r}) and os.listdir({str(Path.home())!r})))\n"
             "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=3)\nexcept OSError as e:\n"
             "    print('net', e.errno)\n"
             f"try:\n    open({str(Path(sandbox.__file__).parent / 'x')!r}, 'w')\nexcept OSError as e:\n"
             "    print('write', e.errno)\n")
    limits = sandbox.Limits()
    command = sandbox.limited_command(sandbox.sandboxed_command([sys.executable, "-I", "-c", probe], limits), limits)
    run = subprocess.run(command, env=sandbox.sandbox_env(), capture_output=True, text=True, timeout=60)
    lines = dict(line.split(" ", 1) for line in run.stdout.splitlines())
    assert lines["uid"] == "1000" and lines["caps"] == "0000000000000000", run.stdout + run.stderr
    assert lines["notebooks"] == "False"
    home = Path.home()
    bound_under_home = {root.relative_to(home).parts[0] for root in sandbox._bind_roots() if root.is_relative_to(home)}
    seen = json.loads(lines["home"])
    assert seen is False or set(seen) <= bound_under_home, seen  # only folders that lead to Python or course_lib
    assert lines["net"] == "101" and lines["write"] == "30"  # ENETUNREACH, EROFS


def test_cli_user_mistakes_print_one_line_and_exit_2(tmp_path, capsys):
    nameless = tmp_path / "mine.ipynb"
    nameless.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    named = tmp_path / "whatever.ipynb"
    named.write_text(json.dumps({"cells": [], "metadata": {"otter": {"assignment_name": DAY}}}))
    cases = [(["grade", str(tmp_path / "missing.ipynb")], "no notebook at"),
             (["grade", str(named), "--dist", str(tmp_path / "dist")], "grading assign notebooks/day01_tokens.ipynb"),
             (["grade", str(nameless)], "pass --day"),
             (["grade", str(named), "--day", "day1"], "dayNN_slug"),
             (["grade-class", str(tmp_path / "nowhere")], "no folder of submissions"),
             (["tag", str(tmp_path / "missing.ipynb")], "no notebook at"),
             (["selfcheck", str(tmp_path / "missing.ipynb")], "no notebook at")]
    for argv, expected in cases:
        assert grading.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("error: ") and expected in err, (argv, err)
