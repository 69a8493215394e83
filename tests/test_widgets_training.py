"""Training replay widget (Day 10): the slider redraws the curve up to its step, the snapshot follows."""

import base64
import math
import random
import re

import pytest

from course_lib.widgets.training import render_training_replay, training_replay

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")


def _log(seed: int) -> dict:
    rng = random.Random(seed)
    n = rng.randrange(20, 80)
    steps = list(range(1, n + 1))
    loss = [7.0 * math.exp(-s / 30) + rng.random() * 0.1 for s in steps]
    val_steps = steps[rng.randrange(3, 9) - 1::rng.randrange(5, 10)]
    return {"steps": steps, "loss": loss, "val_steps": val_steps, "val_loss": [loss[s - 1] + 0.3 for s in val_steps],
            "sample_steps": val_steps, "samples": [f"sample <{s}> & text" for s in val_steps]}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_render_shows_the_state_at_the_step(seed):
    log = _log(seed)
    step = random.Random(seed).randrange(log["val_steps"][0], log["steps"][-1] + 1)
    snippet = render_training_replay(log, step)
    last_val = max(s for s in log["val_steps"] if s <= step)
    val = log["val_loss"][log["val_steps"].index(last_val)]
    assert f"train loss {log['loss'][step - 1]:.3f}" in snippet
    assert f"held-out loss {val:.3f} at step {last_val} (perplexity {math.exp(val):.1f})" in snippet
    assert f"sample &lt;{last_val}&gt; &amp; text" in snippet  # escaped
    match = re.search(r'base64,([A-Za-z0-9+/=]+)"', snippet)
    assert base64.b64decode(match.group(1)).startswith(b"\x89PNG")


def test_before_the_first_evaluation_there_is_no_held_out_line():
    log = _log(0)
    snippet = render_training_replay(log, 1)
    assert "held-out loss" not in snippet and "greedy sample" not in snippet


def test_widget_follows_the_slider():
    log = _log(1)
    widget = training_replay(log, step=5)
    slider = widget.children[0]
    assert (slider.min, slider.max, slider.value) == (1, log["steps"][-1], 5)
    slider.value = log["steps"][-1]
    html = widget._repr_mimebundle_()["text/html"]
    assert f"step {log['steps'][-1]}: train loss {log['loss'][-1]:.3f}" in html


def test_bad_input():
    with pytest.raises(ValueError, match="steps"):
        render_training_replay({"loss": [1.0]}, 1)
    with pytest.raises(ValueError, match="between 1 and"):
        render_training_replay(_log(0), 0)
    with pytest.raises(ValueError, match="entries"):
        training_replay({"steps": [1, 2], "loss": [1.0]})
