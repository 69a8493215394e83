"""Day 11 sampling explorer: numbers equal transformers' processors, kept/removed rows, book grid within bounds."""

import random
import re

import pytest
import torch
from transformers.generation.logits_process import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

import course_lib.widgets.static as static
from course_lib.widgets.decoding import filtered_distribution, render_sampling_html, sampling_explorer, token_label

pytest.importorskip("ipywidgets")


def reference(logits, temperature, top_k, top_p):
    scores = TemperatureLogitsWarper(float(temperature))(None, logits[None].clone())
    before = torch.softmax(scores, -1)[0]
    if top_k:
        scores = TopKLogitsWarper(top_k)(None, scores)
    if top_p < 1:
        scores = TopPLogitsWarper(top_p)(None, scores)
    return before, torch.softmax(scores, -1)[0]


@pytest.mark.parametrize("seed", range(6))
def test_filtered_distribution_equals_transformers(seed):
    rng = random.Random(seed)
    vocab = rng.randint(5, 80)
    logits = torch.round(torch.randn(vocab, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 6) / 2
    t, k, p = rng.uniform(0.2, 2.0), rng.choice([0, 1, 3, vocab // 2]), rng.choice([1.0, rng.uniform(0.1, 0.99)])
    before, after, kept = filtered_distribution(logits, t, k, p)
    ref_before, ref_after = reference(logits, t, k, p)
    torch.testing.assert_close(before, ref_before)
    torch.testing.assert_close(after, ref_after)
    assert torch.equal(kept, ref_after > 0)
    assert float(after.sum()) == pytest.approx(1.0)


def test_render_marks_kept_and_removed_rows_in_probability_order():
    page = render_sampling_html(["a", "b", "<c>", "d"], [0.1, 0.5, 0.3, 0.1], [0.0, 0.625, 0.375, 0.0], top=3)
    rows = re.findall(r"<tr( class=\"x\")?><td>(.*?)</td>", page)
    assert [(bool(x), label) for x, label in rows] == [(False, "b"), (False, "&lt;c&gt;"), (True, "<s>a</s>")]
    assert "50.0% → 62.5%" in page and "10.0% removed" in page and 'style="width:60.0%"' in page
    with pytest.raises(ValueError, match="2, 1 and 2"):
        render_sampling_html(["a", "b"], [0.5], [0.5, 0.5])


def test_token_label_shows_spaces_and_partial_characters():
    from course_lib.bpe import BPETokenizer

    tok = BPETokenizer()
    assert [token_label(tok, i) for i in (32, 10, 0xF0, 66)] == ["␣", "↵", "\\xf0", "B"]


@pytest.fixture(scope="module")
def tiny():
    from course_lib.bpe import BPETokenizer
    from course_lib.transformer import GPT, GPTConfig

    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=256, block_size=16, n_layer=1, n_head=2, d_model=16)).eval()
    with torch.no_grad():
        for param in model.parameters():
            param.mul_(3.0)
    return model, BPETokenizer()


def caption_numbers(page):
    match = re.search(r"kept (\d+) of (\d+) tokens, ([\d.]+)% of the probability mass", page)
    assert match, page[:300]
    return int(match.group(1)), int(match.group(2)), float(match.group(3))


@pytest.mark.parametrize("seed", range(3))
def test_explorer_follows_its_sliders_with_transformers_numbers(tiny, seed):
    model, tok = tiny
    rng = random.Random(seed)
    widget = sampling_explorer(model, tok, prompts=["abc", "hello"], top=12)
    prompt, temp, k, p = widget.children[:4]
    prompt.value = rng.choice(["abc", "hello"])
    temp.value, k.value, p.value = rng.choice([0.3, 0.7, 1.6]), rng.choice([0, 5, 50]), rng.choice([0.4, 0.85, 1.0])
    page = widget.children[-1].value
    with torch.no_grad():
        logits = model(torch.tensor([tok.encode(prompt.value)]))[0, -1].double()
    before, after = reference(logits, temp.value, k.value, p.value)
    kept, vocab, mass = caption_numbers(page)
    assert (kept, vocab) == (int((after > 0).sum()), 256)
    assert mass == pytest.approx(100 * float(before[after > 0].sum()), abs=0.051)
    assert page.count('class="k"') == min(12, kept) and page.count("<tr") == 12


def test_explorer_static_grid_matches_the_live_widget_and_stays_in_bounds():
    from test_widgets_static import check_against_live

    widget = sampling_explorer(top_p=0.9)  # the course GPT, as in the notebook
    assert check_against_live(widget, seed=11, samples=6) == 6
    stats = widget.static_stats
    assert stats["bytes"] <= static.MAX_BYTES and stats["states"] <= static.MAX_STATES and not stats["thinned"]
    labels = [axis.labels for axis in widget.static_axes]
    assert labels[2] == ("off", "3", "10", "50")


def test_explorer_rejects_bad_settings(tiny):
    model, tok = tiny
    with pytest.raises(ValueError, match="7"):
        sampling_explorer(model, tok, top_k=7)
    with pytest.raises(ValueError, match="prompts"):
        sampling_explorer(model, tok, prompts=[])
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        filtered_distribution(torch.zeros(2, 3), 1.0)
