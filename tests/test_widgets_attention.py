"""Attention-map widget (Day 6): weights recomputed from hooked queries and keys equal the model's own
``output_attentions`` (a tiny random BERT with MiniLM's tokenizer, and MiniLM itself), the heatmap is a
real PNG, and the static snapshot follows the controls."""

import base64
import re

import numpy as np
import pytest
import torch

from course_lib.widgets.attention import (
    PRESET_SENTENCES,
    attention_explorer,
    bert_attention_weights,
    load_minilm_model,
    render_attention_map,
)

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")
transformers = pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tokenizer():
    from course_lib.pretrained import minilm_path

    return transformers.AutoTokenizer.from_pretrained(minilm_path())


def tiny_bert(seed: int, vocab_size: int):
    config = transformers.BertConfig(vocab_size=vocab_size, hidden_size=20, num_hidden_layers=2,
                                     num_attention_heads=4, intermediate_size=37, attn_implementation="eager")
    torch.manual_seed(seed)
    model = transformers.BertModel(config).eval()
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():  # larger weights than the default init: sharp, uneven attention
            p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
    return model


def reference_weights(model, tokenizer, text):
    with torch.no_grad():
        out = model(**tokenizer(text, return_tensors="pt"), output_attentions=True)
    return torch.stack(out.attentions)[:, 0].numpy()  # (layers, heads, T, T)


def png_bytes(snippet: str) -> bytes:
    match = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', snippet)
    assert match, snippet[:200]
    return base64.b64decode(match.group(1))


@pytest.mark.parametrize("seed", range(3))
def test_recomputed_weights_equal_output_attentions_on_a_random_bert(seed, tokenizer):
    model = tiny_bert(seed, tokenizer.vocab_size)
    text = PRESET_SENTENCES[seed]
    tokens, weights = bert_attention_weights(model, tokenizer, text)
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]" and len(tokens) == weights.shape[-1]
    assert weights.shape == (2, 4, len(tokens), len(tokens))
    np.testing.assert_allclose(weights, reference_weights(model, tokenizer, text), atol=1e-6)
    assert weights.max(axis=-1).mean() > 1.5 / len(tokens)  # not uniform: the check could fail


def test_recomputed_weights_equal_output_attentions_on_minilm():
    model, tokenizer = load_minilm_model()
    text = PRESET_SENTENCES[0]
    tokens, weights = bert_attention_weights(model, tokenizer, text)
    assert weights.shape == (6, 12, len(tokens), len(tokens))
    np.testing.assert_allclose(weights, reference_weights(model, tokenizer, text), atol=1e-5)


def test_bad_text_raises(tokenizer):
    with pytest.raises(ValueError, match="''"):
        bert_attention_weights(tiny_bert(0, tokenizer.vocab_size), tokenizer, "")


def test_render_is_a_png_with_the_query_row_listed():
    snippet = render_attention_map(["<a>", "b", "c"], np.array([[1, 0, 0], [0.2, 0.3, 0.5], [0, 1, 0]]),
                                   "layer 1, head 2", query=1)
    assert png_bytes(snippet).startswith(b"\x89PNG\r\n\x1a\n")
    assert "b → c 0.50, b → b 0.30, b → &lt;a&gt; 0.20" in snippet and "<a>" not in snippet
    with pytest.raises(ValueError, match=r"\(3, 3\).*\(2, 2\)"):
        render_attention_map(["a", "b", "c"], np.eye(2))
    with pytest.raises(ValueError, match="query.*7"):
        render_attention_map(["a"], np.eye(1), query=7)


def test_explorer_snapshot_follows_the_controls(tokenizer):
    model = tiny_bert(1, tokenizer.vocab_size)
    widget = attention_explorer(model, tokenizer, layer=1, head=3)
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "layer 1, head 3" in bundle["text/html"] and "it → " in bundle["text/html"]
    sentence, text, layer, head = widget.children[:4]
    layer.value, head.value = 0, 2
    assert "layer 0, head 2" in widget._repr_mimebundle_()["text/html"]
    before = widget._repr_mimebundle_()["text/html"]
    text.value = "no pronoun here"
    after = widget._repr_mimebundle_()["text/html"]
    assert after != before and "it → " not in after
    with pytest.raises(ValueError, match="head.*4"):
        attention_explorer(model, tokenizer, layer=0, head=4)
