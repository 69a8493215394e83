"""tools/nbcache: nbval's executions go into the book's jupyter-cache, and only the good ones.

A small pytest run (two xdist workers, as in ``make test``) over three throw-away notebooks: one
that passes, one whose cell raises, one that clears its output (nbval does not record
``clear_output``). The run must fail (the raising cell), the cache must hold the passing notebook
only, with nbval's outputs and execution counts, and jupyter-cache must match it to the notebook
file the way the book build (myst-nb, ``execute_notebooks: cache``) looks it up.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# a page")] + [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, str(path))
    return path


def test_only_notebooks_that_passed_are_cached_with_their_outputs(tmp_path: Path) -> None:
    good = _notebook(tmp_path / "good.ipynb", "import random\nx = random.Random(7).randint(0, 10**6)\nprint(x)",
                     "x + 1")
    bad = _notebook(tmp_path / "bad.ipynb", "print('before')", "1 / 0")
    clear = _notebook(tmp_path / "clear.ipynb",
                      "from IPython.display import clear_output\nprint(1)\nclear_output()\nprint(2)")
    cache_dir = tmp_path / "_build" / ".jupyter_cache"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tools.nbcache.plugin",
         "--nb-cache", str(cache_dir), "--nbval-lax", "-n", "2", "--dist", "loadfile",
         "--rootdir", str(tmp_path), str(good), str(bad), str(clear)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, f"a failing notebook cell must fail the run:\n{result.stdout[-2000:]}"
    assert "NOT stored (a cell failed, was skipped or not run): bad.ipynb, clear.ipynb" in result.stdout

    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    records = cache.list_cache_records()
    assert [Path(r.uri).name for r in records] == ["good.ipynb"]
    assert records[0].data["executor"] == "nbval"
    _, merged = cache.merge_match_into_notebook(nbformat.read(str(good), as_version=4))
    code = [c for c in merged.cells if c.cell_type == "code"]
    expected = __import__("random").Random(7).randint(0, 10**6)
    assert [c.execution_count for c in code] == [1, 2]
    assert code[0].outputs[0]["text"] == f"{expected}\n"
    assert code[1].outputs[0]["output_type"] == "execute_result"
    assert code[1].outputs[0]["data"]["text/plain"] == str(expected + 1)
    for notebook in (bad, clear):
        try:
            cache.match_cache_notebook(nbformat.read(str(notebook), as_version=4))
        except KeyError:
            continue
        raise AssertionError(f"{notebook.name} was cached")
