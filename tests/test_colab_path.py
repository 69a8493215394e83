"""The path a Colab learner takes, end to end, without Colab and without the network.

On Colab the notebook's first cell runs ``%pip install "llm-engineering-30-days @ git+<repo>"``:
a NON-editable install from a git URL, into an interpreter that has never seen this checkout.
This test does the same with a ``file://`` git repository made from the working tree (tracked
and new, not ignored, files of the package), installs it with pip into a fresh folder (``--no-deps``:
the libraries come from the current environment, as Colab's own torch and numpy do), copies a
student notebook (``student/<day>.ipynb``, what the book's Colab link opens) to an empty folder
outside the checkout, and runs it there with only the installed package importable. So:

* every file under ``course_lib/data`` and ``course_lib/exercise_tests`` of the checkout is in the
  installed package (corpus, retrieval snapshot, course GPT checkpoint, public exercise tests);
* the lesson cells run from the install, and each ``grader.check("qN")`` finds the day's public
  tests in the installed package and reports on the (untouched, unanswered) exercise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "llm-engineering-30-days"
# Day 1 (the template), Day 14 (exports the course GPT and its tokenizer to a transformers folder) and
# Day 17 (fine-tunes it; reads the shipped LoRA sweep): package data of three parts, from the install.
DAYS = ("day01_tokens", "day14_inside_a_real_model", "day17_fine_tuning_peft")
PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE", "LICENSE-TEXT", "course_lib")


def _git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def _package_files() -> list[str]:
    """Tracked and new (not ignored) files of the package, as git sees the working tree."""
    listed = _git("ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", *PACKAGE_FILES, cwd=ROOT)
    return sorted(p for p in set(listed.split("\0")) if p and (ROOT / p).is_file())


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """``pip install "<package> @ git+file://<temporary commit of the working tree>"`` into a folder."""
    base = tmp_path_factory.mktemp("colab")
    repo = base / "repo"
    for name in _package_files():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, repo / name)
    _git("init", "-q", "-b", "main", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-q", "-m", "working tree", cwd=repo)
    target = base / "site"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), f"{PACKAGE} @ git+{repo.as_uri()}"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"pip install from git failed:\n{result.stdout}\n{result.stderr}"
    return target


def test_package_data_comes_with_the_install(installed: Path) -> None:
    committed = installed.parent / "repo"  # the temporary commit the install came from
    wanted = [str(p.relative_to(committed)) for p in committed.rglob("*") if p.is_file()
              and str(p.relative_to(committed)).startswith(("course_lib/data/", "course_lib/exercise_tests/"))]
    assert any(p.startswith("course_lib/data/course_gpt/") for p in wanted), "no course GPT checkpoint in the checkout"
    missing = [p for p in wanted if not (installed / p).is_file()]
    assert not missing, f"{len(missing)} package data file(s) not installed, e.g. {missing[:5]}"
    different = [p for p in wanted if (installed / p).read_bytes() != (committed / p).read_bytes()]
    assert not different, f"installed files differ from the committed ones: {different[:5]}"
    assert not (installed / "course_lib" / "__editable__").exists()


@pytest.mark.parametrize("day", DAYS)
def test_student_notebook_runs_from_an_empty_folder(installed: Path, tmp_path: Path, monkeypatch, day: str) -> None:
    import nbformat
    from nbclient import NotebookClient

    student = ROOT / "student" / f"{day}.ipynb"
    assert student.is_file(), f"{student} missing: run `make assign`"
    work = tmp_path / "content"  # Colab's working folder is /content: empty but for the notebook
    work.mkdir()
    shutil.copy2(student, work / student.name)
    guard = tmp_path / "guard"  # the offline guard's sitecustomize, outside the checkout
    guard.mkdir()
    shutil.copy2(ROOT / "tools" / "offline" / "sitecustomize.py", guard / "sitecustomize.py")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(installed), str(guard)]))
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("COURSE_FULL", raising=False)

    nb = nbformat.read(str(work / student.name), as_version=4)
    # last cell: where every course_lib module the notebook used was loaded from (the venv's
    # editable install of this checkout is on sys.path too, behind PYTHONPATH: it must not be used)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import sys\nprint(sorted({m.__file__.rsplit('/course_lib/', 1)[0] for n, m in list(sys.modules.items())"
        " if n.split('.')[0] == 'course_lib' and getattr(m, '__file__', None)}))"))
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(work)}}).execute()

    origins = "".join(o.get("text", "") for o in nb.cells[-1].outputs).strip()
    assert origins == repr([str(installed)]), f"course_lib modules loaded from {origins}, not only {installed}"

    master = {c.get("id"): c.source for c in nbformat.read(str(ROOT / "notebooks" / f"{day}.ipynb"), 4).cells}
    checks = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
        if "grader.check(" in cell.source:
            checks += 1
            assert not errors, f"{cell.source!r} raised {errors}: public tests not found in the install?"
            shown = json.dumps([o.get("data", o.get("text")) for o in cell.outputs])
            question = cell.source.split('"')[1]
            assert question in shown, f"{cell.source!r} shows no result for {question}: {shown[:300]}"
        elif master.get(cell.get("id")) == cell.source:  # a lesson cell, the same as in the master
            assert not errors, f"lesson cell failed on the installed package: {errors}\n{cell.source[:300]}"
    assert checks >= 2, f"only {checks} grader.check cell(s) in {student.name}"


# Colab ships its own torch/transformers/numpy: pyproject's lower bounds are what a learner may get.
# Each row: a feature the code may use, and the first version of the library that has it.
FEATURE_FLOORS = [
    (r"enable_gqa\s*=", "torch", (2, 5)),          # F.scaled_dot_product_attention(enable_gqa=...)
    (r"nn\.RMSNorm\(", "torch", (2, 4)),           # torch.nn.RMSNorm
    (r"nn\.functional\.rms_norm\(|F\.rms_norm\(", "torch", (2, 4)),
    (r"np\.trapezoid\(|numpy\.trapezoid\(", "numpy", (2, 0)),
    (r"attn_implementation\s*=", "transformers", (4, 36)),
    (r"gate_up_proj", "transformers", (5, 0)),    # fused MoE experts (Mixtral) read by MoELayer.from_hf
]


def _floor(requirement: str) -> tuple[int, ...]:
    import re

    found = re.search(r">=\s*([\d.]+)", requirement)
    return tuple(int(x) for x in found.group(1).split(".")[:2]) if found else (0,)


def test_dependency_floors_cover_the_features_used() -> None:
    import re
    import tomllib

    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    floors = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower(): _floor(d) for d in dependencies}
    sources = [*ROOT.glob("course_lib/**/*.py"), *ROOT.glob("notebooks/*.ipynb")]
    text = {p: p.read_text(encoding="utf-8") for p in sources}
    too_low = []
    for pattern, package, needed in FEATURE_FLOORS:
        users = [p.relative_to(ROOT) for p, t in text.items() if re.search(pattern, t)]
        if users and floors.get(package, (0,)) < needed:
            too_low.append(f"{package}>={'.'.join(map(str, needed))} needed by {pattern!r} in {users[:3]}; "
                           f"pyproject says {floors.get(package)}")
    assert not too_low, "raise the floors in pyproject.toml:\n" + "\n".join(too_low)
