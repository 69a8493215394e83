"""The merge stepper: segmentations match BPETokenizer at every step; live view and static snapshot."""

import random

import pytest

from course_lib.bpe import BPETokenizer
from course_lib.corpus import course_corpus
from course_lib.widgets.bpe import merge_stepper, piece_text, segmentation_after

pytest.importorskip("ipywidgets")

TEXT = "The tokenizer learns merges: lower, lowest, newest 🙂 日本"


@pytest.fixture(scope="module")
def tok():
    tok = BPETokenizer("gpt4")
    tok.train("\n\n".join(course_corpus()[:20]) + " 🙂🙂 日本日本", vocab_size=256 + 40)
    return tok


def naive_segmentation(tok, text, k):
    """Apply the first k merges, in order, to each chunk's bytes: the textbook encoder."""
    ids = []
    for chunk in tok._pre_tokenize(text):
        chunk_ids = list(chunk.encode("utf-8"))
        for pair, new_id in list(tok.merges.items())[:k]:
            out, i = [], 0
            while i < len(chunk_ids):
                if chunk_ids[i:i + 2] == list(pair):
                    out.append(new_id)
                    i += 2
                else:
                    out.append(chunk_ids[i])
                    i += 1
            chunk_ids = out
        ids += chunk_ids
    return ids


@pytest.mark.parametrize("seed", range(4))
def test_segmentation_matches_the_naive_encoder_at_every_step(tok, seed):
    rng = random.Random(seed)
    words = TEXT.split() + course_corpus()[30].split()
    text = " ".join(rng.choice(words) for _ in range(12))
    for k in sorted({0, 1, rng.randrange(40), 39, 40}):
        pieces = segmentation_after(tok, text, k)
        assert [i for _, i in pieces] == naive_segmentation(tok, text, k), k
    assert segmentation_after(tok, text, 0) == [(piece_text(bytes([b])), b) for b in text.encode("utf-8")]
    assert [i for _, i in segmentation_after(tok, text, 40)] == tok.encode(text)


def test_pieces_join_back_to_the_text_and_partial_characters_show_as_hex(tok):
    pieces = [p for p, _ in segmentation_after(tok, "aé🙂", 0)]
    assert pieces == ["a", "<c3>", "<a9>", "<f0>", "<9f>", "<99>", "<82>"]
    assert "".join(p for p, _ in segmentation_after(tok, TEXT, 40)).startswith("The")


def test_shuffled_byte_ids_as_in_tiktoken():
    shuffled = list(range(256))
    random.Random(1).shuffle(shuffled)
    tok = BPETokenizer.from_merges({(shuffled[104], shuffled[105]): 256}, shuffled, pattern="gpt2")
    assert segmentation_after(tok, "hi hi", 1) == [("hi", 256), (" ", shuffled[32]), ("hi", 256)]
    assert segmentation_after(tok, "hi", 0) == [("h", shuffled[104]), ("i", shuffled[105])]


def test_slider_updates_the_view_and_snapshot_shows_four_steps(tok):
    stepper = merge_stepper(tok, TEXT)
    box, slider, view = stepper.children
    assert (slider.min, slider.max, slider.value) == (0, 40, 40) and box.value == TEXT
    assert view.value.count('class="token"') == len(tok.encode(TEXT))
    slider.value = 0
    assert view.value.count('class="token"') == len(TEXT.encode("utf-8"))
    assert "raw UTF-8 bytes" in view.value
    bundle = stepper._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    snapshot = bundle["text/html"]
    assert snapshot.count('class="merge-step"') == 4
    assert "characters in the pieces" not in snapshot  # the title gives tokens per character instead
    for step in (10, 20):
        assert f"after {step} merges" in snapshot


def test_max_steps_and_start_step(tok):
    stepper = merge_stepper(tok, "lowest", max_steps=8, step=3)
    _box, slider, view = stepper.children
    assert (slider.max, slider.value) == (8, 3) and "after 3 merges" in view.value
    assert merge_stepper(tok, "", max_steps=0)._repr_mimebundle_()["text/html"].count('class="merge-step"') == 1


def test_html_is_escaped():
    tok = BPETokenizer()
    tok.train("<b><b><b>", 258)
    html = merge_stepper(tok, "<b>&")._repr_mimebundle_()["text/html"]
    assert "<b>" not in html and "&lt;b&gt;" in html


@pytest.mark.parametrize("bad", [-1, 41, 2.0, True, "3"])
def test_bad_steps_raise_value_errors(tok, bad):
    with pytest.raises(ValueError, match="n_merges"):
        segmentation_after(tok, "x", bad)
    with pytest.raises(ValueError, match="max_steps"):
        merge_stepper(tok, "x", max_steps=bad)
    with pytest.raises(TypeError, match="text must be a str"):
        merge_stepper(tok, b"x")
    with pytest.raises(ValueError, match="step must be"):
        merge_stepper(tok, "x", max_steps=5, step=6)


@pytest.mark.parametrize("seed", range(3))
def test_text_box_re_segments_what_is_typed(tok, seed):
    rng = random.Random(seed)
    stepper = merge_stepper(tok, TEXT)
    box, slider, view = stepper.children
    words = course_corpus()[40].split() + ["🙂", "日本", "zebra"]
    for _ in range(5):
        typed = " ".join(rng.choice(words) for _ in range(rng.randrange(1, 8)))
        box.value = typed
        slider.value = k = rng.randrange(0, 41)
        assert view.value.count('class="token"') == len(segmentation_after(tok, typed, k)), (typed, k)
    assert stepper._repr_mimebundle_()["text/html"].count('class="merge-step"') == 4
