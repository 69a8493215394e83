"""Sampling filters: temperature, top-k, top-p and the repetition penalty on next-token logits (Day 11).

Each filter takes logits ``(batch, vocab)`` or ``(vocab,)`` and returns NEW logits of the same shape
and dtype, with ``-inf`` where a token is removed, so ``softmax`` of the result is the distribution
that is sampled. :func:`choose_next_token` chains them into one decoding step, in the order
``transformers`` uses in ``generate(do_sample=True)``: repetition penalty, temperature, top-k,
top-p, softmax (float32), ``torch.multinomial``.

Papers: top-k sampling (Fan et al. 2018, *Hierarchical Neural Story Generation*), nucleus / top-p
sampling (Holtzman et al. 2020, *The Curious Case of Neural Text Degeneration*), the repetition
penalty (Keskar et al. 2019, *CTRL*). Trusted reference: ``transformers``'
``TemperatureLogitsWarper``, ``TopKLogitsWarper``, ``TopPLogitsWarper`` and
``RepetitionPenaltyLogitsProcessor`` (``tests/test_generation_filters.py`` compares filtered logits
on random inputs with ties and ``-inf``). Left out: min-p, typical and epsilon sampling,
``prompt_ignore_length``, a ``filter_value`` other than ``-inf``.
"""

from __future__ import annotations

import math
from typing import Any

import torch

__all__ = ["temperature_scale", "top_k_filter", "top_p_filter", "repetition_penalty", "choose_next_token"]


def _check_logits(logits: Any) -> None:
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        raise TypeError(f"logits must be a floating-point torch.Tensor, got {type(logits).__name__}"
                        + (f" of dtype {logits.dtype}" if isinstance(logits, torch.Tensor) else ""))
    if logits.dim() not in (1, 2) or logits.shape[-1] == 0:
        raise ValueError(f"logits must have shape (batch, vocab) or (vocab,) with vocab >= 1, "
                         f"got {tuple(logits.shape)}")


