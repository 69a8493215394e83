"""The next-token distribution widget: bars follow the model, the temperature and extra controls."""

import html
import re

import numpy as np
import pytest

from course_lib.generation import softmax
from course_lib.lm import NGramLM
from course_lib.tokenizers import WordTokenizer
from course_lib.widgets.sampling import next_token_explorer, render_distribution_html, top_tokens

ipywidgets = pytest.importorskip("ipywidgets")

TEXTS = ["the cat sat", "the cat ran", "the cat sat", "the dog sat", "a <b> cat"]


@pytest.fixture
def setup():
    tok = WordTokenizer().build_vocabulary(TEXTS)
    lm = NGramLM(2, k=0.1, bos=tok.bos_id, eos=tok.eos_id, vocab=range(tok.vocab_size))
    return lm.fit([tok.encode(t, add_special_tokens=False) for t in TEXTS]), tok


def percentages(snapshot):
    return [float(x) for x in re.findall(r">(\d+\.\d)%</span>", snapshot)]


def test_top_tokens_orders_by_probability_then_id():
    assert top_tokens([0.2, 0.5, 0.2, 0.1], list("abcd"), top=3) == [("b", 0.5, 1), ("a", 0.2, 0), ("c", 0.2, 2)]
    with pytest.raises(ValueError, match="same length"):
        top_tokens([0.5, 0.5], ["a"])
    with pytest.raises(ValueError, match="0"):
        top_tokens([1.0], ["a"], top=0)


def test_render_escapes_labels_and_draws_reference_bars():
    snippet = render_distribution_html([("<b>", 0.75, 0), ("x", 0.25, 1)], reference=[0.5, 0.5], caption="c<")
    assert "&lt;b&gt;" in snippet and "c&lt;" in snippet
    assert "width:100.00%" in snippet and "width:33.33%" in snippet and snippet.count("background:#d1d5db") == 2


def test_bars_match_the_model_and_the_temperature(setup):
    lm, tok = setup
    context_ids = tok.encode("the", add_special_tokens=False)
    for temperature in (0.3, 1.0, 4.0):
        explorer = next_token_explorer(lm, tok, "the", temperature=temperature, top=4)
        snapshot = explorer._repr_mimebundle_()["text/html"]
        expected = np.sort(softmax(lm.next_token_logits(context_ids), temperature))[::-1][:4]
        assert percentages(snapshot) == [round(100 * p, 1) for p in expected]
        assert "application/vnd.jupyter.widget-view+json" in explorer._repr_mimebundle_()
    assert "cat" in snapshot


def test_moving_the_slider_and_typing_update_the_snapshot(setup):
    lm, tok = setup
    explorer = next_token_explorer(lm, tok, "the", temperature=1.0, top=3)
    text_box, slider, view = explorer.children
    before = percentages(view.value)
    slider.value = 0.1
    sharp = percentages(view.value)
    assert sharp[0] > before[0] and explorer._repr_mimebundle_()["text/html"] == view.value
    text_box.value = "the dog"
    assert percentages(view.value)[0] > 90  # after 'dog' only 'sat' was seen; T = 0.1 makes it near certain


def test_extra_controls_reach_adjust_logits(setup):
    lm, tok = setup
    top_k = ipywidgets.IntSlider(value=1, min=1, max=5, description="top-k")

    def keep_top_k(logits, top_k):
        cut = np.sort(logits)[::-1][top_k - 1]
        return np.where(logits >= cut, logits, -np.inf)

    explorer = next_token_explorer(lm, tok, "the", top=3, extra_controls={"top_k": top_k}, adjust_logits=keep_top_k)
    assert len(explorer.children) == 4
    assert percentages(explorer.children[-1].value)[0] == 100.0
    top_k.value = 3
    assert percentages(explorer.children[-1].value)[0] < 100.0


def test_errors_are_shown_not_raised(setup):
    lm, tok = setup
    untrained = NGramLM(2)
    snapshot = next_token_explorer(untrained, tok, "the")._repr_mimebundle_()["text/html"]
    assert "next-token-error" in snapshot and "fit" in snapshot
    with pytest.raises(ValueError, match="-1"):
        next_token_explorer(lm, tok, "the", temperature=-1)


def test_bpe_tokenizer_labels_follow_the_model_vocab_and_caption_names_the_used_tokens():
    from course_lib.bpe import BPETokenizer
    from course_lib.lm import InterpolatedLM

    text = "the cat sat on the mat. the cat ran to the mat."
    tok = BPETokenizer("gpt2", special_tokens={"<|eos|>": 264, "<|bos|>": 265})
    tok.train(text, 264)
    lm = InterpolatedLM([0.2, 0.8], bos=265, eos=264, vocab=range(265)).fit([tok.encode(text)])
    snapshot = next_token_explorer(lm, tok, "the cat", top=3)._repr_mimebundle_()["text/html"]
    last = tok.decode(tok.encode("the cat")[-1:])
    assert "reads only the last 1 token(s)" in snapshot and html.escape(repr(last)) in snapshot
    expected = np.sort(softmax(lm.next_token_logits(tok.encode("the cat"))))[::-1][:3]
    assert percentages(snapshot) == [round(100 * p, 1) for p in expected]
    assert "&lt;|bos|&gt;" not in snapshot  # never a prediction: not in the model's vocab
