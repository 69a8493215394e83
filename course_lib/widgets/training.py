"""Training widget (Day 10): replay a training run step by step.

A slider over the recorded steps of a training log (:func:`course_lib.training.train`'s, or the
shipped course GPT's ``training_log.json``) redraws the loss curve up to that step, with the
held-out loss and its perplexity, and shows the greedy sample recorded at the latest evaluation
before it. The picture is an inline base64 PNG, so the book's snapshot is the same picture.
matplotlib and ipywidgets are imported inside the functions.
"""

from __future__ import annotations

import bisect
import html
import math
from typing import Any

from course_lib.widgets.positions import figure_to_html
from course_lib.widgets.static import live_html

__all__ = ["render_training_replay", "training_replay"]


def _check_log(log: Any) -> None:
    if not isinstance(log, dict) or not {"steps", "loss"} <= set(log) or not log["steps"]:
        raise ValueError("log must be a training log with non-empty 'steps' and 'loss' lists "
                         f"(from course_lib.training.train), got {type(log).__name__} with keys "
                         f"{sorted(log) if isinstance(log, dict) else None}")
    if len(log["steps"]) != len(log["loss"]):
        raise ValueError(f"log['steps'] has {len(log['steps'])} entries but log['loss'] {len(log['loss'])}")


def render_training_replay(log: dict[str, Any], step: int) -> str:
    """HTML: the loss curve up to ``step`` (held-out points too), its numbers, and the sample then.

    Example:
        >>> log = {"steps": [1, 2, 3], "loss": [5.0, 4.0, 3.5], "val_steps": [2], "val_loss": [4.2],
        ...        "sample_steps": [2], "samples": ["A language model is"]}
        >>> snippet = render_training_replay(log, 3)
        >>> "step 3" in snippet and "A language model is" in snippet and "66.7" in snippet
        True
    """
    from matplotlib.figure import Figure

    _check_log(log)
    steps, losses = log["steps"], log["loss"]
    if isinstance(step, bool) or not isinstance(step, int) or not steps[0] <= step <= steps[-1]:
        raise ValueError(f"step must be an integer between {steps[0]} and {steps[-1]}, got {step!r}")
    upto = bisect.bisect_right(steps, step)
    val_steps, val_losses = log.get("val_steps", []), log.get("val_loss", [])
    val_upto = bisect.bisect_right(val_steps, step)
    fig = Figure(figsize=(6.5, 3.2), layout="constrained")
    ax = fig.subplots()
    ax.plot(steps, losses, color="#d1d5db", lw=1)  # the whole run, faint, for scale
    ax.plot(steps[:upto], losses[:upto], color="#2563eb", lw=1.2, label="train (one batch)")
    if val_upto:
        ax.plot(val_steps[:val_upto], val_losses[:val_upto], "o-", color="#dc2626", ms=4, label="held-out")
    ax.axvline(step, color="#6b7280", ls=":", lw=1)
    ax.set(xlabel="step", ylabel="cross-entropy (nats per token)", title=f"step {step} of {steps[-1]}")
    ax.legend(loc="upper right")
    lines = [f"step {step}: train loss {losses[upto - 1]:.3f}"]
    if val_upto:
        last = val_losses[val_upto - 1]
        lines.append(f"held-out loss {last:.3f} at step {val_steps[val_upto - 1]} "
                     f"(perplexity {math.exp(last):.1f})")
    sample_steps, samples = log.get("sample_steps", []), log.get("samples", [])
    sample_upto = bisect.bisect_right(sample_steps, step)
    sample = (f'<div style="font-family:monospace;white-space:pre-wrap;background:#f3f4f6;padding:6px">'
              f"greedy sample at step {sample_steps[sample_upto - 1]}: "
              f"{html.escape(samples[sample_upto - 1])}</div>") if sample_upto else ""
    return (f'<div class="training-replay"><div style="font-size:90%;color:#374151">'
            f"{html.escape('; '.join(lines))}</div>{figure_to_html(fig, 'loss curve up to step ' + str(step))}"
            f"{sample}</div>")


def training_replay(log: dict[str, Any], step: int | None = None) -> Any:
    """A slider over the recorded steps of ``log`` above :func:`render_training_replay` (Day 10).

    Example:
        >>> import json
        >>> from course_lib.pretrained import course_gpt_path
        >>> log = json.loads((course_gpt_path() / "training_log.json").read_text())  # doctest: +SKIP
        >>> training_replay(log)  # doctest: +SKIP
    """
    import ipywidgets

    _check_log(log)
    steps = log["steps"]
    slider = ipywidgets.IntSlider(value=steps[-1] if step is None else step, min=steps[0], max=steps[-1],
                                  description="step", continuous_update=False,
                                  layout=ipywidgets.Layout(width="520px"))
    return live_html([slider], lambda: render_training_replay(log, slider.value))
