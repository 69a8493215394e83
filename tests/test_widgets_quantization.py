"""Quantization widget (Day 18): the levels drawn are the values the quantizer really produces, the
error curve equals an independent computation, and the controls drive the view."""

import random
import re

import pytest
import torch

from course_lib.quantization import NF4_CODEBOOK, fake_quantize
from course_lib.widgets.quantization import (
    SHOWN_MATRIX,
    course_linear_weights,
    error_table,
    quantization_explorer,
    render_quantization,
    representable_levels,
)

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")


def test_course_weights_are_the_models_linear_layers():
    from course_lib.pretrained import load_course_gpt

    model, _ = load_course_gpt()
    weights = course_linear_weights()
    assert len(weights) == 28 and "lm_head" not in weights
    assert torch.equal(weights[SHOWN_MATRIX], model.get_submodule(SHOWN_MATRIX).weight.detach())


@pytest.mark.parametrize("seed", range(6))
def test_levels_contain_every_value_the_quantizer_produces(seed):
    rng = random.Random(seed)
    scheme = rng.choice(["absmax", "zero-point", "normal-float"])
    granularity, bits = rng.choice(["tensor", "channel", "block"]), rng.randint(2, 8)
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(rng.randint(2, 9), 64, generator=gen) * rng.uniform(0.01, 2) + rng.uniform(-0.5, 0.5)
    levels = representable_levels(w, scheme, bits, granularity)
    assert levels.numel() <= 2**bits and bool((levels[1:] > levels[:-1]).all())
    restored = fake_quantize(w, scheme, bits, granularity).reshape(-1)
    first = restored[: {"tensor": w.numel(), "channel": 64, "block": 64}[granularity]]
    gaps = (first[:, None] - levels[None, :]).abs().min(dim=1).values
    assert gaps.max() < 1e-5 * max(1.0, float(levels.abs().max()))


def test_nf4_levels_are_the_codebook_times_absmax():
    w = torch.linspace(-0.3, 0.2, 128).reshape(2, 64)
    levels = representable_levels(w, "normal-float", 4, "block")
    torch.testing.assert_close(levels, torch.tensor(NF4_CODEBOOK) * 0.3)
    with pytest.raises(ValueError, match="'rows'"):
        representable_levels(w, "absmax", 4, "rows")
    with pytest.raises(ValueError, match="'fp8'"):
        representable_levels(w, "fp8", 4, "tensor")


def test_error_table_matches_an_independent_computation():
    table = error_table("channel")
    w = course_linear_weights()[SHOWN_MATRIX]
    for bits in (2, 5, 8):
        scale = w.abs().max(dim=1, keepdim=True).values / (2 ** (bits - 1) - 1)  # per-row absmax by hand
        by_hand = (torch.round(w / scale) * scale - w).abs().mean()
        assert table["absmax"][bits - 2] == pytest.approx(float(by_hand), rel=1e-5)
    assert all(a > b for a, b in zip(table["normal-float"], table["normal-float"][1:]))  # more bits, less error


def test_view_follows_the_controls_and_rejects_bad_settings():
    widget = quantization_explorer("absmax", 8, "tensor")
    bits, scheme, granularity, view = widget.children
    first = view.value
    assert "absmax, 8 bits, per tensor" in first and "255 levels" in first
    bits.value, scheme.value, granularity.value = 4, "normal-float", "block"
    assert "normal-float, 4 bits, blockwise (64)" in view.value and "4.5 bits per weight" in view.value
    svg = re.search(r"<svg.*</svg>", view.value, re.S).group(0)
    assert "16 levels" in svg and svg.count("M") > 16  # the histogram path and one line per level
    with pytest.raises(ValueError, match="'huge'"):
        render_quantization("absmax", 4, "huge")
    with pytest.raises(ValueError, match="bits"):
        render_quantization("absmax", 9, "tensor")


def test_static_grid_fits_the_bounds_and_matches_the_live_widget():
    from test_widgets_static import check_against_live  # the shared checker of book views (tests/ is on sys.path)

    widget = quantization_explorer("zero-point", 3, "channel")
    assert check_against_live(widget, seed=18, samples=6) == 6  # live view == the book's stored view, 6 settings
    assert widget.static_reason is None
    assert widget.static_stats["states"] == 63 and widget.static_stats["bytes"] < 500_000
