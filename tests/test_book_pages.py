"""Checks of the BUILT book (``_build/html``): pages, links, offline-ness, and what Day 1 shows.

Build the book first, then run these tests::

    jupyter-book build . --all -W --keep-going
    pytest tests/test_book_pages.py

Two kinds of checks:

* static ones read the HTML files: every page in ``_toc.yml`` was built, every internal link
  (and its ``#fragment``) resolves, no page loads a script or stylesheet from the internet,
  the launch/repository/issues buttons point at the repository named in ``_config.yml``,
  the syllabus lists thirty days and the glossary has its terms;
* browser ones open the pages in headless Chromium with networking off (Playwright, with the
  system Chromium): the pages render with no request leaving the machine and no JavaScript
  error, math is typeset by the vendored MathJax, and on Day 1 the token explorer's static
  view, at least one image and the folded solutions are really visible (or really hidden).
  Screenshots go to ``_build/screenshots/`` for a person to look at.

Set ``COURSE_SKIP_BROWSER=1`` to skip the browser checks (the static ones still run), and
``COURSE_CHROMIUM=/path/to/chromium`` to use a Chromium that is not on the usual paths.
"""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
DAY1 = "notebooks/day01_tokens"
BUILD_COMMAND = "jupyter-book build . --all -W --keep-going"


# --------------------------------------------------------------------------- helpers


def _toc_docs(node: dict | list) -> list[str]:
    """Every ``file:`` (and the root) named in a jb-book ``_toc.yml``, in order."""
    docs: list[str] = []
    items = node if isinstance(node, list) else [node]
    for item in items:
        for key in ("root", "file"):
            if key in item:
                docs.append(str(item[key]))
        for key in ("parts", "chapters", "sections"):
            if key in item:
                docs.extend(_toc_docs(item[key]))
    return docs


TOC_DOCS = _toc_docs(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8")))
NOTEBOOK_DOCS = [doc for doc in TOC_DOCS if doc.startswith("notebooks/")]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


class _PageParser(HTMLParser):
    """Collects links (tag, attribute, value), element ids and script/stylesheet sources."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        for name in ("id", "name") if tag == "a" else ("id",):
            if attributes.get(name):
                self.ids.add(attributes[name])
        for name in ("href", "src"):
            if name in attributes:
                self.links.append((tag, name, attributes[name]))


def _parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _pages() -> list[Path]:
    """Built HTML pages (not the theme's own templates under _static)."""
    return sorted(p for p in HTML.rglob("*.html") if not p.relative_to(HTML).parts[0].startswith("_"))


def _is_external(url: str) -> bool:
    """True for anything fetched from another host; inline ``data:`` URIs (widget snapshots) are local."""
    scheme = urlsplit(url).scheme
    return (bool(scheme) and scheme not in ("data", "file")) or url.startswith("//")


@pytest.fixture(scope="session")
def built() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail(
            f"{HTML / 'index.html'} is missing: build the book first with `{BUILD_COMMAND}` "
            "(run from the repository root), then run these tests.",
            pytrace=False,
        )
    return HTML


# --------------------------------------------------------------------------- static checks


@pytest.mark.parametrize("doc", TOC_DOCS)
def test_every_toc_page_was_built(built: Path, doc: str) -> None:
    page = built / f"{doc}.html"
    assert page.is_file(), f"{doc} is in _toc.yml but {page} was not built"
    assert "<article" in page.read_text(encoding="utf-8"), f"{page} has no article body"


def test_internal_links_resolve(built: Path) -> None:
    parsed = {page: _parse(page) for page in _pages()}
    broken = []
    for page, parser in parsed.items():
        for tag, attribute, url in parser.links:
            if not url or urlsplit(url).scheme or url.startswith("//"):  # http(s):, mailto:, data: ...
                continue
            parts = urlsplit(url)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(built)}: <{tag} {attribute}={url!r}> -> missing {target}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(built)}: {url!r} -> no id {parts.fragment!r}")
    assert not broken, "broken internal links:\n" + "\n".join(broken)


