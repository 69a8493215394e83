"""The book's interactive static widgets (course_lib/widgets/static.py).

What is checked: the grid each control type gives, thinning and the bounds (states, bytes, time),
the opt-out and the fallback, dedupe of identical views, escaping, and above all that the view
the book stores for a setting IS what the live widget shows after the controls are moved there,
for real course widgets. The page is taken apart with a small parser below (the same structure
the inline script reads); tests/test_book_widgets.py checks the same in a browser.
"""

from __future__ import annotations

import html
import itertools
import json
import random
import re
import sys
import types
from html.parser import HTMLParser

import numpy as np
import pytest

import course_lib.widgets.static as static
from course_lib.widgets.static import (StaticAxis, control_axis, fit_axes, live_html, static_grid_html,
                                       static_widgets_enabled, text_prefixes)

ipywidgets = pytest.importorskip("ipywidgets")


# --------------------------------------------------------------------------- a parser for the emitted page


class _Controls(HTMLParser):
    """Collects the book's controls (elements with data-cw-stride), their options and the script tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.controls: list[dict] = []
        self.scripts = 0
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if "data-cw-stride" in attributes:
            self.controls.append(dict(tag=tag, options=[], **attributes))
        if tag == "option" and self.controls:
            self._option = {"value": attributes["value"], "text": ""}
            self.controls[-1]["options"].append(self._option)

    def handle_endtag(self, tag):
        if tag == "option":
            self._option = None

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data


def parse(page: str) -> dict:
    """The parts of a static widget: controls (with strides, sizes, labels), the state map and the views."""
    head = page[:page.index('<div class="cw-view">')]
    assert head.count('class="course-widget-static"') == 1
    uid = re.search(r'id="(cw-[0-9a-f]+-\d+)"', head).group(1)
    cell_map = [int(x) for x in re.search(r'data-cw-map="([\d,]+)"', head).group(1).split(",")]
    opening = '<div class="cw-view">'
    body = page[page.index(opening) + len(opening):page.rindex('<div class="cw-note"')]
    first_template = body.find('<template data-cw-view="')
    current = body[:first_template if first_template >= 0 else len(body)]
    assert current.endswith("</div>")
    views = {0: current[:-len("</div>")]}
    for match in re.finditer(r'<template data-cw-view="(\d+)">(.*?)</template>', body, re.S):
        views[int(match.group(1))] = match.group(2)
    parser = _Controls()
    parser.feed(page)
    controls = []
    for c in parser.controls:
        if c["tag"] == "select":
            size, labels = len(c["options"]), [o["text"] for o in c["options"]]
        elif c.get("type") == "range":
            labels = json.loads(c["data-cw-labels"])
            size = int(c["max"]) + 1
        else:  # checkbox
            size, labels = len({c["data-cw-on"], c["data-cw-off"]}), None
        controls.append(dict(stride=int(c["data-cw-stride"]), size=size, labels=labels, attrs=c))
    return dict(uid=uid, map=cell_map, views=views, controls=controls, scripts=parser.scripts)


def book_view(parsed: dict, positions: list[int]) -> str:
    """The view the book shows with each control at ``positions`` (fixed controls omitted)."""
    key = sum(p * c["stride"] for p, c in zip(positions, parsed["controls"]))
    return parsed["views"][parsed["map"][key]]


def check_against_live(widget, seed: int, samples: int = 12) -> int:
    """Move the live controls to sampled grid settings; the live view must equal the book's view there."""
    page = static_grid_html(widget)
    assert widget.static_reason is None, widget.static_reason
    parsed = parse(page)
    axes = widget.static_axes
    movable = [(c, a) for c, a in zip(widget._static_source.controls, axes) if a.kind != "fixed"]
    assert len(movable) == len(parsed["controls"])
    view = widget.children[-1]
    states = list(itertools.product(*(range(len(a.values)) for _, a in movable)))
    rng = random.Random(seed)
    chosen = states if len(states) <= samples else rng.sample(states, samples)
    for state in chosen:
        for (control, axis), index in zip(movable, state):
            control.value = axis.values[index]
        assert view.value == book_view(parsed, list(state)), f"state {state} differs"
    return len(chosen)


# --------------------------------------------------------------------------- one axis per control type


