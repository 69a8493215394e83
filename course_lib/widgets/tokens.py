"""The token explorer (Day 1): text in, coloured tokens and their ids out, for any course tokenizer."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["token_pieces", "render_tokens_html", "oov_summary_html", "token_explorer"]

# Pastel backgrounds, cycled by position so that neighbouring tokens always differ.
_PALETTE = ("#fde68a", "#bfdbfe", "#bbf7d0", "#fecaca", "#ddd6fe", "#fed7aa", "#a5f3fc", "#f5d0fe")


def token_pieces(tokenizer: Any, text: str) -> list[tuple[str, int]]:
    """The (piece, id) pairs that ``tokenizer.encode(text)`` produces, in order.

    Works with any course tokenizer: ``encode(text) -> list[int]`` and ``decode(ids)``
    (called with ``skip_special_tokens=False`` where it accepts it, so specials stay visible).

    Example:
        >>> from course_lib.tokenizers import WordTokenizer
        >>> tok = WordTokenizer().build_vocabulary(["hello world"])
        >>> token_pieces(tok, "hello there")
        [('<bos>', 2), ('hello', 4), ('<unk>', 1), ('<eos>', 3)]
    """
    ids = tokenizer.encode(text)
    pieces = []
    for i in ids:
        try:
            piece = tokenizer.decode([i], skip_special_tokens=False)
        except TypeError:  # a decode without that keyword
            piece = tokenizer.decode([i])
        pieces.append((piece, int(i)))
    return pieces


def render_tokens_html(
    pieces: Sequence[tuple[str, int]], special_ids: Sequence[int] = (), unknown_ids: Sequence[int] = ()
) -> str:
    """HTML for a row of coloured tokens with their ids underneath (no scripts, inline styles).

    Example:
        >>> snippet = render_tokens_html([("hi", 7), ("!", 9)])
        >>> snippet.count('class="token"'), "2 tokens" in snippet
        (2, True)
    """
    spans = []
    for position, (piece, token_id) in enumerate(pieces):
        if token_id in unknown_ids:
            style = "background:#fee2e2;border:2px solid #dc2626"
        elif token_id in special_ids:
            style = "background:#e5e7eb;color:#374151;font-style:italic"
        else:
            style = f"background:{_PALETTE[position % len(_PALETTE)]}"
        shown = html.escape(piece).replace(" ", "&#9251;") or "&#8709;"  # visible spaces, empty set
        spans.append(
            f'<span class="token" title="position {position}, id {token_id}" style="display:inline-block;'
            f'margin:2px;padding:2px 5px;border-radius:4px;font-family:monospace;{style}">{shown}'
            f'<sub style="display:block;font-size:70%;color:#4b5563;text-align:center">{token_id}</sub></span>'
        )
    n_chars = sum(len(p) for p, _ in pieces)
    summary = f"{len(pieces)} tokens" + (f" · {n_chars} characters in the pieces" if pieces else "")
    return (
        '<div class="token-explorer" style="line-height:2.2">'
        f'<div class="token-explorer-summary" style="font-size:90%;color:#374151">{summary}</div>'
        f'{"".join(spans)}</div>'
    )


def oov_summary_html(tokenizer: Any, text: str) -> str:
    """One line: the vocabulary's size and the share of the text's words that became ``<unk>``.

    Example:
        >>> from course_lib.tokenizers import WordTokenizer
        >>> tok = WordTokenizer().build_vocabulary(["the cat sat on the mat"])
        >>> "1 of 3 words unknown (33%)" in oov_summary_html(tok, "the dog sat")
        True
    """
    ids = tokenizer.encode(text, add_special_tokens=False)
    unknown = sum(i == tokenizer.unk_id for i in ids)
    rate = f" ({unknown / len(ids):.0%})" if ids else ""
    return (f'<div class="token-explorer-oov" style="font-size:90%;color:#991b1b">vocabulary '
            f"{tokenizer.vocab_size:,} entries · {unknown} of {len(ids)} words unknown{rate}</div>")


def token_explorer(tokenizer: Any, text: str = "Tokenizers turn text into integers.",
                   texts: Sequence[str] | None = None, min_frequency: int = 2,
                   max_min_frequency: int = 10) -> Any:
    """A text box whose contents are shown as coloured tokens with their ids (Day 1).

    Type in the box and the tokens update. Special tokens are grey, unknown words red. With
    ``texts`` (a corpus), a ``min_frequency`` slider appears: each position rebuilds a
    ``WordTokenizer`` from ``texts`` (``tokenizer`` is then ignored) and a line above the tokens
    gives the vocabulary's size and the typed text's OOV rate, so both move as the slider does.

    Example:
        >>> from course_lib.tokenizers import WordTokenizer
        >>> tok = WordTokenizer().build_vocabulary(["the cat sat on the mat"])
        >>> explorer = token_explorer(tok, "the dog sat")
        >>> "&lt;unk&gt;" in explorer._repr_mimebundle_()["text/html"]
        True
        >>> corpus = ["the cat sat", "the cat ran", "a dog sat"]
        >>> box, slider, view = token_explorer(None, "the dog sat", texts=corpus, min_frequency=1).children
        >>> "0 of 3 words unknown" in view.value, slider.max
        (True, 10)
        >>> slider.value = 2  # 'dog' is seen once: now unknown
        >>> "1 of 3 words unknown (33%)" in view.value
        True
    """
    import ipywidgets

    def render(tok: Any, value: str, summary: bool) -> str:
        special = [getattr(tok, name) for name in ("pad_id", "bos_id", "eos_id") if hasattr(tok, name)]
        unknown = [tok.unk_id] if hasattr(tok, "unk_id") else []
        try:
            head = oov_summary_html(tok, value) if summary else ""
            return head + render_tokens_html(token_pieces(tok, value), special, unknown)
        except (TypeError, ValueError, RuntimeError) as error:  # show the message, keep the widget alive
            return f'<div class="token-explorer token-explorer-error">{html.escape(str(error))}</div>'

    box = ipywidgets.Textarea(value=text, description="Text", continuous_update=True,
                              layout=ipywidgets.Layout(width="95%", height="4em"))
    if texts is None:
        return live_html([box], lambda: render(tokenizer, box.value, summary=False))
    from course_lib.tokenizers import WordTokenizer

    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise TypeError(f"texts must be a list of str, got {texts!r:.60}")
    if isinstance(max_min_frequency, bool) or not isinstance(max_min_frequency, int) or max_min_frequency < 1:
        raise ValueError(f"max_min_frequency must be an int >= 1, got {max_min_frequency!r}")
    if isinstance(min_frequency, bool) or not isinstance(min_frequency, int) \
            or not 1 <= min_frequency <= max_min_frequency:
        raise ValueError(f"min_frequency must be an int in [1, {max_min_frequency}], got {min_frequency!r}")
    built: dict[int, Any] = {}

    def tokenizer_at(k: int) -> Any:
        if k not in built:
            built[k] = WordTokenizer().build_vocabulary(list(texts), min_frequency=k)
        return built[k]

    slider = ipywidgets.IntSlider(value=min_frequency, min=1, max=max_min_frequency, description="min_frequency",
                                  style={"description_width": "initial"}, continuous_update=True)
    return live_html([box, slider], lambda: render(tokenizer_at(slider.value), box.value, summary=True))
