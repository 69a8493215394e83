"""Checking token ids given to a decoder (shared by every course tokenizer)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def check_ids(ids: Any, is_valid: Callable[[int], bool], vocab_size: int) -> list[int]:
    """``ids`` as a list of plain ints, each accepted by ``is_valid``; a clear error otherwise.

    Example:
        >>> check_ids([1, 2], lambda i: 0 <= i < 5, 5)
        [1, 2]
        >>> check_ids([7], lambda i: 0 <= i < 5, 5)
        Traceback (most recent call last):
        ...
        ValueError: ids[0] = 7 is not an id of this tokenizer: expected an int in [0, 4]
    """
    if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable):
        raise TypeError(f"decode expects a sequence of ints, got {type(ids).__name__}: {ids!r:.60}")
    checked = []
    for position, i in enumerate(ids):
        if hasattr(i, "item"):  # numpy / torch scalars
            i = i.item()
        if isinstance(i, bool) or not isinstance(i, int) or not is_valid(i):
            raise ValueError(f"ids[{position}] = {i!r} is not an id of this tokenizer: "
                             f"expected an int in [0, {vocab_size - 1}]")
        checked.append(i)
    return checked
