"""The built book sends learners to the STUDENT notebooks (``_ext/student_links.py``).

Runs after the book build (Makefile BOOK_TESTS). On every day's page that has a student version
(``student/<day>.ipynb``): the Colab launch button and the ``.ipynb`` download open the student
notebook, never the master; a visible box under the title has "Exercises in Colab" and
"Download the exercises"; the downloaded file is the committed student notebook. In headless
Chromium (networking off) the box is visible on Day 1; screenshot in _build/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from test_book_pages import (  # noqa: F401  (fixtures)
    CONFIG, DAY1, NOTEBOOK_DOCS, ROOT, _parse, _screenshot, browser, built, open_page,
)

STUDENT_DOCS = [doc for doc in NOTEBOOK_DOCS if (ROOT / "student" / f"{Path(doc).name}.ipynb").is_file()]


def _student_colab(day: str) -> str:
    repo = CONFIG["repository"]["url"].rstrip("/")
    owner_repo = "/".join(repo.split("/")[-2:])
    colab = CONFIG["launch_buttons"]["colab_url"].rstrip("/")
    return f"{colab}/github/{owner_repo}/blob/{CONFIG['repository']['branch']}/student/{day}.ipynb"


def test_every_day_with_exercises_has_a_student_notebook() -> None:
    from course_lib.grading import master_notebooks

    in_book = {Path(doc).name for doc in NOTEBOOK_DOCS}
    masters = {m.stem for m in master_notebooks(ROOT / "notebooks")} & in_book
    assert masters and masters == {Path(doc).name for doc in STUDENT_DOCS}, (
        f"days in the book without student/<day>.ipynb: {sorted(masters - set(map(lambda d: Path(d).name, STUDENT_DOCS)))}"
        " (run `make assign`)")


@pytest.mark.parametrize("doc", STUDENT_DOCS)
def test_colab_and_download_open_the_student_notebook(built: Path, doc: str) -> None:
    day = Path(doc).name
    hrefs = [url for _, attribute, url in _parse(built / f"{doc}.html").links if attribute == "href"]
    colab = [h for h in hrefs if "colab.research.google.com" in h]
    assert colab and set(colab) == {_student_colab(day)}, f"{doc}: Colab links {colab}, want only the student one"
    notebooks = [h for h in hrefs if h.endswith(".ipynb") and "://" not in h]
    assert notebooks and set(notebooks) == {f"../student/{day}.ipynb"}, f"{doc}: .ipynb links {notebooks}"
    shipped = built / "student" / f"{day}.ipynb"
    assert shipped.read_bytes() == (ROOT / "student" / f"{day}.ipynb").read_bytes(), f"{shipped} is stale"
    page = (built / f"{doc}.html").read_text(encoding="utf-8")
    assert "Exercises in Colab" in page and "Download the exercises" in page, f"{doc}: no student links box"


def test_day1_student_links_are_visible(open_page) -> None:
    view = open_page(DAY1)
    page = view.page
    colab = page.locator("a.student-colab")
    download = page.locator("a.student-download")
    assert colab.is_visible() and download.is_visible(), "the student links box is not visible on Day 1"
    assert colab.get_attribute("href") == _student_colab(Path(DAY1).name)
    title_y = page.locator("article.bd-article h1").first.bounding_box()["y"]
    assert colab.bounding_box()["y"] > title_y, "the student links should sit under the page title"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(_shots() / "day01_student_links.png"))
    assert not view.external and not view.errors, (view.external, view.errors)


def _shots() -> Path:
    folder = ROOT / "_build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
