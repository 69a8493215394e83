"""Every day follows the Day 1 template (CONTRIBUTING.md): checked statically, in milliseconds."""

import json
import re
from pathlib import Path

import pytest

from course_lib.grading import tag_cells

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("day[0-9][0-9]_*.ipynb"))
TOC = (ROOT / "_toc.yml").read_text()


def cells(path):
    return json.loads(path.read_text())["cells"]


def text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def markdown(path):
    return "\n".join(text(c) for c in cells(path) if c["cell_type"] == "markdown")


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
class TestTemplate:
    def test_name_and_toc(self, path):
        assert re.fullmatch(r"day\d\d_[a-z0-9_]+", path.stem), f"{path.name}: name it dayNN_<slug>.ipynb"
        assert f"notebooks/{path.stem}" in TOC, f"{path.stem} is missing from _toc.yml"

    def test_first_cell_is_the_colab_bootstrap(self, path):
        first = cells(path)[0]
        assert first["cell_type"] == "code" and 'if "google.colab" in sys.modules' in text(first)
        assert "%pip install" in text(first) and "git+https://github.com/" in text(first)

    def test_title_objectives_time_summary_reading(self, path):
        md = markdown(path)
        number = int(path.stem[3:5])
        assert re.search(rf"^# Day {number} · ", md, re.MULTILINE), f"title must start '# Day {number} · '"
        for heading in ["Learning objectives", "Estimated time", "Summary", "Further reading", "Exercises"]:
            assert heading in md, f"{path.name} lacks a '{heading}' part"

    def test_at_least_two_questions_each_with_public_and_hidden_tests(self, path):
        questions, public, hidden, in_tests, name = [], {}, {}, False, None
        for cell in cells(path):
            body = text(cell).strip()
            if cell["cell_type"] == "raw" and body.startswith("# BEGIN QUESTION"):
                name = re.search(r"name:\s*(\S+)", body).group(1)
                questions.append(name)
            elif cell["cell_type"] == "raw" and body.startswith("# BEGIN TESTS"):
                in_tests = True
            elif cell["cell_type"] == "raw" and body.startswith("# END TESTS"):
                in_tests = False
            elif in_tests and cell["cell_type"] == "code":
                bucket = hidden if body.startswith("# HIDDEN") else public
                bucket[name] = bucket.get(name, 0) + 1
        assert len(questions) >= 2, f"{path.name}: at least two graded questions"
        for q in questions:
            assert public.get(q) and hidden.get(q), f"{path.name} {q}: needs public and hidden tests"

    def test_stored_without_outputs(self, path):
        dirty = [i for i, c in enumerate(cells(path)) if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])]
        assert not dirty, f"{path.name}: clear outputs of cells {dirty} (jupyter nbconvert --clear-output --inplace)"

    def test_book_tags_are_in_place(self, path):
        changes = tag_cells(path, check=True)
        assert not changes, "run `make tag`:\n" + "\n".join(changes)
