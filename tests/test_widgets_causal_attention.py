"""Causal attention widget (Day 14): the weights from ``output_attentions`` equal weights recomputed by our
own RoPE and attention from the hooked query and key projections (random tiny Llamas with GQA, and the
exported course GPT); the view follows the controls; the book's grid holds every state within bounds."""

import random

import numpy as np
import pytest
import torch

from course_lib.attention import scaled_dot_product_attention
from course_lib.positions import rotary_positional_embedding
from course_lib.widgets.causal_attention import (
    PRESET_TEXTS,
    causal_attention_explorer,
    causal_attention_weights,
    head_summary,
    render_causal_attention,
)
from course_lib.widgets.static import MAX_BYTES, static_grid_html

pytest.importorskip("ipywidgets")
transformers = pytest.importorskip("transformers")


@pytest.fixture(scope="module", autouse=True)
def course_model():
    """The exported course GPT; the module's tests run on one thread (small matrices: fastest)."""
    from course_lib.models import course_gpt_transformers

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield course_gpt_transformers()
    torch.set_num_threads(threads)


def tiny_llama(seed: int, vocab_size: int):
    rng = random.Random(seed)
    heads, kv_heads = rng.choice([(4, 2), (6, 3), (4, 1), (2, 2)])
    config = transformers.LlamaConfig(vocab_size=vocab_size, hidden_size=heads * 6, intermediate_size=37,
                                      num_hidden_layers=rng.randint(1, 3), num_attention_heads=heads,
                                      num_key_value_heads=kv_heads, rope_theta=rng.choice([100.0, 10000.0]),
                                      attn_implementation="eager")
    torch.manual_seed(seed)
    model = transformers.LlamaForCausalLM(config).eval()
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():  # larger than the default init: sharp, uneven attention
            p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
    return model


def recomputed_weights(model, text, tokenizer):
    """Hook q_proj and k_proj, then rotate and attend with course_lib's own functions."""
    c = model.config
    head_dim = c.hidden_size // c.num_attention_heads
    captured, hooks = {}, []
    for i, layer in enumerate(model.model.layers):
        for name in ("q_proj", "k_proj"):
            hooks.append(getattr(layer.self_attn, name).register_forward_hook(
                lambda _m, _i, out, key=(i, name): captured.__setitem__(key, out.detach())))
    ids = tokenizer(text, return_tensors="pt")["input_ids"]
    try:
        with torch.no_grad():
            model(ids)
    finally:
        for hook in hooks:
            hook.remove()
    base = c.rope_parameters["rope_theta"]
    out = []
    for i in range(c.num_hidden_layers):
        q = captured[i, "q_proj"].view(1, -1, c.num_attention_heads, head_dim).transpose(1, 2)  # (1, H, T, hd)
        k = captured[i, "k_proj"].view(1, -1, c.num_key_value_heads, head_dim).transpose(1, 2)  # (1, KV, T, hd)
        q, k = rotary_positional_embedding(q, base), rotary_positional_embedding(k, base)
        k = k.repeat_interleave(c.num_attention_heads // c.num_key_value_heads, dim=1)  # GQA: share KV heads
        out.append(scaled_dot_product_attention(q, k, k, is_causal=True)[1][0])  # (H, T, T)
    return torch.stack(out).numpy()


@pytest.mark.parametrize("seed", range(4))
def test_weights_equal_our_recomputation_on_random_llamas(seed, course_model):
    _, tokenizer = course_model
    model = tiny_llama(seed, tokenizer.vocab_size)
    text = PRESET_TEXTS[seed % len(PRESET_TEXTS)]
    tokens, weights = causal_attention_weights(model, tokenizer, text)
    c = model.config
    assert weights.shape == (c.num_hidden_layers, c.num_attention_heads, len(tokens), len(tokens))
    np.testing.assert_allclose(weights, recomputed_weights(model, text, tokenizer), atol=1e-5)
    assert np.all(np.triu(weights, k=1) == 0)  # causal: no weight on the future
    uniform = np.mean([1 / (i + 1) for i in range(1, len(tokens))])  # the mean row maximum if uniform
    assert weights.max(axis=-1)[..., 1:].mean() > 1.3 * uniform  # uneven, so the comparison could fail


def test_weights_of_the_course_gpt(course_model):
    model, tokenizer = course_model
    tokens, weights = causal_attention_weights(model, tokenizer, PRESET_TEXTS[0])
    assert "".join(tokens).replace("·", " ") == PRESET_TEXTS[0]
    assert weights.shape == (4, 4, len(tokens), len(tokens))
    np.testing.assert_allclose(weights, recomputed_weights(model, PRESET_TEXTS[0], tokenizer), atol=1e-5)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)


