"""`import course_lib` and its light modules stay fast: no heavy library at import time."""

import subprocess
import sys

# numpy is allowed at module level (it is the lingua franca and imports in ~0.1 s); these are not.
HEAVY = ["torch", "transformers", "ipywidgets", "matplotlib", "otter", "tokenizers", "llama_index", "tiktoken"]


def test_light_modules_import_no_heavy_library():
    code = ("import sys, course_lib, course_lib.tokenizers, course_lib.budget, course_lib.widgets, "
            "course_lib.offline, course_lib.grading, course_lib.corpus, course_lib.bpe, course_lib.lm, "
            "course_lib.generation, course_lib.attention, course_lib.pretrained, course_lib.runtime\n"
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
