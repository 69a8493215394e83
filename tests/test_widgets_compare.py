"""The side-by-side comparison widget: each row has the ids that the tokenizer's own library gives."""

import random
import re

import pytest

from course_lib.bpe import BPETokenizer, tiktoken_encoding
from course_lib.tokenizers import WordTokenizer
from course_lib.widgets.compare import compare_tokenizers, piece_text, render_comparison_html, tokenize_pieces

pytest.importorskip("ipywidgets")

ALPHABET = "abc XYZ,.!éßж東京🙂👩\u200d👩\u200d👧ﬁ²\u0301 \n<|>"


def random_texts(seed, n=20):
    rng = random.Random(seed)
    return [""] + ["".join(rng.choices(ALPHABET, k=rng.randrange(1, 30))) for _ in range(n)]


@pytest.fixture(scope="module")
def words():
    return WordTokenizer().build_vocabulary(["the cat sat on the mat", "the dog sat"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tiktoken_rows_match_tiktoken(seed):
    enc = tiktoken_encoding("cl100k_base")
    for text in random_texts(seed) + ["<|endoftext|> is text here"]:
        pieces, special = tokenize_pieces(enc, text)
        assert [i for _, i in pieces] == enc.encode(text, disallowed_special=()), text
        assert b"".join(enc.decode_single_token_bytes(i) for _, i in pieces) == text.encode("utf-8")
        assert special == set()


@pytest.mark.parametrize("seed", [3, 4])
def test_hf_tokenizers_rows_match_their_encoding(seed):
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers

    hf = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    hf.normalizer = normalizers.BertNormalizer(lowercase=True)
    hf.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    hf.train_from_iterator(random_texts(seed, 50), trainers.WordPieceTrainer(
        vocab_size=120, special_tokens=["[UNK]", "[CLS]", "[SEP]"], show_progress=False))
    hf.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", hf.token_to_id("[CLS]")), ("[SEP]", hf.token_to_id("[SEP]"))])
    for text in random_texts(seed + 10):
        pieces, special = tokenize_pieces(hf, text)
        encoding = hf.encode(text)
        assert pieces == list(zip(encoding.tokens, encoding.ids)), text
        assert special == {hf.token_to_id("[CLS]"), hf.token_to_id("[SEP]")}
    page = render_comparison_html({"wp": hf}, "abc")
    assert re.search(r"wp: \d+ tokens</b><span[^>]*> \(\+2 special\)", page)


@pytest.mark.parametrize("seed", [5, 6])
def test_course_bpe_rows_join_back_to_the_text(seed):
    tok = BPETokenizer("gpt4", special_tokens={"<|end|>": 400})
    tok.train(" ".join(random_texts(seed, 60)), 256 + 40)
    for text in random_texts(seed + 20) + ["hi<|end|>"]:
        pieces, special = tokenize_pieces(tok, text)
        assert [i for _, i in pieces] == tok.encode(text, allowed_special="all"), text
        assert special == ({400} if "<|end|>" in text else set())
    assert tokenize_pieces(tok, "<|end|>")[0] == [("<|end|>", 400)]


def test_word_tokenizer_rows_and_counts(words):
    pieces, special = tokenize_pieces(words, "The cat flew")
    assert [p for p, _ in pieces] == ["<bos>", "the", "cat", "<unk>", "<eos>"]
    page = render_comparison_html({"words": words}, "The cat flew")
    assert "words: 3 tokens" in page and "(+2 special)" in page
    assert "#dc2626" in page  # the unknown word is marked


def test_piece_text_shows_partial_characters_as_hex():
    assert piece_text("🙂".encode()[1:3]) == "<9f><99>"
    assert piece_text("ж".encode()) == "ж"
    assert piece_text(b"") == ""


def test_html_is_escaped_and_sizes_are_right():
    page = render_comparison_html({"<b>name</b>": lambda t: [(t, 1)]}, "<i>é</i>")
    assert "<b>name</b>" not in page and "&lt;b&gt;name&lt;/b&gt;" in page
    assert "<i>" not in page and "8 characters · 9 UTF-8 bytes" in page


def test_widget_has_a_row_per_tokenizer_and_follows_the_text(words):
    widget = compare_tokenizers({"words": words, "chars": lambda t: [(c, ord(c)) for c in t]}, "the cat")
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].count('class="compare-row"') == 2 and "chars: 7 tokens" in bundle["text/html"]
    text_box, view = widget.children
    text_box.value = "the dog sat on a mat"
    assert "chars: 20 tokens" in view.value and "words: 6 tokens" in widget._repr_mimebundle_()["text/html"]


def test_a_failing_tokenizer_shows_its_error_and_the_others_still_render(words):
    def broken(text):
        raise ValueError("no text for broken")

    page = render_comparison_html({"words": words, "broken": broken}, "the cat")
    assert "no text for broken" in page and "words: 2 tokens" in page


def test_bad_input():
    with pytest.raises(ValueError, match="non-empty mapping"):
        render_comparison_html({}, "text")
    with pytest.raises(ValueError, match="42"):
        compare_tokenizers(42, "text")
    with pytest.raises(TypeError, match="object"):
        tokenize_pieces(object(), "text")
    with pytest.raises(TypeError, match="int"):
        tokenize_pieces(lambda t: [], 5)