def _check_int(name: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


def _check_positive(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


def temperature_scale(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """``logits / temperature``: below 1 sharpens the distribution, above 1 flattens it (Day 11).

    Example:
        >>> temperature_scale(torch.tensor([2.0, 1.0, -4.0]), 2.0)
        tensor([ 1.0000,  0.5000, -2.0000])
    """
    _check_logits(logits)
    _check_positive("temperature", temperature)
    return logits / temperature


def top_k_filter(logits: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the ``k`` largest logits of each row (every tie of the k-th value too), ``-inf`` elsewhere (Day 11).

    Example:
        >>> top_k_filter(torch.tensor([1.0, 3.0, 2.0, 3.0]), 2)
        tensor([-inf, 3., -inf, 3.])
        >>> top_k_filter(torch.tensor([1.0, 3.0, 2.0, 2.0]), 2)  # the tie at the 2nd value stays
        tensor([-inf, 3., 2., 2.])
    """
    _check_logits(logits)
    _check_int("k", k, 1)
    k = min(k, logits.shape[-1])
    kth = torch.topk(logits, k, dim=-1).values[..., -1:]  # (B, 1) or (1,): the k-th largest
    return logits.masked_fill(logits < kth, float("-inf"))


def top_p_filter(logits: torch.Tensor, p: float, min_tokens_to_keep: int = 1) -> torch.Tensor:
    """Keep the smallest set of most likely tokens whose probabilities add up to at least ``p`` (Day 11).

    Sorted from least to most likely, a token is removed while the running sum of probabilities up to
    and including it is ``<= 1 - p``; the ``min_tokens_to_keep`` most likely always stay. ``p = 1``
    keeps every token of non-zero probability.

    Example:
        >>> probs = torch.tensor([0.5, 0.3, 0.15, 0.05])
        >>> top_p_filter(probs.log(), 0.75).isfinite().tolist()  # 0.5 + 0.3 >= 0.75: two tokens
        [True, True, False, False]
    """
    _check_logits(logits)
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise ValueError(f"p must be a number between 0 and 1, got {p!r}")
    _check_int("min_tokens_to_keep", min_tokens_to_keep, 1)
    rows = logits.reshape(-1, logits.shape[-1])  # (B, V)
    sorted_logits, order = torch.sort(rows, descending=False)  # least likely first
    cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)  # (B, V)
    remove_sorted = cumulative <= 1 - p
    remove_sorted[:, -min_tokens_to_keep:] = False  # the most likely always stay
    remove = remove_sorted.scatter(1, order, remove_sorted)  # back to vocabulary order
    return rows.masked_fill(remove, float("-inf")).reshape(logits.shape)


def _rows_of_ids(input_ids: Any, logits: torch.Tensor) -> torch.Tensor:
    """``input_ids`` as ``(B, T)`` int64 matching the batch of ``logits``; ValueError otherwise."""
    if not isinstance(input_ids, torch.Tensor) or input_ids.is_floating_point() or input_ids.dtype == torch.bool:
        raise TypeError(f"input_ids must be an integer torch.Tensor, got {type(input_ids).__name__}"
                        + (f" of dtype {input_ids.dtype}" if isinstance(input_ids, torch.Tensor) else ""))
    ids = input_ids.reshape(1, -1) if input_ids.dim() == 1 and logits.dim() == 1 else input_ids
    batch = 1 if logits.dim() == 1 else logits.shape[0]
    if ids.dim() != 2 or ids.shape[0] != batch:
        raise ValueError(f"input_ids must have shape ({batch}, T) to match logits {tuple(logits.shape)}, "
                         f"got {tuple(input_ids.shape)}")
    if ids.numel() and (ids.min() < 0 or ids.max() >= logits.shape[-1]):
        raise ValueError(f"input_ids must lie in [0, {logits.shape[-1]}), got values from "
                         f"{int(ids.min())} to {int(ids.max())}")
    return ids.long()


def repetition_penalty(logits: torch.Tensor, input_ids: torch.Tensor, penalty: float) -> torch.Tensor:
    """Make every token already in ``input_ids (B, T)`` less likely: positive logits / ``penalty``, negative * it.

    Each seen token is penalized once, however often it occurred; ``penalty > 1`` discourages
    repeats, ``penalty < 1`` encourages them (CTRL's recipe; Day 11 previews it, Day 12 measures it).

    Example:
        >>> repetition_penalty(torch.tensor([2.0, -1.0, 0.5]), torch.tensor([0, 1, 1]), 2.0)
        tensor([ 1.0000, -2.0000,  0.5000])
    """
    _check_logits(logits)
    _check_positive("penalty", penalty)
    ids = _rows_of_ids(input_ids, logits)  # (B, T)
    rows = logits.reshape(-1, logits.shape[-1])  # (B, V)
    seen = torch.gather(rows, 1, ids)  # (B, T) the logits of tokens already there
    seen = torch.where(seen < 0, seen * penalty, seen / penalty)
    return rows.scatter(1, ids, seen).reshape(logits.shape)


def choose_next_token(logits: torch.Tensor, input_ids: torch.Tensor | None = None, *, temperature: float = 1.0,
                      top_k: int | None = None, top_p: float | None = None, repetition_penalty: float | None = None,
                      generator: torch.Generator | None = None) -> torch.Tensor:
    """One decoding step: the next id of each row, ``(B, 1)`` int64 (``(1, 1)`` for 1-D logits) (Day 11).

    In ``transformers``' order: ``repetition_penalty`` (needs ``input_ids (B, T)``), then
    ``temperature == 0`` is greedy (the argmax, first on ties); otherwise temperature, ``top_k``,
    ``top_p``, softmax in float32 and one ``torch.multinomial`` draw with ``generator`` (seed it to
    repeat a sample). With only temperature and top-k it draws exactly what ``GPT.generate`` of
    Days 9-10 draws.

    Example:
        >>> logits = torch.tensor([[0.0, 3.0, 1.0], [2.0, 0.0, 2.0]])
        >>> choose_next_token(logits, temperature=0).tolist()
        [[1], [0]]
        >>> choose_next_token(logits[0], top_k=1, generator=torch.Generator().manual_seed(0)).tolist()
        [[1]]
    """
    _check_logits(logits)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not 0 <= temperature < math.inf:
        raise ValueError(f"temperature must be a finite number >= 0 (0 = greedy), got {temperature!r}")
    scores = logits.float().reshape(-1, logits.shape[-1])  # (B, V) float32, as transformers does
    if repetition_penalty is not None:
        if input_ids is None:
            raise ValueError("repetition_penalty needs input_ids (the tokens so far), got input_ids=None")
        ids = input_ids.reshape(1, -1) if isinstance(input_ids, torch.Tensor) and input_ids.dim() == 1 else input_ids
        scores = _penalize(scores, ids, repetition_penalty)
    if temperature == 0:
        return scores.argmax(dim=-1, keepdim=True)  # (B, 1)
    scores = temperature_scale(scores, temperature)
    if top_k is not None:
        scores = top_k_filter(scores, top_k)
    if top_p is not None:
        scores = top_p_filter(scores, top_p)
    probs = torch.softmax(scores, dim=-1)  # (B, V)
    if generator is not None and generator.device != probs.device:  # e.g. a CPU generator, GPU model
        probs = probs.to(generator.device)
    return torch.multinomial(probs, num_samples=1, generator=generator).to(logits.device)  # (B, 1)


_penalize = repetition_penalty  # the function, under a name the keyword argument above does not hide
