"""Run-time choices every notebook makes the same way: seeds, size of the run, device.

* :func:`seed_everything` seeds Python, NumPy and torch (those already imported or importable).
* :func:`full_size` says whether to run the full-size version of heavy work: on when the
  environment variable ``COURSE_FULL=1`` is set or a CUDA GPU is present, off otherwise (the
  small default keeps each notebook under 60 s on a 2-core CPU).
* :func:`pick_device` returns ``"cuda"`` when a GPU is usable, else ``"cpu"``.

Introduced on Day 1; used by every day that trains or generates.
"""

from __future__ import annotations

import os
import random
import sys

__all__ = ["seed_everything", "full_size", "pick_device"]


def seed_everything(seed: int = 0) -> int:
    """Seed ``random``, NumPy and torch so that a notebook gives the same numbers on every run.

    Example:
        >>> import random
        >>> _ = seed_everything(7); a = random.random()
        >>> _ = seed_everything(7); a == random.random()
        True
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an int in [0, 2**32), got {seed!r}")
    random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)  # for subprocesses; this process's hash seed is fixed at start
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)
    return seed


def _cuda_available() -> bool:
    if "torch" not in sys.modules:
        try:
            import torch  # noqa: F401
        except ImportError:
            return False
    return bool(sys.modules["torch"].cuda.is_available())


def full_size() -> bool:
    """True when heavy work should run at full size (``COURSE_FULL=1`` or a CUDA GPU).

    ``COURSE_FULL=0`` forces the small default even on a GPU.

    Example:
        >>> steps = 5_000 if full_size() else 200  # the pattern every heavy cell follows
        >>> steps in (200, 5_000)
        True
    """
    flag = os.environ.get("COURSE_FULL", "").strip()
    if flag in ("0", "1"):
        return flag == "1"
    if flag:
        raise ValueError(f"COURSE_FULL must be '0' or '1' (or unset), got {flag!r}")
    return _cuda_available()


def pick_device() -> str:
    """``"cuda"`` when a CUDA GPU is usable, otherwise ``"cpu"``."""
    return "cuda" if _cuda_available() else "cpu"
