"""Stopping criteria: when a generated sequence is finished (Day 12).

A criterion is a callable ``criterion(input_ids (B, T) int64, prompt_length: int) -> BoolTensor (B,)``,
True where that row is finished. ``input_ids`` holds the prompt (its first ``prompt_length`` columns)
followed by everything generated so far; a decoding loop calls the criteria after each new token and
stops a row once :func:`stop_reached` says so.

* :class:`MaxNewTokens` - a budget of new tokens;
* :class:`EosToken` - the model wrote an end-of-sequence id;
* :class:`StopStrings` - a stop string appears in the decoded new text;
* :func:`trim_at_stop` - cut the final text before its earliest stop string.

Checked against ``transformers``' ``MaxLengthCriteria``, ``EosTokenCriteria`` and ``StopStringCriteria``
(``tests/test_generation_stopping.py``): called after every step, each of ours turns True at the same step
as its counterpart. Differences, on purpose: ours are stateless functions of the NEW tokens (transformers
looks only at the last token for EOS and only at stop strings that end in the last token, so theirs can
turn False again on later tokens; ours stay True), and the prompt never counts (a stop string that starts
in the prompt and ends in a new token stops transformers, not us). Leaves out: time limits and
model-confidence criteria.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch

__all__ = ["MaxNewTokens", "EosToken", "StopStrings", "stop_reached", "trim_at_stop"]

Criterion = Callable[[torch.Tensor, int], torch.Tensor]


def _check_ids(input_ids: Any, prompt_length: Any) -> None:
    if not isinstance(input_ids, torch.Tensor) or input_ids.ndim != 2 or input_ids.dtype != torch.long:
        raise ValueError(f"input_ids must be a (batch, time) int64 tensor, got "
                         f"{getattr(input_ids, 'dtype', type(input_ids).__name__)} "
                         f"{tuple(getattr(input_ids, 'shape', ()))}")
    if isinstance(prompt_length, bool) or not isinstance(prompt_length, int) \
            or not 0 <= prompt_length <= input_ids.shape[1]:
        raise ValueError(f"prompt_length must be an int in [0, {input_ids.shape[1]}] (the sequence length), "
                         f"got {prompt_length!r}")


def _check_stops(stops: Any) -> tuple[str, ...]:
    if isinstance(stops, str):  # one stop string, as transformers accepts
        stops = [stops]
    if not isinstance(stops, Iterable) or not all(isinstance(s, str) and s for s in stops):
        raise TypeError(f"stops must be a list of non-empty strings, got {stops!r:.80}")
    return tuple(stops)


class MaxNewTokens:
    """Finished once ``n`` new tokens follow the prompt (== ``MaxLengthCriteria(prompt_length + n)``).

    Example:
        >>> ids = torch.tensor([[5, 6, 7, 8], [1, 2, 3, 4]])
        >>> MaxNewTokens(2)(ids, prompt_length=2), MaxNewTokens(3)(ids, prompt_length=2)
        (tensor([True, True]), tensor([False, False]))
    """

    def __init__(self, n: int):
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n (max new tokens) must be an int >= 0, got {n!r}")
        self.n = n

    def __call__(self, input_ids: torch.Tensor, prompt_length: int) -> torch.Tensor:
        _check_ids(input_ids, prompt_length)
        done = input_ids.shape[1] - prompt_length >= self.n
        return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)  # (B,)

    def __repr__(self) -> str:
        return f"MaxNewTokens({self.n})"


class EosToken:
    """Finished once a new token is one of the end-of-sequence ids (one id or a list of them).

    Example:
        >>> ids = torch.tensor([[0, 4, 9], [0, 9, 9], [0, 2, 3]])  # prompt: the first column
        >>> EosToken(9)(ids, prompt_length=1), EosToken([3, 4])(ids, prompt_length=1)
        (tensor([ True,  True, False]), tensor([ True, False,  True]))
    """

    def __init__(self, eos_token_id: int | Sequence[int]):
        ids = [eos_token_id] if isinstance(eos_token_id, int) and not isinstance(eos_token_id, bool) \
            else eos_token_id
        if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable):
            raise TypeError(f"eos_token_id must be an int or a list of ints, got {eos_token_id!r}")
        ids = list(ids)
        if not ids or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in ids):
            raise ValueError(f"eos_token_id must be an int >= 0 or a non-empty list of them, got {eos_token_id!r}")
        self.eos_token_ids = ids

    def __call__(self, input_ids: torch.Tensor, prompt_length: int) -> torch.Tensor:
        _check_ids(input_ids, prompt_length)
        eos = torch.tensor(self.eos_token_ids, device=input_ids.device)
        return torch.isin(input_ids[:, prompt_length:], eos).any(dim=-1)  # (B,)

    def __repr__(self) -> str:
        return f"EosToken({self.eos_token_ids})"


class StopStrings:
    """Finished once a stop string appears in the decoded new text.

    ``tokenizer`` is our :class:`course_lib.bpe.BPETokenizer` (matched on bytes via ``decode_bytes``, so a
    half-finished character cannot hide a stop) or anything with ``decode(list[int]) -> str`` (a
    ``transformers`` tokenizer). Each call decodes every row's new tokens: simple, quadratic in length.

    Example:
        >>> from course_lib.bpe import BPETokenizer
        >>> tok = BPETokenizer()  # bytes only: one id per byte
        >>> ids = torch.tensor([tok.encode("Q: hi\\nA: ok\\nQ:"), tok.encode("Q: hi\\nA: nope.")])
        >>> StopStrings(["\\nQ:"], tok)(ids, prompt_length=5)  # the first row asked a new question
        tensor([ True, False])
    """

    def __init__(self, stops: list[str], tokenizer: Any):
        self.stops = _check_stops(stops)
        if not hasattr(tokenizer, "decode"):
            raise TypeError(f"tokenizer must have a decode method, got {type(tokenizer).__name__}")
        self.tokenizer = tokenizer
        self._bytes = hasattr(tokenizer, "decode_bytes")
        self._targets = tuple(s.encode("utf-8") for s in self.stops) if self._bytes else self.stops

    def _found(self, ids: list[int]) -> bool:
        text = self.tokenizer.decode_bytes(ids) if self._bytes else self.tokenizer.decode(ids)
        return any(target in text for target in self._targets)

    def __call__(self, input_ids: torch.Tensor, prompt_length: int) -> torch.Tensor:
        _check_ids(input_ids, prompt_length)
        rows = input_ids[:, prompt_length:].tolist()
        return torch.tensor([self._found(row) for row in rows], dtype=torch.bool, device=input_ids.device)

    def __repr__(self) -> str:
        return f"StopStrings({list(self.stops)!r})"


def stop_reached(criteria: Iterable[Criterion], input_ids: torch.Tensor, prompt_length: int) -> torch.Tensor:
    """``(B,)`` True where ANY criterion says the row is finished (no criteria: never finished).

    Example:
        >>> ids = torch.tensor([[1, 2, 9], [1, 2, 3]])
        >>> stop_reached([EosToken(9), MaxNewTokens(5)], ids, prompt_length=2)
        tensor([ True, False])
    """
    _check_ids(input_ids, prompt_length)
    if callable(criteria):
        raise TypeError("criteria must be a list of criteria, got a single callable: wrap it in a list")
    done = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)  # (B,)
    for criterion in criteria:
        if not callable(criterion):
            raise TypeError(f"each criterion must be callable(input_ids, prompt_length), got {criterion!r:.60}")
        done = done | criterion(input_ids, prompt_length)
    return done


def trim_at_stop(text: str, stops: list[str]) -> str:
    """``text`` cut just before the earliest occurrence of any stop string (unchanged if none occurs).

    Example:
        >>> trim_at_stop("A: yes\\nQ: and you?\\n\\n", ["\\n\\n", "\\nQ:"])
        'A: yes'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    cut = len(text)
    for stop in _check_stops(stops):
        at = text.find(stop)
        if at != -1:
            cut = min(cut, at)
    return text[:cut]
