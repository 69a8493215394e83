"""Layer-and-head attention of a causal ``transformers`` model (Day 14), as a coloured HTML heatmap.

The weights come straight from the model: ``output_attentions=True`` with the eager attention (the
fused kernels never build the ``(T, T)`` matrix). By default the model is the course GPT exported to
transformers' format (:func:`course_lib.models.course_gpt_transformers`: 4 layers, 4 query heads); any
Llama-style model from :func:`course_lib.models.load_causal_lm` works. The view is an HTML table (a few
KB per state, so the book can hold every text x layer x head), with three numbers that name common head
types: the mean weight on the previous token, on the first token, and on the token itself.
torch, transformers and ipywidgets are imported inside the functions.
"""

from __future__ import annotations

import html
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["PRESET_TEXTS", "causal_attention_weights", "head_summary", "render_causal_attention",
           "causal_attention_explorer"]

PRESET_TEXTS = (
    "A language model reads the book",
    "The tokenizer splits text into tokens",
    "Attention lets each token look back",
)


def causal_attention_weights(model: Any, tokenizer: Any, text: str) -> tuple[list[str], Any]:
    """The tokens of ``text`` (as text) and every head's attention weights, a numpy ``(layers, heads, T, T)``.

    Entry ``[l, h, i, j]`` is how much position ``i`` takes from position ``j`` in head ``h`` of layer
    ``l``; it is 0 for ``j > i`` (causal). ``model`` must use the eager attention.

    Example:
        >>> from course_lib.models import course_gpt_transformers
        >>> tokens, weights = causal_attention_weights(*course_gpt_transformers(), "A token")  # doctest: +SKIP
        >>> tokens, weights.shape  # doctest: +SKIP
        (['A', '·token'], (4, 4, 2, 2))
    """
    import torch

    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty string, got {text!r}")
    implementation = getattr(model.config, "_attn_implementation", None)
    if implementation != "eager":
        raise ValueError(f"the model uses attn_implementation={implementation!r}; load it with "
                         "attn_implementation='eager' to get attention weights")
    ids = tokenizer(text, return_tensors="pt")["input_ids"]  # (1, T)
    with torch.no_grad():
        attentions = model(ids, output_attentions=True).attentions  # layers x (1, H, T, T)
    tokens = [tokenizer.decode([i]).replace(" ", "·").replace("\n", "↵") for i in ids[0].tolist()]
    return tokens, torch.stack(attentions)[:, 0].float().numpy()  # (L, H, T, T)


def head_summary(weights: Any) -> dict[str, float]:
    """Mean weight a position (from the second on) gives its previous token, the first token and itself.

    Example:
        >>> import numpy as np
        >>> head_summary(np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0]]))
        {'previous': 1.0, 'first': 0.5, 'self': 0.0}
    """
    import numpy as np

    weights = np.asarray(weights, dtype=float)
    size = weights.shape[0]
    if weights.ndim != 2 or weights.shape != (size, size) or size < 2:
        raise ValueError(f"weights must be a square (T, T) matrix with T >= 2, got shape {weights.shape}")
    rows = np.arange(1, size)
    return {"previous": round(float(weights[rows, rows - 1].mean()), 4),
            "first": round(float(weights[rows, 0].mean()), 4),
            "self": round(float(weights[rows, rows].mean()), 4)}


def _colour(weight: float) -> str:
    """White (0) to dark blue (1)."""
    level = max(0.0, min(1.0, weight))
    r, g, b = (round(255 - level * (255 - end)) for end in (30, 64, 175))
    return f"#{r:02x}{g:02x}{b:02x}"


