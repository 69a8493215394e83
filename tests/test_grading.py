"""The grading tools' own behaviour on small synthetic notebooks (the real days: test_exercises.py)."""

import json

import pytest

from course_lib import grading


def notebook(tmp_path, cells, name="day99_demo.ipynb"):
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / name
    path.write_text(json.dumps(nb))
    return path


def raw(text, tags=None):
    return {"cell_type": "raw", "metadata": {"tags": tags} if tags else {}, "source": text}


def code(text, tags=None):
    return {"cell_type": "code", "metadata": {"tags": tags} if tags else {}, "source": text,
            "outputs": [], "execution_count": None}


def tags_of(path):
    return [sorted(c["metadata"].get("tags", [])) for c in json.loads(path.read_text())["cells"]]


def test_tag_cells_folds_solutions_removes_markers_and_hidden_tests_and_keeps_author_tags(tmp_path):
    path = notebook(tmp_path, [
        code('import sys\nif "google.colab" in sys.modules:\n    pass'),
        raw("# ASSIGNMENT CONFIG\nname: day99_demo"),
        code("x = 1", tags=["hide-input"]),            # an author's choice: kept
        raw("# BEGIN QUESTION\nname: q1"), raw("# BEGIN SOLUTION"),
        code("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION"),
        raw("# END SOLUTION"), raw("# BEGIN TESTS"),
        code("assert f() == 1", tags=["remove-cell"]),  # public tests are the author's choice too
        code("# HIDDEN\nassert f() + 1 == 2"),
        raw("# END TESTS"), raw("# END QUESTION"),
    ])
    changes = grading.tag_cells(path, check=True)
    assert len(changes) == 10 and tags_of(path)[0] == []  # check mode writes nothing
    grading.tag_cells(path)
    assert tags_of(path) == [["remove-cell"], ["remove-cell"], ["hide-input"], ["remove-cell"], ["remove-cell"],
                             ["hide-input"], ["remove-cell"], ["remove-cell"], ["remove-cell"], ["remove-cell"],
                             ["remove-cell"], ["remove-cell"]]
    assert grading.tag_cells(path, check=True) == []


def test_master_notebooks_are_the_ones_with_an_assignment_config(tmp_path):
    notebook(tmp_path, [raw("# ASSIGNMENT CONFIG\nname: day02_b")], "day02_b.ipynb")
    notebook(tmp_path, [code("print(1)")], "day03_c.ipynb")
    notebook(tmp_path, [raw("# ASSIGNMENT CONFIG")], "scratch.ipynb")
    assert [p.name for p in grading.master_notebooks(tmp_path)] == ["day02_b.ipynb"]


@pytest.mark.parametrize("bad", ["day1_tokens", "Day01_x", "day01-tokens", "../day01_x", 3])
def test_day_names_are_validated(bad):
    with pytest.raises(ValueError, match="dayNN_slug"):
        grading.public_tests_dir(bad)


def test_grade_without_an_autograder_says_how_to_make_one(tmp_path):
    path = notebook(tmp_path, [code("x = 1")], "day01_tokens.ipynb")
    with pytest.raises(FileNotFoundError, match="grading assign"):
        grading.grade(path, dist=tmp_path / "dist")
    with pytest.raises(FileNotFoundError, match="no notebook"):
        grading.grade(tmp_path / "missing.ipynb")


def test_cli_tag_check_exits_one_when_tags_are_stale(tmp_path, capsys):
    path = notebook(tmp_path, [raw("# ASSIGNMENT CONFIG"), code("# HIDDEN\nassert True")], "day98_x.ipynb")
    assert grading.main(["tag", "--check", str(path)]) == 1
    assert "day98_x.ipynb cell 1" in capsys.readouterr().out
    assert grading.main(["tag", str(path)]) == 0
    assert grading.main(["tag", "--check", str(path)]) == 0
