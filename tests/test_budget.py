"""Token budgets: hand-computed cases and bad input."""

import random

import pytest

from course_lib.budget import estimate_cost, fit_to_context


def test_estimate_cost_hand_computed():
    assert estimate_cost(1_000_000, 0, 2.5, 10.0) == pytest.approx(2.5)
    assert estimate_cost(2_000, 1_000, 3.0, 15.0) == pytest.approx(0.006 + 0.015)
    assert estimate_cost(0) == 0.0


@pytest.mark.parametrize("args", [(-1,), (10, -2), (10, 1, -0.5), (True,), ("100",)])
def test_estimate_cost_rejects_negative_or_non_numbers(args):
    with pytest.raises(ValueError, match="non-negative number"):
        estimate_cost(*args)


@pytest.mark.parametrize("seed", range(5))
def test_fit_to_context_keeps_the_right_end(seed):
    rng = random.Random(seed)
    ids = [rng.randrange(100) for _ in range(rng.randint(0, 50))]
    window = rng.randint(1, 40)
    reserve = rng.randint(0, window - 1)
    room = window - reserve
    assert fit_to_context(ids, window, reserve) == ids[max(0, len(ids) - room):]
    assert fit_to_context(ids, window, reserve, keep="start") == ids[:room]
    assert len(fit_to_context(ids, window, reserve)) == min(len(ids), room)


@pytest.mark.parametrize("kwargs, match", [
    ({"context_window": 0}, "context_window"), ({"context_window": 4, "reserve_for_output": 4}, "reserve_for_output"),
    ({"context_window": 4, "keep": "middle"}, "keep"),
])
def test_fit_to_context_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fit_to_context([1, 2, 3], **kwargs)
