"""The course's repository address has ONE source of truth: ``repository.url`` in ``_config.yml``.

The book's buttons and student links are built from it; everything else that names the
repository must agree with it, so that a fork changes that line and then exactly what this test
lists: ``[project.urls]`` in pyproject.toml, each notebook's Colab install cell
(``%pip install "llm-engineering-30-days @ git+<url>"``, masters and student versions), the
``git clone`` commands in the book and README, and any other link to the same GitHub owner.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
URL = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"].rstrip("/")
OWNER = URL.split("/")[-2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE = PYPROJECT["project"]["name"]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("day*.ipynb")) + sorted((ROOT / "student").glob("day*.ipynb"))
SKIP_DIRS = {".git", ".venv", "_build", "dist", "node_modules", "__pycache__"}
TEXT_SUFFIXES = {".md", ".py", ".yml", ".yaml", ".toml", ".txt", ".ipynb", ".cfg", ".sh", ".html"}
GITHUB_LINK = re.compile(r"github\.com/([\w.-]+)/([\w.-]+)")


def _text_files() -> list[Path]:
    return [p for p in ROOT.rglob("*")
            if p.is_file() and p.suffix in TEXT_SUFFIXES and not SKIP_DIRS & set(p.relative_to(ROOT).parts)
            and not any(part.endswith(".egg-info") or part.startswith(".venv") for part in p.relative_to(ROOT).parts)]


def test_config_url_is_a_github_repository() -> None:
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", URL), f"_config.yml repository.url {URL!r}"


def test_package_metadata_agrees() -> None:
    urls = PYPROJECT["project"]["urls"]
    assert urls, "pyproject.toml has no [project.urls]"
    wrong = {k: v for k, v in urls.items() if v.rstrip("/") != URL and not v.startswith(URL + "/")}
    assert not wrong, f"pyproject.toml [project.urls] {wrong} != _config.yml repository.url {URL}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS])
def test_colab_install_cell_installs_this_repository(notebook: Path) -> None:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    first = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
    found = re.findall(r'%pip install[^\n]*"([\w.-]+)(?:\[[\w,-]+\])? @ git\+([^"@#]+)', first)  # extras allowed
    assert found, f"{notebook.name}: the first code cell has no `%pip install \"{PACKAGE} @ git+{URL}\"`"
    for package, url in found:
        assert package == PACKAGE, f"{notebook.name}: installs {package!r}, the package is {PACKAGE!r}"
        assert url.rstrip("/").removesuffix(".git") == URL, f"{notebook.name}: installs from {url}, not {URL}"


def test_every_link_to_the_owner_names_this_repository() -> None:
    wrong = []
    for path in _text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for owner, name in GITHUB_LINK.findall(text):
            if owner.lower() == OWNER.lower() and f"https://github.com/{owner}/{name.removesuffix('.git')}" != URL:
                wrong.append(f"{path.relative_to(ROOT)}: github.com/{owner}/{name}")
    assert not wrong, f"links to {OWNER}'s GitHub that are not {URL}:\n" + "\n".join(sorted(set(wrong)))


def test_clone_commands_use_this_repository() -> None:
    wrong = []
    for path in [ROOT / "README.md", *sorted((ROOT / "book").glob("*.md"))]:
        for url in re.findall(r"git clone\s+(\S+)", path.read_text(encoding="utf-8")):
            if url.removesuffix(".git").rstrip("/") != URL:
                wrong.append(f"{path.relative_to(ROOT)}: git clone {url}")
    assert not wrong, "\n".join(wrong)
