"""Turning next-token scores into a choice: softmax, temperature, greedy and sampled decoding.

A language model returns one score (a *logit*) per vocabulary entry. This module turns those
scores into probabilities (:func:`softmax`, :func:`log_softmax`, with a temperature) and picks
the next token from them, either the most likely one (:func:`greedy`) or one drawn at random
(:func:`sample_next`). Introduced on Day 4; Day 11 adds top-k and top-p filtering here.

Checked against: ``torch.softmax`` and ``torch.log_softmax`` in float64 on random logits, on
the same logits shifted by 100 and scaled by 1000 (overflow), and sampling frequencies against
the probabilities over many seeded draws (``tests/test_generation.py``).

Leaves out: batching over several sequences when sampling, top-k/top-p (Day 11), beam search,
repetition penalties. NumPy only: torch is never imported here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Union

import numpy as np

__all__ = ["softmax", "log_softmax", "greedy", "sample_next", "scale_logits"]

ArrayLike = Union[np.ndarray, Sequence[float]]


def _as_logits(logits: ArrayLike, name: str = "logits") -> np.ndarray:
    """Logits as a float64 array with at least one entry on the last axis; no NaN, no +inf."""
    if isinstance(logits, (str, bytes)) or logits is None:
        raise TypeError(f"{name} must be a list or array of numbers, got {type(logits).__name__}: {logits!r:.60}")
    try:
        array = np.asarray(logits, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a list or array of numbers, got {logits!r:.60}") from error
    if array.ndim == 0 or array.shape[-1] == 0:
        raise ValueError(f"{name} must have at least one entry on its last axis, got shape {array.shape}")
    if np.isnan(array).any() or np.isposinf(array).any():
        raise ValueError(f"{name} must not contain NaN or +inf, got {logits!r:.60}")
    return array


def _check_temperature(temperature: float, allow_zero: bool = False) -> float:
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.floating, np.integer)):
        raise TypeError(f"temperature must be a number, got {type(temperature).__name__}: {temperature!r}")
    temperature = float(temperature)
    if not math.isfinite(temperature) or temperature < 0 or (temperature == 0 and not allow_zero):
        expected = ">= 0 (0 means greedy)" if allow_zero else "> 0 (use greedy() for temperature 0)"
        raise ValueError(f"temperature must be a finite number {expected}, got {temperature!r}")
    return temperature


def scale_logits(logits: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    """The logits divided by ``temperature`` (> 0): below 1 sharpens, above 1 flattens.

    Example:
        >>> scale_logits([1.0, 2.0], temperature=0.5).tolist()
        [2.0, 4.0]
    """
    return _as_logits(logits) / _check_temperature(temperature)


def _scaled_with_a_finite_entry(logits: ArrayLike, temperature: float) -> np.ndarray:
    scaled = scale_logits(logits, temperature)
    if np.isneginf(scaled).all(axis=-1).any():
        raise ValueError("every logit of a row is -inf: no token has any probability left")
    return scaled


def log_softmax(logits: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    """Log-probabilities from logits over the last axis, computed without overflow.

    ``log_softmax(x) = x - max(x) - log(sum(exp(x - max(x))))``: subtracting the maximum first
    keeps every ``exp`` at most 1. Introduced on Day 4.

    Example:
        >>> log_softmax([0.0, 0.0]).round(4).tolist()
        [-0.6931, -0.6931]
    """
    scaled = _scaled_with_a_finite_entry(logits, temperature)
    shifted = scaled - scaled.max(axis=-1, keepdims=True)  # every exp below is at most 1
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    """Probabilities from logits over the last axis: ``exp(x / T)`` normalized to sum to 1.

    Numerically stable (the maximum is subtracted first), so ``softmax([1000, 1001])`` works.
    ``temperature`` must be > 0; lower values sharpen the distribution towards the argmax,
    higher values flatten it towards uniform. ``-inf`` logits get probability 0. Day 4.

    Example:
        >>> softmax([1.0, 2.0, 3.0]).round(3).tolist()
        [0.09, 0.245, 0.665]
        >>> softmax([1000.0, 1001.0]).round(3).tolist()
        [0.269, 0.731]
        >>> softmax([1.0, 2.0, 3.0], temperature=100).round(3).tolist()
        [0.33, 0.333, 0.337]
    """
    scaled = _scaled_with_a_finite_entry(logits, temperature)
    exps = np.exp(scaled - scaled.max(axis=-1, keepdims=True))  # largest term is exp(0) = 1
    return exps / exps.sum(axis=-1, keepdims=True)


def greedy(logits: ArrayLike) -> int:
    """The id with the highest logit (the first one on ties): decoding at temperature 0.

    Example:
        >>> greedy([0.1, 2.5, -1.0, 2.5])
        1
    """
    array = _as_logits(logits)
    if array.ndim != 1:
        raise ValueError(f"greedy expects one row of logits (1-D), got shape {array.shape}")
    return int(np.argmax(array))


def sample_next(logits: ArrayLike, temperature: float = 1.0, rng: np.random.Generator | None = None) -> int:
    """Draw one id with probability ``softmax(logits / temperature)``; temperature 0 is greedy.

    ``rng`` is a NumPy ``Generator`` (``np.random.default_rng(seed)``), so that a seed fixes the
    draw; without one a fresh, unseeded generator is used. Day 4.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> [sample_next([0.0, 1.0, 5.0], temperature=1.0, rng=rng) for _ in range(8)]
        [2, 2, 2, 1, 2, 2, 2, 2]
        >>> sample_next([0.0, 1.0, 5.0], temperature=0)
        2
    """
    temperature = _check_temperature(temperature, allow_zero=True)
    if temperature == 0:
        return greedy(logits)
    if rng is None:
        rng = np.random.default_rng()
    elif not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    probs = softmax(logits, temperature)
    if probs.ndim != 1:
        raise ValueError(f"sample_next expects one row of logits (1-D), got shape {probs.shape}")
    return int(rng.choice(probs.shape[0], p=probs))
