"""Context-budget widget (Day 19): its numbers equal a direct simulation, its view follows the sliders."""

import random
import re

import pytest

from course_lib.widgets.chat_budget import TOKENS_PER_TURN, WINDOWS, chat_budget, render_chat_budget

pytest.importorskip("ipywidgets")


def _simulate(window, turns, per_turn, system):
    """Billed input with and without the window, and turns kept at the last turn, by resending a history."""
    user = per_turn // 4
    billed_window = billed_all = 0
    history = []
    for t in range(turns):
        billed_all += system + t * per_turn + user
        while system + sum(history) + per_turn > window:
            history.pop(0)
        billed_window += system + sum(history) + user
        kept = len(history)
        history.append(per_turn)
    return billed_window, billed_all, kept


@pytest.mark.parametrize("seed", range(6))
def test_caption_numbers_equal_a_direct_simulation(seed):
    rng = random.Random(seed)
    window, turns, per_turn = rng.choice(WINDOWS), rng.randint(1, 40), rng.choice(TOKENS_PER_TURN)
    system = rng.randrange(0, 200)
    page = render_chat_budget(window, turns, per_turn, system)
    billed_window, billed_all, kept = _simulate(window, turns, per_turn, system)
    assert f"billed input: {billed_window:,} tokens with the window, {billed_all:,} without" in page
    assert f"{kept} of {turns - 1} earlier turns kept, {turns - 1 - kept} dropped" in page
    assert page.count("<svg") == 2 and page.count("<polyline") == 2
    squares = re.findall(r'<span style="color:[^;]*;letter-spacing:1px">(■+)</span>', page)
    assert sum(len(s) for s in squares) == turns - 1


def test_without_a_binding_window_nothing_is_dropped_and_the_bill_is_quadratic():
    page = render_chat_budget(32768, 10, 100, 0)
    assert "9 of 9 earlier turns kept, 0 dropped" in page
    assert "billed input: 4,750 tokens with the window, 4,750 without" in page  # 25 * 10 + 100 * 45


def test_widget_follows_its_sliders_and_rejects_unknown_values():
    widget = chat_budget(4096, 20, 400)
    assert "20 turns of 400 tokens" in widget._repr_mimebundle_()["text/html"]
    window, turns, size = widget.children[:3]
    turns.value, size.value, window.value = 5, 800, 1024
    page = widget._repr_mimebundle_()["text/html"]
    assert "5 turns of 800 tokens" in page and "context window 1,024" in page
    with pytest.raises(ValueError, match="3000"):
        chat_budget(3000)
