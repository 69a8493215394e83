"""KV-cache size widget (Day 13): how many bytes the cache takes, against the sequence length.

Sliders for the layers, query heads, key/value heads, head width, batch and sequence length, a menu for the
number format, and a menu of published model shapes (the course GPT, Llama-2-7B, Llama-3-8B, Llama-2-70B,
from their ``config.json``: layers, heads and key/value heads; head width 128). The view is coloured HTML
bars (no picture, so the book can precompute many settings): the cache at this length for multi-head,
grouped-query and multi-query attention, then the cache at every length on the slider. Every number comes
from :func:`course_lib.kv_cache.kv_cache_bytes`. ipywidgets is imported inside the functions.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["PRESETS", "DTYPES", "SEQ_LENGTHS", "format_bytes", "preset_config", "render_kv_cache_size",
           "kv_cache_size_explorer"]

CUSTOM = "sliders (custom)"
# name -> (n_layer, n_head, n_kv_head, head_dim, context length); published configs (config.json on the hub)
PRESETS: dict[str, tuple[int, int, int, int, int]] = {
    "course GPT (Day 10)": (4, 4, 2, 32, 128),
    "Llama-2-7B": (32, 32, 32, 128, 4096),  # multi-head: every query head has its own keys and values
    "Llama-3-8B": (32, 32, 8, 128, 8192),  # grouped-query: 4 query heads share a key/value head
    "Llama-2-70B": (80, 64, 8, 128, 4096),  # grouped-query: 8 query heads share a key/value head
}
DTYPES = {"float32 (4 bytes)": 4, "bfloat16 / float16 (2 bytes)": 2, "int8 / fp8 (1 byte)": 1}
SEQ_LENGTHS = (128, 512, 2048, 8192, 32768, 131072)
_COLOURS = {"MHA": "#dc2626", "GQA": "#2563eb", "MQA": "#16a34a", "length": "#6b7280"}


def format_bytes(n: float) -> str:
    """Bytes in binary units (KiB = 1024 bytes, MiB, GiB, TiB), three significant digits.

    Example:
        >>> format_bytes(512), format_bytes(1536), format_bytes(2 * 2**30)
        ('512 B', '1.50 KiB', '2.00 GiB')
    """
    if isinstance(n, bool) or not isinstance(n, (int, float)) or n < 0:
        raise ValueError(f"n must be a number of bytes >= 0, got {n!r}")
    if n < 1024:
        return f"{n:.0f} B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        n /= 1024
        if n < 1024 or unit == "TiB":
            return f"{n:,.0f} {unit}" if n >= 100 else f"{n:.2f} {unit}" if n < 10 else f"{n:.1f} {unit}"
    raise AssertionError("unreachable")


def preset_config(n_layer: int, n_head: int, n_kv_head: int, head_dim: int) -> Any:
    """A :class:`course_lib.transformer.GPTConfig` with this attention shape (other fields irrelevant here).

    Example:
        >>> c = preset_config(*PRESETS["Llama-3-8B"][:4])
        >>> c.n_layer, c.n_head, c.n_kv_head, c.head_dim, c.d_model
        (32, 32, 8, 128, 4096)
    """
    from course_lib.transformer import GPTConfig

    return GPTConfig.llama_style(vocab_size=1, block_size=1, n_layer=n_layer, n_head=n_head, n_kv_head=n_kv_head,
                                 d_model=n_head * head_dim, d_ff=1)


def _bar(label: str, value: int, largest: int, colour: str, bold: bool = False) -> str:
    width = 0.0 if largest == 0 else 100.0 * value / largest
    weight = "font-weight:600;" if bold else ""
    return (f'<div style="display:flex;align-items:center;gap:6px;margin:2px 0;{weight}">'
            f'<span style="width:15em;text-align:right">{html.escape(label)}</span>'
            f'<span style="flex:1;background:#f3f4f6"><span style="display:block;height:14px;width:{width:.2f}%;'
            f'background:{colour}"></span></span><span style="width:7em">{format_bytes(value)}</span></div>')


def render_kv_cache_size(n_layer: int, n_head: int, n_kv_head: int, head_dim: int, seq_len: int,
                         bytes_per_value: int = 2, batch: int = 1, name: str = CUSTOM) -> str:
    """HTML: the KV cache of this shape at ``seq_len`` for MHA / GQA / MQA, and at every slider length.

    ``n_kv_head`` is lowered to the nearest divisor of ``n_head`` (each key/value head serves a whole
    group of query heads); the caption says so when it happens.

    Example:
        >>> snippet = render_kv_cache_size(32, 32, 8, 128, 8192, bytes_per_value=2, name="Llama-3-8B")
        >>> 'class="kv-cache-size"' in snippet, "1.00 GiB" in snippet, "128 KiB per token" in snippet
        (True, True, True)
    """
    from course_lib.kv_cache import kv_cache_bytes

    wanted = n_kv_head
    n_kv_head = max(d for d in range(1, min(n_kv_head, n_head) + 1) if n_head % d == 0)
    config = preset_config(n_layer, n_head, n_kv_head, head_dim)
    per_token = kv_cache_bytes(config, batch, 1, bytes_per_value)
    kinds = [("MHA", n_head), ("GQA", n_kv_head), ("MQA", 1)]
    sizes = {kind: kv_cache_bytes(replace(config, n_kv_head=kv), batch, seq_len, bytes_per_value)
             for kind, kv in kinds}
    chosen = "MHA" if n_kv_head == n_head else "MQA" if n_kv_head == 1 else "GQA"
    note = f" (lowered from {wanted} to divide {n_head} query heads)" if wanted != n_kv_head else ""
    caption = (f"{name}: {n_layer} layers × {n_kv_head} KV heads{note} × head width {head_dim} × 2 (K and V) × "
               f"{bytes_per_value} bytes × batch {batch} = {format_bytes(per_token)} per token")
    rows = [f'<div style="margin-top:6px;color:#374151">At {seq_len:,} tokens, by attention type '
            f'({n_head} query heads):</div>']
    for kind, kv in kinds:
        label = f"{kind}: {kv} KV head{'s' if kv > 1 else ''}" + (" ◀ this model" if kind == chosen else "")
        rows.append(_bar(label, sizes[kind], sizes["MHA"], _COLOURS[kind], bold=kind == chosen))
    lengths = sorted(set(SEQ_LENGTHS) | {seq_len})
    largest = kv_cache_bytes(config, batch, lengths[-1], bytes_per_value)
    rows.append('<div style="margin-top:6px;color:#374151">This model\'s cache against the sequence length '
                '(it grows linearly):</div>')
    for length in lengths:
        rows.append(_bar(f"{length:,} tokens", kv_cache_bytes(config, batch, length, bytes_per_value), largest,
                         _COLOURS[chosen] if length == seq_len else _COLOURS["length"], bold=length == seq_len))
    return (f'<div class="kv-cache-size" style="font-size:90%"><div style="color:#374151">{html.escape(caption)}'
            f"</div>{''.join(rows)}</div>")


def kv_cache_size_explorer(preset: str = "Llama-3-8B", n_layer: int = 4, n_head: int = 4, n_kv_head: int = 2,
                           head_dim: int = 32, seq_len: int = 8192, dtype: str = "bfloat16 / float16 (2 bytes)",
                           batch: int = 1) -> Any:
    """Menus and sliders over :func:`render_kv_cache_size` (Day 13).

    With a published model chosen in the first menu its shape is used and the four shape sliders are
    ignored; choose "sliders (custom)" to set the shape yourself. The book precomputes every model,
    number format and length (the custom shape at its starting values, batch 1).

    Example:
        >>> widget = kv_cache_size_explorer("Llama-2-7B", seq_len=2048)
        >>> "Llama-2-7B: 32 layers × 32 KV heads" in widget._repr_mimebundle_()["text/html"]
        True
    """
    import ipywidgets

    if preset not in PRESETS and preset != CUSTOM:
        raise ValueError(f"preset must be one of {[CUSTOM, *PRESETS]}, got {preset!r}")
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {list(DTYPES)}, got {dtype!r}")
    if seq_len not in SEQ_LENGTHS:
        raise ValueError(f"seq_len must be one of {SEQ_LENGTHS}, got {seq_len!r}")
    style = {"description_width": "initial"}
    model = ipywidgets.Dropdown(options=[*PRESETS, CUSTOM], value=preset, description="model", style=style)
    number = ipywidgets.Dropdown(options=list(DTYPES), value=dtype, description="number format", style=style)
    length = ipywidgets.SelectionSlider(options=list(SEQ_LENGTHS), value=seq_len, description="sequence length",
                                        continuous_update=False, style=style)
    shape = dict(
        n_layer=ipywidgets.IntSlider(value=n_layer, min=1, max=96, description="layers", continuous_update=False),
        n_head=ipywidgets.IntSlider(value=n_head, min=1, max=64, description="heads", continuous_update=False),
        n_kv_head=ipywidgets.IntSlider(value=n_kv_head, min=1, max=64, description="KV heads",
                                       continuous_update=False),
        head_dim=ipywidgets.IntSlider(value=head_dim, min=16, max=256, step=16, description="head dim",
                                      continuous_update=False),
    )
    batch_slider = ipywidgets.IntSlider(value=batch, min=1, max=64, description="batch", continuous_update=False)

    def render() -> str:
        if model.value == CUSTOM:
            dims = {name: s.value for name, s in shape.items()}
        else:
            dims = dict(zip(("n_layer", "n_head", "n_kv_head", "head_dim"), PRESETS[model.value][:4]))
        return render_kv_cache_size(**dims, seq_len=length.value, bytes_per_value=DTYPES[number.value],
                                    batch=batch_slider.value, name=model.value)

    controls = [model, number, length, *shape.values(), batch_slider]
    grid = {model: list(model.options), number: list(DTYPES), length: list(SEQ_LENGTHS),
            **{s: [] for s in shape.values()}, batch_slider: []}
    return live_html(controls, render, grid=grid)
