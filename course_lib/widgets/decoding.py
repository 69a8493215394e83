"""Decoding widgets (Day 11): what temperature, top-k and top-p do to a real next-token distribution.

:func:`sampling_explorer` shows the course GPT's next-token distribution after a prompt, as bars of
the ~20 most likely tokens: blue for tokens the filters keep, grey and struck through for tokens they
remove, with each kept token's probability before and after renormalization, and the probability
mass the filters keep. The numbers come from :mod:`course_lib.generation.filters` (checked against
``transformers``' processors in the tests). The book version precomputes a grid of settings
(:func:`course_lib.widgets.static.live_html`). torch and ipywidgets are imported inside the functions.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["filtered_distribution", "token_label", "render_sampling_html", "sampling_explorer", "DEFAULT_PROMPTS"]

DEFAULT_PROMPTS = ("A tokenizer splits text into", "Attention lets each token", "The model")
_TOP_K_OPTIONS = [("off", 0), ("1", 1), ("2", 2), ("3", 3), ("5", 5), ("10", 10), ("20", 20), ("50", 50),
                  ("100", 100)]
_STYLE = ("<style>.dx td{padding:0 4px;font-family:monospace;white-space:nowrap}.dx td:nth-child(2){width:60%}"
          ".dx i{display:block;height:.8em}"
          ".dx .k{background:#2563eb}.dx .r{background:#d1d5db}.dx tr.x td{color:#9ca3af}"
          ".dx caption{text-align:left;font-size:90%;color:#374151}</style>")


def filtered_distribution(logits: Any, temperature: float, top_k: int | None = None,
                          top_p: float | None = None) -> tuple[Any, Any, Any]:
    """``(before, after, kept)`` of 1-D ``logits (vocab,)``: probabilities after temperature, after the filters.

    ``before = softmax(logits / temperature)``; ``after`` is the distribution that is sampled:
    ``softmax`` of the top-k then top-p filtered scaled logits (zero where removed); ``kept`` is
    ``after > 0`` (the kept mask). ``top_k`` of ``None`` or ``0`` and ``top_p`` of ``None`` or ``1`` turn a filter off (Day 11).

    Example:
        >>> import torch
        >>> before, after, kept = filtered_distribution(torch.tensor([2.0, 1.0, 0.0, -1.0]), 1.0, top_k=2)
        >>> kept.tolist(), round(float(after[0]), 4), round(float(before[:2].sum()), 4)
        ([True, True, False, False], 0.7311, 0.8808)
    """
    import torch

    from course_lib.generation.filters import temperature_scale, top_k_filter, top_p_filter

    if not isinstance(logits, torch.Tensor) or logits.dim() != 1:
        got = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ValueError(f"logits must be a 1-D torch.Tensor (vocab,), got {got}")
    scaled = temperature_scale(logits.double(), temperature)  # (V,)
    before = torch.softmax(scaled, dim=-1)
    if top_k:
        scaled = top_k_filter(scaled, top_k)
    if top_p is not None and top_p < 1:
        scaled = top_p_filter(scaled, top_p)
    after = torch.softmax(scaled, dim=-1)  # (V,) zero where removed
    return before, after, scaled.isfinite()


def token_label(tokenizer: Any, token_id: int) -> str:
    """A readable label for one token: ``␣`` for a space, ``↵`` for a newline, hex for part of a character.

    Example:
        >>> from course_lib.bpe import BPETokenizer
        >>> tok = BPETokenizer()
        >>> token_label(tok, 32), token_label(tok, 0xE2), token_label(tok, 65)
        ('␣', '\\\\xe2', 'A')
    """
    if hasattr(tokenizer, "decode_bytes"):
        raw = tokenizer.decode_bytes([token_id])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return "".join(f"\\x{b:02x}" for b in raw)
    else:
        text = tokenizer.decode([token_id])
    return text.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥")


def render_sampling_html(labels: Sequence[str], before: Sequence[float], after: Sequence[float],
                         top: int = 20, caption: str = "") -> str:
    """An HTML table of the ``top`` most likely tokens (by ``before``): kept ones blue, removed ones grey.

    Each row: the label (struck through when removed), a bar of its probability ``before`` the
    filters, and ``before → after`` in percent (``removed`` when ``after`` is 0).

    Example:
        >>> page = render_sampling_html(["a", "<b>"], [0.7, 0.3], [1.0, 0.0], caption="top-k 1")
        >>> page.count('class="k"'), page.count('class="r"'), "&lt;b&gt;" in page, "70.0% → 100.0%" in page
        (1, 1, True, True)
    """
    if not len(labels) == len(before) == len(after):
        raise ValueError(f"labels, before and after must have the same length, got "
                         f"{len(labels)}, {len(before)} and {len(after)}")
    order = sorted(range(len(before)), key=lambda i: (-float(before[i]), i))[:top]
    peak = float(before[order[0]]) if order and before[order[0]] > 0 else 1.0
    rows = []
    for i in order:
        b, a = float(before[i]), float(after[i])
        label = html.escape(labels[i])
        if a > 0:
            rows.append(f'<tr><td>{label}</td><td><i class="k" style="width:{100 * b / peak:.1f}%">'
                        f"</i></td><td>{100 * b:.1f}% → {100 * a:.1f}%</td></tr>")
        else:
            rows.append(f'<tr class="x"><td><s>{label}</s></td><td><i class="r" '
                        f'style="width:{100 * b / peak:.1f}%"></i></td><td>{100 * b:.1f}% removed</td></tr>')
    head = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'{_STYLE}<table class="dx" style="max-width:46em;width:100%">{head}{"".join(rows)}</table>'


def sampling_explorer(model: Any = None, tokenizer: Any = None, prompts: Sequence[str] = DEFAULT_PROMPTS,
                      temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0, top: int = 20) -> Any:
    """Prompt menu and temperature, top-k, top-p sliders over the model's real next-token distribution (Day 11).

    ``model`` is a :class:`~course_lib.gpt.GPT` (``model(ids) -> logits (1, T, V)``) and
    ``tokenizer`` its BPE tokenizer; by default the course GPT of
    :func:`course_lib.pretrained.load_course_gpt`. ``top_k = 0`` and ``top_p = 1`` mean "off".
    The book version holds each prompt x temperatures 0.5, 1, 1.5 x top-k off, 3, 10, 50 x top-p 0.5,
    0.8, 1 (plus the starting values).

    Example:
        >>> widget = sampling_explorer(top_k=5)  # doctest: +SKIP
    """
    import ipywidgets
    import torch

    if model is None or tokenizer is None:
        from course_lib.pretrained import load_course_gpt

        model, tokenizer = load_course_gpt()
    prompts = list(prompts)
    if not prompts or not all(isinstance(p, str) and p for p in prompts):
        raise ValueError(f"prompts must be a non-empty list of non-empty strings, got {prompts!r}")
    if top_k not in dict(_TOP_K_OPTIONS).values():
        raise ValueError(f"top_k must be one of {[v for _, v in _TOP_K_OPTIONS]} (0 = off), got {top_k!r}")
    cache: dict[str, Any] = {}
    labels: list[str] = []

    def logits_of(prompt: str) -> Any:
        if prompt not in cache:
            ids = torch.tensor([tokenizer.encode(prompt)])  # (1, T)
            with torch.no_grad():
                cache[prompt] = model(ids[:, -model.config.block_size:])[0, -1].double()  # (V,)
        return cache[prompt]

    def render() -> str:
        logits = logits_of(prompt_box.value)
        if not labels:
            labels.extend(token_label(tokenizer, i) for i in range(logits.shape[-1]))
        before, after, kept = filtered_distribution(logits, temp.value, k.value, p.value)
        mass = float(before[kept].sum())
        entropy = -float((after[kept] * after[kept].log()).sum())
        caption = (f"“{prompt_box.value}” → kept {int(kept.sum())} of {len(labels)} tokens, "
                   f"{100 * mass:.1f}% of the probability mass; about {math.exp(entropy):.1f} equally likely "
                   f"choices left. Bars: probability at temperature {temp.value:.2f}; kept tokens are "
                   f"renormalized to sum to 100%.")
        return render_sampling_html(labels, before.tolist(), after.tolist(), top=top, caption=caption)

    style = {"description_width": "initial"}
    prompt_box = ipywidgets.Dropdown(options=prompts, value=prompts[0], description="Prompt", style=style)
    temp = ipywidgets.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.1, description="Temperature",
                                  readout_format=".1f", style=style)
    k = ipywidgets.SelectionSlider(options=_TOP_K_OPTIONS, value=top_k, description="Top-k", style=style)
    p = ipywidgets.FloatSlider(value=top_p, min=0.05, max=1.0, step=0.05, description="Top-p",
                               readout_format=".2f", style=style)
    grid = {prompt_box: prompts, temp: sorted({0.5, 1.0, 1.5, round(temp.value, 1)}),
            k: sorted({0, 3, 10, 50, k.value}), p: sorted({0.5, 0.8, 1.0, round(p.value, 2)})}
    return live_html([prompt_box, temp, k, p], render, grid=grid)
