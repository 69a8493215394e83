"""Expert-usage widget (Day 15): the colours and weight bars follow route() on the model's own router logits,
the controls redraw the view, and the book's static grid holds every state within the bounds."""

import html
import re

import pytest
import torch

from course_lib.moe import moe_layers, route, swap_in_moe
from course_lib.tokenizers import WordTokenizer
from course_lib.transformer import GPT, GPTConfig
from course_lib.widgets.moe import expert_colour, expert_usage, render_expert_usage, sentence_router_logits
from course_lib.widgets.static import static_grid_html

ipywidgets = pytest.importorskip("ipywidgets")

TEXTS = ["the router sends each token to two experts", "experts <b> share the load", "a token"]


@pytest.fixture
def setup():
    tokenizer = WordTokenizer().build_vocabulary(TEXTS)
    torch.manual_seed(0)
    config = GPTConfig.llama_style(vocab_size=tokenizer.vocab_size, block_size=16, n_layer=2, n_head=2,
                                   d_model=16)
    model = swap_in_moe(GPT(config), num_experts=5, top_k=2)
    with torch.no_grad():  # spread the router logits so that the choices differ between tokens
        for layer in moe_layers(model):
            layer.router.weight.normal_(0.0, 1.0)
    return model, tokenizer


def token_spans(page: str) -> list[tuple[str, str, list[tuple[float, str]]]]:
    """(first-expert colour, title, [(bar width, colour)]) per token."""
    spans = re.findall(r'<span class="moe-t" title="([^"]*)" '
                       r'style="border-top:4px solid ([^"]+)">.*?<b>(.*?)</b>', page)
    return [(colour, html.unescape(title), [(float(w), c) for w, c in re.findall(
        r'<i style="width:([\d.]+)%;background:([^"]+)"></i>', bars)]) for title, colour, bars in spans]


def test_expert_colour_is_fixed_and_distinct():
    colours = [expert_colour(e) for e in range(16)]
    assert len(set(colours)) == 16 and expert_colour(3) == colours[3]
    with pytest.raises(ValueError, match="-1"):
        expert_colour(-1)


def test_render_marks_each_token_by_its_experts_and_counts_the_load():
    weights = [[0.7, 0.3], [0.5, 0.5], [0.9, 0.1]]
    page = render_expert_usage(["a", "<b>", "c"], [[2, 0], [0, 1], [2, 1]], weights, 3)
    spans = token_spans(page)
    assert [s[0] for s in spans] == [expert_colour(2), expert_colour(0), expert_colour(2)]
    assert spans[0][2] == [(70.0, expert_colour(2)), (30.0, expert_colour(0))]
    assert spans[2][1] == "expert 2: 0.90, expert 1: 0.10"
    assert "&lt;b&gt;" in page and "<b>" not in page.split("moe-t")[2].split("<b>")[0]
    assert "expert 0: 2" in page and "expert 1: 2" in page and "expert 2: 2" in page
    with pytest.raises(ValueError, match="one row per token"):
        render_expert_usage(["a"], [[0], [1]], [[1.0], [1.0]], 2)
    with pytest.raises(ValueError, match="expert ids"):
        render_expert_usage(["a"], [[4]], [[1.0]], 2)


def test_view_follows_route_on_the_models_router_logits(setup):
    model, tokenizer = setup
    labels, logits = sentence_router_logits(model, tokenizer, TEXTS[0])
    assert labels == [tokenizer.decode([i]) for i in tokenizer.encode(TEXTS[0])]
    ids = torch.tensor([tokenizer.encode(TEXTS[0])])
    with torch.no_grad():  # independent check: the router of layer 2 applied to its own input
        x = model.tok_emb(ids)
        x = model.blocks[0](x, is_causal=True, rope=True)
        expected_logits = model.blocks[1].ffn.router(model.blocks[1].norm2(
            x + model.blocks[1].attn(model.blocks[1].norm1(x), is_causal=True, rope=True)))[0]
    torch.testing.assert_close(logits[1], expected_logits, rtol=1e-5, atol=1e-5)

    widget = expert_usage(model, tokenizer, TEXTS, layer=1, top_k=3)
    sentence_menu, layer_menu, k_slider, view = widget.children
    weights, indices, _ = route(logits[1], 3)
    spans = token_spans(view.value)
    assert len(spans) == len(labels)
    for (colour, _, bars), row_w, row_i in zip(spans, weights.tolist(), indices.tolist()):
        assert colour == expert_colour(row_i[0])
        assert [c for _, c in bars] == [expert_colour(e) for e in row_i]
        assert [w for w, _ in bars] == [round(100 * w, 1) for w in row_w]
    k_slider.value = 1
    assert all(len(bars) == 1 and bars[0][0] == 100.0 for _, _, bars in token_spans(view.value))
    layer_menu.value = 0
    first = route(logits[0], 1)[1][:, 0].tolist()
    assert [s[0] for s in token_spans(view.value)] == [expert_colour(e) for e in first]
    sentence_menu.value = TEXTS[2]
    assert len(token_spans(view.value)) == len(tokenizer.encode(TEXTS[2]))


def test_static_grid_holds_every_state(setup):
    model, tokenizer = setup
    widget = expert_usage(model, tokenizer, TEXTS)
    page = static_grid_html(widget)
    assert widget.static_reason is None and "moe-t" in page
    # 3 sentences x 2 layers x top_k 1..4, none thinned away
    assert widget.static_stats["states"] == 24 and not widget.static_stats["thinned"]


def test_bad_input(setup):
    model, tokenizer = setup
    with pytest.raises(ValueError, match="layer must be an integer in \\[0, 2\\), got 2"):
        expert_usage(model, tokenizer, TEXTS, layer=2)
    with pytest.raises(ValueError, match="top_k"):
        expert_usage(model, tokenizer, TEXTS, top_k=5)  # the slider stops at max_top_k=4
    with pytest.raises(ValueError, match="sentences"):
        expert_usage(model, tokenizer, [])
    with pytest.raises(ValueError, match="no MoELayer"):
        dense = GPT(GPTConfig(vocab_size=20, block_size=8, n_layer=1, d_model=8, n_head=2))
        expert_usage(dense, tokenizer, TEXTS)


def test_book_views_match_the_live_widget(setup):
    from test_widgets_static import check_against_live  # the static-widget suite's own checker

    model, tokenizer = setup
    widget = expert_usage(model, tokenizer, TEXTS, layer=1)
    assert check_against_live(widget, seed=15, samples=10) == 10
