"""Test-wide set-up: offline everywhere, in this process and in every notebook kernel it starts.

Kernels inherit the environment: ``tools/offline`` on PYTHONPATH holds a sitecustomize that turns
on ``course_lib.offline`` when COURSE_OFFLINE=1 (the Makefile sets the same, so the book build's
kernels are guarded too).
"""

import os
from pathlib import Path

from course_lib import offline

_GUARD_DIR = str(Path(__file__).parent / "tools" / "offline")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ["COURSE_OFFLINE"] = "1"
if _GUARD_DIR not in os.environ.get("PYTHONPATH", "").split(os.pathsep):
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_GUARD_DIR, os.environ.get("PYTHONPATH")) if p)

offline.install()

# Otter's generated test files are data for the grader, not pytest modules.
collect_ignore_glob = ["course_lib/exercise_tests/*", "dist/*", "_build/*"]
