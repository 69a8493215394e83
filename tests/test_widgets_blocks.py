"""Activation/normalization explorer (Day 8): activations against explicit formulas, normalizations
against torch.nn.LayerNorm / torch.nn.RMSNorm, and a snapshot that follows the controls."""

import base64
import math
import random
import re

import pytest
import torch

from course_lib.widgets.blocks import ACTIVATIONS, activation, block_explorer, normalize, render_block_explorer

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")


def explicit(name, value):
    """The activations written from their definitions, one number at a time."""
    phi = 0.5 * (1 + math.erf(value / math.sqrt(2)))
    if name == "relu":
        return max(value, 0.0)
    if name == "gelu":
        return value * phi
    if name == "gelu_tanh":
        return 0.5 * value * (1 + math.tanh(math.sqrt(2 / math.pi) * (value + 0.044715 * value**3)))
    return value / (1 + math.exp(-value))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_match_their_formulas(name):
    rng = random.Random(len(name))
    values = [rng.uniform(-8, 8) for _ in range(50)] + [0.0]
    result = activation(name, torch.tensor(values, dtype=torch.float64))
    assert result.dtype == torch.float64
    for value, got in zip(values, result.tolist()):
        assert got == pytest.approx(explicit(name, value), abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_normalize_matches_torch_modules(seed):
    rng = random.Random(seed)
    d, eps = rng.randint(2, 40), 10 ** rng.uniform(-8, -2)
    x = torch.randn(3, 5, d, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)) * rng.uniform(0.1, 20) + rng.uniform(-5, 5)
    ln = torch.nn.LayerNorm(d, eps=eps, elementwise_affine=False, dtype=torch.float64)
    rms = torch.nn.RMSNorm(d, eps=eps, elementwise_affine=False, dtype=torch.float64)
    torch.testing.assert_close(normalize("layernorm", x, eps=eps), ln(x))
    torch.testing.assert_close(normalize("rmsnorm", x, eps=eps), rms(x))


def test_layernorm_ignores_a_shift_and_rmsnorm_does_not():
    x = torch.randn(16, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(normalize("layernorm", x + 3.0, eps=0.0), normalize("layernorm", x, eps=0.0))
    assert (normalize("rmsnorm", x + 3.0) - normalize("rmsnorm", x)).abs().max() > 0.1
    torch.testing.assert_close(normalize("rmsnorm", 7.0 * x, eps=0.0), normalize("rmsnorm", x, eps=0.0))


def test_bad_input_names_the_value():
    with pytest.raises(ValueError, match="'tanh'"):
        activation("tanh", torch.zeros(2))
    with pytest.raises(ValueError, match="'batchnorm'"):
        normalize("batchnorm", [1.0, 2.0])
    with pytest.raises(ValueError, match="-1"):
        normalize("rmsnorm", [1.0, 2.0], eps=-1)
    with pytest.raises(ValueError, match="nan"):
        render_block_explorer(shift=float("nan"))


def test_explorer_snapshot_follows_the_controls_and_reports_the_means():
    widget = block_explorer("gelu", scale=1.0, shift=0.0)
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    first = bundle["text/html"]
    assert "x = 1 · v + 0" in first and "LayerNorm(x) has mean 0.000" in first
    name, scale, shift = widget.children[:-1]
    name.value, scale.value, shift.value = "relu", 2.0, 3.0
    html = widget._repr_mimebundle_()["text/html"]
    assert html == widget.children[-1].value and "x = 2 · v + 3" in html
    v = torch.randn(16, generator=torch.Generator().manual_seed(8), dtype=torch.float64)
    x = 2.0 * v + 3.0
    assert f"mean {float(x.mean()):.3f}, RMS {float(x.pow(2).mean().sqrt()):.3f}" in html
    assert f"relu sends {float((torch.relu(x).abs() < 0.05).double().mean()):.0%}" in html
    assert f"RMSNorm(x) has mean {float(normalize('rmsnorm', x).mean()):.3f}" in html
    images = [base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", h).group(1)) for h in (first, html)]
    assert images[0] != images[1] and all(image.startswith(b"\x89PNG") for image in images)
