"""The BUILT book's widgets respond to their controls in headless Chromium, with networking off.

Build the book with the interactive widgets first (the Makefile does), then run these tests::

    COURSE_STATIC_WIDGETS=1 jupyter-book build . --all -W --keep-going
    pytest tests/test_book_widgets.py

``COURSE_BOOK_HTML=/path/to/_build/html`` checks a book built elsewhere; screenshots of every widget
before and after a control moves go to ``COURSE_BOOK_SHOTS`` (default ``_build/screenshots/widgets``).
The browser fixture is the one of ``tests/test_book_pages.py`` (same Chromium, same switches,
``COURSE_SKIP_BROWSER=1`` skips). Two kinds of checks:

* on every notebook page, every static widget: moving each control (first, middle and last
  position) shows exactly the view the page precomputed for that setting (the map and views are
  read from the page's HTML by Python, not by the page's own script), the readout follows, and no
  JavaScript error or request happens; Days 1-5 must have their widgets and none may be frozen;
* for the widgets that can be rebuilt cheaply here (Days 1, 2, 5, 7, 8: the notebook's own widget
  cell is run on the same objects), the view after a move equals what the live ipywidgets widget
  shows with its control set to the same value (both compared as the browser parses them).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from test_book_pages import NOTEBOOK_DOCS, ROOT, browser  # noqa: F401  (browser is a fixture used below)

HTML = Path(os.environ.get("COURSE_BOOK_HTML") or ROOT / "_build" / "html")
SHOTS = Path(os.environ.get("COURSE_BOOK_SHOTS") or HTML.parent / "screenshots" / "widgets")
WIDGET_DAYS = [f"notebooks/{name}" for name in (  # every widget of these days must be interactive in the book
    "day01_tokens", "day02_bpe", "day03_tokenizers_in_the_wild", "day04_next_token",
    "day05_embeddings_positions")]


@pytest.fixture(scope="session")
def built() -> Path:
    """The built book (overrides test_book_pages' fixture of that name for the imported ``browser``)."""
    if not (HTML / "index.html").is_file():
        pytest.fail(f"{HTML / 'index.html'} is missing: build the book first with "
                    "`COURSE_STATIC_WIDGETS=1 jupyter-book build . --all -W --keep-going`, or point "
                    "COURSE_BOOK_HTML at a built book's html folder.", pytrace=False)
    if "course-widget-static" not in "".join(p.read_text(encoding="utf-8") for p in HTML.rglob("day0*.html")):
        pytest.fail("the built book has no interactive widgets: it was built without COURSE_STATIC_WIDGETS=1",
                    pytrace=False)
    return HTML


@pytest.fixture
def page(browser):  # noqa: F811
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    external: list[str] = []
    context.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: (external.append(route.request.url),
                                                                          route.abort()))
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.course_external, tab.course_errors = external, errors
    yield tab
    context.close()


def _open(tab, doc: str):
    if not (HTML / f"{doc}.html").is_file():  # a later day missing: test_book_pages' toc check fails it
        assert doc not in WIDGET_DAYS, f"{doc} was not built into {HTML}"
        pytest.skip(f"{doc} was not built into {HTML}")
    tab.goto((HTML / f"{doc}.html").as_uri(), wait_until="load")
    return tab.locator("article .course-widget-static")


def _widget_cells(tab) -> list[dict]:
    """The page's code cells that call a widget of ``course_lib.widgets`` at the top level (as the cell's
    shown expression), each with its code and whether it holds an interactive static widget."""
    import course_lib.widgets

    helpers = {"static_html_box", "live_html", "token_pieces"}
    names = [n for n in course_lib.widgets.__all__ if n not in helpers and not n.endswith("_html")]
    cells = tab.evaluate("""() => Array.from(document.querySelectorAll('article .cell')).map(cell => ({
        code: (cell.querySelector('.cell_input') || {textContent: ''}).textContent,
        static: !!cell.querySelector('.course-widget-static')}))""")
    call = re.compile(r"^(?:%s)\(" % "|".join(map(re.escape, names)), re.M)
    return [cell for cell in cells if call.search(cell["code"])]