def test_bad_input_raises(course_model):
    model, tokenizer = course_model
    with pytest.raises(ValueError, match="''"):
        causal_attention_weights(model, tokenizer, "")
    sdpa = transformers.LlamaForCausalLM(transformers.LlamaConfig(
        vocab_size=1024, hidden_size=8, intermediate_size=8, num_hidden_layers=1, num_attention_heads=2,
        attn_implementation="sdpa"))
    with pytest.raises(ValueError, match="'sdpa'"):
        causal_attention_weights(sdpa, tokenizer, "hi")
    with pytest.raises(ValueError, match="shape"):
        render_causal_attention(["a"], np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"\(3,\)"):
        head_summary(np.ones(3))
    with pytest.raises(ValueError, match="head.*4"):
        causal_attention_explorer(model, tokenizer, layer=0, head=4)
    with pytest.raises(ValueError, match="texts"):
        causal_attention_explorer(model, tokenizer, texts=("",))


@pytest.mark.parametrize("seed", range(3))
def test_head_summary_against_a_loop(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(2, 12))
    w = np.tril(rng.random((size, size)))
    w /= w.sum(-1, keepdims=True)
    s = head_summary(w)
    assert s["previous"] == round(sum(w[i, i - 1] for i in range(1, size)) / (size - 1), 4)
    assert s["first"] == round(sum(w[i, 0] for i in range(1, size)) / (size - 1), 4)
    assert s["self"] == round(sum(w[i, i] for i in range(1, size)) / (size - 1), 4)


def test_render_escapes_and_colours():
    snippet = render_causal_attention(["<a>", "b"], np.array([[1.0, 0.0], [0.0, 1.0]]), "t")
    assert "<a>" not in snippet and "&lt;a&gt;" in snippet
    assert snippet.count("background:#1e40af") == 2  # weight 1 is the darkest blue
    assert "background:#ffffff" in snippet  # weight 0 of b on <a>


def test_explorer_follows_the_controls_and_fits_the_book(course_model):
    model, tokenizer = course_model
    widget = causal_attention_explorer(model, tokenizer, layer=1, head=2)
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    first = bundle["text/html"]
    assert "layer 1, head 2" in first
    text, layer, head = widget.children[:3]
    head.value = 3
    assert "layer 1, head 3" in widget._repr_mimebundle_()["text/html"]
    text.value = PRESET_TEXTS[1]
    assert "tokenizer" in widget._repr_mimebundle_()["text/html"].replace("·", " ")
    page = static_grid_html(widget)
    assert widget.static_reason is None
    assert widget.static_stats["states"] == len(PRESET_TEXTS) * 4 * 4
    assert len(page) < MAX_BYTES
    assert (text.value, layer.value, head.value) == (PRESET_TEXTS[1], 1, 3)  # controls end where they were


def test_book_views_match_the_live_widget(course_model):
    from test_widgets_static import check_against_live  # moves the live controls, compares with the book's views

    model, tokenizer = course_model
    widget = causal_attention_explorer(model, tokenizer, layer=2, head=1)
    assert check_against_live(widget, seed=14, samples=10) == 10
