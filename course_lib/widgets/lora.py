"""LoRA rank widget (Day 17): rank vs trainable parameters vs fine-tuned quality.

The quality figures come from a measured, seeded sweep shipped as package data
(``course_lib/data/lora_rank_sweep.json``): Day 17's task (the glossary as questions and answers) fine-tuned
with LoRA at each rank on two target sets, plus full fine-tuning for reference, 40 steps each with
:func:`course_lib.fine_tuning.finetune`. Regenerate it (about a minute on one CPU core) with::

    python -m course_lib.widgets.lora --out course_lib/data/lora_rank_sweep.json

The view is a matplotlib picture (inline base64 PNG): trainable parameters against rank on the left,
held-out task loss and forgetting (book held-out loss) on the right, the chosen rank marked.
matplotlib, torch and ipywidgets are imported inside the functions.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["SWEEP_RANKS", "SWEEP_TARGETS", "rank_sweep", "load_rank_sweep", "render_rank_view", "rank_explorer"]

#: Ranks measured by the sweep (the slider's stops).
SWEEP_RANKS = (1, 2, 4, 8, 16, 32, 64)
#: Target sets of the sweep: a name shown in the menu -> the module names given to ``apply_lora``.
SWEEP_TARGETS = {"attention q, v": ("q_proj", "v_proj"),
                 "all linear": ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")}


def rank_sweep(ranks: tuple[int, ...] = SWEEP_RANKS, steps: int = 40, progress: bool = False) -> dict[str, Any]:
    """Fine-tune the course GPT with LoRA at each rank and target set (alpha = 2 x rank), and fully once.

    Returns ``{"settings", "full", "lora": {target name: {rank: measurements}}}``; each measurement
    holds ``trainable``, ``total``, ``task_before``, ``task_after``, ``book_before``, ``book_after``.
    """
    import torch

    from course_lib.fine_tuning import finetune, finetune_config, finetuning_data
    from course_lib.pretrained import load_course_gpt
    from course_lib.runtime import seed_everything

    torch.set_num_threads(1)  # the same numbers on any machine with the same torch
    keys = ("trainable", "total", "task_before", "task_after", "book_before", "book_after")

    def run(method: str, **options: Any) -> dict[str, Any]:
        seed_everything(0)
        model, tokenizer = load_course_gpt()
        config = finetune_config(method, max_steps=steps)
        result = finetune(model, method, finetuning_data(tokenizer, config.block_size), config,
                          progress=progress, **options)
        return {k: (round(result[k], 5) if isinstance(result[k], float) else result[k]) for k in keys}

    sweep = {"settings": {"steps": steps, "alpha": "2 * rank", "torch": torch.__version__,
                          "command": "python -m course_lib.widgets.lora --out course_lib/data/lora_rank_sweep.json"},
             "full": run("full"), "lora": {}}
    for name, targets in SWEEP_TARGETS.items():
        sweep["lora"][name] = {str(r): run("lora", rank=r, alpha=2 * r, targets=targets) for r in ranks}
    return sweep


def load_rank_sweep(path: str | Path | None = None) -> dict[str, Any]:
    """The shipped sweep (``course_lib/data/lora_rank_sweep.json``) or the one at ``path``.

    Example:
        >>> sweep = load_rank_sweep()
        >>> sorted(sweep["lora"]), sweep["lora"]["all linear"]["8"]["trainable"]
        (['all linear', 'attention q, v'], 74752)
    """
    from importlib import resources

    if path is None:
        path = Path(str(resources.files("course_lib").joinpath("data", "lora_rank_sweep.json")))
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _figure_to_small_html(fig: Any, alt: str) -> str:
    """The figure as an inline PNG reduced to 64 colours (a third of the bytes), so the book's 14 states fit."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB").quantize(colors=64)
    small = io.BytesIO()
    image.save(small, format="PNG", optimize=True)
    encoded = base64.b64encode(small.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}" style="max-width:100%">'


