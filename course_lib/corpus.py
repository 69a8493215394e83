"""The course's own text: the Day 1 corpus and the prose of the whole book.

Two corpora, both offline and deterministic:

- ``course_corpus()`` (Day 1): a few thousand words of plain English written for the course
  (``data/course_corpus.txt``), paragraphs separated by blank lines. Days 1-5 assert numbers
  on it, so it never changes.
- ``book_sections()`` (Day 10, and the RAG days): the prose of every page and notebook listed
  in ``_toc.yml``, one :class:`BookSection` per ``##``/``###`` section, read from the snapshot
  ``data/book_corpus.jsonl``. The snapshot is built from a checkout with
  ``python -m course_lib.corpus build`` and checked with ``python -m course_lib.corpus check``
  (exit 1 when stale). Extraction keeps the markdown of ``book/*.md`` and the markdown cells of
  ``notebooks/*.ipynb``; it drops code cells, raw (otter) cells, fenced code, HTML comments,
  MyST labels and directive syntax (the body of admonitions such as ``{note}`` and of the
  glossary is kept), and reduces links and roles to their text.

``split_book()`` divides the sections into train and held-out by a hash of each section's
``source`` and heading, not by position, so a section keeps its side when the book grows or
its text is edited.

Leaves out: anything that is not prose (code, outputs, pictures), and text outside ``_toc.yml``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

__all__ = ["course_corpus", "BookSection", "book_sections", "book_text", "split_book", "is_held_out",
           "extract_sections", "build_book_corpus", "HELD_OUT_FRACTION", "STATS_EDITION", "BOOK_EDITION", "editions"]

#: The frozen edition that the statistics days (1, 3, 4, 10) measure, so new pages leave their numbers alone.
STATS_EDITION = "2026-11"
#: The frozen edition that the shipped course GPT's train/held-out split and Part V's retrieval (with the
#: evaluation questions' relevance labels) read: the book as it stood when Parts II and V landed. Pages
#: added later (Days 11-19 on) do not move the held-out losses, the retrieval figures or the labels.
BOOK_EDITION = "2026-11-29"
#: Share of the book's sections held out from training (decided per section by a hash).
HELD_OUT_FRACTION = 0.1
_SNAPSHOT = ("data", "book_corpus.jsonl")


@lru_cache(maxsize=1)
def _paragraphs() -> tuple[str, ...]:
    text = resources.files("course_lib").joinpath("data", "course_corpus.txt").read_text(encoding="utf-8")
    return tuple(p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip())


def course_corpus() -> list[str]:
    """The paragraphs of the course corpus, in order (a new list on every call).

    Example:
        >>> paragraphs = course_corpus()
        >>> len(paragraphs)
        47
        >>> paragraphs[0][:33]
        'A language model never sees lette'
    """
    return list(_paragraphs())


# ---------------------------------------------------------------- the book's prose (Day 10)

@dataclass(frozen=True)
class BookSection:
    """One section of the book: where it is, its page and heading, and its prose."""

    source: str  # path in the repository, e.g. "notebooks/day02_bpe.ipynb"
    title: str  # the page title (its first "# " heading)
    section: str  # the "##"/"###" heading; the page title for text before the first one
    text: str  # the prose, paragraphs separated by blank lines


_PROSE_DIRECTIVES = {"note", "tip", "warning", "important", "hint", "caution", "attention", "danger", "error",
                     "seealso", "admonition", "glossary", "epigraph", "margin", "sidebar", "dropdown"}
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}|:{3,})\s*(\{([\w-]+)\})?.*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
_HTML_TAG = re.compile(r"</?(br|img|div|span|details|summary|sup|sub|p|a|b|i|em|strong|kbd|center|small|"
                       r"table|tr|td|th|hr)\b[^>]*>", re.I)
_ROLE = re.compile(r"\{[\w:-]+\}`([^`]*?)(?:\s*<[^`>]*>)?`")  # {doc}`text <target>` -> text
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_BOLD = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(\S(?:[^*]*?\S)?)\*(?![\w*])")


def _glossary(lines: list[str]) -> list[str]:
    """A glossary body ("Term" lines, then an indented definition) as one "Term: definition" per entry."""
    out, terms, definition = [], [], []
    for line in lines + [""]:
        if line.strip() and not line.startswith((" ", "\t")):
            if definition:
                out += [", ".join(terms) + ": " + " ".join(definition), ""]
                terms, definition = [], []
            if not line.startswith(":"):  # ":sorted:" and other options
                terms.append(line.strip())
        elif line.strip():
            definition.append(line.strip())
    if definition:
        out.append(", ".join(terms) + ": " + " ".join(definition))
    return out


def _strip_markup(markdown: str) -> list[str]:
    """Markdown lines with code fences, comments, labels, front matter and directive syntax removed."""
    markdown = re.sub(r"^[ \t]*<!--(?:(?!-->).)*-->[ \t]*\n", "", markdown.replace("\r\n", "\n"), flags=re.S | re.M)
    markdown = re.sub(r"<!--.*?-->", "", markdown, flags=re.S)  # comments inside a line
    markdown = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)  # front matter
    lines, out, i = markdown.split("\n"), [], 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            if not re.match(r"^\s*\([\w.:-]+\)=\s*$", lines[i]):  # MyST label "(name)="
                out.append(lines[i])
            i += 1
            continue
        fence, name = match.group(2), match.group(4)
        end = next((j for j in range(i + 1, len(lines))
                    if lines[j].strip().startswith(fence[0] * len(fence)) and not lines[j].strip().strip(fence[0])),
                   len(lines))
        body = lines[i + 1:end]
        if name in _PROSE_DIRECTIVES:
            body = [b for b in body if not re.match(r"^\s*:[\w-]+:", b)]  # directive options
            if name == "glossary":
                body = _glossary(body)
            out += [""] + _strip_markup("\n".join(b.strip() if name != "glossary" else b for b in body)) + [""]
        i = end + 1
    return out


def _inline(text: str) -> str:
    text = _ROLE.sub(r"\1", text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _BOLD.sub(r"\1", text)
    return _ITALIC.sub(r"\1", text)


def _paragraph(lines: list[str]) -> str:
    """One block of lines as prose: wrapped lines joined, list items and table rows kept one per line."""
    rows: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(">"):
            stripped = stripped.lstrip("> ").strip()
        if re.fullmatch(r"\|?[\s:|-]+\|?", stripped) and "-" in stripped:  # table separator |---|---|
            continue
        if stripped.startswith("|"):
            stripped = " | ".join(c.strip() for c in stripped.strip("|").split("|"))
            rows.append(stripped)
        elif not rows or _LIST_ITEM.match(line):
            rows.append(stripped)
        else:
            rows[-1] += " " + stripped
    return "\n".join(_inline(r).strip() for r in rows if _inline(r).strip())


def extract_sections(markdown: str, source: str) -> list[BookSection]:
    """The sections of one page's markdown (already without code cells), in order; empty ones dropped.

    Example:
        >>> md = "# Day 0 · Intro\\nHello.\\n\\n```python\\nx = 1\\n```\\n## 1. Parts\\nSee {doc}`the list <x>`."
        >>> [(s.section, s.text) for s in extract_sections(md, "book/x.md")]
        [('Day 0 · Intro', 'Hello.'), ('1. Parts', 'See the list.')]
    """
    title, section, blocks, current, sections = "", "", [], [], []

    def flush_block() -> None:
        if current:
            text = _paragraph(current)
            if text:
                blocks.append(text)
            current.clear()

    def flush_section() -> None:
        flush_block()
        if blocks:
            sections.append(BookSection(source, title, section or title, "\n\n".join(blocks)))
        blocks.clear()

    for line in _strip_markup(markdown):
        heading = _HEADING.match(line)
        if heading and len(heading.group(1)) <= 3:
            level, name = len(heading.group(1)), _inline(heading.group(2)).strip()
            flush_section()
            if level == 1 and not title:
                title = section = name
            else:
                section = name
        elif heading:  # #### and deeper: kept as a line of text
            flush_block()
            blocks.append(_inline(heading.group(2)).strip())
        elif line.strip():
            current.append(line)
        else:
            flush_block()
    flush_section()
    return sections


def _page_markdown(path: Path) -> str:
    """The markdown of a book page, or the markdown cells of a notebook joined by blank lines."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def _toc_files(root: Path) -> list[str]:
    """Paths of every page in ``_toc.yml`` (root first), in book order, with their extension."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries) -> None:
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    paths = []
    for name in names:
        found = [f"{name}{ext}" for ext in (".md", ".ipynb") if (root / f"{name}{ext}").is_file()]
        if not found:
            raise FileNotFoundError(f"_toc.yml lists {name!r} but neither {name}.md nor {name}.ipynb exists "
                                    f"under {root}")
        paths.append(found[0])
    return paths


def build_book_corpus(root: str | Path) -> str:
    """The JSON-lines snapshot (one :class:`BookSection` per line) built from the checkout at ``root``."""
    root = Path(root)
    if not (root / "_toc.yml").is_file():
        raise FileNotFoundError(f"no _toc.yml in {root}: pass the root of the course repository (--root DIR)")
    lines = []
    for source in _toc_files(root):
        for section in extract_sections(_page_markdown(root / source), source):
            lines.append(json.dumps(asdict(section), ensure_ascii=False))
    return "\n".join(lines) + "\n"


def _edition_file(edition: str) -> tuple[str, ...]:
    return ("data", "editions", f"book_corpus_{edition}.jsonl")


def editions() -> list[str]:
    """The frozen editions of the book corpus that ship with the package, oldest first.

    Example:
        >>> STATS_EDITION in editions()
        True
    """
    folder = resources.files("course_lib").joinpath("data", "editions")
    names = [f.name for f in folder.iterdir() if f.name.startswith("book_corpus_")] if folder.is_dir() else []
    return sorted(n[len("book_corpus_"):-len(".jsonl")] for n in names if n.endswith(".jsonl"))


@lru_cache(maxsize=None)
def _snapshot(edition: str | None = None) -> tuple[BookSection, ...]:
    parts = _SNAPSHOT if edition is None else _edition_file(edition)
    text = resources.files("course_lib").joinpath(*parts).read_text(encoding="utf-8")
    return tuple(BookSection(**json.loads(line)) for line in text.splitlines() if line.strip())


def book_sections(edition: str | None = None) -> list[BookSection]:
    """Every section of the book in reading order, from the shipped snapshot (Day 10).

    ``edition=None`` is the live snapshot, rebuilt whenever a page changes (what retrieval
    searches). A named edition (``STATS_EDITION``, say) is a frozen copy cut on purpose with
    ``python -m course_lib.corpus freeze NAME``: days that assert statistics of the text (Days 1,
    3, 4 and 10) read it, so that writing a new page does not move their numbers.

    Example:
        >>> sections = book_sections()
        >>> sections[0].source, sections[0].title
        ('book/intro.md', 'LLM Engineering in 30 Days')
        >>> len(book_sections(edition=STATS_EDITION)) > 200
        True
    """
    if edition is not None and edition not in editions():
        raise ValueError(f"unknown corpus edition {edition!r}; the package ships {editions()}")
    return list(_snapshot(edition))


def book_text(sections: list[BookSection] | None = None) -> str:
    """The prose of ``sections`` (default: the whole book), one section after another.

    Example:
        >>> book_text()[:27]
        'Welcome! This is a hands-on'
    """
    sections = book_sections() if sections is None else sections
    return "\n\n".join(s.text for s in sections)


def is_held_out(section: BookSection, fraction: float = HELD_OUT_FRACTION) -> bool:
    """Whether ``section`` is held out: a hash of its source and heading, so edits do not move it.

    Example:
        >>> is_held_out(BookSection("book/x.md", "X", "Intro", "...")) in (True, False)
        True
    """
    if not isinstance(section, BookSection):
        raise TypeError(f"section must be a BookSection, got {type(section).__name__}")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction!r}")
    digest = hashlib.sha256(f"{section.source}\n{section.section}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def split_book(sections: list[BookSection] | None = None,
               fraction: float = HELD_OUT_FRACTION) -> tuple[list[BookSection], list[BookSection]]:
    """(train, held_out): the sections (default: the whole book) split by :func:`is_held_out`.

    Example:
        >>> train, held_out = split_book()
        >>> len(train) + len(held_out) == len(book_sections())
        True
    """
    sections = book_sections() if sections is None else sections
    held = [is_held_out(s, fraction) for s in sections]
    return [s for s, h in zip(sections, held) if not h], [s for s, h in zip(sections, held) if h]


def _main(argv: list[str] | None = None) -> int:
    import argparse

    repo = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(prog="python -m course_lib.corpus",
                                     description="Build or check the book corpus snapshot.")
    parser.add_argument("command", choices=["build", "check", "freeze"])
    parser.add_argument("edition", nargs="?", help="with freeze: the name of the new edition (e.g. 2027-01)")
    parser.add_argument("--root", default=str(repo), help="root of the course repository (holds _toc.yml)")
    parser.add_argument("--out", default=None,
                        help="snapshot file (default: ROOT/course_lib/data/book_corpus.jsonl)")
    parser.add_argument("--check", action="store_true", help="same as the command check (build --check)")
    args = parser.parse_args(argv)
    if args.check:
        args.command = "check"
    out = Path(args.out) if args.out else Path(args.root) / "course_lib" / Path(*_SNAPSHOT)
    if args.command == "freeze":
        if not args.edition or not re.fullmatch(r"[0-9A-Za-z._-]+", args.edition):
            parser.error(f"freeze needs an edition name of letters, digits, '.', '_' or '-', got {args.edition!r}")
        target = Path(args.root) / "course_lib" / Path(*_edition_file(args.edition))
        if target.exists():
            parser.error(f"edition {args.edition!r} exists already ({target}); editions never change")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
        print(f"froze {out} as edition {args.edition}: {target}")
        return 0
    fresh = build_book_corpus(args.root)
    if args.command == "build":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(fresh, encoding="utf-8")
        records = [json.loads(line) for line in fresh.splitlines()]
        words = sum(len(r["text"].split()) for r in records)
        print(f"wrote {out}: {len(records)} sections, {words} words, {len(fresh.encode('utf-8'))} bytes")
        return 0
    if not out.is_file() or out.read_text(encoding="utf-8") != fresh:
        print(f"{out} is stale (or missing): the book changed since it was built. "
              f"Run: python -m course_lib.corpus build --root {args.root}")
        return 1
    print(f"{out} is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
