"""pytest plugin: every notebook that passed under nbval goes, outputs included, into the book's cache.

``make test`` executes each notebook ONCE: nbval runs it cell by cell (one verdict per cell), and
this plugin stores the executed notebook in the jupyter-cache that the book build reads
(``_build/.jupyter_cache``, ``execute_notebooks: cache`` in ``_config.yml``). jupyter-cache keys a
notebook by its code cells (source and metadata), so ``jupyter-book build`` then finds the
execution and renders its outputs instead of running the notebook again.

Only a notebook whose code cells ALL passed is stored: a failed, skipped or timed-out cell (or a
run of only some of its cells, e.g. with ``-k``) leaves the cache as it was, and the book build
would then execute that notebook itself (and fail with -W if it errors). So does a notebook that
sent a message nbval does not record (``clear_output``, ``update_display_data``: nbval prints
"unhandled iopub msg"), since its stored outputs would not be what a reader should see. Each record carries
``data["executor"] == "nbval"`` so a test can tell our executions from the book's own.

Use (the Makefile's ``test`` target)::

    python -m pytest -p tools.nbcache.plugin --nb-cache _build/.jupyter_cache --nbval-lax notebooks

Works with pytest-xdist (``--dist loadfile`` keeps a notebook's cells on one worker): workers
write the executed notebooks to a staging folder, and the controller alone writes the cache
(jupyter-cache is a SQLite database, better not written by two processes at once).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

EXECUTOR = "nbval"
# Variables that change what a notebook shows: recorded with each execution, so that a test can
# check that the book was built in the same environment as the notebooks ran (tests/test_execute_once.py).
ENVIRONMENT = ("COURSE_STATIC_WIDGETS", "COURSE_FULL", "COURSE_OFFLINE")


def environment() -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in ENVIRONMENT}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nbcache", "store notebooks executed by nbval in a jupyter-cache")
    group.addoption(
        "--nb-cache", default=None, metavar="DIR",
        help="jupyter-cache folder (the book's _build/.jupyter_cache) that receives every notebook "
             "whose code cells all passed under nbval",
    )


def pytest_configure(config: pytest.Config) -> None:
    folder = config.getoption("nb_cache")
    if not folder:
        return
    if not (config.getoption("nbval_lax", False) or config.getoption("nbval", False)):
        raise pytest.UsageError("--nb-cache needs --nbval-lax (or --nbval): nothing executes notebooks otherwise")
    worker = hasattr(config, "workerinput")
    config.pluginmanager.register(NotebookCacheStore(Path(folder).resolve(), worker), "nbcache-store")


def _is_nbval_cell(item: pytest.Item) -> bool:
    return hasattr(item, "cell_num") and hasattr(getattr(item, "parent", None), "nb")


class NotebookCacheStore:
    """Collects each nbval cell's outputs; stores the notebooks whose cells all passed."""

    def __init__(self, cache_dir: Path, worker: bool) -> None:
        self.cache_dir = cache_dir
        self.stage = cache_dir.parent / ".nbval_executed"
        self.worker = worker
        self.runs: dict[Path, dict] = {}
        if not worker:  # the controller starts clean, before any worker exists
            shutil.rmtree(self.stage, ignore_errors=True)
        self.stored: list[str] = []
        self.refused: list[str] = []

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = yield
        if not _is_nbval_cell(item):
            return
        report = outcome.get_result()
        run = self.runs.setdefault(Path(str(item.path)).resolve(),
                                   {"nb": item.parent.nb, "outputs": {}, "ok": True, "seconds": 0.0})
        run["seconds"] += call.duration
        if report.failed or report.skipped:
            run["ok"] = False
        elif "unhandled iopub msg" in report.capstdout:
            # nbval drops clear_output / update_display_data: its outputs would differ from a real
            # run's, so this notebook is left for the book build to execute itself
            run["ok"] = False
        elif call.when == "call":
            run["outputs"][item.cell_num] = [dict(out) for out in getattr(item, "test_outputs", [])]

    def _stage_runs(self) -> None:
        import nbformat

        self.stage.mkdir(parents=True, exist_ok=True)
        for path, run in self.runs.items():
            nb = nbformat.from_dict(run["nb"])
            code = [cell for cell in nb.cells if cell.cell_type == "code"]
            if not run["ok"] or sorted(run["outputs"]) != list(range(len(code))):
                (self.stage / f"{path.stem}.refused").write_text(str(path), encoding="utf-8")
                continue
            for number, cell in enumerate(code):
                cell.execution_count = number + 1
                cell.outputs = [nbformat.from_dict(out) for out in run["outputs"][number]]
                for out in cell.outputs:
                    if out.get("output_type") == "execute_result":
                        out["execution_count"] = number + 1
            nb.metadata.setdefault("nbcache", {})
            nb.metadata["nbcache"] = {"source": str(path), "seconds": round(run["seconds"], 2)}
            nbformat.write(nb, str(self.stage / f"{path.stem}.ipynb"))

    def _store_staged(self) -> None:
        import nbformat
        from jupyter_cache import get_cache
        from jupyter_cache.base import CacheBundleIn

        cache = get_cache(str(self.cache_dir))
        for staged in sorted(self.stage.glob("*.ipynb")):
            nb = nbformat.read(str(staged), as_version=4)
            info = nb.metadata.pop("nbcache")
            cache.cache_notebook_bundle(
                CacheBundleIn(nb, info["source"], data={"execution_seconds": info["seconds"], "executor": EXECUTOR,
                                                        "stored": time.time(), "environment": environment()}),
                check_validity=True, overwrite=True)
            self.stored.append((Path(info["source"]).stem, info["seconds"]))
        self.refused = sorted(Path(p.read_text(encoding="utf-8")).name for p in self.stage.glob("*.refused"))
        shutil.rmtree(self.stage, ignore_errors=True)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.runs:
            self._stage_runs()
        if not self.worker and self.stage.is_dir():
            self._store_staged()

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.worker:
            return
        total = sum(seconds for _, seconds in self.stored)
        terminalreporter.write_line(
            f"nbcache: {len(self.stored)} executed notebook(s) stored in {self.cache_dir} "
            f"({total:.0f} s of cell time: "
            + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self.stored) + ")"
            + (f"; NOT stored (a cell failed, was skipped or not run): {', '.join(self.refused)}"
               if self.refused else ""))
