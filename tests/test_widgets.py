"""Widgets: live view plus a static HTML snapshot that follows the widget's state."""

import pytest

from course_lib.tokenizers import WordTokenizer
from course_lib.widgets import render_tokens_html, token_explorer, token_pieces

pytest.importorskip("ipywidgets")


@pytest.fixture
def tokenizer():
    return WordTokenizer().build_vocabulary(["the cat sat on the mat", "the dog sat"])


def test_token_pieces_pair_each_id_with_its_text(tokenizer):
    pieces = token_pieces(tokenizer, "The cat flew")
    assert [p for p, _ in pieces] == ["<bos>", "the", "cat", "<unk>", "<eos>"]
    assert [i for _, i in pieces] == tokenizer.encode("The cat flew")


def test_render_escapes_html_and_marks_special_and_unknown():
    html = render_tokens_html([("<b>", 5), ("<unk>", 1), ("<bos>", 2)], special_ids=[2], unknown_ids=[1])
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert html.count('class="token"') == 3 and "3 tokens" in html
    assert "#dc2626" in html and "font-style:italic" in html


def test_explorer_bundle_has_live_widget_and_static_html(tokenizer):
    explorer = token_explorer(tokenizer, "the cat")
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert 'class="token-explorer"' in bundle["text/html"] and bundle["text/html"].count('class="token"') == 4


def test_explorer_updates_when_the_text_changes(tokenizer):
    explorer = token_explorer(tokenizer, "the cat")
    text_box, view = explorer.children
    text_box.value = "the dog sat on a mat"
    assert view.value.count('class="token"') == 8
    assert explorer._repr_mimebundle_()["text/html"] == view.value


def test_explorer_shows_errors_instead_of_crashing():
    explorer = token_explorer(WordTokenizer(), "no vocabulary yet")
    assert "build_vocabulary" in explorer._repr_mimebundle_()["text/html"]