def render_causal_attention(tokens: list[str], weights: Any, title: str = "") -> str:
    """HTML: a ``(T, T)`` causal attention matrix as a coloured table (rows = queries, columns = keys).

    Example:
        >>> import numpy as np
        >>> snippet = render_causal_attention(["a", "b"], np.array([[1.0, 0.0], [0.25, 0.75]]), "toy")
        >>> 'class="causal-attention"' in snippet, 'title="b → a 0.25"' in snippet
        (True, True)
    """
    import numpy as np

    weights = np.asarray(weights, dtype=float)
    size = len(tokens)
    if weights.shape != (size, size):
        raise ValueError(f"weights must have shape ({size}, {size}) for {size} tokens, got {weights.shape}")
    names = [html.escape(t) for t in tokens]
    cell = "width:26px;height:22px;padding:0;border:1px solid #e5e7eb"
    head = "".join(f'<th style="writing-mode:vertical-rl;font-weight:normal;font-size:80%">{n}</th>'
                   for n in names)
    rows = []
    for i in range(size):
        cells = "".join(
            f'<td style="background:{_colour(weights[i, j])}" title="{names[i]} → {names[j]} {weights[i, j]:.2f}">'
            f"</td>" if j <= i else "<td></td>" for j in range(size))
        rows.append(f'<tr><th style="text-align:right;font-weight:normal;font-size:80%">{names[i]}</th>{cells}</tr>')
    summary = ""
    if size >= 2:
        s = head_summary(weights)
        summary = (f'<div style="font-size:90%;color:#374151">mean weight on the previous token {s["previous"]:.2f}, '
                   f'on the first token {s["first"]:.2f}, on itself {s["self"]:.2f}</div>')
    return (f'<div class="causal-attention"><style>.causal-attention td{{{cell}}}</style>'
            f'<div style="font-weight:bold">{html.escape(title)}</div>{summary}'
            f'<table style="border-collapse:collapse"><tr><th></th>{head}</tr>{"".join(rows)}</table>'
            '<div style="font-size:80%;color:#6b7280">rows: the query position; columns: the key it reads '
            "(white 0, dark blue 1); above the diagonal is the future, masked</div></div>")


def causal_attention_explorer(model: Any = None, tokenizer: Any = None, texts: tuple[str, ...] = PRESET_TEXTS,
                              layer: int = 0, head: int = 0) -> Any:
    """A text menu and layer and head sliders over a causal model's attention weights (Day 14).

    ``model`` and ``tokenizer`` default to the course GPT exported to transformers' format. The book
    precomputes every text x layer x head.

    Example:
        >>> widget = causal_attention_explorer(layer=1, head=2)  # doctest: +SKIP
        >>> "layer 1, head 2" in widget._repr_mimebundle_()["text/html"]  # doctest: +SKIP
        True
    """
    import ipywidgets

    if model is None or tokenizer is None:
        from course_lib.models import course_gpt_transformers

        model, tokenizer = course_gpt_transformers()
    if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
        raise ValueError(f"texts must be a non-empty tuple of non-empty strings, got {texts!r}")
    layers, heads = model.config.num_hidden_layers, model.config.num_attention_heads
    for name, value, top in (("layer", layer, layers), ("head", head, heads)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < top:
            raise ValueError(f"{name} must be an integer in 0 .. {top - 1}, got {value!r}")
    cache = {text: causal_attention_weights(model, tokenizer, text) for text in texts}
    text_menu = ipywidgets.Dropdown(options=list(texts), value=texts[0], description="text",
                                    layout=ipywidgets.Layout(width="95%"))
    layer_slider = ipywidgets.IntSlider(value=layer, min=0, max=layers - 1, description="layer",
                                        continuous_update=False)
    head_slider = ipywidgets.IntSlider(value=head, min=0, max=heads - 1, description="head",
                                       continuous_update=False)

    def render() -> str:
        tokens, weights = cache[text_menu.value]
        chosen_layer, chosen_head = layer_slider.value, head_slider.value
        return render_causal_attention(tokens, weights[chosen_layer, chosen_head],
                                       f"layer {chosen_layer}, head {chosen_head}")

    grid = {text_menu: list(texts), layer_slider: list(range(layers)), head_slider: list(range(heads))}
    return live_html([text_menu, layer_slider, head_slider], render, grid=grid)
