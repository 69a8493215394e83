"""Position widgets (Day 5): live sliders plus a static PNG snapshot that follows them, and numbers
that agree with course_lib.attention computed independently here."""

import base64
import random
import re

import numpy as np
import pytest
import torch

from course_lib.widgets.positions import (
    figure_to_html,
    offset_similarity,
    position_heatmap,
    render_position_heatmap,
    render_rope_explorer,
    rope_explorer,
    rope_scores,
    slowest_wavelength,
)

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def png_bytes(snippet: str) -> bytes:
    match = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', snippet)
    assert match, snippet[:200]
    return base64.b64decode(match.group(1))


def explicit_rope(vector: np.ndarray, position: int, base: float) -> np.ndarray:
    """RoPE of one vector with explicit 2x2 rotations, half-split layout, in float64."""
    half = len(vector) // 2
    out = vector.astype(np.float64).copy()
    for i in range(half):
        angle = position * base ** (-2 * i / len(vector))
        c, s = np.cos(angle), np.sin(angle)
        x, y = vector[i], vector[i + half]
        out[i], out[i + half] = c * x - s * y, s * x + c * y
    return out


def test_figure_to_html_is_a_real_png_with_escaped_alt():
    from matplotlib.figure import Figure

    snippet = figure_to_html(Figure(figsize=(1, 1)), alt='a "quoted" <b>')
    assert png_bytes(snippet).startswith(b"\x89PNG\r\n\x1a\n")
    assert "<b>" not in snippet and "&lt;b&gt;" in snippet


@pytest.mark.parametrize("seed", range(4))
def test_rope_scores_match_explicit_rotations_and_depend_on_the_offset_only(seed):
    rng = random.Random(seed)
    head_dim, max_offset, base = 2 * rng.randint(1, 6), rng.randint(0, 12), 10 ** rng.uniform(1, 5)
    gen = np.random.default_rng(seed)
    q, k = gen.standard_normal(head_dim), gen.standard_normal(head_dim)
    scores = rope_scores(q, k, max_offset, base)
    assert scores.shape == (max_offset + 1, max_offset + 1) and scores.dtype == np.float64
    for m in range(max_offset + 1):
        for n in range(max_offset + 1):
            expected = explicit_rope(q, m, base) @ explicit_rope(k, n, base)
            assert scores[m, n] == pytest.approx(expected, abs=1e-10)
            if m and n:
                assert scores[m, n] == pytest.approx(scores[m - 1, n - 1], abs=1e-10)


def test_rope_scores_reject_bad_vectors():
    with pytest.raises(ValueError, match=r"\(3,\)"):
        rope_scores(np.ones(3), np.ones(3), 2)
    with pytest.raises(ValueError, match=r"\(4,\) and \(6,\)"):
        rope_scores(np.ones(4), np.ones(6), 2)
    with pytest.raises(ValueError, match="-1"):
        rope_scores(np.ones(4), np.ones(4), -1)


def test_heatmap_snapshot_follows_the_sliders():
    widget = position_heatmap(seq_len=32, d_model=16)
    bundle = widget._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and 'class="position-heatmap"' in bundle["text/html"]
    assert "32 positions × 16 dimensions, base 10000" in bundle["text/html"]
    sliders, view = widget.children
    seq_len, d_model, base = sliders.children
    seq_len.value, d_model.value, base.value = 48, 24, 100.0
    html = widget._repr_mimebundle_()["text/html"]
    assert html == view.value and "48 positions × 24 dimensions, base 100" in html
    assert png_bytes(html) != png_bytes(bundle["text/html"])


def test_heatmap_rejects_bad_sizes():
    with pytest.raises(ValueError, match="0"):
        render_position_heatmap(seq_len=0)
    with pytest.raises(ValueError, match="2.5"):
        render_position_heatmap(d_model=2.5)


