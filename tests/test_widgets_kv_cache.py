"""KV-cache size widget (Day 13): its numbers against arithmetic done here, its controls, its book grid."""

import random
import re

import pytest

from course_lib.widgets.kv_cache import (
    DTYPES,
    PRESETS,
    SEQ_LENGTHS,
    format_bytes,
    kv_cache_size_explorer,
    preset_config,
    render_kv_cache_size,
)
from course_lib.widgets.static import static_grid_html

pytest.importorskip("ipywidgets")


def bars(snippet: str) -> list[tuple[str, float, str]]:
    """(label, width %, size text) of every bar in the view."""
    pattern = (r'<span style="width:15em;text-align:right">([^<]*)</span>.*?width:([\d.]+)%.*?'
               r'<span style="width:7em">([^<]*)</span>')
    return [(label, float(width), size) for label, width, size in re.findall(pattern, snippet)]


@pytest.mark.parametrize("seed", range(5))
def test_sizes_are_the_formula_done_by_hand(seed):
    rng = random.Random(seed)
    n_head = rng.choice([4, 8, 12, 32])
    n_kv_head = rng.choice([d for d in range(1, n_head + 1) if n_head % d == 0])
    n_layer, head_dim = rng.randint(1, 80), rng.choice([32, 64, 128])
    seq_len, width, batch = rng.choice(SEQ_LENGTHS), rng.choice([1, 2, 4]), rng.randint(1, 8)
    snippet = render_kv_cache_size(n_layer, n_head, n_kv_head, head_dim, seq_len, width, batch)
    per_token = 2 * n_layer * n_kv_head * head_dim * width * batch
    assert f"= {format_bytes(per_token)} per token" in snippet
    (mha, w_mha, s_mha), (gqa, w_gqa, s_gqa), (mqa, w_mqa, s_mqa) = bars(snippet)[:3]
    assert s_mha == format_bytes(2 * n_layer * n_head * head_dim * width * batch * seq_len)
    assert s_gqa == format_bytes(per_token * seq_len) and s_mqa == format_bytes(per_token * seq_len // n_kv_head)
    assert w_mha == 100.0 and w_gqa == pytest.approx(100 * n_kv_head / n_head, abs=0.01)
    assert w_mqa == pytest.approx(100 / n_head, abs=0.01)
    ladder = bars(snippet)[3:]
    assert [label for label, _, _ in ladder] == [f"{n:,} tokens" for n in SEQ_LENGTHS]
    for (label, width_pct, _), n in zip(ladder, SEQ_LENGTHS):  # linear in the length
        assert width_pct == pytest.approx(100 * n / SEQ_LENGTHS[-1], abs=0.01)


def test_published_models():
    llama2 = render_kv_cache_size(*PRESETS["Llama-2-7B"][:4], 4096, 2, name="Llama-2-7B")
    llama3 = render_kv_cache_size(*PRESETS["Llama-3-8B"][:4], 8192, 2, name="Llama-3-8B")
    assert "= 512 KiB per token" in llama2 and "= 128 KiB per token" in llama3
    assert ("MHA: 32 KV heads ◀ this model", 100.0, "2.00 GiB") in bars(llama2)
    assert ("GQA: 8 KV heads ◀ this model", 25.0, "1.00 GiB") in bars(llama3)
    config = preset_config(*PRESETS["Llama-2-70B"][:4])
    assert (config.n_layer, config.n_head, config.n_kv_head, config.head_dim) == (80, 64, 8, 128)


def test_kv_heads_are_lowered_to_a_divisor():
    snippet = render_kv_cache_size(2, 12, 5, 64, 512)
    assert "4 KV heads (lowered from 5 to divide 12 query heads)" in snippet


@pytest.mark.parametrize("n,text", [(0, "0 B"), (1023, "1023 B"), (1024, "1.00 KiB"), (10 * 2**20, "10.0 MiB"),
                                    (300 * 2**30, "300 GiB"), (5 * 2**40, "5.00 TiB"), (3000 * 2**40, "3,000 TiB")])
def test_format_bytes(n, text):
    assert format_bytes(n) == text


def test_bad_input():
    with pytest.raises(ValueError, match="-1"):
        format_bytes(-1)
    with pytest.raises(ValueError, match="GPT-5"):
        kv_cache_size_explorer("GPT-5")
    with pytest.raises(ValueError, match="1000"):
        kv_cache_size_explorer(seq_len=1000)
    with pytest.raises(ValueError, match="float64"):
        kv_cache_size_explorer(dtype="float64")


def test_the_view_follows_the_controls():
    widget = kv_cache_size_explorer("Llama-3-8B", seq_len=8192)
    model, number, length, n_layer, n_head, n_kv_head, head_dim, batch, view = widget.children
    assert "GQA: 8 KV heads ◀ this model" in view.value
    number.value, length.value = "float32 (4 bytes)", 131072
    assert "131,072 tokens" in view.value and "= 256 KiB per token" in view.value
    n_layer.value = 2  # ignored while a published model is chosen
    assert "Llama-3-8B: 32 layers" in view.value
    model.value = "sliders (custom)"
    n_head.value, n_kv_head.value, head_dim.value, batch.value = 8, 1, 64, 3
    assert "2 layers × 1 KV heads" in view.value and "MQA: 1 KV head ◀ this model" in view.value
    assert f"= {format_bytes(2 * 2 * 1 * 64 * 4 * 3)} per token" in view.value
    assert widget._repr_mimebundle_()["text/html"] == view.value


def test_the_book_grid_holds_every_model_format_and_length_within_bounds():
    widget = kv_cache_size_explorer()
    page = static_grid_html(widget)
    assert widget.static_reason is None
    assert widget.static_stats["states"] == (len(PRESETS) + 1) * len(DTYPES) * len(SEQ_LENGTHS)
    assert len(page.encode()) < 500_000
    model, number, length = widget.children[:3]
    model.value, number.value, length.value = "Llama-2-70B", "int8 / fp8 (1 byte)", 32768
    assert widget.children[-1].value in page  # the live view of this setting is stored for the book


def test_book_views_match_the_live_widget():
    from test_widgets_static import check_against_live

    widget = kv_cache_size_explorer("Llama-3-8B", seq_len=8192)
    assert check_against_live(widget, seed=7, samples=12) == 12
