"""The token explorer (Day 1): text in, coloured tokens and their ids out, for any course tokenizer."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["token_pieces", "render_tokens_html", "token_explorer"]

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


def token_explorer(tokenizer: Any, text: str = "Tokenizers turn text into integers.") -> Any:
    """A text box whose contents are shown as coloured tokens with their ids (Day 1).

    Type in the box and the tokens update. Special tokens are grey, unknown words red.

    Example:
        >>> from course_lib.tokenizers import WordTokenizer
        >>> tok = WordTokenizer().build_vocabulary(["the cat sat on the mat"])
        >>> explorer = token_explorer(tok, "the dog sat")
        >>> "&lt;unk&gt;" in explorer._repr_mimebundle_()["text/html"]
        True
    """
    import ipywidgets

    special = [getattr(tokenizer, name) for name in ("pad_id", "bos_id", "eos_id") if hasattr(tokenizer, name)]
    unknown = [tokenizer.unk_id] if hasattr(tokenizer, "unk_id") else []

    def render(value: str) -> str:
        try:
            return render_tokens_html(token_pieces(tokenizer, value), special, unknown)
        except (TypeError, ValueError, RuntimeError) as error:  # show the message, keep the widget alive
            return f'<div class="token-explorer token-explorer-error">{html.escape(str(error))}</div>'

    box = ipywidgets.Textarea(value=text, description="Text", continuous_update=True,
                              layout=ipywidgets.Layout(width="95%", height="4em"))
    return live_html([box], lambda: render(box.value))
