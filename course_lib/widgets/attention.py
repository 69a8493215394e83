"""Attention-map widget (Day 6): which tokens each token attends to, head by head, in a BERT model.

The weights are **recomputed** from the model's own queries and keys: forward hooks catch the outputs
of every layer's ``query`` and ``key`` projections (``BertSelfAttention``), and
:func:`course_lib.attention.scaled_dot_product_attention` turns them into weights. The tests check them
against ``output_attentions=True`` (``tests/test_widgets_attention.py``). The offline model is
all-MiniLM-L6-v2 (6 layers, 12 heads of 32), loaded from the course's pinned package. The heatmap is a
matplotlib figure shown as an inline base64 PNG, so the book's snapshot is the same picture. torch,
transformers, matplotlib and ipywidgets are imported inside the functions.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

from course_lib.widgets.positions import figure_to_html
from course_lib.widgets.static import live_html

__all__ = ["PRESET_SENTENCES", "load_minilm_model", "bert_attention_weights", "render_attention_map",
           "attention_explorer"]

PRESET_SENTENCES = (
    "The animal didn't cross the street because it was too tired.",
    "The animal didn't cross the street because it was too wide.",
    "The trophy doesn't fit in the suitcase because it is too big.",
    "She poured water from the bottle into the cup until it was full.",
    "The keys to the old cabinet are on the table.",
)


@lru_cache(maxsize=1)
def load_minilm_model() -> tuple[Any, Any]:
    """(all-MiniLM-L6-v2 as a transformers ``BertModel`` in eval mode with eager attention, its tokenizer).

    The model of :func:`course_lib.embeddings.load_minilm`, loaded once, with the eager attention
    that can return its weights.

    Example:
        >>> model, tokenizer = load_minilm_model()  # doctest: +SKIP
        >>> model.config.num_hidden_layers, model.config.num_attention_heads  # doctest: +SKIP
        (6, 12)
    """
    from course_lib.embeddings import load_minilm

    return load_minilm("eager")


def bert_attention_weights(model: Any, tokenizer: Any, text: str) -> tuple[list[str], Any]:
    """The tokens of ``text`` and the attention weights of every head, recomputed from q and k (Day 6).

    Returns ``(tokens, weights)`` with ``weights`` a float numpy array ``(layers, heads, T, T)``:
    entry ``[l, h, i, j]`` is how much token ``i`` takes from token ``j`` in head ``h`` of layer ``l``.

    Example:
        >>> model, tokenizer = load_minilm_model()  # doctest: +SKIP
        >>> tokens, weights = bert_attention_weights(model, tokenizer, "It was tired.")  # doctest: +SKIP
        >>> tokens, weights.shape  # doctest: +SKIP
        (['[CLS]', 'it', 'was', 'tired', '.', '[SEP]'], (6, 12, 6, 6))
    """
    import torch

    from course_lib.attention import scaled_dot_product_attention

    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty string, got {text!r}")
    inputs = tokenizer(text, return_tensors="pt")
    captured: dict[tuple[int, str], torch.Tensor] = {}
    hooks = []
    for index, layer in enumerate(model.encoder.layer):
        for name in ("query", "key"):
            module = getattr(layer.attention.self, name)
            hooks.append(module.register_forward_hook(
                lambda _m, _inp, out, key=(index, name): captured.__setitem__(key, out.detach())))
    try:
        with torch.no_grad():
            model(**inputs)
    finally:
        for hook in hooks:
            hook.remove()
    heads = model.config.num_attention_heads
    head_dim = model.config.hidden_size // heads
    mask = inputs["attention_mask"].bool()[:, None, None, :]  # (1, 1, 1, T): every real token is a key
    weights = []
    for index in range(len(model.encoder.layer)):
        q, k = (captured[index, name] for name in ("query", "key"))  # (1, T, hidden) each
        q = q.view(1, -1, heads, head_dim).transpose(1, 2)  # (1, H, T, hd)
        k = k.view(1, -1, heads, head_dim).transpose(1, 2)  # (1, H, T, hd)
        weights.append(scaled_dot_product_attention(q, k, k, mask=mask)[1][0])  # (H, T, T); v unused
    tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0].tolist())
    return tokens, torch.stack(weights).numpy()  # (layers, H, T, T)


def render_attention_map(tokens: list[str], weights: Any, title: str = "", query: int | None = None) -> str:
    """HTML: a ``(T, T)`` attention matrix as a heatmap (rows = queries, columns = keys) (Day 6).

    With ``query`` set, that row is outlined and its weights are listed, largest first.

    Example:
        >>> import numpy as np
        >>> snippet = render_attention_map(["a", "b"], np.array([[1.0, 0.0], [0.5, 0.5]]), "toy", query=1)
        >>> 'class="attention-map"' in snippet and "b → a 0.50" in snippet
        True
    """
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    weights = np.asarray(weights, dtype=float)
    size = len(tokens)
    if weights.shape != (size, size):
        raise ValueError(f"weights must have shape ({size}, {size}) for {size} tokens, got {weights.shape}")
    if query is not None and not (isinstance(query, int) and 0 <= query < size):
        raise ValueError(f"query must be a token index in 0 .. {size - 1}, got {query!r}")
    side = min(7.0, 2.0 + 0.32 * size)
    fig = Figure(figsize=(side + 1.2, side), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(weights, cmap="Blues", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks(range(size), tokens, rotation=90, fontsize=8)
    ax.set_yticks(range(size), tokens, fontsize=8)
    ax.set(xlabel="key (attended to)", ylabel="query (attending)", title=title)
    fig.colorbar(image, ax=ax, shrink=0.8, label="attention weight")
    listing = ""
    if query is not None:
        ax.add_patch(Rectangle((-0.5, query - 0.5), size, 1, fill=False, edgecolor="#dc2626", lw=2))
        order = np.argsort(-weights[query], kind="stable")[:5]
        listing = ", ".join(f"{html.escape(tokens[query])} → {html.escape(tokens[j])} {weights[query, j]:.2f}"
                            for j in order)
        listing = f'<div style="font-size:90%;color:#374151">{listing}</div>'
    caption = f'<div style="font-size:90%;color:#374151">{html.escape(title)}</div>' if title else ""
    return (f'<div class="attention-map">{caption}{listing}'
            f"{figure_to_html(fig, 'attention heatmap ' + title)}</div>")


def attention_explorer(model: Any = None, tokenizer: Any = None, sentences: tuple[str, ...] = PRESET_SENTENCES,
                       layer: int = 3, head: int = 1, query_word: str = "it") -> Any:
    """A sentence menu (or your own text), layer and head sliders, over a BERT model's attention map (Day 6).

    ``model`` and ``tokenizer`` default to MiniLM (:func:`load_minilm_model`). The row of the first token
    equal to ``query_word`` (if any) is outlined and listed.

    Example:
        >>> widget = attention_explorer(layer=0, head=2)  # doctest: +SKIP
        >>> "layer 0, head 2" in widget._repr_mimebundle_()["text/html"]  # doctest: +SKIP
        True
    """
    import ipywidgets

    if model is None or tokenizer is None:
        model, tokenizer = load_minilm_model()
    layers, heads = model.config.num_hidden_layers, model.config.num_attention_heads
    for name, value, top in (("layer", layer, layers), ("head", head, heads)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < top:
            raise ValueError(f"{name} must be an integer in 0 .. {top - 1}, got {value!r}")
    cache: dict[str, tuple[list[str], Any]] = {}

    def weights_for(text: str) -> tuple[list[str], Any]:
        if text not in cache:
            cache[text] = bert_attention_weights(model, tokenizer, text)
        return cache[text]

    controls = dict(
        sentence=ipywidgets.Dropdown(options=list(sentences), value=sentences[0], description="sentence",
                                     layout=ipywidgets.Layout(width="95%")),
        text=ipywidgets.Text(value="", placeholder="or type your own sentence (Enter)", description="own text",
                             continuous_update=False, layout=ipywidgets.Layout(width="95%")),
        layer=ipywidgets.IntSlider(value=layer, min=0, max=layers - 1, description="layer", continuous_update=False),
        head=ipywidgets.IntSlider(value=head, min=0, max=heads - 1, description="head", continuous_update=False),
    )

    def render() -> str:
        text = controls["text"].value.strip() or controls["sentence"].value
        tokens, weights = weights_for(text)
        chosen_layer, chosen_head = controls["layer"].value, controls["head"].value
        query = tokens.index(query_word) if query_word in tokens else None
        return render_attention_map(tokens, weights[chosen_layer, chosen_head],
                                    f"layer {chosen_layer}, head {chosen_head}", query=query)

    return live_html(list(controls.values()), render)
