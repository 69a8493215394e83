"""Sphinx extension: a day's page sends learners to the STUDENT notebook, not the master.

The master notebooks (``notebooks/dayNN_<slug>.ipynb``) hold the solutions and the hidden tests:
they are for instructors and for the book build. Learners get ``student/dayNN_<slug>.ipynb``
(made by ``make assign``, see ``tools/student_notebooks.py``). On every notebook page that has a
student version, this extension:

* points the theme's Colab launch button at ``student/<day>.ipynb`` on GitHub, and the
  ``.ipynb`` download button at the copy of it shipped with the site (``<html>/student/``);
* adds, under the page title, a visible box with "Exercises in Colab" and
  "Download the exercises" links (classes ``student-colab`` and ``student-download``).

The repository, branch and Colab address come from ``_config.yml`` (``repository:`` and
``launch_buttons:``), like the theme's own buttons. Registered in ``_config.yml`` under
``sphinx: local_extensions``.
"""

from __future__ import annotations

import html
import posixpath
import shutil
from pathlib import Path

from docutils import nodes

STUDENT_DIR = "student"


def _student_notebook(app, docname: str) -> Path | None:
    if not docname.startswith("notebooks/"):
        return None
    path = Path(app.srcdir) / STUDENT_DIR / f"{posixpath.basename(docname)}.ipynb"
    return path if path.is_file() else None


def colab_url(app, day: str) -> str:
    """``https://colab.research.google.com/github/<org>/<repo>/blob/<branch>/student/<day>.ipynb``."""
    options = app.config.html_theme_options or {}
    repo = str(options.get("repository_url", "")).rstrip("/")
    branch = options.get("repository_branch") or "main"
    colab = str(options.get("launch_buttons", {}).get("colab_url", "https://colab.research.google.com"))
    book = str(options.get("path_to_docs", "")).strip("/")
    owner_repo = "/".join(repo.split("/")[-2:])
    path = "/".join(p for p in (book, STUDENT_DIR, f"{day}.ipynb") if p)
    return f"{colab.rstrip('/')}/github/{owner_repo}/blob/{branch}/{path}"


def _download_href(docname: str, day: str) -> str:
    return posixpath.relpath(f"{STUDENT_DIR}/{day}.ipynb", posixpath.dirname(docname) or ".")


def add_links_box(app, doctree, docname: str) -> None:
    student = _student_notebook(app, docname)
    if student is None or app.builder.format != "html":
        return
    sections = list(doctree.findall(nodes.section))
    if not sections:
        return
    colab = html.escape(colab_url(app, student.stem), quote=True)
    download = html.escape(_download_href(docname, student.stem), quote=True)
    box = nodes.raw("", (
        '<div class="admonition tip student-links">\n'
        '<p class="admonition-title">Do the exercises</p>\n'
        f'<p><a class="reference external student-colab" href="{colab}">Exercises in Colab</a>'
        f' · <a class="reference internal student-download" href="{download}" download>'
        'Download the exercises</a> (<code>.ipynb</code>): the student notebook, with the solutions '
        'left for you to write and <code>grader.check</code> cells that test your answers. '
        'This page shows the worked solutions, folded.</p>\n</div>\n'), format="html")
    title = sections[0].next_node(nodes.title)
    position = sections[0].index(title) + 1 if title is not None else 0
    sections[0].insert(position, box)


def rewrite_buttons(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    student = _student_notebook(app, pagename)
    if student is None:
        return
    colab = colab_url(app, student.stem)
    download = _download_href(pagename, student.stem)
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            url = str(button.get("url", ""))
            if button.get("text") == "Colab" or url.startswith("https://colab."):
                button["url"] = colab
                button["text"] = "Colab (exercises)"
                button["tooltip"] = "Open the exercises (student notebook) in Colab"
            elif button.get("type") == "link" and url.endswith(".ipynb"):
                button["url"] = download
                button["tooltip"] = "Download the exercises (student notebook)"


def copy_student_notebooks(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = Path(app.srcdir) / STUDENT_DIR
    if source.is_dir():
        target = Path(app.outdir) / STUDENT_DIR
        target.mkdir(parents=True, exist_ok=True)
        for notebook in source.glob("*.ipynb"):
            shutil.copy2(notebook, target / notebook.name)


def setup(app):
    app.connect("doctree-resolved", add_links_box)
    app.connect("html-page-context", rewrite_buttons, priority=900)  # after sphinx-book-theme's (501)
    app.connect("build-finished", copy_student_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
