"""Sampling-distribution widgets (Day 4): what the next token could be, and how settings change it.

:func:`next_token_explorer` shows a model's next-token distribution for a context you type, as
a bar chart of the most likely tokens, with a temperature slider; a grey bar behind each
coloured one is the same token at temperature 1, so the sharpening or flattening is visible.

The pipeline is ``logits -> logits / temperature -> adjust_logits(logits, **extra values) ->
softmax``. Day 11 adds top-k and top-p sliders by passing ``extra_controls`` (named ipywidgets)
and an ``adjust_logits`` that filters the scaled logits, without changing this module.
NumPy and ipywidgets are imported inside the functions.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["top_tokens", "render_distribution_html", "next_token_explorer"]


def top_tokens(probs: Sequence[float], labels: Sequence[str], top: int = 10) -> list[tuple[str, float, int]]:
    """The ``top`` most likely entries as ``(label, probability, id)``, most likely first (ties by id).

    Example:
        >>> top_tokens([0.1, 0.6, 0.3], ["a", "b", "c"], top=2)
        [('b', 0.6, 1), ('c', 0.3, 2)]
    """
    if len(probs) != len(labels):
        raise ValueError(f"probs and labels must have the same length, got {len(probs)} and {len(labels)}")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"top must be an integer >= 1, got {top!r}")
    order = sorted(range(len(probs)), key=lambda i: (-float(probs[i]), i))[:top]
    return [(str(labels[i]), float(probs[i]), i) for i in order]


def render_distribution_html(rows: Sequence[tuple[str, float, int]], reference: Sequence[float] | None = None,
                             caption: str = "") -> str:
    """An HTML bar chart (inline styles, no scripts) of ``(label, probability, id)`` rows.

    ``reference`` (probabilities indexed by id) draws a grey bar behind each coloured one. The
    longest bar fills the width; the percentages are printed beside the bars.

    Example:
        >>> snippet = render_distribution_html([("b", 0.6, 1), ("<c>", 0.3, 2)], caption="T = 1")
        >>> snippet.count('class="bar-row"'), "&lt;c&gt;" in snippet, "60.0%" in snippet, "width:50.00%" in snippet
        (2, True, True, True)
    """
    lines = []
    peak = max([p for _, p, _ in rows] + [reference[i] for _, _, i in rows] if reference is not None
               else [p for _, p, _ in rows], default=1.0) or 1.0
    for label, p, token_id in rows:
        grey = ""
        if reference is not None:
            grey = (f'<div style="position:absolute;left:0;top:0;height:100%;width:{100 * reference[token_id] / peak:.2f}%;'
                    'background:#d1d5db"></div>')
        lines.append(
            f'<div class="bar-row" title="id {token_id}" style="display:flex;align-items:center;margin:2px 0">'
            f'<span style="width:9em;text-align:right;padding-right:8px;font-family:monospace;'
            f'overflow:hidden;white-space:nowrap">{html.escape(label)}</span>'
            f'<div style="position:relative;flex:1;height:1.1em;background:#f3f4f6">{grey}'
            f'<div style="position:absolute;left:0;top:25%;height:50%;width:{100 * p / peak:.2f}%;background:#2563eb"></div>'
            f'</div><span style="width:4.5em;text-align:right;font-family:monospace">{100 * p:.1f}%</span></div>'
        )
    head = f'<div class="bar-caption" style="font-size:90%;color:#374151">{html.escape(caption)}</div>' if caption else ""
    return f'<div class="next-token-distribution" style="max-width:42em">{head}{"".join(lines)}</div>'


def _labels(tokenizer: Any, model: Any, size: int) -> list[str]:
    """One label per logit: the token at that place of the model's vocabulary (ids when it has none)."""
    entries = list(getattr(model, "vocab", None) or range(size))[:size]
    if hasattr(tokenizer, "id_to_token"):
        return [str(tokenizer.id_to_token[i]) for i in entries]
    return [repr(tokenizer.decode([i])) for i in entries]


def _encode(tokenizer: Any, text: str) -> list[int]:
    """Ids of ``text`` without added control tokens (course WordTokenizer, BPETokenizer or HF-style)."""
    try:
        return list(tokenizer.encode(text, add_special_tokens=False))
    except TypeError:  # BPETokenizer and tiktoken-style encoders add no control tokens anyway
        return list(tokenizer.encode(text))


