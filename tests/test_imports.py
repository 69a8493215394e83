"""`import course_lib` and its light modules stay fast: no heavy library at import time."""

import subprocess
import sys

HEAVY = ["torch", "transformers", "ipywidgets", "matplotlib", "otter", "tokenizers", "numpy", "llama_index"]


def test_light_modules_import_no_heavy_library():
    code = ("import sys, course_lib, course_lib.tokenizers, course_lib.budget, course_lib.widgets, "
            "course_lib.offline, course_lib.grading, course_lib.corpus\n"
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
