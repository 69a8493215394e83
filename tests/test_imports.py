"""`import course_lib` and its light modules stay fast: no heavy library at import time."""

import subprocess
import sys

# numpy is allowed at module level (it is the lingua franca and imports in ~0.1 s); these are not.
HEAVY = ["torch", "transformers", "ipywidgets", "matplotlib", "otter", "tokenizers", "llama_index", "tiktoken",
         "faiss", "qdrant_client", "sentence_transformers", "bm25s", "rank_bm25", "safetensors"]


def test_light_modules_import_no_heavy_library():
    code = ("import sys, course_lib, course_lib.tokenizers, course_lib.budget, course_lib.widgets, "
            "course_lib.offline, course_lib.grading, course_lib.corpus, course_lib.bpe, course_lib.lm, "
            "course_lib.generation, course_lib.attention, course_lib.pretrained, course_lib.runtime, "
            "course_lib.transformer, course_lib.hf_convert, course_lib.masks, course_lib.positions, "
            "course_lib.training, course_lib.course_gpt, course_lib.embeddings, course_lib.llm, course_lib.evaluation, "
            "course_lib.rag, course_lib.rag.llamaindex, course_lib.rag.indexes, course_lib.rag.hnsw, "
            "course_lib.rag.qdrant_store, course_lib.widgets.rag, course_lib.sandbox, course_lib.gradebook, "
            "course_lib.generation.streaming, course_lib.generation.metrics, course_lib.kv_cache, course_lib.models, "
            "course_lib.quantization, course_lib.chat\n"
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
