"""Streaming detokenization: text as it is generated, one token at a time, never half a character (Day 11).

A byte-level BPE token may hold only part of a UTF-8 character (an emoji is 4 bytes, often 2 tokens),
so decoding each token on its own prints U+FFFD. :class:`IncrementalDetokenizer` keeps the bytes (or
ids) that do not yet form whole characters and hands out only completed text, so the pieces, joined,
equal the decode of all ids.

* Our :class:`~course_lib.bpe.BPETokenizer` (anything with ``decode_bytes``): a UTF-8 incremental
  decoder (:mod:`codecs`, ``errors="replace"``, as ``BPETokenizer.decode``) holds an unfinished
  character back.
* A ``transformers`` tokenizer: its ``decode`` of all ids so far; the new text past what was handed
  out is released, except a trailing U+FFFD (an unfinished byte sequence) and trailing whitespace
  (``decode`` may later remove a space before punctuation). This is the idea of ``transformers``'
  ``TextStreamer`` and of vLLM's incremental detokenizer, without their speed-ups: each push
  decodes all ids, quadratic in the length, fine for the course's few hundred tokens.

Checked in ``tests/test_generation_streaming.py``: joined pieces == the full decode, no piece with a
broken character, for our BPE (emoji, accents, CJK) and for transformers tokenizers (WordPiece,
byte-level BPE). Left out: detokenizing several sequences at once.
"""

from __future__ import annotations

import codecs
import operator
from typing import Any

__all__ = ["IncrementalDetokenizer"]

_REPLACEMENT = "\ufffd"


class IncrementalDetokenizer:
    """Turn token ids into text one at a time: ``push(id)`` returns the newly completed text (Day 11).

    ``push`` returns ``''`` while a character is still incomplete; ``flush()`` returns what is held
    back (an unfinished byte sequence becomes U+FFFD, as in a full decode) and starts afresh.

    Example:
        >>> from course_lib.bpe import BPETokenizer
        >>> tok = BPETokenizer()  # no merges: one token per byte
        >>> stream = IncrementalDetokenizer(tok)
        >>> [stream.push(i) for i in tok.encode("é!")]  # 'é' is 2 bytes: nothing after the first
        ['', 'é', '!']
        >>> stream.push(0xF0), stream.flush()  # half an emoji, then the end: U+FFFD like decode()
        ('', '�')
    """

    def __init__(self, tokenizer: Any):
        if not (hasattr(tokenizer, "decode_bytes") or hasattr(tokenizer, "decode")):
            raise TypeError(f"tokenizer must have decode_bytes(ids) or decode(ids), got {type(tokenizer).__name__}")
        self.tokenizer = tokenizer
        self._bytes_level = hasattr(tokenizer, "decode_bytes")
        self._reset()

    def _reset(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._ids: list[int] = []  # transformers path: every id so far
        self._sent = 0  # transformers path: characters of decode(ids) already handed out

    def push(self, token_id: int) -> str:
        """Add one id; the text it completes (``''`` while a UTF-8 character is unfinished)."""
        try:
            if isinstance(token_id, bool):
                raise TypeError
            token_id = operator.index(token_id)  # an int, a NumPy integer or a 0-d integer tensor
        except TypeError:
            raise TypeError(f"token_id must be an integer, got {type(token_id).__name__} {token_id!r}") from None
        if self._bytes_level:
            return self._decoder.decode(self.tokenizer.decode_bytes([token_id]))
        self._ids.append(token_id)
        text = self.tokenizer.decode(self._ids)
        ready = len(text.rstrip())
        while ready > self._sent and text[ready - 1] == _REPLACEMENT:  # an unfinished character at the end
            ready -= 1
        piece = text[self._sent:ready] if ready > self._sent else ""
        self._sent = max(self._sent, ready)
        return piece

    def flush(self) -> str:
        """The text still held back (end of generation); the detokenizer is empty afterwards."""
        if self._bytes_level:
            rest = self._decoder.decode(b"", final=True)
        else:
            rest = self.tokenizer.decode(self._ids)[self._sent:] if self._ids else ""
        self._reset()
        return rest
