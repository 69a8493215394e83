"""Token budgets: what a prompt costs and whether it fits a model's context window.

Introduced on Day 1; Day 19 comes back to budgets for whole conversations. Pure
arithmetic, checked by hand-computed cases in ``tests/test_budget.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["estimate_cost", "fit_to_context"]


def _check_non_negative(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")


def estimate_cost(
    input_tokens: int,
    output_tokens: int = 0,
    usd_per_million_input: float = 1.0,
    usd_per_million_output: float = 1.0,
) -> float:
    """Price of one call in US dollars, from token counts and per-million-token prices.

    Example:
        >>> round(estimate_cost(1_500, 500, usd_per_million_input=3.0, usd_per_million_output=15.0), 6)
        0.012
    """
    for name, value in [("input_tokens", input_tokens), ("output_tokens", output_tokens),
                        ("usd_per_million_input", usd_per_million_input),
                        ("usd_per_million_output", usd_per_million_output)]:
        _check_non_negative(name, value)
    return (input_tokens * usd_per_million_input + output_tokens * usd_per_million_output) / 1_000_000


def fit_to_context(
    ids: Sequence[int], context_window: int, reserve_for_output: int = 0, keep: str = "end"
) -> list[int]:
    """Cut ``ids`` so that they plus ``reserve_for_output`` tokens fit in ``context_window``.

    ``keep="end"`` keeps the most recent tokens (chat), ``keep="start"`` the first ones (documents).

    Example:
        >>> fit_to_context([1, 2, 3, 4, 5], context_window=4, reserve_for_output=1)
        [3, 4, 5]
        >>> fit_to_context([1, 2, 3, 4, 5], context_window=4, reserve_for_output=1, keep="start")
        [1, 2, 3]
    """
    if isinstance(context_window, bool) or not isinstance(context_window, int) or context_window < 1:
        raise ValueError(f"context_window must be a positive int, got {context_window!r}")
    if isinstance(reserve_for_output, bool) or not isinstance(reserve_for_output, int) \
            or not 0 <= reserve_for_output < context_window:
        raise ValueError(f"reserve_for_output must be an int in [0, {context_window - 1}], "
                         f"got {reserve_for_output!r}")
    if keep not in ("end", "start"):
        raise ValueError(f"keep must be 'end' or 'start', got {keep!r}")
    room = context_window - reserve_for_output
    ids = list(ids)
    return ids[-room:] if keep == "end" else ids[:room]
