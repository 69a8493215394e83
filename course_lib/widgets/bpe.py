"""The merge stepper (Day 2): slide through a BPE tokenizer's merges and watch a text's tokens grow.

Step ``k`` shows how ``text`` is cut when only the first ``k`` merges of the tokenizer are known:
step 0 is raw UTF-8 bytes, the last step is ``tokenizer.encode(text)``. The live widget is a text box
and a slider over the steps; the static snapshot that the book shows stacks a few steps (0, N/4, N/2, N).

Works with any :class:`course_lib.bpe.BPETokenizer`, including ones rebuilt from tiktoken (whose
byte ids are shuffled). Pieces that hold only part of a UTF-8 character are shown as hex bytes.
"""

from __future__ import annotations

import html
import re
from typing import Any

from course_lib.widgets.static import live_html
from course_lib.widgets.tokens import render_tokens_html

__all__ = ["piece_text", "segmentation_after", "merge_stepper"]

# render_tokens_html's count line; each step's title says the same in tokens per character instead.
_SUMMARY = re.compile(r'<div class="token-explorer-summary"[^>]*>[^<]*</div>')


def piece_text(piece: bytes) -> str:
    """A token's bytes as text; bytes that are not whole UTF-8 characters as ``<e2>``-style hex.

    Example:
        >>> piece_text(b"hi"), piece_text("🙂".encode()[:2]), piece_text(b" \\xc3\\xa9")
        ('hi', '<f0><9f>', ' é')
    """
    try:
        return piece.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(f"<{b:02x}>" for b in piece)


def _truncated(tokenizer: Any, n_merges: int) -> Any:
    """The same tokenizer knowing only its first ``n_merges`` merges (same byte ids and pattern)."""
    from course_lib.bpe import BPETokenizer

    merges = tokenizer.merges
    not_bytes = set(tokenizer.special_tokens.values()) | set(merges.values())
    byte_ids = [0] * 256
    for i, piece in tokenizer.vocab.items():
        if len(piece) == 1 and i not in not_bytes:
            byte_ids[piece[0]] = i
    first = dict(list(merges.items())[:n_merges])
    return BPETokenizer.from_merges(first, byte_ids, tokenizer.pattern, tokenizer.special_tokens)


def segmentation_after(tokenizer: Any, text: str, n_merges: int) -> list[tuple[str, int]]:
    """The (piece, id) pairs of ``text`` when only the first ``n_merges`` merges apply (Day 2).

    Example:
        >>> from course_lib.bpe import BPETokenizer
        >>> tok = BPETokenizer()
        >>> tok.train("aaabdaaabac", vocab_size=259)
        >>> [p for p, _ in segmentation_after(tok, "aaab", 0)], segmentation_after(tok, "aaab", 3)
        (['a', 'a', 'a', 'b'], [('aaab', 258)])
    """
    if isinstance(n_merges, bool) or not isinstance(n_merges, int) or not 0 <= n_merges <= len(tokenizer.merges):
        raise ValueError(f"n_merges must be an int in [0, {len(tokenizer.merges)}], got {n_merges!r}")
    tok = _truncated(tokenizer, n_merges)
    return [(piece_text(tok.vocab[i]), i) for i in tok.encode(text, allowed_special="all")]


def _step_html(tokenizer: Any, text: str, step: int, cache: dict[tuple[str, int], str]) -> str:
    if (text, step) not in cache:
        if len(cache) > 2_000:
            cache.clear()  # typing in the box makes a new text per keystroke
        pieces = segmentation_after(tokenizer, text, step)
        if step == 0:
            title = "step 0: raw UTF-8 bytes, no merges yet"
        else:
            (a, b), new_id = list(tokenizer.merges.items())[step - 1]
            title = (f"after {step} merge{'s' * (step > 1)} · the latest: "
                     f"{piece_text(tokenizer.vocab[a])!r} + {piece_text(tokenizer.vocab[b])!r} "
                     f"→ {piece_text(tokenizer.vocab[new_id])!r} (id {new_id})")
        chars = max(len(text), 1)
        title += f" · {len(pieces)} tokens, {len(pieces) / chars:.2f} per character"
        cache[text, step] = (f'<div class="merge-step" style="margin-bottom:6px">'
                       f'<div style="font-size:90%;font-weight:bold;color:#1f2937">{html.escape(title, quote=False)}'
                       f'</div>{_SUMMARY.sub("", render_tokens_html(pieces), count=1)}</div>')
    return cache[text, step]


def merge_stepper(tokenizer: Any, text: str, max_steps: int | None = None, step: int | None = None) -> Any:
    """A text box and a slider over merge steps 0..N: how the text is segmented after each (Day 2).

    ``text`` is the box's starting text; ``max_steps`` caps N (default: all the tokenizer's merges); ``step`` is where the slider starts
    (default N). The book's static snapshot shows steps 0, N/4, N/2 and N.

    Example:
        >>> from course_lib.bpe import BPETokenizer
        >>> tok = BPETokenizer("gpt2")
        >>> tok.train("low lower lowest newest widest", vocab_size=266)
        >>> stepper = merge_stepper(tok, "lowest")
        >>> box, slider, view = stepper.children
        >>> slider.max, stepper._repr_mimebundle_()["text/html"].count('class="merge-step"')
        (10, 4)
        >>> box.value = "newest"  # typing in the box re-segments the new text
        >>> view.value.count('class="token"') == len(tok.encode("newest"))
        True
    """
    import ipywidgets

    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}: {text!r:.60}")
    n = len(tokenizer.merges) if max_steps is None else max_steps
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= len(tokenizer.merges):
        raise ValueError(f"max_steps must be an int in [0, {len(tokenizer.merges)}], got {max_steps!r}")
    start = n if step is None else step
    if isinstance(start, bool) or not isinstance(start, int) or not 0 <= start <= n:
        raise ValueError(f"step must be an int in [0, {n}], got {step!r}")
    cache: dict[tuple[str, int], str] = {}
    box = ipywidgets.Text(value=text, description="text", layout=ipywidgets.Layout(width="95%"))
    slider = ipywidgets.IntSlider(value=start, min=0, max=n, step=1, description="merges",
                                  continuous_update=True, layout=ipywidgets.Layout(width="95%"))

    def snapshot() -> str:
        steps = sorted({0, n // 4, n // 2, n})
        rows = "".join(_step_html(tokenizer, box.value, s, cache) for s in steps)
        return f'<div class="merge-stepper" style="line-height:2.2">{rows}</div>'

    # In the book the merges slider gets the whole grid budget; the text box keeps its one text.
    return live_html([box, slider], lambda: _step_html(tokenizer, box.value, slider.value, cache),
                     snapshot=snapshot, grid={box: []})