def test_rope_explorer_reports_the_library_score_and_follows_the_sliders():
    widget = rope_explorer(head_dim=6, m=7, n=3, seed=1)
    q, k = widget.query, widget.key
    assert WIDGET_VIEW in widget._repr_mimebundle_()
    sliders, view = widget.children
    m_slider, n_slider, pair_slider = sliders.children
    assert pair_slider.max == 2
    for m, n in [(7, 3), (12, 8), (0, 4)]:
        m_slider.value, n_slider.value = m, n
        html = widget._repr_mimebundle_()["text/html"]
        assert html == view.value and f"offset m − n = {m - n}" in html
        shown = float(re.search(r"score q_m · k_n = (-?\d+\.\d+)", html).group(1))
        assert shown == pytest.approx(explicit_rope(q, m, 10000.0) @ explicit_rope(k, n, 10000.0), abs=1e-4)
    first = re.search(r"score q_m · k_n = (-?\d+\.\d+)", widget._repr_mimebundle_()["text/html"]).group(1)
    m_slider.value, n_slider.value = 10, 14  # the same offset, -4, as (0, 4): the same score
    assert f"score q_m · k_n = {first}" in widget._repr_mimebundle_()["text/html"]


def test_rope_explorer_pair_changes_the_picture_not_the_score():
    q, k = np.random.default_rng(3).standard_normal((2, 8))
    pictures = [render_rope_explorer(q, k, m=4, n=1, pair=p) for p in range(4)]
    scores = {re.search(r"score q_m · k_n = (-?\d+\.\d+)", h).group(1) for h in pictures}
    assert len(scores) == 1 and len({png_bytes(h) for h in pictures}) == 4


def test_rope_explorer_rejects_bad_input():
    with pytest.raises(ValueError, match="5"):
        rope_explorer(head_dim=5)
    with pytest.raises(ValueError, match="pair must be .* 0 .. 3.*got 4"):
        render_rope_explorer(np.ones(8), np.ones(8), m=1, n=0, pair=4)
    with pytest.raises(ValueError, match="-2"):
        render_rope_explorer(np.ones(8), np.ones(8), m=-2, n=0)
    with pytest.raises(ValueError, match=r"\(8,\) and \(4,\)"):
        render_rope_explorer(np.ones(8), np.ones(4), m=1, n=0)


def test_library_rope_agrees_with_the_explicit_rotation_used_here():
    from course_lib.attention import rotary_positional_embedding

    vector = np.random.default_rng(5).standard_normal(10)
    rotated = rotary_positional_embedding(torch.tensor(vector).expand(1, 1, 6, 10), 500.0)[0, 0].numpy()
    for position in range(6):
        np.testing.assert_allclose(rotated[position], explicit_rope(vector, position, 500.0), atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_offset_similarity_is_the_cosine_of_explicit_sinusoids_from_any_start(seed):
    rng = random.Random(seed)
    d_model, base, max_offset = 2 * rng.randrange(1, 40), 10 ** rng.uniform(1, 5), rng.randrange(1, 300)

    def pe_row(pos):
        row = np.empty(d_model)
        for i in range(d_model // 2):
            row[2 * i], row[2 * i + 1] = np.sin(pos * base ** (-2 * i / d_model)), np.cos(pos * base ** (-2 * i / d_model))
        return row

    got = offset_similarity(d_model, base, max_offset)
    start = rng.randrange(0, 50)  # the cosine depends on the offset only, so any start gives the same
    for k in range(0, max_offset + 1, max(1, max_offset // 17)):
        a, b = pe_row(start), pe_row(start + k)
        assert np.isclose(got[k], a @ b / (np.linalg.norm(a) * np.linalg.norm(b)), atol=1e-9)


@pytest.mark.parametrize("d_model, base", [(2, 10000.0), (64, 10000.0), (128, 100.0), (7, 10.0)])
def test_slowest_wavelength_is_where_the_last_pair_comes_back(d_model, base):
    wavelength = slowest_wavelength(d_model, base)
    last_even = 2 * ((d_model + 1) // 2 - 1)
    frequency = base ** (-last_even / d_model)
    assert np.isclose(frequency * wavelength, 2 * np.pi)
    assert wavelength < 2 * np.pi * base  # it only approaches 2 pi base as d grows


def test_heatmap_caption_names_the_wavelength_and_a_small_base_shortens_it():
    small, standard = render_position_heatmap(16, 64, base=10.0), render_position_heatmap(16, 64)
    assert "repeats every 58 positions" in small and "repeats every 47,117 positions" in standard
    assert png_bytes(small) != png_bytes(standard)
