"""Mask gallery (Day 7): every pattern against an explicit loop over (i, j), the sliding window against
course_lib.masks, and a snapshot that follows the controls."""

import base64
import random
import re

import numpy as np
import pytest

from course_lib.widgets.masks import MASK_KINDS, attended_fraction, mask_gallery, render_mask, sparse_mask

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")


def loop_mask(kind, seq_len, window, dilation, n_global):
    """The rule of each kind, written pair by pair."""
    mask = np.zeros((seq_len, seq_len), dtype=bool)
    for i in range(seq_len):
        for j in range(seq_len):
            if kind == "full":
                ok = True
            elif kind == "causal":
                ok = j <= i
            elif kind == "sliding_window":
                ok = i - window < j <= i
            elif kind == "dilated":
                ok = j in [i - step * dilation for step in range(window)]
            elif kind == "strided":
                ok = j <= i and (i - j < window or (i - j) % window == 0)
            else:
                ok = abs(i - j) <= window // 2 or i < n_global or j < n_global
            mask[i, j] = ok
    return mask


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kind", MASK_KINDS)
def test_sparse_mask_matches_the_rule_pair_by_pair(kind, seed):
    rng = random.Random(seed)
    seq_len, window, dilation, n_global = rng.randint(1, 40), rng.randint(1, 9), rng.randint(1, 5), rng.randint(0, 4)
    mask = sparse_mask(kind, seq_len, window=window, dilation=dilation, n_global=n_global)
    assert mask.dtype == bool and mask.shape == (seq_len, seq_len)
    np.testing.assert_array_equal(mask, loop_mask(kind, seq_len, window, dilation, n_global))
    assert attended_fraction(mask) == pytest.approx(mask.sum() / seq_len**2)


@pytest.mark.parametrize("seed", range(4))
def test_sliding_window_agrees_with_course_lib_masks(seed):
    from course_lib.masks import sliding_window_mask

    rng = random.Random(seed)
    seq_len, window = rng.randint(1, 50), rng.randint(1, 12)
    np.testing.assert_array_equal(sparse_mask("sliding_window", seq_len, window=window),
                                  sliding_window_mask(seq_len, window).numpy())


def test_every_causal_kind_keeps_the_diagonal_and_nothing_above_it():
    for kind in ("causal", "sliding_window", "dilated", "strided"):
        mask = sparse_mask(kind, 30, window=5, dilation=3)
        assert mask.diagonal().all() and not np.triu(mask, 1).any(), kind


def test_bad_input_names_the_value():
    with pytest.raises(ValueError, match="'banded'"):
        sparse_mask("banded", 8)
    with pytest.raises(ValueError, match="window .* got 0"):
        sparse_mask("causal", 8, window=0)
    with pytest.raises(ValueError, match="seq_len .* got 2.5"):
        sparse_mask("causal", 2.5)
    with pytest.raises(ValueError, match="int64"):
        attended_fraction(np.ones((3, 3), dtype=np.int64))


def test_gallery_snapshot_follows_the_controls():
    widget = mask_gallery("sliding_window", seq_len=16, window=4)
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    first = bundle["text/html"]
    expected = int(sparse_mask("sliding_window", 16, window=4).sum())  # 4 + 3 + 2 + 1 ... = 58
    assert f"sliding_window: {expected} of 256 pairs" in first and "causal would attend 136" in first
    kind, seq_len, window, dilation, n_global = widget.children[:-1]
    kind.value, seq_len.value = "global_local", 20
    html = widget._repr_mimebundle_()["text/html"]
    assert html == widget.children[-1].value
    attended = int(sparse_mask("global_local", 20, window=4, dilation=2, n_global=2).sum())
    assert f"global_local: {attended} of 400 pairs" in html
    images = [base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", h).group(1)) for h in (first, html)]
    assert images[0] != images[1] and all(image.startswith(b"\x89PNG") for image in images)


def test_render_reports_the_longest_row():
    assert "Longest row: 3 keys." in render_mask("dilated", 20, window=3, dilation=4)
    assert "Longest row: 20 keys." in render_mask("full", 20)