def _used_context(model: Any, ids: list[int], labels_of_ids: list[str]) -> str:
    """Which of the context tokens the model reads: an n-gram model reads only its last n - 1."""
    n = getattr(model, "n", None)
    if not isinstance(n, int):
        return f"context {labels_of_ids[-5:]}"
    used = labels_of_ids[len(labels_of_ids) - (n - 1):] if n > 1 else []
    start = " (start of text)" if len(labels_of_ids) < n - 1 else ""
    return f"{n}-gram model: reads only the last {n - 1} token(s) {used}{start}"


def next_token_explorer(model: Any, tokenizer: Any, context: str = "the model", temperature: float = 1.0,
                        top: int = 10, extra_controls: Mapping[str, Any] | None = None,
                        adjust_logits: Callable[..., Any] | None = None) -> Any:
    """A context box and a temperature slider over a bar chart of the next token's probabilities.

    ``model.next_token_logits(ids)`` gives one score per vocabulary entry (an
    :class:`~course_lib.lm.NGramLM` over token ids, or any model with that method);
    ``tokenizer.encode(text, add_special_tokens=False)`` (or ``encode(text)`` for a
    :class:`~course_lib.bpe.BPETokenizer`) turns the context into ids. Bars are labelled by the
    model's ``vocab`` (index -> id) when it has one. For an n-gram model the caption names the
    last ``n - 1`` tokens, the only ones it reads. Day 4.

    Example:
        >>> from course_lib.lm import NGramLM
        >>> from course_lib.tokenizers import WordTokenizer
        >>> tok = WordTokenizer().build_vocabulary(["the cat sat", "the dog sat"])
        >>> lm = NGramLM(2, k=0.1, bos=tok.bos_id, eos=tok.eos_id, vocab=range(tok.vocab_size))
        >>> lm = lm.fit([tok.encode(t, add_special_tokens=False) for t in ["the cat sat", "the dog sat"]])
        >>> explorer = next_token_explorer(lm, tok, "the", temperature=1.0, top=3)
        >>> snapshot = explorer._repr_mimebundle_()["text/html"]
        >>> snapshot.count('class="bar-row"'), "cat" in snapshot
        (3, True)
    """
    import ipywidgets
    import numpy as np

    from course_lib.generation import softmax

    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
        raise ValueError(f"temperature must be a number > 0, got {temperature!r}")
    extra_controls = dict(extra_controls or {})
    labels_cache: list[str] = []

    def render(text: str, temp: float) -> str:
        try:
            ids = _encode(tokenizer, text)
            logits = np.asarray(model.next_token_logits(ids), dtype=np.float64)
            if not labels_cache:
                labels_cache.extend(_labels(tokenizer, model, len(logits)))
            scaled = logits / temp
            if adjust_logits is not None:
                scaled = adjust_logits(scaled, **{name: c.value for name, c in extra_controls.items()})
            probs = softmax(scaled)
            entropy = -sum(p * math.log(p) for p in probs if p > 0)
            named = [str(tokenizer.id_to_token[i]) if hasattr(tokenizer, "id_to_token")
                     else repr(tokenizer.decode([i])) for i in ids]
            caption = (f"{_used_context(model, ids, named)} · temperature {temp:.2f} · "
                       f"about {math.exp(entropy):.1f} equally likely choices · grey: temperature 1")
            rows = top_tokens(probs, labels_cache, top)
            return render_distribution_html(rows, reference=softmax(logits), caption=caption)
        except (TypeError, ValueError, RuntimeError) as error:  # show the message, keep the widget alive
            return f'<div class="next-token-distribution next-token-error">{html.escape(str(error))}</div>'

    text_box = ipywidgets.Text(value=context, description="Context", continuous_update=True,
                               layout=ipywidgets.Layout(width="95%"))
    slider = ipywidgets.FloatLogSlider(value=temperature, base=10, min=-1.5, max=1, step=0.05,
                                       description="Temperature", readout_format=".2f", continuous_update=True)
    return live_html([text_box, slider, *extra_controls.values()], lambda: render(text_box.value, slider.value))