def render_rank_view(sweep: dict[str, Any], targets: str, rank: int) -> str:
    """HTML: one line of figures for ``targets`` at ``rank``, then the two-panel picture.

    Example:
        >>> view = render_rank_view(load_rank_sweep(), "all linear", 8)
        >>> "74,752 trainable" in view, view.count("<img")
        (True, 1)
    """
    from matplotlib.figure import Figure

    if targets not in sweep["lora"]:
        raise ValueError(f"targets must be one of {sorted(sweep['lora'])}, got {targets!r}")
    rows = sweep["lora"][targets]
    if str(rank) not in rows:
        raise ValueError(f"rank must be one of the measured ranks {sorted(map(int, rows))}, got {rank!r}")
    full, row = sweep["full"], rows[str(rank)]
    fig = Figure(figsize=(8.4, 3.1))
    left, right = fig.subplots(1, 2)
    for name, data in sweep["lora"].items():
        ranks = sorted(map(int, data))
        left.plot(ranks, [data[str(r)]["trainable"] for r in ranks], "o-", ms=3, label=f"LoRA, {name}")
    left.axhline(full["trainable"], color="k", ls="--", lw=1, label="full fine-tuning")
    left.plot([rank], [row["trainable"]], "o", ms=10, mfc="none", mec="crimson", mew=2)
    left.set(xscale="log", yscale="log", xlabel="LoRA rank r", ylabel="trainable parameters",
             title="What trains")
    left.set_xticks(sorted(map(int, rows)), [str(r) for r in sorted(map(int, rows))])
    left.legend(fontsize=7)
    ranks = sorted(map(int, rows))
    right.plot(ranks, [rows[str(r)]["task_after"] for r in ranks], "o-", ms=3, color="tab:green",
               label="task (held-out questions)")
    right.plot(ranks, [rows[str(r)]["book_after"] for r in ranks], "s-", ms=3, color="tab:purple",
               label="book held-out (forgetting)")
    right.axhline(full["task_after"], color="tab:green", ls="--", lw=1, label="full FT: task")
    right.axhline(full["book_after"], color="tab:purple", ls="--", lw=1, label="full FT: book")
    right.axhline(row["book_before"], color="gray", ls=":", lw=1, label="book before")
    right.axvline(rank, color="crimson", lw=1)
    right.set(xscale="log", xlabel="LoRA rank r", ylabel="held-out loss (nats/token)", title="What it learns")
    right.set_xticks(ranks, [str(r) for r in ranks])
    right.legend(fontsize=6)
    fig.tight_layout()
    line = (f"<b>{html.escape(targets)}, rank {rank}</b>: {row['trainable']:,} trainable "
            f"({100 * row['trainable'] / full['trainable']:.1f}% of full fine-tuning's {full['trainable']:,}); "
            f"task loss {row['task_before']:.3f} &rarr; {row['task_after']:.3f} (full: {full['task_after']:.3f}); "
            f"book loss {row['book_before']:.3f} &rarr; {row['book_after']:.3f} (full: {full['book_after']:.3f})")
    return f"<div style='font-size:13px'>{line}</div>" + _figure_to_small_html(fig, f"LoRA rank {rank} on {targets}")


def rank_explorer(sweep: dict[str, Any] | None = None, rank: int = 8, targets: str = "all linear") -> Any:
    """A rank slider (1..64, the measured ranks) and a target-set menu over the shipped sweep (Day 17).

    Example:
        >>> widget = rank_explorer()
        >>> [type(c).__name__ for c in widget.children]
        ['SelectionSlider', 'Dropdown', 'HTML']
    """
    import ipywidgets

    sweep = sweep or load_rank_sweep()
    ranks = sorted(map(int, sweep["lora"][targets]))
    slider = ipywidgets.SelectionSlider(options=ranks, value=rank, description="rank r", continuous_update=False)
    menu = ipywidgets.Dropdown(options=list(sweep["lora"]), value=targets, description="targets")
    return live_html([slider, menu], lambda: render_rank_view(sweep, menu.value, slider.value),
                     grid={slider: ranks, menu: list(sweep["lora"])})


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Measure the LoRA rank sweep the Day 17 widget shows.")
    parser.add_argument("--out", required=True, help="JSON file to write")
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args(argv)
    sweep = rank_sweep(steps=args.steps, progress=True)
    Path(args.out).write_text(json.dumps(sweep, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
