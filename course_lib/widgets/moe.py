"""Expert-usage widget (Day 15): which experts each token of a sentence is routed to.

:func:`expert_usage` runs a course GPT whose FFNs are :class:`course_lib.moe.MoELayer` (see
:func:`course_lib.moe.swap_in_moe`) on a sentence, reads one layer's router logits and routes them
with :func:`course_lib.moe.route` for the chosen ``top_k``. Each token is coloured by its first
expert; a thin bar under it splits into its ``top_k`` experts, each as wide as its renormalized
weight; hovering shows the numbers. A legend counts how many (token, slot) assignments each expert
received. Changing ``top_k`` re-routes the *same* router logits (the layers below are not re-run),
so it shows what the router would pick with more or fewer experts per token.

The router logits of each sentence are computed once and cached, so moving a control only redraws
HTML. torch and ipywidgets are imported inside the functions.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["expert_colour", "sentence_router_logits", "render_expert_usage", "expert_usage"]

#: matplotlib's "tab10" colours, so the widget and the notebook's plots agree on each expert's colour.
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
            "#17becf")


def expert_colour(expert: int) -> str:
    """A fixed colour per expert id: matplotlib's ten "tab10" colours, then hues spread by the golden angle.

    Example:
        >>> expert_colour(0), expert_colour(12)
        ('#1f77b4', 'hsl(210,65%,45%)')
    """
    if isinstance(expert, bool) or not isinstance(expert, int) or expert < 0:
        raise ValueError(f"expert must be an integer >= 0, got {expert!r}")
    if expert < len(_PALETTE):
        return _PALETTE[expert]
    return f"hsl({round(expert * 137.508) % 360},65%,45%)"


def sentence_router_logits(model: Any, tokenizer: Any, text: str) -> tuple[list[str], list[Any]]:
    """``(token_labels, logits)``: the text's tokens and each MoE layer's router logits ``(T, num_experts)``.

    The text is cut to the model's ``block_size`` tokens. Raises ``ValueError`` when the model has no
    :class:`~course_lib.moe.MoELayer` or the text has no tokens.

    Example:
        >>> labels, logits = sentence_router_logits(model, tokenizer, "The router")  # doctest: +SKIP
    """
    import torch

    from course_lib.moe import moe_layers

    layers = moe_layers(model)
    if not layers:
        raise ValueError("model has no MoELayer (use course_lib.moe.swap_in_moe), got "
                         f"{type(model).__name__}")
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    ids = list(tokenizer.encode(text))[: model.config.block_size]
    if not ids:
        raise ValueError(f"text must have at least one token, got {text!r}")
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.tensor([ids]))
    model.train(was_training)
    labels = [tokenizer.decode([i]) for i in ids]
    return labels, [layer.last_router_logits.detach().clone() for layer in layers]


def _token_html(label: str, experts: Sequence[int], weights: Sequence[float]) -> str:
    title = ", ".join(f"expert {e}: {w:.2f}" for e, w in zip(experts, weights))
    bar = "".join(f'<i style="width:{100 * w:.1f}%;background:{expert_colour(e)}"></i>'
                  for e, w in zip(experts, weights))
    return (f'<span class="moe-t" title="{html.escape(title)}" style="border-top:4px solid '
            f'{expert_colour(experts[0])}">{html.escape(label)}<b>{bar}</b></span>')


def render_expert_usage(labels: Sequence[str], indices: Any, weights: Any, num_experts: int,
                        caption: str = "") -> str:
    """HTML: tokens marked by their first expert, a weight bar per token, and a load legend.

    ``indices``/``weights`` are ``(T, top_k)`` (as :func:`course_lib.moe.route` returns them, or lists).

    Example:
        >>> page = render_expert_usage(["a", "<b>"], [[0, 1], [1, 0]], [[0.75, 0.25], [0.5, 0.5]], 2)
        >>> page.count('class="moe-t"'), "&lt;b&gt;" in page, "width:75.0%" in page, "expert 1: 2" in page
        (2, True, True, True)
    """
    indices = [[int(e) for e in row] for row in (indices.tolist() if hasattr(indices, "tolist") else indices)]
    weights = [[float(w) for w in row]
               for row in (weights.tolist() if hasattr(weights, "tolist") else weights)]
    if not len(labels) == len(indices) == len(weights):
        raise ValueError(f"labels, indices and weights need one row per token, got {len(labels)}, "
                         f"{len(indices)} and {len(weights)}")
    counts = [0] * num_experts
    for row in indices:
        for e in row:
            if not 0 <= e < num_experts:
                raise ValueError(f"expert ids must lie in [0, {num_experts}), got {e}")
            counts[e] += 1
    style = ("<style>.moe-t{display:inline-block;margin:2px 1px;padding:1px 2px;white-space:pre;"
             "font-family:monospace;background:#f3f4f6}.moe-t b{display:flex;height:5px;margin-top:2px}"
             ".moe-t i{display:block;height:5px}.moe-k{display:inline-block;margin-right:10px}</style>")
    tokens = "".join(_token_html(label, e, w) for label, e, w in zip(labels, indices, weights))
    legend = "".join(f'<span class="moe-k"><span style="color:{expert_colour(e)}">&#9632;</span> '
                     f"expert {e}: {count}</span>" for e, count in enumerate(counts))
    head = f"<div><b>{html.escape(caption)}</b></div>" if caption else ""
    return (f"{style}<div>{head}<div style='line-height:2'>{tokens}</div>"
            f"<div style='font-size:90%;margin-top:6px'>assignments per expert: {legend}</div></div>")


def expert_usage(model: Any, tokenizer: Any, sentences: Sequence[str], layer: int = 0,
                 top_k: int | None = None, max_top_k: int = 4) -> Any:
    """Widget: a sentence menu, a layer menu and a ``top_k`` slider over the routing of each token.

    ``model`` is a course GPT with MoE layers; ``top_k`` starts at the layers' own value; the
    slider runs from 1 to ``min(max_top_k, num_experts)``. The book precomputes every combination
    (sentences x layers x top_k).

    Example:
        >>> expert_usage(model, tokenizer, ["The router picks two experts."])  # doctest: +SKIP
    """
    import ipywidgets

    from course_lib.moe import moe_layers, route

    layers = moe_layers(model)
    if not layers:
        raise ValueError("model has no MoELayer (use course_lib.moe.swap_in_moe), got "
                         f"{type(model).__name__}")
    sentences = list(sentences)
    if not sentences or not all(isinstance(s, str) and s for s in sentences):
        raise ValueError(f"sentences must be a non-empty list of non-empty strings, got {sentences!r}")
    if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < len(layers):
        raise ValueError(f"layer must be an integer in [0, {len(layers)}), got {layer!r}")
    num_experts = layers[layer].num_experts
    highest = min(max_top_k, num_experts)
    start_k = layers[layer].top_k if top_k is None else top_k
    if isinstance(start_k, bool) or not isinstance(start_k, int) or not 1 <= start_k <= highest:
        raise ValueError(f"top_k must be an integer in [1, {highest}], got {start_k!r}")
    cache: dict[str, tuple[list[str], list[Any]]] = {}

    def routed(text: str) -> tuple[list[str], list[Any]]:
        if text not in cache:
            cache[text] = sentence_router_logits(model, tokenizer, text)
        return cache[text]

    sentence_menu = ipywidgets.Dropdown(options=sentences, value=sentences[0], description="sentence",
                                        layout=ipywidgets.Layout(width="95%"))
    layer_menu = ipywidgets.Dropdown(options=[(f"layer {i + 1}", i) for i in range(len(layers))], value=layer,
                                     description="MoE layer")
    k_slider = ipywidgets.IntSlider(value=start_k, min=1, max=highest, description="top_k",
                                    continuous_update=False)

    def render() -> str:
        labels, logits = routed(sentence_menu.value)
        weights, indices, _ = route(logits[layer_menu.value], k_slider.value)
        caption = (f"layer {layer_menu.value + 1} of {len(layers)}, "
                   f"top-{k_slider.value} of {num_experts} experts "
                   f"(the model was trained with top-{layers[layer_menu.value].top_k})")
        return render_expert_usage(labels, indices, weights, num_experts, caption)

    return live_html([sentence_menu, layer_menu, k_slider], render)
