"""Visibility widget (Day 9): the three masks against their rule pair by pair, against course_lib.masks and
against what transformers' T5/BERT/GPT-2 actually do, and a snapshot that follows the controls."""

import random

import numpy as np
import pytest

from course_lib.widgets.visibility import (
    VISIBILITY_KINDS,
    render_visibility,
    split_words,
    visibility_explorer,
    visibility_mask,
)

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")


def rule(kind, i, j, prefix_len):
    if kind == "encoder":
        return True
    if kind == "decoder":
        return j <= i
    return j <= i or (i < prefix_len and j < prefix_len)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("kind", VISIBILITY_KINDS)
def test_masks_follow_their_rule(kind, seed):
    rng = random.Random(seed)
    seq_len = rng.randint(1, 30)
    prefix_len = rng.randint(0, seq_len)
    mask = visibility_mask(kind, seq_len, prefix_len)
    expected = np.array([[rule(kind, i, j, prefix_len) for j in range(seq_len)] for i in range(seq_len)])
    assert mask.dtype == bool
    np.testing.assert_array_equal(mask, expected.reshape(seq_len, seq_len))


def test_decoder_is_course_lib_causal_mask_and_prefix_edges():
    from course_lib.masks import causal_mask

    np.testing.assert_array_equal(visibility_mask("decoder", 9), causal_mask(9).numpy())
    np.testing.assert_array_equal(visibility_mask("prefix_lm", 9, 0), visibility_mask("decoder", 9))
    np.testing.assert_array_equal(visibility_mask("prefix_lm", 9, 9), visibility_mask("encoder", 9))


def test_decoder_mask_is_what_gpt2_attends_with():
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    config = transformers.GPT2Config(vocab_size=50, n_embd=16, n_head=2, n_layer=1, n_positions=16,
                                     bos_token_id=None, eos_token_id=None)
    model = transformers.GPT2Model(config).eval()
    model.set_attn_implementation("eager")  # eager attention can return its weights
    with torch.no_grad():
        weights = model(torch.arange(7)[None], output_attentions=True).attentions[0][0, 0]  # (T, T)
    np.testing.assert_array_equal(weights.numpy() > 0, visibility_mask("decoder", 7))


def test_render_lists_what_the_query_sees():
    words = split_words("The cat sat on the mat.")
    assert words == ["The", "cat", "sat", "on", "the", "mat", "."]
    snippet = render_visibility(words, query=2, prefix_len=4)
    assert "encoder: sat sees The cat sat on the mat . (7 of 7)" in snippet
    assert "decoder: sat sees The cat sat (3 of 7)" in snippet
    assert "prefix_lm: sat sees The cat sat on (4 of 7)" in snippet
    assert snippet.count('src="data:image/png;base64,') == 1


def test_explorer_snapshot_follows_the_controls():
    widget = visibility_explorer("a b c d", query=3, prefix_len=2)
    text, word, prefix = widget.children[:3]
    assert "decoder: d sees a b c d (4 of 4)" in widget._repr_mimebundle_()["text/html"]
    word.value = 0
    assert "prefix_lm: a sees a b (2 of 4)" in widget._repr_mimebundle_()["text/html"]
    text.value = "x y"
    html_now = widget._repr_mimebundle_()["text/html"]
    assert "encoder: x sees x y (2 of 2)" in html_now and word.max == 1


@pytest.mark.parametrize("call,match", [
    (lambda: visibility_mask("bidirectional", 3), "bidirectional"),
    (lambda: visibility_mask("prefix_lm", 3, prefix_len=4), "prefix_len"),
    (lambda: render_visibility(["a"], query=1, prefix_len=0), "query"),
    (lambda: render_visibility([], query=0, prefix_len=0), "empty"),
    (lambda: split_words(None), "string")])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