def test_int_float_and_log_sliders_give_every_step_with_the_current_value():
    assert control_axis(ipywidgets.IntSlider(value=5, min=1, max=9, step=2)).values == (1, 3, 5, 7, 9)
    assert control_axis(ipywidgets.IntSlider(value=4, min=1, max=9, step=2)).values == (1, 3, 4, 5, 7, 9)
    floats = control_axis(ipywidgets.FloatSlider(value=0.3, min=0.0, max=1.0, step=0.1))
    assert floats.values == tuple(round(0.1 * i, 10) for i in range(11)) and floats.current == 3
    assert floats.labels[3] == "0.30"  # the slider's own readout format
    log = control_axis(ipywidgets.FloatLogSlider(value=10.0, base=10, min=-1, max=1, step=0.5))
    assert np.allclose(log.values, [10 ** e for e in (-1, -0.5, 0, 0.5, 1)])
    assert log.values[log.current] == 10.0
    half = ipywidgets.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.5)
    assert control_axis(half, [0.5, 2.0]).values == (0.5, 1.0, 2.0)


def test_menus_give_their_options_in_order_with_labels():
    dropdown = ipywidgets.Dropdown(options=[("one", 1), ("two", 2), ("three", 3)], value=2, description="n")
    axis = control_axis(dropdown)
    assert (axis.kind, axis.values, axis.current) == ("select", (1, 2, 3), 1)
    assert axis.labels == ("one", "two", "three")
    assert control_axis(dropdown, [3]).values == (2, 3)  # the current value is always kept
    for cls in (ipywidgets.RadioButtons, ipywidgets.ToggleButtons, ipywidgets.Select):
        assert control_axis(cls(options=["a", "b"], value="b")).values == ("a", "b")
    slider = control_axis(ipywidgets.SelectionSlider(options=[1, 4, 16], value=4))
    assert (slider.kind, slider.values, slider.current) == ("range", (1, 4, 16), 1)
    with pytest.raises(ValueError, match="not among its options"):
        control_axis(dropdown, [7])


def test_checkboxes_give_both_values_current_first():
    assert control_axis(ipywidgets.Checkbox(value=True)).values == (True, False)
    assert control_axis(ipywidgets.ToggleButton(value=False)).values == (False, True)
    assert control_axis(ipywidgets.Checkbox(value=True), []).values == (True,)


def test_text_boxes_give_the_text_then_presets_or_its_word_prefixes():
    box = ipywidgets.Textarea(value="the cat sat on the mat")
    assert control_axis(box).values == ("the cat sat on the mat", "the", "the cat", "the cat sat",
                                        "the cat sat on", "the cat sat on the")
    assert control_axis(box, ["a", "the cat sat on the mat"]).values == ("the cat sat on the mat", "a")
    assert control_axis(box, []).values == ("the cat sat on the mat",)
    combo = ipywidgets.Combobox(value="q1", options=["q0", "q1", "q2"])
    assert control_axis(combo).values == ("q1", "q0", "q2")
    assert control_axis(ipywidgets.Text(value="")).labels == ("(empty)",)
    with pytest.raises(ValueError, match="must be str"):
        control_axis(box, [3])


@pytest.mark.parametrize("seed", range(5))
def test_text_prefixes_are_prefixes_ending_with_the_text(seed):
    rng = random.Random(seed)
    words = ["".join(rng.choice("ab ") for _ in range(rng.randrange(1, 6)))
             for _ in range(rng.randrange(1, 15))]
    text = " ".join(words)
    count = rng.randrange(1, 8)
    prefixes = text_prefixes(text, count)
    if text.strip():
        assert prefixes[-1] == text and 1 <= len(prefixes) <= count
        assert all(text.startswith(p) and p == p.rstrip() for p in prefixes[:-1])
        assert [len(p) for p in prefixes] == sorted({len(p) for p in prefixes})


def test_other_controls_stay_fixed_and_refuse_a_grid():
    axis = control_axis(ipywidgets.IntText(value=4, description="n"))
    assert (axis.kind, axis.values) == ("fixed", (4,))
    with pytest.raises(ValueError, match="IntText"):
        control_axis(ipywidgets.IntText(value=4), [1, 2])
    with pytest.raises(ValueError, match="range 0 .. 10"):
        control_axis(ipywidgets.IntSlider(value=4, min=0, max=10), [11])


