"""Tokenizers built from scratch: text to integer ids and back.

Implements a word-level tokenizer (Day 1) and re-exports the byte-level BPE tokenizer of
``course_lib.bpe`` (Day 2), so that every tokenizer of the course is found here.

Checked against: Hugging Face ``tokenizers`` (``WordLevel`` model, ``Lowercase`` normalizer,
``Whitespace`` pre-tokenizer, ``WordLevelTrainer``), which yields the same vocabulary, ids and
decoded text on randomized corpora (``tests/test_tokenizers.py``).

Leaves out: normalization beyond lower-casing (Day 3), subwords (Day 2), and any notion of
meaning: an id is only a row number in a table.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from course_lib._ids import check_ids

__all__ = ["WordTokenizer", "BPETokenizer", "SPECIAL_TOKENS", "pre_tokenize"]

#: The four special tokens, in id order: padding, unknown word, beginning and end of sequence.
SPECIAL_TOKENS: tuple[str, ...] = ("<pad>", "<unk>", "<bos>", "<eos>")

# A word is a run of letters/digits/underscore; any other non-space run is punctuation.
# The same rule as HF tokenizers' ``Whitespace`` pre-tokenizer.
_WORD_PATTERN = re.compile(r"\w+|[^\w\s]+")


def pre_tokenize(text: str, lowercase: bool = True) -> list[str]:
    """Split text into words and punctuation runs (lower-cased by default).

    Example:
        >>> pre_tokenize("Hello, world!!")
        ['hello', ',', 'world', '!!']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}: {text!r:.60}")
    return _WORD_PATTERN.findall(text.lower() if lowercase else text)


class WordTokenizer:
    """A word-level tokenizer with a vocabulary built from a corpus.

    Ids 0-3 are the special tokens ``<pad>``, ``<unk>``, ``<bos>``, ``<eos>``; the other words
    follow by decreasing frequency (ties in alphabetical order). Words outside the vocabulary
    become ``<unk>``. Introduced on Day 1.

    Example:
        >>> tok = WordTokenizer().build_vocabulary(["the cat sat", "the dog sat"], min_frequency=2)
        >>> tok.encode("The cat sat")
        [2, 5, 1, 4, 3]
        >>> tok.decode([2, 5, 1, 4, 3], skip_special_tokens=False)
        '<bos> the <unk> sat <eos>'
        >>> tok.vocab_size, tok.count_tokens("the cat sat")
        (6, 5)
    """

    def __init__(self, lowercase: bool = True, special_tokens: Sequence[str] = SPECIAL_TOKENS):
        special_tokens = tuple(special_tokens)
        if len(special_tokens) != 4 or len(set(special_tokens)) != 4:
            raise ValueError(
                f"special_tokens must be 4 distinct strings (pad, unk, bos, eos), got {special_tokens!r}"
            )
        self.lowercase = lowercase
        self.special_tokens = special_tokens
        self.pad_token, self.unk_token, self.bos_token, self.eos_token = special_tokens
        self.token_to_id: dict[str, int] = {}
        self.id_to_token: list[str] = []

    # ids of the special tokens, fixed by their position
    pad_id, unk_id, bos_id, eos_id = 0, 1, 2, 3

    def build_vocabulary(
        self, texts: Iterable[str], min_frequency: int = 1, max_vocab_size: int | None = None
    ) -> "WordTokenizer":
        """Count words in ``texts`` and keep those seen at least ``min_frequency`` times.

        ``max_vocab_size`` (special tokens included) keeps only the most frequent words.
        Returns ``self``, so that construction and training chain.

        Example:
            >>> WordTokenizer().build_vocabulary(["b a b", "c b a"]).id_to_token
            ['<pad>', '<unk>', '<bos>', '<eos>', 'b', 'a', 'c']
        """
        if isinstance(texts, str):
            raise TypeError("texts must be a list (or other iterable) of strings, not a single str; "
                            "wrap it: build_vocabulary([text])")
        if isinstance(min_frequency, bool) or not isinstance(min_frequency, int) or min_frequency < 1:
            raise ValueError(f"min_frequency must be an integer >= 1, got {min_frequency!r}")
        if max_vocab_size is not None and (not isinstance(max_vocab_size, int) or max_vocab_size < 4):
            raise ValueError(f"max_vocab_size must be None or an integer >= 4 (the special tokens), "
                             f"got {max_vocab_size!r}")
        counts: Counter[str] = Counter()
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] must be a str, got {type(text).__name__}: {text!r:.60}")
            counts.update(pre_tokenize(text, self.lowercase))
        kept = [w for w, c in counts.items() if c >= min_frequency and w not in self.special_tokens]
        kept.sort(key=lambda w: (-counts[w], w))  # most frequent first, ties alphabetical
        if max_vocab_size is not None:
            kept = kept[: max_vocab_size - len(self.special_tokens)]
        self.id_to_token = [*self.special_tokens, *kept]
        self.token_to_id = {token: i for i, token in enumerate(self.id_to_token)}
        return self

    @property
    def vocab_size(self) -> int:
        """Number of entries in the vocabulary, special tokens included (0 before training)."""
        return len(self.id_to_token)

    def _require_vocabulary(self) -> None:
        if not self.id_to_token:
            raise RuntimeError("this WordTokenizer has no vocabulary yet: "
                               "call build_vocabulary(texts) before encoding or decoding")

    def tokenize(self, text: str) -> list[str]:
        """Split ``text`` into vocabulary tokens, with unknown words replaced by ``<unk>``.

        Example:
            >>> WordTokenizer().build_vocabulary(["a b"]).tokenize("a c")
            ['a', '<unk>']
        """
        self._require_vocabulary()
        return [w if w in self.token_to_id else self.unk_token for w in pre_tokenize(text, self.lowercase)]

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        """Turn ``text`` into ids; with ``add_special_tokens`` wrap them in ``<bos>`` ... ``<eos>``."""
        self._require_vocabulary()
        if not isinstance(text, str):
            raise TypeError(f"encode expects a str, got {type(text).__name__}: {text!r:.60}")
        ids = [self.token_to_id.get(w, self.unk_id) for w in pre_tokenize(text, self.lowercase)]
        return [self.bos_id, *ids, self.eos_id] if add_special_tokens else ids

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True) -> str:
        """Turn ids back into text, words joined by single spaces.

        Word-level decoding is lossy: case, spacing and unknown words do not come back.
        """
        self._require_vocabulary()
        ids = check_ids(ids, lambda i: 0 <= i < self.vocab_size, self.vocab_size)
        first_word = len(self.special_tokens) if skip_special_tokens else 0
        return " ".join(self.id_to_token[i] for i in ids if i >= first_word)

    def count_tokens(self, text: str, add_special_tokens: bool = True) -> int:
        """Number of ids ``encode`` would return for ``text``."""
        return len(self.encode(text, add_special_tokens=add_special_tokens))

    def __repr__(self) -> str:
        return f"WordTokenizer(vocab_size={self.vocab_size}, lowercase={self.lowercase})"


from course_lib.bpe import BPETokenizer  # noqa: E402  (Day 2; imports nothing heavy)
