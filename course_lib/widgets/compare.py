"""Tokenizers side by side (Day 3): one text, one row of coloured tokens per tokenizer, with counts.

:func:`compare_tokenizers` is a text box above one row per tokenizer; the static snapshot that the
book shows is the same rows for the starting text. :func:`tokenize_pieces` turns any tokenizer the
course meets into ``(piece, id)`` pairs plus the ids of its special tokens:

* course tokenizers (``WordTokenizer``, ``BPETokenizer``): ``encode``/``decode``, or ``decode_bytes``;
* Hugging Face ``tokenizers.Tokenizer`` (MiniLM's WordPiece, a trained Unigram): ``Encoding.tokens``;
* tiktoken encodings (``cl100k_base``, ``o200k_base``): special-token text is encoded as plain text
  (``disallowed_special=()``), as an application should do with user input;
* any function ``text -> list of (piece, id)``.

Pieces holding only part of a UTF-8 character are shown as hex bytes (``<e2><80>``). Checked against
the libraries themselves (``tests/test_widgets_compare.py``): same ids as each library's own encode.
Leaves out: grapheme clusters (an emoji of several code points may span several rows' tokens).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from course_lib.widgets.static import live_html
from course_lib.widgets.tokens import render_tokens_html, token_pieces

__all__ = ["piece_text", "tokenize_pieces", "render_comparison_html", "compare_tokenizers"]


def piece_text(piece: bytes) -> str:
    """A token's bytes as text; bytes that are not whole UTF-8 characters as ``<e2>``-style hex.

    Example:
        >>> piece_text(b"hi"), piece_text("🙂".encode()[:2]), piece_text("é".encode())
        ('hi', '<f0><9f>', 'é')
    """
    try:
        return piece.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(f"<{b:02x}>" for b in piece)


def tokenize_pieces(tokenizer: Any, text: str) -> tuple[list[tuple[str, int]], set[int]]:
    """``(pieces, special_ids)``: the ``(piece, id)`` pairs of ``text`` and which ids are special.

    Example:
        >>> from course_lib.tokenizers import WordTokenizer
        >>> tok = WordTokenizer().build_vocabulary(["hello world"])
        >>> tokenize_pieces(tok, "hello there")
        ([('<bos>', 2), ('hello', 4), ('<unk>', 1), ('<eos>', 3)], {0, 2, 3})
        >>> tokenize_pieces(lambda t: [(w, len(w)) for w in t.split()], "a bc")
        ([('a', 1), ('bc', 2)], set())
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}: {text!r:.60}")
    if hasattr(tokenizer, "decode_single_token_bytes") and hasattr(tokenizer, "special_tokens_set"):  # tiktoken
        ids = tokenizer.encode(text, disallowed_special=())
        return [(piece_text(tokenizer.decode_single_token_bytes(i)), i) for i in ids], set()
    if hasattr(tokenizer, "encode") and hasattr(tokenizer, "get_vocab") and hasattr(tokenizer, "id_to_token"):
        encoding = tokenizer.encode(text)  # a Hugging Face tokenizers.Tokenizer
        special = {i for i, flag in zip(encoding.ids, encoding.special_tokens_mask) if flag}
        return list(zip(encoding.tokens, encoding.ids)), special
    if hasattr(tokenizer, "decode_bytes") and hasattr(tokenizer, "encode"):  # course BPETokenizer
        ids = tokenizer.encode(text, allowed_special="all")  # show its control tokens, greyed
        special = set(getattr(tokenizer, "special_tokens", {}).values())
        return [(piece_text(tokenizer.decode_bytes([i])), i) for i in ids], special & set(ids)
    if hasattr(tokenizer, "encode") and hasattr(tokenizer, "decode"):  # WordTokenizer and friends
        special = {getattr(tokenizer, name) for name in ("pad_id", "bos_id", "eos_id") if hasattr(tokenizer, name)}
        return token_pieces(tokenizer, text), special
    if callable(tokenizer):
        pieces = [(str(piece), int(i)) for piece, i in tokenizer(text)]
        return pieces, set()
    raise TypeError(f"cannot tokenize with {type(tokenizer).__name__} {tokenizer!r:.60}: expected a course "
                    "tokenizer, a Hugging Face tokenizers.Tokenizer, a tiktoken encoding or a function")


def _unknown_ids(tokenizer: Any) -> set[int]:
    """Ids that mean 'unknown' for this tokenizer (``<unk>``, ``[UNK]``), if it has any."""
    if hasattr(tokenizer, "unk_id"):
        return {tokenizer.unk_id}
    if hasattr(tokenizer, "token_to_id") and callable(tokenizer.token_to_id):
        return {i for name in ("[UNK]", "<unk>") if (i := tokenizer.token_to_id(name)) is not None}
    return set()


def render_comparison_html(tokenizers: Mapping[str, Any], text: str) -> str:
    """HTML: the text's size, then for each tokenizer its name, token count and coloured tokens.

    Counts leave special tokens out (they are added by the tokenizer, not read from the text).

    Example:
        >>> page = render_comparison_html({"chars": lambda t: [(c, ord(c)) for c in t]}, "hé")
        >>> "2 characters · 3 UTF-8 bytes" in page, "chars: 2 tokens" in page
        (True, True)
    """
    if not isinstance(tokenizers, Mapping) or not tokenizers:
        raise ValueError(f"tokenizers must be a non-empty mapping name -> tokenizer, got {tokenizers!r:.80}")
    rows = []
    for name, tokenizer in tokenizers.items():
        try:
            pieces, special = tokenize_pieces(tokenizer, text)
        except (TypeError, ValueError, RuntimeError) as error:  # show the message, keep the others
            rows.append(f'<div class="compare-row"><b>{html.escape(str(name))}</b>: '
                        f'<span style="color:#b91c1c">{html.escape(str(error))}</span></div>')
            continue
        count = sum(i not in special for _, i in pieces)
        extra = f" (+{len(pieces) - count} special)" if len(pieces) > count else ""
        rows.append(f'<div class="compare-row" style="margin-top:6px"><b>{html.escape(str(name))}: {count} tokens'
                    f'</b><span style="color:#6b7280">{extra}</span>'
                    f'{render_tokens_html(pieces, sorted(special), sorted(_unknown_ids(tokenizer)))}</div>')
    size = f"{len(text)} characters · {len(text.encode('utf-8'))} UTF-8 bytes"
    return (f'<div class="tokenizer-comparison"><div style="font-size:90%;color:#374151">{size}</div>'
            f'{"".join(rows)}</div>')


def compare_tokenizers(tokenizers: Mapping[str, Any] | Callable, text: str = "Tokenizers disagree. 🙂") -> Any:
    """A text box whose contents are tokenized by every tokenizer at once, one row each (Day 3).

    Special tokens are grey, unknown ones red; each row says how many tokens the text costs.

    Example:
        >>> from course_lib.tokenizers import WordTokenizer
        >>> tok = WordTokenizer().build_vocabulary(["the cat sat"])
        >>> widget = compare_tokenizers({"words": tok}, "the dog")
        >>> "words: 2 tokens" in widget._repr_mimebundle_()["text/html"]
        True
    """
    import ipywidgets

    render_comparison_html(tokenizers, "")  # fail early, with a clear message, on a bad mapping
    box = ipywidgets.Textarea(value=text, description="Text", continuous_update=True,
                              layout=ipywidgets.Layout(width="95%", height="4em"))
    return live_html([box], lambda: render_comparison_html(tokenizers, box.value))
