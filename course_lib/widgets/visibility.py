"""Who may see whom (Day 9): encoder, decoder and prefix-LM attention side by side on your sentence.

Three ways to wire self-attention over one sequence, as boolean ``(T, T)`` numpy arrays, True where
query ``i`` (row) may attend to key ``j`` (column), torch's convention:

* ``"encoder"`` (BERT): every token sees every token, before and after it;
* ``"decoder"`` (GPT): token ``i`` sees ``0 .. i``, never the future;
* ``"prefix_lm"`` (T5's prefix-LM variant, UniLM): the first ``prefix_len`` tokens see each other in both
  directions, the rest see the whole prefix and their own past.

:func:`visibility_explorer` shows the three masks for a sentence, outlines the chosen token's row and
lists the words it may see in each. The full and causal masks come from
:func:`course_lib.widgets.masks.sparse_mask` (Day 7). numpy, matplotlib and ipywidgets are imported
inside the functions. Checked in ``tests/test_widgets_visibility.py``.
"""

from __future__ import annotations

import html
import re
from typing import Any

from course_lib.widgets.masks import sparse_mask
from course_lib.widgets.positions import figure_to_html
from course_lib.widgets.static import live_html

__all__ = ["VISIBILITY_KINDS", "split_words", "visibility_mask", "render_visibility", "visibility_explorer"]

VISIBILITY_KINDS = ("encoder", "decoder", "prefix_lm")
_COLOURS = {"encoder": "#2563eb", "decoder": "#dc2626", "prefix_lm": "#16a34a"}


def split_words(text: str) -> list[str]:
    """Words and punctuation marks of ``text`` (the widget's stand-in for a tokenizer).

    Example:
        >>> split_words("It was tired.")
        ['It', 'was', 'tired', '.']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    return re.findall(r"\w+|[^\w\s]", text)


def visibility_mask(kind: str, seq_len: int, prefix_len: int = 0) -> Any:
    """Boolean ``(seq_len, seq_len)`` numpy array: True where query ``i`` may attend to key ``j`` (Day 9).

    Example:
        >>> visibility_mask("prefix_lm", 4, prefix_len=2).astype(int)
        array([[1, 1, 0, 0],
               [1, 1, 0, 0],
               [1, 1, 1, 0],
               [1, 1, 1, 1]])
    """
    if kind not in VISIBILITY_KINDS:
        raise ValueError(f"kind must be one of {VISIBILITY_KINDS}, got {kind!r}")
    if isinstance(prefix_len, bool) or not isinstance(prefix_len, int) or not 0 <= prefix_len <= seq_len:
        raise ValueError(f"prefix_len must be an integer in 0 .. seq_len={seq_len}, got {prefix_len!r}")
    mask = sparse_mask("full" if kind == "encoder" else "causal", seq_len)  # (T, T); validates seq_len
    if kind == "prefix_lm":
        mask[:prefix_len, :prefix_len] = True  # the prefix reads itself in both directions
    return mask


def render_visibility(words: list[str], query: int, prefix_len: int) -> str:
    """HTML: the three masks over ``words`` with ``query``'s row outlined and the words it sees listed.

    Example:
        >>> snippet = render_visibility(["a", "b", "c"], query=0, prefix_len=2)
        >>> 'class="visibility"' in snippet and "decoder: a sees a" in snippet
        True
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    size = len(words)
    if size == 0:
        raise ValueError("words must not be empty")
    if isinstance(query, bool) or not isinstance(query, int) or not 0 <= query < size:
        raise ValueError(f"query must be a word index in 0 .. {size - 1}, got {query!r}")
    masks = {kind: visibility_mask(kind, size, prefix_len) for kind in VISIBILITY_KINDS}
    side = min(4.2, 1.6 + 0.22 * size)
    fig = Figure(figsize=(3 * side + 0.6, side + 0.5), layout="constrained")
    for ax, (kind, mask) in zip(fig.subplots(1, 3), masks.items()):
        ax.imshow(mask, cmap=ListedColormap(["#f3f4f6", _COLOURS[kind]]), vmin=0, vmax=1, interpolation="nearest")
        ax.add_patch(Rectangle((-0.5, query - 0.5), size, 1, fill=False, edgecolor="#111827", lw=2))
        ax.set_xticks(range(size), words, rotation=90, fontsize=8)
        ax.set_yticks(range(size), words, fontsize=8)
        title = kind.replace("_", " ") + (f" (prefix {prefix_len})" if kind == "prefix_lm" else "")
        ax.set(xlabel="key (may be seen)", ylabel="query (looking)", title=title)
    lines = []
    for kind, mask in masks.items():
        seen = [words[j] for j in range(size) if mask[query, j]]
        lines.append(f'<div style="color:{_COLOURS[kind]}">{kind}: {html.escape(words[query])} sees '
                     f"{html.escape(' '.join(seen))} ({len(seen)} of {size})</div>")
    return (f'<div class="visibility"><div style="font-size:90%">{"".join(lines)}</div>'
            f"{figure_to_html(fig, 'encoder, decoder and prefix-LM attention masks')}</div>")


def visibility_explorer(sentence: str = "The animal didn't cross the street because it was too tired.",
                        query: int = 1, prefix_len: int = 9) -> Any:
    """A sentence box, a word slider and a prefix slider over the three masks (Day 9).

    Example:
        >>> widget = visibility_explorer("one two three", query=1, prefix_len=1)
        >>> "decoder: two sees one two (2 of 3)" in widget._repr_mimebundle_()["text/html"]
        True
    """
    import ipywidgets

    words = split_words(sentence)
    render_visibility(words, query, prefix_len)  # validate before building controls
    text = ipywidgets.Text(value=sentence, description="sentence", continuous_update=False,
                           layout=ipywidgets.Layout(width="95%"))
    word = ipywidgets.IntSlider(value=query, min=0, max=max(len(words) - 1, 0), description="word",
                                continuous_update=False)
    prefix = ipywidgets.IntSlider(value=prefix_len, min=0, max=len(words), description="prefix",
                                  continuous_update=False)

    def render() -> str:
        current = split_words(text.value) or ["(empty)"]
        word.max, prefix.max = len(current) - 1, len(current)  # sliders follow the sentence's length
        return render_visibility(current, min(word.value, len(current) - 1), min(prefix.value, len(current)))

    return live_html([text, word, prefix], render, grid={text: []})  # book: the word slider's pictures