def _static_parts(source: str, uid: str) -> dict:
    """The map and views of widget ``uid`` read from the page's HTML (independently of its script)."""
    start = source.index(f'id="{uid}"')
    head = source[start:source.index('<div class="cw-view">', start)]
    cells = [int(x) for x in re.search(r'data-cw-map="([\d,]+)"', head).group(1).split(",")]
    strides = [int(x) for x in re.findall(r'data-cw-stride="(\d+)"', head)]
    end = source.index(f"document.getElementById({json.dumps(uid)})", start)
    found = re.finditer(r'<template data-cw-view="(\d+)">(.*?)</template>', source[start:end], re.S)
    templates = {int(m.group(1)): m.group(2) for m in found}
    return dict(map=cells, strides=strides, templates=templates)


def _normalised(tab, fragment: str) -> str:
    """``fragment`` as the browser serialises it after parsing (entities, quotes, void tags)."""
    return tab.evaluate("s => { const d = document.createElement('div'); d.innerHTML = s; "
                        "return d.innerHTML; }", fragment)


def _move(control, kind: str, position: int, size: int) -> None:
    if kind == "range":
        control.fill(str(position))
    elif kind == "checkbox":
        control.set_checked(position == int(control.get_attribute("data-cw-on")))
    else:
        control.select_option(str(position))


def _kind(control) -> str:
    tag = control.evaluate("e => e.tagName.toLowerCase()")
    return "select" if tag == "select" else control.get_attribute("type")


def _shot(locator, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(SHOTS / f"{name}.png"))


# --------------------------------------------------------------------------- every widget on every page


