"""The book corpus: extraction, the snapshot, stale detection and the train/held-out split."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from course_lib.corpus import (BookSection, book_sections, book_text, build_book_corpus, course_corpus,
                               extract_sections, is_held_out, split_book, _main)

REPO = Path(__file__).resolve().parents[1]
IN_CHECKOUT = (REPO / "_toc.yml").is_file()


def _notebook(cells: list[tuple[str, str]]) -> str:
    return json.dumps({"cells": [{"cell_type": t, "metadata": {}, "source": s.splitlines(keepends=True),
                                  **({"outputs": [], "execution_count": None} if t == "code" else {})}
                                 for t, s in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _tiny_book(root: Path) -> None:
    (root / "book").mkdir()
    (root / "notebooks").mkdir()
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nparts:\n  - caption: P\n    chapters:\n"
                                   "      - file: notebooks/day01_x\n#      - file: notebooks/day02_y\n")
    (root / "book" / "intro.md").write_text(
        "---\nfront: matter\n---\n(intro-label)=\n# The Book\n\nWelcome to *the* **book**.\n<!-- a comment\n"
        "over lines -->\nSecond line of the same paragraph.\n\n```{note}\n:class: dropdown\nA note's body.\n```\n\n"
        "```bash\n# not a heading\nmake test\n```\n\n## Part one\n\n- item one\n- item two\n  wrapped\n\n"
        "| a | b |\n|---|---|\n| 1 | {doc}`two <x/y>` |\n\n### Deeper\n\nSee [the docs](https://x.y) ![pic](p.png).\n")
    (root / "notebooks" / "day01_x.ipynb").write_text(_notebook([
        ("code", "import sys"), ("raw", "# ASSIGNMENT CONFIG\nname: day01_x"),
        ("markdown", "# Day 1 · X\n\nHook text with `<eos>` kept."), ("code", "x = 1  # ## not a heading"),
        ("markdown", "## 1. First\n\nProse one."), ("raw", "# BEGIN QUESTION\nname: q1"),
        ("markdown", "#### Small heading\nMore prose.")]))
    (root / "notebooks" / "day02_y.ipynb").write_text(_notebook([("markdown", "# Day 2 · Not listed\n\nHidden.")]))


def test_extraction_keeps_prose_and_drops_markup(tmp_path):
    _tiny_book(tmp_path)
    records = [json.loads(line) for line in build_book_corpus(tmp_path).splitlines()]
    assert [(r["source"], r["title"], r["section"]) for r in records] == [
        ("book/intro.md", "The Book", "The Book"), ("book/intro.md", "The Book", "Part one"),
        ("book/intro.md", "The Book", "Deeper"), ("notebooks/day01_x.ipynb", "Day 1 · X", "Day 1 · X"),
        ("notebooks/day01_x.ipynb", "Day 1 · X", "1. First")]
    texts = [r["text"] for r in records]
    assert texts[0] == "Welcome to the book. Second line of the same paragraph.\n\nA note's body."
    assert texts[1] == "- item one\n- item two wrapped\n\na | b\n1 | two"
    assert texts[2] == "See the docs ."
    assert texts[3] == "Hook text with `<eos>` kept."
    assert texts[4] == "Prose one.\n\nSmall heading\n\nMore prose."
    everything = "\n".join(texts)
    for dropped in ("make test", "front", "comment", "intro-label", ":class:", "ASSIGNMENT", "import sys",
                    "x = 1", "Hidden", "p.png", "https://"):
        assert dropped not in everything


def test_extract_sections_validates_nothing_silently():
    assert extract_sections("", "book/x.md") == []
    sections = extract_sections("# T\n## A\n### B\ntext", "book/x.md")
    assert sections == [BookSection("book/x.md", "T", "B", "text")]  # empty sections are dropped


def test_build_is_deterministic_and_check_detects_stale(tmp_path, capsys):
    _tiny_book(tmp_path)
    assert build_book_corpus(tmp_path) == build_book_corpus(tmp_path)
    assert _main(["check", "--root", str(tmp_path)]) == 1  # no snapshot yet
    assert _main(["build", "--root", str(tmp_path)]) == 0
    assert _main(["check", "--root", str(tmp_path)]) == 0
    page = tmp_path / "book" / "intro.md"
    page.write_text(page.read_text() + "\nOne more sentence.\n")
    capsys.readouterr()
    assert _main(["check", "--root", str(tmp_path)]) == 1
    assert "stale" in capsys.readouterr().out
    assert _main(["build", "--check", "--root", str(tmp_path)]) == 1  # the same check, spelled as an option
    with pytest.raises(FileNotFoundError, match="_toc.yml"):
        build_book_corpus(tmp_path / "book")


@pytest.mark.skipif(not IN_CHECKOUT, reason="needs the course repository (not an installed copy)")
def test_real_book_copy_goes_stale_when_a_notebook_changes(tmp_path):
    for name in ("book", "notebooks"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "_toc.yml", tmp_path / "_toc.yml")
    assert _main(["build", "--root", str(tmp_path)]) == 0
    notebook = tmp_path / "notebooks" / "day02_bpe.ipynb"
    nb = json.loads(notebook.read_text())
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    cell["source"] = ["".join(cell["source"]) + "\n\nAn extra sentence."]
    notebook.write_text(json.dumps(nb))
    assert _main(["check", "--root", str(tmp_path)]) == 1


@pytest.mark.skipif(not IN_CHECKOUT, reason="needs the course repository (not an installed copy)")
def test_snapshot_is_up_to_date():
    shipped = (REPO / "course_lib" / "data" / "book_corpus.jsonl").read_text(encoding="utf-8")
    assert shipped == build_book_corpus(REPO), "run: python -m course_lib.corpus build"


def test_sections_metadata():
    sections = book_sections()
    assert sections[0].source == "book/intro.md"
    assert all(isinstance(s, BookSection) and s.text.strip() for s in sections)
    sources = list(dict.fromkeys(s.source for s in sections))
    assert "notebooks/day01_tokens.ipynb" in sources and "book/glossary.md" in sources
    for source in sources:
        titles = {s.title for s in sections if s.source == source}
        assert len(titles) == 1, source  # one title per page
        first = next(s for s in sections if s.source == source)
        if source.startswith("notebooks/day"):
            day = int(source.split("day")[1][:2])
            assert first.title.startswith(f"Day {day} ·"), first.title
    assert book_text().count("\n\n") >= len(sections) - 1
    with pytest.raises(AttributeError):
        sections[0].text = "changed"  # frozen


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_split_is_stable_as_the_book_grows_and_changes(seed):
    rng = random.Random(seed)
    words = ["alpha", "beta", "gamma", "delta", "tokens", "loss"]
    sections = [BookSection(f"notebooks/day{rng.randrange(99):02d}_x.ipynb", "T",
                            " ".join(rng.choices(words, k=4)) + str(i), "text") for i in range(3000)]
    train, held = split_book(sections)
    assert len(train) + len(held) == len(sections)
    assert 0.08 < len(held) / len(sections) < 0.12
    grown = sections[:1500] + [BookSection("book/new.md", "N", f"new {i}", "t") for i in range(200)] + sections[1500:]
    edited = [BookSection(s.source, s.title, s.section, s.text + " edited") for s in grown]
    held_set = {(s.source, s.section) for s in held}
    for version in (grown, edited, list(reversed(grown))):
        _, new_held = split_book(version)
        assert {(s.source, s.section) for s in new_held if s.source != "book/new.md"} == held_set
    assert split_book(sections, fraction=0.0)[1] == [] and split_book(sections, fraction=1.0)[0] == []


def test_split_of_the_book_and_bad_input():
    train, held = split_book()
    assert held and train and not {id(s) for s in train} & {id(s) for s in held}
    assert all(is_held_out(s) for s in held) and not any(is_held_out(s) for s in train)
    with pytest.raises(ValueError, match="1.5"):
        is_held_out(book_sections()[0], fraction=1.5)
    with pytest.raises(TypeError, match="str"):
        is_held_out("book/intro.md")


def test_course_corpus_unchanged():
    paragraphs = course_corpus()
    assert len(paragraphs) == 47 and paragraphs[0].startswith("A language model never sees lette")


def test_editions_are_frozen_copies_and_unknown_ones_are_refused(tmp_path):
    import subprocess
    import sys

    from course_lib.corpus import STATS_EDITION, book_sections, editions

    assert STATS_EDITION in editions()
    frozen = book_sections(edition=STATS_EDITION)
    assert frozen and all(s.text for s in frozen)
    with pytest.raises(ValueError, match="'1999-01'"):
        book_sections(edition="1999-01")
    # freeze never overwrites an edition
    root = tmp_path / "repo"
    (root / "course_lib" / "data" / "editions").mkdir(parents=True)
    (root / "course_lib" / "data" / "book_corpus.jsonl").write_text('{"x": 1}\n')
    (root / "course_lib" / "data" / "editions" / "book_corpus_e1.jsonl").write_text("old\n")
    cmd = [sys.executable, "-m", "course_lib.corpus", "freeze"]
    done = subprocess.run(cmd + ["e1", "--root", str(root)], capture_output=True, text=True)
    assert done.returncode == 2 and "editions never change" in done.stderr
    done = subprocess.run(cmd + ["e2", "--root", str(root)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (root / "course_lib" / "data" / "editions" / "book_corpus_e2.jsonl").read_text() == '{"x": 1}\n'