_EXTERNAL_ASSET = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^"'\s>]*"""
    r"""|<link\b(?=[^>]*\brel\s*=\s*["']?stylesheet)[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^"'\s>]*""",
    re.IGNORECASE,
)


def test_no_page_loads_scripts_or_styles_from_the_internet(built: Path) -> None:
    offenders = [
        f"{page.relative_to(built)}: {match.group(0)}"
        for page in _pages()
        for match in _EXTERNAL_ASSET.finditer(page.read_text(encoding="utf-8"))
    ]
    assert not offenders, "pages that need the network (CDN scripts or styles):\n" + "\n".join(offenders)


def test_offline_mathjax_is_shipped(built: Path) -> None:
    assert (built / "_static" / "mathjax" / "tex-chtml.js").is_file(), (
        "MathJax is not vendored into _static/mathjax: is sphinx-mathjax-offline installed "
        "and listed in _config.yml's sphinx.extra_extensions?"
    )


def test_day1_launch_and_repository_buttons(built: Path) -> None:
    repo = CONFIG["repository"]["url"].rstrip("/")
    branch = CONFIG["repository"]["branch"]
    prefix = CONFIG["repository"].get("path_to_book", "").strip("/")
    # the Colab button opens the STUDENT notebook (_ext/student_links.py, tests/test_student_links.py)
    notebook = "/".join(p for p in (prefix, f"student/{Path(DAY1).name}.ipynb") if p)
    colab = CONFIG["launch_buttons"]["colab_url"].rstrip("/")
    owner_repo = "/".join(repo.split("/")[-2:])
    hrefs = {url for _, attribute, url in _parse(built / f"{DAY1}.html").links if attribute == "href"}
    expected_colab = f"{colab}/github/{owner_repo}/blob/{branch}/{notebook}"
    assert expected_colab in hrefs, f"no Colab launch link {expected_colab!r} on the Day 1 page"
    assert repo in hrefs, f"no repository button linking to {repo!r}"
    assert any(h.startswith(f"{repo}/issues/new") for h in hrefs), "no 'open an issue' button"


def test_public_test_cells_show_no_otter_scaffolding(built: Path) -> None:
    """_ext/test_scaffolding.py drops the TEST CONFIG block; the asserts themselves stay visible."""
    for doc in NOTEBOOK_DOCS:
        page = (built / f"{doc}.html").read_text(encoding="utf-8")
        assert "BEGIN TEST CONFIG" not in page and "END TEST CONFIG" not in page, f"{doc}: scaffolding shown"
    day1 = (built / f"{DAY1}.html").read_text(encoding="utf-8")
    assert day1.count("failure_message") == 0 and "assert" in day1, "Day 1's public asserts should stay"


def test_syllabus_lists_all_thirty_days(built: Path) -> None:
    text = (built / "book" / "syllabus.html").read_text(encoding="utf-8")
    first_cells = re.findall(r"<tr[^>]*>\s*<td[^>]*>\s*(?:<p>)?\s*(\d+)\s*(?:</p>)?\s*</td>", text)
    assert sorted(map(int, first_cells)) == list(range(1, 31)), f"syllabus rows found: {first_cells}"
    assert f'href="../{DAY1}.html"' in text, "Day 1 in the syllabus does not link to its page"


def test_glossary_has_the_early_terms(built: Path) -> None:
    text = (built / "book" / "glossary.html").read_text(encoding="utf-8")
    terms = {t.lower() for t in re.findall(r'<dt id="term-([^"]+)"', text)}
    assert len(terms) >= 25, f"only {len(terms)} glossary terms"
    for term in ("token", "tokenizer", "vocabulary", "special-token", "pad", "unk", "bos", "eos",
                 "oov", "context-window", "logits", "embedding", "bpe"):
        assert term in terms, f"glossary term {term!r} missing (have {sorted(terms)})"