@pytest.mark.parametrize("doc", NOTEBOOK_DOCS)
def test_every_widget_shows_the_precomputed_view_for_each_setting(built, page, doc):
    widgets = _open(page, doc)
    source = (HTML / f"{doc}.html").read_text(encoding="utf-8")
    frozen = page.locator("article .cw-frozen").all_inner_texts()
    if doc in WIDGET_DAYS:
        cells = _widget_cells(page)
        assert cells, f"{doc}: no cell shows a widget"
        missing = [cell["code"][-80:] for cell in cells if not cell["static"]]
        assert not missing, f"{doc}: cells whose widget is not interactive in the book: {missing}"
        assert not frozen, f"{doc}: a widget fell back to a picture: {frozen}"
    for w in range(widgets.count()):
        widget = widgets.nth(w)
        uid = widget.get_attribute("id")
        parts = _static_parts(source, uid)
        view = widget.locator(":scope > .cw-view")
        expected = {i: _normalised(page, t) for i, t in parts["templates"].items()}
        expected[0] = view.inner_html()  # the view the page opens with
        assert widget.get_attribute("data-cw-ready") == "1", f"{doc}: the script of {uid} did not run"
        _shot(widget, f"{doc.split('/')[-1]}_{w}_before")
        controls = widget.locator(":scope > .cw-controls [data-cw-stride]:not([disabled])")
        assert controls.count() >= 1, f"{doc}: widget {uid} has no control a reader can move"
        seen = {view.inner_html()}
        for c in range(controls.count()):
            control = controls.nth(c)
            kind = _kind(control)
            size = int(control.get_attribute("max")) + 1 if kind == "range" else (
                2 if kind == "checkbox" else control.locator("option").count())
            for position in sorted({0, size // 2, size - 1}):
                _move(control, kind, position, size)
                state = int(widget.get_attribute("data-cw-state"))
                shown = view.inner_html()
                assert shown == expected[parts["map"][state]], f"{doc} {uid}: wrong view for state {state}"
                if kind == "range":
                    labels = json.loads(control.get_attribute("data-cw-labels"))
                    readout = control.locator("xpath=..").inner_text()
                    assert labels[position] in readout, f"{doc} {uid}: the readout did not follow"
                seen.add(shown)
        assert len(seen) > 1, f"{doc}: moving the controls of {uid} never changed its view"
        _shot(widget, f"{doc.split('/')[-1]}_{w}_after")
    assert not page.course_external, f"{doc} tried to reach the network: {page.course_external}"
    assert not page.course_errors, f"{doc} raised JavaScript errors: {page.course_errors}"


# --------------------------------------------------------------------------- against the live widget


def _widget_cell(doc: str, name: str) -> str:
    """The source of the notebook cell that shows widget ``name`` as its last expression."""
    cells = json.loads((ROOT / f"{doc}.ipynb").read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    found = [source for source in sources if f"{name}(" in source and "import" in source]
    assert found, f"no cell of {doc} shows {name}"
    return found[0]


def _run_cell(source: str, namespace: dict):
    import ast

    tree = ast.parse(source)
    last = tree.body.pop()
    exec(compile(tree, "<widget cell>", "exec"), namespace)  # noqa: S102 - the course's own notebook
    return eval(compile(ast.Expression(last.value), "<widget cell>", "eval"), namespace)  # noqa: S307


def _day1_namespace() -> dict:
    from course_lib.corpus import course_corpus
    from course_lib.tokenizers import WordTokenizer

    return {"tokenizer": WordTokenizer().build_vocabulary(course_corpus(), min_frequency=2)}  # as in Day 1


def _day2_namespace() -> dict:
    from course_lib.bpe import BPETokenizer
    from course_lib.corpus import course_corpus

    corpus = course_corpus()  # as in Day 2: every fifth paragraph held out, 512 tokens
    tokenizer = BPETokenizer("gpt4")
    tokenizer.train("\n\n".join(p for i, p in enumerate(corpus) if i % 5 != 4), vocab_size=512)
    return {"tokenizer": tokenizer}


LIVE = [  # (page, index of the widget on it, widget function, namespace for its cell)
    ("notebooks/day01_tokens", 0, "token_explorer", _day1_namespace),
    ("notebooks/day02_bpe", 0, "merge_stepper", _day2_namespace),
    ("notebooks/day05_embeddings_positions", 0, "position_heatmap", dict),
    ("notebooks/day05_embeddings_positions", 1, "rope_explorer", dict),
    ("notebooks/day07_multi_head_attention", 0, "mask_gallery", dict),
    ("notebooks/day08_transformer_block", 0, "block_explorer", dict),
]


@pytest.mark.parametrize(("doc", "index", "name", "namespace"), LIVE,
                         ids=[f"{d.split('/')[-1]}-{n}" for d, _, n, _ in LIVE])
def test_book_view_equals_the_live_widget_after_the_same_move(built, page, doc, index, name, namespace):
    from course_lib.widgets.static import static_grid_html

    if doc not in NOTEBOOK_DOCS or not (HTML / f"{doc}.html").is_file():
        pytest.skip(f"{doc} is not in the book")
    live = _run_cell(_widget_cell(doc, name), namespace())
    static_grid_html(live)  # the grid the book holds: same code, same data, same values behind each position
    axes = [axis for axis in live.static_axes if axis.kind != "fixed"]
    controls = [c for c, axis in zip(live._static_source.controls, live.static_axes) if axis.kind != "fixed"]
    widget = _open(page, doc).nth(index)
    book_controls = widget.locator(":scope > .cw-controls [data-cw-stride]")
    assert book_controls.count() == len(axes), f"{doc}: the book's controls differ from the live widget's"
    view = widget.locator(":scope > .cw-view")
    assert view.inner_html() == _normalised(page, live.children[-1].value), f"{doc}: the opening views differ"
    moved = 0
    for c, (axis, control) in enumerate(zip(axes, controls)):
        book = book_controls.nth(c)
        if book.is_disabled():
            continue
        kind = _kind(book)
        for position in sorted({0, len(axis.values) - 1} - {axis.current}):
            _move(book, kind, position, len(axis.values))
            control.value = axis.values[position]  # the same move on the live widget
            assert view.inner_html() == _normalised(page, live.children[-1].value), (
                f"{doc}: after moving {axis.description!r} to {axis.labels[position]!r} the book and the "
                "live "
                "widget show different views")
            moved += 1
            if moved == 1:
                _shot(widget, f"{doc.split('/')[-1]}_{index}_live_move")
        book_position = axis.current
        _move(book, kind, book_position, len(axis.values))  # back, for the next control
        control.value = axis.values[book_position]
    assert moved >= 1, f"{doc}: no control to move"
    assert not page.course_errors, page.course_errors