# --------------------------------------------------------------------------- thinning and bounds


@pytest.mark.parametrize("seed", range(8))
def test_thinning_is_even_keeps_the_current_value_and_nests(seed):
    rng = random.Random(seed)
    size = rng.randrange(2, 300)
    current = rng.randrange(size)
    steps = tuple(range(size))
    axis = StaticAxis("range", "x", steps, tuple(map(str, steps)), current, steps)
    count = rng.randrange(1, size + 1)
    thin = axis.thin(count)
    assert len(thin.values) == count and thin.values[thin.current] == current
    assert list(thin.values) == sorted(set(thin.values)) and thin.origin == thin.values
    if count >= 3:  # evenly spread: no gap much wider than the even one (one pick may have moved to current)
        even = (size - 1) / (count - 1)
        assert max(b - a for a, b in zip(thin.values, thin.values[1:])) <= 2 * even + 1
    assert set(thin.thin(max(1, count // 2)).values) <= set(thin.values)


def test_fit_axes_thins_sliders_only_and_gives_up_on_menus():
    slider = control_axis(ipywidgets.IntSlider(value=7, min=0, max=99))
    menu = control_axis(ipywidgets.Dropdown(options=list("abcdef"), value="c"))
    fitted = fit_axes([slider, menu], 60)
    assert [len(a.values) for a in fitted] == [10, 6] and 7 in fitted[0].values
    assert [len(a.values) for a in fit_axes([slider, menu], 6)] == [1, 6]
    assert fit_axes([slider, menu], 5) is None


def test_max_states_thins_the_sliders_and_says_so():
    slider = ipywidgets.IntSlider(value=37, min=0, max=99, description="n")
    menu = ipywidgets.Dropdown(options=["x", "y", "z"], value="y", description="m")
    widget = live_html([slider, menu], lambda: f"<p>{slider.value}{menu.value}</p>")
    page = static_grid_html(widget, max_states=30)
    parsed = parse(page)
    assert widget.static_stats["states"] == 30 and widget.static_stats["full"] == 300
    assert [c["size"] for c in parsed["controls"]] == [10, 3] and "37" in parsed["controls"][0]["labels"]
    assert "30 settings of 300 (slider steps thinned)" in page and len(parsed["map"]) == 30


def test_max_bytes_thins_then_falls_back_to_the_snapshot_with_a_reason():
    slider = ipywidgets.IntSlider(value=3, min=0, max=40, description="n")
    widget = live_html([slider], lambda: f"<p>{slider.value}</p>" + "x" * 900)
    page = static_grid_html(widget, max_bytes=8_000)
    assert len(page.encode()) <= 8_000 and widget.static_reason is None and widget.static_stats["thinned"]
    assert 2 <= widget.static_stats["states"] < 41
    page = static_grid_html(widget, max_bytes=1_500)
    assert widget.static_reason and "1,500" in widget.static_reason
    assert page.startswith(widget.children[-1].value) and "<script" not in page and "cw-frozen" in page
    assert html.escape(widget.static_reason) in page


def test_menus_too_big_for_the_bound_fall_back():
    menu = ipywidgets.Dropdown(options=list(range(50)), value=0)
    widget = live_html([menu], lambda: f"<p>{menu.value}</p>")
    static_grid_html(widget, max_states=10)
    assert "50 states" in widget.static_reason


def test_slow_renders_hit_the_safety_net():
    slider = ipywidgets.IntSlider(value=0, min=0, max=5)
    widget = live_html([slider], lambda: f"<p>{slider.value}</p>")
    static_grid_html(widget, max_seconds=0.0)
    assert "took more than" in widget.static_reason
    assert slider.value == 0 and widget.children[-1].value == "<p>0</p>"


def test_images_get_a_smaller_automatic_grid_unless_a_grid_is_given():
    slider = ipywidgets.IntSlider(value=0, min=0, max=99)
    widget = live_html([slider], lambda: f'<img alt="{slider.value}" src="data:image/png;base64,AA">')
    static_grid_html(widget)
    assert widget.static_stats["states"] == static.MAX_IMAGE_STATES
    widget = live_html([slider], lambda: f'<img alt="{slider.value}" src="data:image/png;base64,AA">',
                       grid={slider: list(range(0, 100, 5))})
    static_grid_html(widget)
    assert widget.static_stats["states"] == 20


def test_identical_views_are_stored_once():
    slider = ipywidgets.IntSlider(value=42, min=0, max=99)
    widget = live_html([slider], lambda: f"<p>tens: {slider.value // 10}</p>")
    page = static_grid_html(widget)
    parsed = parse(page)
    assert widget.static_stats["views"] == 10 and len(parsed["views"]) == 10 and page.count("<template") == 9
    assert len(parsed["map"]) == 100 and all(parsed["views"][parsed["map"][i]] == f"<p>tens: {i // 10}</p>"
                                              for i in range(100))


def test_a_failing_setting_shows_its_error_and_the_widget_survives():
    slider = ipywidgets.IntSlider(value=1, min=0, max=3)

    def render() -> str:
        if slider.value == 0:
            raise ValueError("zero <is> bad")
        return f"<p>{slider.value}</p>"

    widget = live_html([slider], render)
    parsed = parse(static_grid_html(widget))
    assert "ValueError: zero &lt;is&gt; bad" in book_view(parsed, [0])
    assert book_view(parsed, [3]) == "<p>3</p>" and widget.children[-1].value == "<p>1</p>"


# --------------------------------------------------------------------------- grid=, opt-out, live path, ids


def test_grid_keys_name_a_control_by_object_index_or_description():
    a = ipywidgets.IntSlider(value=2, min=0, max=10, description="a")
    b = ipywidgets.IntSlider(value=5, min=0, max=10, description="b")
    for key_a, key_b in ((a, b), (0, 1), ("a", "b")):
        widget = live_html([a, b], lambda: f"{a.value},{b.value}", grid={key_a: [0, 10], key_b: [5]})
        static_grid_html(widget)
        assert [axis.values for axis in widget.static_axes] == [(0, 2, 10), (5,)]
    with pytest.raises(ValueError, match="exactly one control"):  # at construction, not in the book build
        live_html([a, b], lambda: "", grid={"c": [1]})
    with pytest.raises(TypeError, match="list of values"):
        live_html([ipywidgets.Text(value="x", description="t")], lambda: "", grid={"t": "abc"})
    with pytest.raises(ValueError, match="range 0 .. 10"):
        live_html([a, b], lambda: "", grid={a: [11]})


def test_opt_out_keeps_the_snapshot_even_for_the_book(monkeypatch):
    monkeypatch.setattr(static, "static_widgets_enabled", lambda: True)
    slider = ipywidgets.IntSlider(value=2, min=0, max=4)
    calls = []
    widget = live_html([slider], lambda: calls.append(1) or f"<p>{slider.value}</p>", static=False)
    assert widget._repr_mimebundle_()["text/html"] == "<p>2</p>" and len(calls) == 1
    assert widget.static_reason == "static=False (opted out)"
    other = live_html([slider], lambda: f"<q>{slider.value}</q>", snapshot=lambda: "SNAP")
    assert 'class="course-widget-static"' in other._repr_mimebundle_()["text/html"]


def test_the_book_html_only_in_a_kernel_with_the_variable(monkeypatch, tmp_path):
    slider = ipywidgets.IntSlider(value=2, min=0, max=4)
    calls = []
    widget = live_html([slider], lambda: calls.append(1) or f"<p>{slider.value}</p>")
    monkeypatch.setenv(static.ENV_VAR, "1")
    assert not static_widgets_enabled()  # plain pytest: no kernel
    assert widget._repr_mimebundle_()["text/html"] == "<p>2</p>"
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: types.SimpleNamespace(kernel=object())
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert static_widgets_enabled()
    monkeypatch.setenv(static.LOG_VAR, str(tmp_path / "log.jsonl"))
    page = widget._repr_mimebundle_()["text/html"]
    rendered = len(calls)
    assert 'class="course-widget-static"' in page and rendered == 1 + 4
    assert widget._repr_mimebundle_()["text/html"] == page and len(calls) == rendered  # cached
    record = json.loads((tmp_path / "log.jsonl").read_text())
    assert record["states"] == 5 and record["reason"] is None and record["widget"].startswith("test_")
    monkeypatch.setenv(static.ENV_VAR, "0")
    assert not static_widgets_enabled()


def test_the_live_widget_is_untouched_by_the_grid():
    slider = ipywidgets.IntSlider(value=3, min=0, max=9)
    text = ipywidgets.Text(value="a b c")
    widget = live_html([slider, text], lambda: f"{slider.value}:{text.value}")
    static_grid_html(widget)
    assert (slider.value, slider.min, slider.max, text.value) == (3, 0, 9, "a b c")
    assert widget.children[-1].value == "3:a b c"
    slider.value = 8
    assert widget.children[-1].value == "8:a b c"  # observers are live again


def test_every_widget_has_its_own_id_and_script():
    pages = []
    for _ in range(2):
        slider = ipywidgets.IntSlider(value=1, min=0, max=2)
        pages.append(static_grid_html(live_html([slider], lambda s=slider: f"<p>{s.value}</p>")))
    ids = [parse(p)["uid"] for p in pages]
    assert ids[0] != ids[1]
    for page, uid in zip(pages, ids):
        assert page.count("<script>") == 1 and f"document.getElementById({json.dumps(uid)})" in page
        assert "src=" not in page.split("<script>")[1]  # inline only, nothing fetched


def test_preset_texts_cannot_break_out_of_the_page():
    nasty = ["</script><script>window.pwned=1</script>", "a \"quoted\" 'text' & <b>bold</b>",
             "</template></div>"]
    box = ipywidgets.Text(value="safe", description='d"esc</script>')
    slider = ipywidgets.SelectionSlider(options=[('"</script>', 0.0), ("ok", 1.0)], value=1.0)
    widget = live_html([box, slider], lambda: f"<p>{html.escape(box.value)} {slider.value}</p>",
                       grid={box: nasty})
    page = static_grid_html(widget)
    parsed = parse(page)
    assert parsed["scripts"] == 1 and page.count("</script>") == 1 and page.count("<script") == 1
    assert [o["text"] for o in parsed["controls"][0]["attrs"]["options"]] == ["safe", *nasty]
    assert parsed["controls"][1]["labels"][0] == '"</script>'  # the attribute decodes back to the label
    assert book_view(parsed, [1, 0]) == f"<p>{html.escape(nasty[0])} 0.0</p>"


# --------------------------------------------------------------------------- real course widgets


@pytest.fixture(scope="module")
def word_tok():
    from course_lib.tokenizers import WordTokenizer

    return WordTokenizer().build_vocabulary(["the cat sat on the mat", "the dog sat", "a <b> cat"])


def test_token_explorer_book_views_match_the_live_widget(word_tok):
    from course_lib.widgets import token_explorer

    widget = token_explorer(word_tok, "the cat sat on the <b> mat today")
    assert check_against_live(widget, seed=1) == 6
    assert widget.static_axes[0].labels[1] == "the"


def test_merge_stepper_book_views_match_the_live_widget():
    from course_lib.bpe import BPETokenizer
    from course_lib.corpus import course_corpus
    from course_lib.widgets.bpe import merge_stepper

    tok = BPETokenizer("gpt4")
    tok.train("\n\n".join(course_corpus()[:10]), vocab_size=256 + 60)
    widget = merge_stepper(tok, "The tokenizer learns merges: lower, lowest 🙂")
    assert check_against_live(widget, seed=2, samples=15) == 15
    labels = next(axis for axis in widget.static_axes if axis.kind == "range").labels  # the merges slider
    assert (labels[0], labels[-1]) == ("0", str(len(tok.merges)))  # thinned or not, both ends are there
    stats = widget.static_stats
    assert stats["bytes"] <= static.MAX_BYTES and stats["states"] <= static.MAX_STATES


def test_next_token_explorer_book_views_match_the_live_widget(word_tok):
    from course_lib.lm import NGramLM
    from course_lib.widgets.sampling import next_token_explorer

    texts = ["the cat sat", "the dog sat", "the cat ran"]
    lm = NGramLM(2, k=0.1, bos=word_tok.bos_id, eos=word_tok.eos_id, vocab=range(word_tok.vocab_size))
    lm = lm.fit([word_tok.encode(t, add_special_tokens=False) for t in texts])
    widget = next_token_explorer(lm, word_tok, "the cat", temperature=0.7, top=4)
    check_against_live(widget, seed=3, samples=20)
    # two texts ("the cat", "the") x the slider's 51 steps and its value 0.7, which lies between two of them
    assert widget.static_stats["states"] == 2 * 52 and 0.7 in widget.static_axes[1].values


def test_compare_tokenizers_book_views_match_the_live_widget(word_tok):
    from course_lib.bpe import BPETokenizer
    from course_lib.widgets.compare import compare_tokenizers

    bpe = BPETokenizer("gpt2")
    bpe.train("low lower lowest newest widest", vocab_size=266)
    widget = compare_tokenizers({"words": word_tok, "bpe": bpe}, "the lowest cat sat, newest 🙂")
    assert check_against_live(widget, seed=4) == len(widget.static_axes[0].values)


def test_visibility_explorer_views_match_even_though_its_sliders_follow_the_text():
    from course_lib.widgets import visibility_explorer

    widget = visibility_explorer("one two three four five six", query=2, prefix_len=1)
    widget._static_source.max_states = 6  # a picture per state: keep it quick
    check_against_live(widget, seed=5, samples=4)
    text_axis, word_axis = widget.static_axes[:2]
    assert len(text_axis.values) == 1 and len(word_axis.values) > 1  # grid={text: []}: the word slider moves


@pytest.mark.parametrize("make", ["position_heatmap", "mask_gallery", "rope_explorer", "block_explorer"])
def test_picture_widgets_book_views_match_the_live_widget(make):
    from course_lib import widgets

    factory = {"position_heatmap": lambda: widgets.position_heatmap(16, 8),
               "mask_gallery": lambda: widgets.mask_gallery("dilated", seq_len=12, window=3, dilation=2,
                                                            n_global=1),
               "rope_explorer": lambda: widgets.rope_explorer(head_dim=4, m=3, n=1),
               "block_explorer": lambda: widgets.block_explorer("relu", scale=2.0, shift=0.5)}[make]
    widget = factory()
    widget._static_source.max_states = 6 if make == "mask_gallery" else 4  # a few pictures (6 mask kinds)
    assert check_against_live(widget, seed=6, samples=3) >= 2


def test_chat_budget_book_views_match_the_live_widget():
    from course_lib.widgets.chat_budget import chat_budget

    widget = chat_budget(4096, 20, 400)
    check_against_live(widget, seed=7, samples=10)
    stats = widget.static_stats
    assert stats["bytes"] <= static.MAX_BYTES and stats["states"] == 5 * 5 * 3  # windows x turns {1, 5, 10, 20, 40} x sizes {100, 400, 800}


def test_embedding_space_book_views_match_the_live_widget():
    from course_lib.embeddings import sentence_embeddings
    from course_lib.widgets.embedding_space import embedding_space

    class Chunk:
        def __init__(self, text, source):
            self.text, self.metadata = text, {"source": source, "section": "S"}

    texts = ["Tokens are ids.", "Attention mixes tokens.", "Retrieval finds passages.", "Loss goes down."]
    chunks = [Chunk(t, f"notebooks/day{5 * i + 1:02d}_x.ipynb") for i, t in enumerate(texts)]
    widget = embedding_space("Ids are integers.", chunks, sentence_embeddings(texts), presets=["Heads attend."])
    assert check_against_live(widget, seed=8, samples=2) == 2


def test_kv_cache_size_explorer_book_views_match_the_live_widget():
    from course_lib.widgets.kv_cache import kv_cache_size_explorer

    widget = kv_cache_size_explorer("Llama-3-8B", seq_len=8192)
    assert check_against_live(widget, seed=7, samples=12) == 12
    assert widget.static_stats["states"] == 90 and widget.static_stats["bytes"] <= static.MAX_BYTES


def test_lora_rank_explorer_book_views_match_the_live_widget():
    from course_lib.widgets.lora import rank_explorer

    widget = rank_explorer()
    check_against_live(widget, seed=9, samples=3)
    stats = widget.static_stats
    assert stats["bytes"] <= static.MAX_BYTES and stats["states"] == 7 * 2
