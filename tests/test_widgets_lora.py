"""The Day 17 rank widget: its shipped sweep is what the code measures, and its view shows the sweep."""

import re

import pytest

from course_lib.fine_tuning import lora_parameter_count
from course_lib.pretrained import load_course_gpt
from course_lib.widgets.lora import SWEEP_RANKS, SWEEP_TARGETS, load_rank_sweep, rank_explorer, render_rank_view


def test_shipped_sweep_counts_match_the_course_gpt():
    sweep = load_rank_sweep()
    model, _ = load_course_gpt()
    assert sweep["full"]["trainable"] == sum(p.numel() for p in model.parameters())
    for name, targets in SWEEP_TARGETS.items():
        assert sorted(map(int, sweep["lora"][name])) == list(SWEEP_RANKS)
        for rank in SWEEP_RANKS:
            row = sweep["lora"][name][str(rank)]
            assert row["trainable"] == lora_parameter_count(model, targets, rank)
            assert row["total"] == sweep["full"]["total"] + row["trainable"]


def test_one_sweep_entry_reproduces(tmp_path):
    """Re-measure the cheapest entry (rank 1 on q, v): the shipped numbers come from this code."""
    import torch

    from course_lib.fine_tuning import finetune, finetune_config, finetuning_data
    from course_lib.runtime import seed_everything

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        seed_everything(0)
        model, tokenizer = load_course_gpt()
        config = finetune_config("lora")
        result = finetune(model, "lora", finetuning_data(tokenizer, config.block_size), config, progress=False,
                          rank=1, alpha=2, targets=SWEEP_TARGETS["attention q, v"])
    finally:
        torch.set_num_threads(threads)
    shipped = load_rank_sweep()["lora"]["attention q, v"]["1"]
    for key in ("task_before", "task_after", "book_before", "book_after"):
        assert result[key] == pytest.approx(shipped[key], abs=2e-3), key
    assert result["task_after"] < result["task_before"] - 0.1  # it learned something


@pytest.mark.parametrize("targets,rank", [("all linear", 1), ("attention q, v", 16), ("all linear", 64)])
def test_view_states_the_sweep_figures(targets, rank):
    sweep = load_rank_sweep()
    row = sweep["lora"][targets][str(rank)]
    view = render_rank_view(sweep, targets, rank)
    assert f"{row['trainable']:,} trainable" in view
    assert f"{row['task_after']:.3f}" in view and f"{row['book_after']:.3f}" in view
    share = re.search(r"\(([\d.]+)% of full", view).group(1)
    assert float(share) == pytest.approx(100 * row["trainable"] / sweep["full"]["trainable"], abs=0.05)
    assert view.count("<img") == 1


def test_explorer_moves_with_its_controls():
    widget = rank_explorer()
    slider, menu, view = widget.children
    assert list(slider.options) == list(SWEEP_RANKS) and slider.value == 8
    before = view.value
    slider.value = 32
    assert view.value != before and "rank 32" in view.value
    menu.value = "attention q, v"
    assert "attention q, v, rank 32" in view.value


def test_bad_input():
    sweep = load_rank_sweep()
    with pytest.raises(ValueError, match="rank must be one of the measured ranks .* got 3"):
        render_rank_view(sweep, "all linear", 3)
    with pytest.raises(ValueError, match="targets must be one of .* got 'mlp'"):
        render_rank_view(sweep, "mlp", 8)