# --------------------------------------------------------------------------- browser checks


def _chromium() -> str:
    if os.environ.get("COURSE_CHROMIUM"):
        candidates = [os.environ["COURSE_CHROMIUM"]]
    else:
        candidates = ["/usr/bin/chromium"]
        candidates += [shutil.which(name) or "" for name in ("chromium", "chromium-browser")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "Chromium is not installed, so the built pages cannot be checked in a browser. "
        "Install it with `apt-get install chromium` (the set-up command installs it), point "
        "COURSE_CHROMIUM at a Chromium/Chrome binary, or set COURSE_SKIP_BROWSER=1 to skip "
        "these checks.",
        pytrace=False,
    )


# One browser per test process: other test modules import these fixtures, which registers a second
# session fixture there, and Playwright's sync API cannot start twice in one process.
_SHARED: dict = {}


@pytest.fixture(scope="session")
def browser(built: Path):
    if _SHARED.get("browser") is not None:
        yield _SHARED["browser"]
        return
    if os.environ.get("COURSE_SKIP_BROWSER") == "1":
        pytest.skip("COURSE_SKIP_BROWSER=1: browser checks skipped")
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the `playwright` Python package is missing: pip install -r requirements.txt",
                    pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                # networking off: no name resolves, and no background traffic is started
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-domain-reliability",
                "--disable-sync",
                "--no-first-run",
                "--no-pings",
            ],
        )
        _SHARED["browser"] = chromium
        try:
            yield chromium
        finally:
            _SHARED.pop("browser", None)
            chromium.close()


class _OfflinePage:
    """A page in an offline browser context that records every request leaving the machine."""

    def __init__(self, browser, doc: str) -> None:
        self.context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
        self.external: list[str] = []
        self.errors: list[str] = []
        self.context.route(re.compile(r"^(https?|wss?|ftp)://"), self._block)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto((HTML / f"{doc}.html").as_uri(), wait_until="load")

    def _block(self, route) -> None:
        self.external.append(route.request.url)
        route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser):
    opened: list[_OfflinePage] = []

    def _open(doc: str) -> _OfflinePage:
        opened.append(_OfflinePage(browser, doc))
        return opened[-1]

    yield _open
    for page in opened:
        page.close()


