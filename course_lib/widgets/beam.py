"""Beam-search widget (Day 12): the search drawn as a tree, one column per step.

:func:`beam_tree` runs :func:`course_lib.generation.beam.beam_search` on the course GPT and draws, for each
step, every candidate the step considered (``2 * num_beams`` of them, best first): blue boxes for the
candidates kept as running beams, grey dashed ones for candidates pruned at that step, green ones for
sequences that finished there (at the last step every kept candidate finishes). Lines join each
candidate to the beam it extends. Sliders choose the beam width and how many steps to show; under the
tree the running beams are written out as text with their total log-probability. The tree is an inline
SVG (text, no image), so the book's grid of settings stays small. torch and ipywidgets are imported
inside the functions.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["render_beam_tree", "beam_tree"]

_COL, _ROW, _BOX_W, _BOX_H = 118, 24, 100, 19  # SVG layout: column and row pitch, node box size (px)
_KEPT, _PRUNED, _DONE = ("#dbeafe", "#2563eb"), ("#f3f4f6", "#9ca3af"), ("#dcfce7", "#16a34a")


def _node(x: float, y: float, label: str, score: float, colours: tuple[str, str], dashed: bool) -> str:
    fill, stroke = colours
    dash = ' stroke-dasharray="3 2"' if dashed else ""
    text_colour = "#6b7280" if dashed else "#111827"
    return (f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="3" fill="{fill}" stroke="{stroke}"'
            f'{dash}/><text x="{x + 4}" y="{y + 13}" font-size="11" font-family="monospace" fill="{text_colour}">'
            f"{html.escape(label[:8])}</text><text x=\"{x + _BOX_W - 3}\" y=\"{y + 13}\" font-size=\"10\" "
            f'text-anchor="end" fill="{text_colour}">{score:.1f}</text>')


def render_beam_tree(steps: Sequence[Any], labels: Sequence[str], prompt: str, show_steps: int,
                     texts: Sequence[tuple[str, float]] = ()) -> str:
    """HTML: an SVG tree of the first ``show_steps`` :class:`~course_lib.generation.beam.BeamStep` s.

    ``labels[i]`` is how token ``i`` is written; ``texts`` are (text, score) lines listed under the tree.

    Example:
        >>> from course_lib.generation.beam import BeamStep
        >>> step = BeamStep(parents=(0, 0), tokens=(0, 1), scores=(-0.1, -2.5), kept=(True, False),
        ...                 finished=(False, False))
        >>> page = render_beam_tree([step], ["a", "<b>"], "hi", 1, [("hi a", -0.1)])
        >>> page.count('stroke-dasharray'), "&lt;b&gt;" in page, "hi a" in page  # the pruned box and its line
        (2, True, True)
    """
    if not 0 <= show_steps <= len(steps):
        raise ValueError(f"show_steps must be in [0, {len(steps)}], got {show_steps!r}")
    rows = max([len(s.tokens) for s in steps[:show_steps]] + [1])
    width, height = _COL * (show_steps + 1) + 10, _ROW * rows + 10
    start = prompt if len(prompt) <= 8 else "…" + prompt[-7:]  # the box holds 8 characters
    parts = [_node(4, 5, start, 0.0, _KEPT, False)]
    previous = [5]  # y of each running beam of the previous step
    for t, step in enumerate(steps[:show_steps], start=1):
        x, kept_y = 4 + _COL * t, []
        for i, (parent, token, score, kept, done) in enumerate(zip(step.parents, step.tokens, step.scores,
                                                                   step.kept, step.finished)):
            y = 5 + _ROW * i
            py = previous[parent] if parent < len(previous) else previous[0]
            colour = "#16a34a" if done else "#2563eb" if kept else "#d1d5db"
            dash = "" if kept or done else ' stroke-dasharray="3 2"'
            parts.append(f'<line x1="{x - _COL + _BOX_W}" y1="{py + _BOX_H / 2}" x2="{x}" y2="{y + _BOX_H / 2}" '
                         f'stroke="{colour}"{dash}/>')
            style = _DONE if done else _KEPT if kept else _PRUNED
            parts.append(_node(x, y, labels[token], score, style, not (kept or done)))
            if kept:
                kept_y.append(y)
        previous = kept_y or previous
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" style="max-width:100%;height:auto" '  # shrinks to fit the page
           f'role="img" aria-label="beam search tree">{"".join(parts)}</svg>')
    lines = "".join(f"<li><code>{html.escape(text)}</code> <span style=\"color:#6b7280\">"
                    f"(log-prob {score:.2f})</span></li>" for text, score in texts)
    legend = ('<div style="font-size:85%;color:#374151">blue: kept as a beam · grey dashed: pruned · '
              'green: finished · numbers: total log-probability</div>')
    return (f'<div class="beam-tree">{legend}<div style="overflow-x:auto">{svg}</div>'
            f'<ol style="font-size:90%;margin-top:4px">{lines}</ol></div>')


def beam_tree(model: Any = None, tokenizer: Any = None, prompt: str = "The model", num_beams: int = 3,
              max_new_tokens: int = 6, length_penalty: float = 1.0, max_beams: int = 4) -> Any:
    """Sliders for the beam width (1 .. ``max_beams``) and the step, over a beam-search tree (Day 12).

    ``model``/``tokenizer`` default to the course GPT (:func:`course_lib.pretrained.load_course_gpt`).
    Each beam width is searched once (cached); the step slider shows the first steps of that search.
    The book version holds every (width, step) pair: ``max_beams * max_new_tokens`` small SVG views.

    Example:
        >>> widget = beam_tree(num_beams=2, max_new_tokens=4)  # doctest: +SKIP
    """
    import ipywidgets
    import torch

    from course_lib.generation.beam import beam_search
    from course_lib.widgets.decoding import token_label

    for name, value, low in (("num_beams", num_beams, 1), ("max_new_tokens", max_new_tokens, 1),
                             ("max_beams", max_beams, num_beams)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    if not isinstance(prompt, str) or not prompt:
        raise ValueError(f"prompt must be a non-empty string, got {prompt!r}")
    if model is None or tokenizer is None:
        from course_lib.pretrained import load_course_gpt

        model, tokenizer = load_course_gpt()
    ids = torch.tensor([tokenizer.encode(prompt)])  # (1, T)
    labels = [token_label(tokenizer, i) for i in range(model.config.vocab_size)]
    searches: dict[int, Any] = {}

    def render() -> str:
        width, shown = beam_slider.value, step_slider.value
        if width not in searches:
            searches[width] = beam_search(model, ids, width, max_new_tokens, length_penalty=length_penalty)
        steps = searches[width].steps
        shown = min(shown, len(steps))
        texts = []
        if shown:  # the running beams after that step (the finished ones at the last step)
            last = steps[shown - 1]
            chosen = [i for i, (k, d) in enumerate(zip(last.kept, last.finished)) if (d if shown == len(steps)
                                                                                      else k)]
            for i in chosen:
                tokens = [last.tokens[i]]
                parent = last.parents[i]
                for step in reversed(steps[:shown - 1]):  # walk back to the prompt
                    kept = [j for j, k in enumerate(step.kept) if k]
                    j = kept[parent]
                    tokens.insert(0, step.tokens[j])
                    parent = step.parents[j]
                texts.append((prompt + tokenizer.decode(tokens), last.scores[i]))
        return render_beam_tree(steps, labels, prompt, shown, texts)

    style = {"description_width": "initial"}
    beam_slider = ipywidgets.IntSlider(value=num_beams, min=1, max=max_beams, description="Beam width",
                                       style=style, continuous_update=False)
    step_slider = ipywidgets.IntSlider(value=max_new_tokens, min=1, max=max_new_tokens, description="Steps shown",
                                       style=style, continuous_update=False)
    grid = {beam_slider: list(range(1, max_beams + 1)), step_slider: list(range(1, max_new_tokens + 1))}
    return live_html([beam_slider, step_slider], render, grid=grid)
