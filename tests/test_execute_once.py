"""``make test`` executes each notebook once: the book build must have rendered nbval's executions.

Runs AFTER the book build (it is in the Makefile's BOOK_TESTS). The plugin ``tools/nbcache``
stores every notebook that passed under nbval in the book's jupyter-cache with
``data["executor"] == "nbval"``; had the book build executed a notebook itself (because no
execution of its current code was cached), myst-nb would have stored its own record, without
that mark, under the same key. So: every notebook of the book has a cached execution of its
current code, made by nbval.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from test_book_pages import NOTEBOOK_DOCS, ROOT

CACHE = ROOT / "_build" / ".jupyter_cache"


@pytest.fixture(scope="module")
def cache():
    if not (CACHE / "global.db").is_file():
        pytest.fail(f"no jupyter-cache at {CACHE}: run `make test` (nbval stores the notebooks there, "
                    "then the book is built from them)", pytrace=False)
    from jupyter_cache import get_cache

    return get_cache(str(CACHE))


@pytest.mark.parametrize("doc", NOTEBOOK_DOCS)
def test_book_rendered_the_nbval_execution(cache, doc: str) -> None:
    path = ROOT / f"{doc}.ipynb"
    try:
        record = cache.match_cache_notebook(nbformat.read(str(path), as_version=4))
    except KeyError:
        pytest.fail(f"{doc}: no cached execution of its current code (was the book built?)")
    assert record.data.get("executor") == "nbval", (
        f"{doc}: the book build executed this notebook itself (record {record.pk}, data {record.data}); "
        "nbval's execution was not stored: did a cell fail, or was pytest run without "
        "`-p tools.nbcache.plugin --nb-cache _build/.jupyter_cache`?")
    recorded = record.data.get("environment", {})
    here = {name: os.environ.get(name) for name in recorded}
    assert recorded == here, (
        f"{doc} ran under nbval with {recorded} but the book tests run with {here}: "
        "export the same variables for the whole `make test`")
    built = ROOT / "_build" / "html" / f"{doc}.html"
    assert built.is_file(), f"{built} missing"