def _screenshot(page, name: str) -> None:
    """Save the whole page as one picture, as a reader would see it scrolled to the top."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    # A tall viewport (up to 8000 px) before the full-page capture keeps the theme's sticky
    # header and sidebars where they belong instead of pinned to the first screen.
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1280, "height": max(900, min(height, 8000))})
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("doc", [DAY1, "notebooks/day07_multi_head_attention"])
def test_code_cells_do_not_scroll_sideways(open_page, doc: str) -> None:
    """_static/code-wrap.css wraps long code lines, so a reader sees every cell without scrolling sideways."""
    if not (HTML / f"{doc}.html").is_file():
        pytest.skip(f"{doc} is not in this build")
    page = open_page(doc).page
    wide = page.evaluate("""() => [...document.querySelectorAll('div.cell div.highlight pre')]
        .filter(pre => pre.offsetParent !== null && pre.scrollWidth > pre.clientWidth + 1).length""")
    shown = page.evaluate("() => document.querySelectorAll('div.cell div.highlight pre').length")
    assert shown > 0 and wide == 0, f"{doc}: {wide} of {shown} code cells scroll sideways"


@pytest.mark.parametrize("doc", TOC_DOCS)
def test_page_renders_offline(open_page, doc: str) -> None:
    view = open_page(doc)
    page = view.page
    assert page.locator("article.bd-article").first.is_visible(), f"{doc}: no visible article"
    assert page.locator("article.bd-article h1").first.is_visible(), f"{doc}: no visible title"
    if page.locator("article .math").count():  # vendored MathJax typesets offline
        page.wait_for_selector("mjx-container", state="attached", timeout=10_000)
    assert not view.external, f"{doc} tried to reach the network: {view.external}"
    assert not view.errors, f"{doc} raised JavaScript errors: {view.errors}"
    if doc == TOC_DOCS[0] or doc in NOTEBOOK_DOCS:
        _screenshot(page, doc.split("/")[-1])


def test_day1_token_explorer_static_view_is_visible(open_page) -> None:
    page = open_page(DAY1).page
    explorer = page.locator("article .token-explorer").first
    assert explorer.count(), "no element with class token-explorer on the Day 1 page"
    assert explorer.is_visible(), "the token explorer is in the page but not visible"
    tokens = explorer.locator("span.token")
    assert tokens.count() >= 1, "the token explorer shows no <span class='token'>"
    assert tokens.first.is_visible(), "the token explorer's tokens are not visible"
    box = tokens.first.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0, "tokens have no size on screen"


@pytest.mark.parametrize("doc", NOTEBOOK_DOCS)
def test_notebook_page_shows_a_loaded_image(open_page, doc: str) -> None:
    page = open_page(doc).page
    images = page.evaluate(
        """() => Array.from(document.querySelectorAll('article.bd-article img')).map(img => ({
               src: img.getAttribute('src'), complete: img.complete, width: img.naturalWidth,
               visible: img.getBoundingClientRect().width > 0 }))"""
    )
    shown = [img for img in images if img["complete"] and img["width"] > 0 and img["visible"]]
    assert shown, f"no loaded, visible image on {doc} (images found: {images})"
    assert all(not _is_external(img["src"]) for img in shown), f"remote images: {shown}"


@pytest.mark.parametrize("doc", NOTEBOOK_DOCS)
def test_notebook_page_folds_solutions_until_clicked(open_page, doc: str) -> None:
    page = open_page(doc).page
    folded = page.locator("article .cell.tag_hide-input")
    assert folded.count() >= 1, f"no cell tagged hide-input (a folded solution) on {doc}"
    cell = folded.first
    toggle = cell.locator("summary").first
    code = cell.locator(".cell_input").first
    assert toggle.is_visible(), "the solution's toggle button is not visible"
    assert "click to show" in toggle.inner_text().lower(), f"toggle says {toggle.inner_text()!r}"
    assert not code.is_visible(), "the solution's code is visible before the toggle is clicked"
    toggle.click()
    code.wait_for(state="visible", timeout=5_000)
    page.wait_for_function("el => el.getAnimations({subtree: true}).length === 0", arg=code.element_handle())
    assert "click to hide" in toggle.inner_text().lower()
    SHOTS.mkdir(parents=True, exist_ok=True)  # one screen around the unfolded cell
    page.evaluate("el => { document.activeElement?.blur(); el.scrollIntoView({block: 'center'}); }",
                  cell.element_handle())
    page.screenshot(path=str(SHOTS / "day01_tokens_solution_open.png"))


@pytest.mark.parametrize("doc", NOTEBOOK_DOCS)
def test_notebook_page_hides_otter_markup_and_hidden_tests(open_page, doc: str) -> None:
    page = open_page(doc).page
    cells = page.evaluate(
        """() => Array.from(document.querySelectorAll('article .cell')).map(cell => ({
               folded: cell.classList.contains('tag_hide-input'), text: cell.textContent }))"""
    )
    assert cells, f"no notebook cells on {doc}"
    otter = re.compile(r"^\s*# (?:HIDDEN\b|(?:BEGIN|END) (?:QUESTION|TESTS)\b).*$", re.M)
    solution = re.compile(r"^\s*# (?:BEGIN|END) SOLUTION\b.*$", re.M)
    leaks = [line for cell in cells for line in otter.findall(cell["text"])]
    assert not leaks, f"otter's raw cells or hidden tests are shown on {doc}: {leaks}"
    unfolded = [cell["text"].strip()[:80] for cell in cells if not cell["folded"] and solution.search(cell["text"])]
    assert not unfolded, f"solution cells not tagged hide-input (shown unfolded): {unfolded}"
