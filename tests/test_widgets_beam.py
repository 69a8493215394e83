"""Day 12 beam-tree widget: nodes follow beam_search's record, texts are the beams, book grid within bounds."""

import html
import random
import re

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("ipywidgets")

import course_lib.widgets.static as static  # noqa: E402
from course_lib.generation.beam import beam_search  # noqa: E402
from course_lib.widgets.beam import beam_tree, render_beam_tree  # noqa: E402


@pytest.fixture(scope="module")
def tiny():
    from course_lib.bpe import BPETokenizer
    from course_lib.transformer import GPT, GPTConfig

    torch.manual_seed(0)
    model = GPT(GPTConfig.llama_style(vocab_size=256, block_size=32, n_layer=1, n_head=2, d_model=16)).eval()
    with torch.no_grad():
        for param in model.parameters():
            param.mul_(4.0)
    return model, BPETokenizer()


def node_counts(page):
    return {name: page.count(f'fill="{fill}" stroke') for name, fill in
            (("kept", "#dbeafe"), ("pruned", "#f3f4f6"), ("done", "#dcfce7"))}


@pytest.mark.parametrize("seed", range(4))
def test_tree_nodes_and_texts_follow_beam_search(tiny, seed):
    model, tok = tiny
    rng = random.Random(seed)
    prompt, steps = rng.choice(["abc", "hello", "xy"]), rng.randrange(2, 6)
    widget = beam_tree(model, tok, prompt=prompt, num_beams=2, max_new_tokens=steps, max_beams=4)
    width_slider, step_slider, view = widget.children
    width_slider.value, step_slider.value = rng.randrange(1, 5), rng.randrange(1, steps + 1)
    out = beam_search(model, torch.tensor([tok.encode(prompt)]), width_slider.value, steps)
    shown = out.steps[:step_slider.value]
    counts = node_counts(view.value)
    assert counts["kept"] == 1 + sum(sum(s.kept) for s in shown)  # + the prompt's box
    assert counts["done"] == sum(sum(s.finished) for s in shown)
    assert counts["pruned"] == sum(len(s.tokens) for s in shown) - counts["kept"] + 1 - counts["done"]
    texts = [html.unescape(t) for t in re.findall(r"<li><code>(.*?)</code>", view.value)]
    if step_slider.value == steps:  # the finished beams, best first, are the search's answer
        assert texts == [tok.decode(row) for row in out.sequences.tolist()]
    else:  # the running beams after that step are prefixes of something the search went on with
        assert len(texts) == width_slider.value
        assert all(t.startswith(prompt) for t in texts)


def test_render_rejects_steps_it_does_not_have():
    with pytest.raises(ValueError, match="show_steps must be in \\[0, 0\\], got 2"):
        render_beam_tree([], ["a"], "p", 2)


def test_beam_tree_rejects_bad_settings(tiny):
    model, tok = tiny
    with pytest.raises(ValueError, match="num_beams"):
        beam_tree(model, tok, num_beams=0)
    with pytest.raises(ValueError, match="max_beams must be an int >= 3, got 2"):
        beam_tree(model, tok, num_beams=3, max_beams=2)
    with pytest.raises(ValueError, match="prompt"):
        beam_tree(model, tok, prompt="")


def test_static_grid_matches_the_live_widget_and_stays_in_bounds():
    from test_widgets_static import check_against_live

    widget = beam_tree()  # the course GPT, as in the notebook
    assert check_against_live(widget, seed=12, samples=5) == 5
    stats = widget.static_stats
    assert stats["bytes"] <= static.MAX_BYTES and stats["states"] <= static.MAX_STATES and not stats["thinned"]
    assert stats["states"] == 4 * 6  # every (beam width, step) pair
