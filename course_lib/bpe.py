"""Byte-level byte-pair encoding (BPE): learn merges from text, encode any string, decode it back.

Implements BPE as Sennrich et al. (2016, "Neural Machine Translation of Rare Words with Subword
Units") adapted to bytes as in GPT-2 (Radford et al. 2019): the alphabet is the 256 byte values of
UTF-8, so no string ever needs an unknown token. Text is first split into chunks by a regex (GPT-2's
or GPT-4's), merges never cross a chunk, and registered special tokens are cut out before anything
else. Introduced on Day 2; the code follows karpathy/minbpe, with a faster trainer: each distinct
chunk is stored once with its count, and after a merge only the chunks holding the merged pair
(found through an index pair -> chunks) update the pair counts.

Checked against (``tests/test_bpe.py``): tiktoken's ``cl100k_base`` and ``o200k_base`` (merges
recovered from tiktoken's ranks give the same ids on randomized unicode and the course corpus), and
Hugging Face ``tokenizers`` (same ids from the same merge list; similar compression at equal vocab).
One known gap: the ``regex`` module knows Unicode 17, tiktoken's Rust regex Unicode 16, so letters new
in Unicode 17 (e.g. CJK Extension J) can be split differently from tiktoken.

Decisions: training ties go to the smallest pair ``(a, b)``; special-token text found in the input
is refused by default (``allowed_special="none_raise"``, a ``ValueError``, as in tiktoken and minbpe),
so user text never becomes a control token unless the caller says so; strings with lone surrogates (no UTF-8 form) are a
``ValueError``; ``vocab_size`` is the largest id + 1, unused ids included (tiktoken's ``n_vocab``).
Without a pattern the whole text is one chunk, rewritten at every merge (as in minbpe): slow on large
texts. Leaves out: normalization (Day 3), byte fallback, BPE dropout, parallel training.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from course_lib._ids import check_ids

__all__ = ["BPETokenizer", "GPT2_SPLIT_PATTERN", "GPT4_SPLIT_PATTERN", "tiktoken_encoding"]

#: GPT-2's pre-tokenization regex (openai/gpt-2 ``encoder.py``; also HF ``ByteLevel``'s).
GPT2_SPLIT_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
#: GPT-4's (tiktoken ``cl100k_base``): case-insensitive contractions, digits in groups of at most 3.
GPT4_SPLIT_PATTERN = (r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++"""
                      r"""[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""")
_PATTERNS = {"gpt2": GPT2_SPLIT_PATTERN, "gpt4": GPT4_SPLIT_PATTERN}
_CACHE_LIMIT = 100_000  # chunks remembered by encode before the cache starts over


def _merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace every occurrence of ``pair`` in ``ids``, left to right, by ``new_id``.

    Example:
        >>> _merge([1, 2, 3, 1, 2], (1, 2), 4)
        [4, 3, 4]
    """
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def _check_text(text: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}: {text!r:.60}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"text has a lone surrogate {text[e.start]!r} at index {e.start}, which has no "
                         "UTF-8 bytes; repair it first, e.g. text.encode('utf-16', 'surrogatepass')"
                         ".decode('utf-16', 'replace') as tiktoken does") from None


class BPETokenizer:
    """A byte-level BPE tokenizer: ids 0-255 are bytes, each merge adds one id. Introduced on Day 2.

    ``pattern`` splits text into chunks before BPE: ``None`` (the whole text is one chunk), ``"gpt2"``,
    ``"gpt4"`` or any regex for the ``regex`` module. ``special_tokens`` maps strings such as
    ``"<|endoftext|>"`` to ids above the merges, like minbpe's ``register_special_tokens``.

    Example (the textbook example, Wikipedia's "Byte pair encoding"):
        >>> tok = BPETokenizer()
        >>> tok.train("aaabdaaabac", vocab_size=256 + 3)
        >>> tok.merges
        {(97, 97): 256, (97, 98): 257, (256, 257): 258}
        >>> tok.encode("aaabdaaabac")
        [258, 100, 258, 97, 99]
        >>> tok.decode([258, 100]), tok.vocab[258]
        ('aaabd', b'aaab')
    """

    def __init__(self, pattern: str | None = None, special_tokens: dict[str, int] | None = None):
        if pattern is not None and not isinstance(pattern, str):
            raise TypeError(f"pattern must be None, 'gpt2', 'gpt4' or a regex str, got {pattern!r:.60}")
        self.pattern = pattern
        self._regex = None
        if pattern is not None:
            try:
                import regex  # the stdlib `re` has no \p{L}; `regex` comes with tiktoken and transformers
            except ImportError:
                raise ImportError("a pre-tokenization pattern needs the `regex` module: pip install regex") \
                    from None
            try:
                self._regex = regex.compile(_PATTERNS.get(pattern, pattern))
            except regex.error as e:
                raise ValueError(f"pattern {pattern!r:.80} is not a valid regex: {e}") from None
        special_tokens = dict(special_tokens or {})
        for token, i in special_tokens.items():
            if not isinstance(token, str) or not token:
                raise ValueError(f"special token {token!r} must be a non-empty str")
            if isinstance(i, bool) or not isinstance(i, int) or i < 256:
                raise ValueError(f"special token {token!r} has id {i!r}: expected an int >= 256 "
                                 "(0-255 are the bytes)")
        if len(set(special_tokens.values())) != len(special_tokens):
            raise ValueError(f"special tokens must have distinct ids, got {special_tokens!r}")
        self.special_tokens = special_tokens
        self._set_merges({}, list(range(256)))

    def _set_merges(self, merges: dict[tuple[int, int], int], byte_ids: list[int]) -> None:
        """Install merges (in priority order) and the id of each byte; rebuild the vocabulary."""
        self._merges, self._byte_ids = dict(merges), list(byte_ids)
        self._ranks = {pair: rank for rank, pair in enumerate(self._merges)}
        self._cache: dict[str, list[int]] = {}
        self.vocab: dict[int, bytes] = {i: bytes([b]) for b, i in enumerate(self._byte_ids)}  # id -> bytes
        for (a, b), new_id in self._merges.items():
            self.vocab[new_id] = self.vocab[a] + self.vocab[b]
        clash = {t: i for t, i in self.special_tokens.items() if i in self.vocab}
        if clash:
            raise ValueError(f"special token ids {clash} collide with byte/merge ids 0-{max(self.vocab)}")
        self.vocab.update({i: t.encode("utf-8") for t, i in self.special_tokens.items()})
        self._vocab_size = max(self.vocab) + 1

    @property
    def merges(self) -> dict[tuple[int, int], int]:
        """The merges in the order they apply: ``(a, b) -> new id`` (a copy)."""
        return dict(self._merges)

    @property
    def vocab_size(self) -> int:
        """The rows an embedding table needs: the largest id + 1 (tiktoken's ``n_vocab``)."""
        return self._vocab_size

    def _pre_tokenize(self, text: str) -> list[str]:
        if self._regex is None:
            return [text] if text else []
        return self._regex.findall(text)

    def _split_special(self, text: str, allowed: set[str]) -> list[tuple[str, bool]]:
        """Cut ``text`` at the allowed special tokens: ``[(piece, is_special), ...]``."""
        if not allowed:
            return [(text, False)]
        longest_first = sorted(allowed, key=len, reverse=True)
        parts = re.split("(" + "|".join(map(re.escape, longest_first)) + ")", text)
        return [(p, i % 2 == 1) for i, p in enumerate(parts)]  # odd positions: the special tokens

    def train(self, text: str, vocab_size: int, verbose: bool = False) -> None:
        """Learn ``vocab_size - 256`` merges from ``text`` (fewer if the text runs out of pairs).

        Each step merges the most frequent adjacent pair; ties go to the smallest pair ``(a, b)``,
        so training is deterministic. Special tokens are cut out of ``text`` first.

        Example:
            >>> tok = BPETokenizer("gpt2")
            >>> tok.train("low lower lowest", vocab_size=258)
            >>> [tok.vocab[i] for i in tok.merges.values()]
            [b'lo', b'low']
        """
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 256:
            raise ValueError(f"vocab_size must be an int >= 256 (the byte tokens), got {vocab_size!r}")
        _check_text(text)
        low = {t: i for t, i in self.special_tokens.items() if i < vocab_size}
        if low:
            raise ValueError(f"special token ids {low} must be >= vocab_size {vocab_size}, above the merges")
        counts = Counter(chunk for piece, special in self._split_special(text, set(self.special_tokens))
                         if not special for chunk in self._pre_tokenize(piece))
        words = [list(chunk.encode("utf-8")) for chunk in counts]  # each distinct chunk once ...
        freqs = list(counts.values())  # ... with its count
        stats: Counter[tuple[int, int]] = Counter()  # pair -> occurrences in the text
        where: defaultdict[tuple[int, int], set[int]] = defaultdict(set)  # pair -> chunks holding it
        for w, (word, freq) in enumerate(zip(words, freqs)):
            for pair in zip(word, word[1:]):
                stats[pair] += freq
                where[pair].add(w)
        merges: dict[tuple[int, int], int] = {}
        vocab = {i: bytes([i]) for i in range(256)}  # for verbose
        for new_id in range(256, vocab_size):
            if not stats:
                break
            top = max(stats.values())
            pair = min(p for p, c in stats.items() if c == top)  # ties: smallest pair
            merges[pair] = new_id
            vocab[new_id] = vocab[pair[0]] + vocab[pair[1]]
            for w in where.pop(pair):  # only the chunks holding the pair change
                old, freq = words[w], freqs[w]
                words[w] = new = _merge(old, pair, new_id)
                if len(new) == len(old):
                    continue  # a stale index entry: the chunk lost this pair earlier
                for p in zip(old, old[1:]):
                    stats[p] -= freq
                    if not stats[p]:
                        del stats[p]
                for p in zip(new, new[1:]):
                    stats[p] += freq
                    where[p].add(w)
            if verbose:
                print(f"merge {new_id - 255}/{vocab_size - 256}: {pair} -> {new_id} "
                      f"{vocab[new_id]!r} had {top} occurrences")
        self._set_merges(merges, list(range(256)))

    def _encode_chunk(self, chunk: bytes) -> list[int]:
        ids = [self._byte_ids[b] for b in chunk]
        while len(ids) >= 2:
            pair = min(zip(ids, ids[1:]), key=lambda p: self._ranks.get(p, float("inf")))
            if pair not in self._ranks:
                break  # nothing left to merge
            ids = _merge(ids, pair, self._merges[pair])
        return ids

    def encode(self, text: str, allowed_special: str | Iterable[str] = "none_raise") -> list[int]:
        """Turn ``text`` into ids. Special-token text becomes a control id only where allowed.

        ``allowed_special`` says what to do with text that spells a registered special token:

        - ``"none_raise"`` (default, safe): raise a ``ValueError`` if the text holds any of them,
          as tiktoken's ``encode`` and minbpe do, so user input can never inject a control token;
        - ``"none"``: encode them as ordinary text (tiktoken's ``encode_ordinary``);
        - ``"all"``: every one becomes its control id (for text the application wrote itself);
        - a set of registered special tokens: those become control ids, the others ordinary text.

        Example:
            >>> tok = BPETokenizer(special_tokens={"<|end|>": 300})
            >>> tok.encode("hi<|end|>", allowed_special="all"), tok.encode("<|end|>", "none")[:2]
            ([104, 105, 300], [60, 124])
            >>> tok.encode("hi<|end|>")  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            ValueError: text holds the special token '<|end|>'; pass allowed_special='all' ...
        """
        _check_text(text)
        if allowed_special == "none_raise":
            found = [t for t in self.special_tokens if t in text]
            if found:
                raise ValueError(f"text holds the special token {found[0]!r}; pass allowed_special='all' "
                                 "(or a set) to encode it as a control token, or allowed_special='none' "
                                 "to encode it as ordinary text")
            allowed = set()
        elif allowed_special == "all":
            allowed = set(self.special_tokens)
        elif allowed_special == "none":
            allowed = set()
        elif isinstance(allowed_special, str):
            raise ValueError(f"allowed_special must be 'none_raise', 'none', 'all' or a set of registered "
                             f"special tokens, got the str {allowed_special!r:.80}")
        else:
            allowed = set(allowed_special)
            if not allowed <= set(self.special_tokens):
                raise ValueError(f"allowed_special must be 'none_raise', 'none', 'all' or a set of registered "
                                 f"special tokens {sorted(self.special_tokens)}, got {allowed_special!r:.80}")
        ids: list[int] = []
        for piece, special in self._split_special(text, allowed):
            if special:
                ids.append(self.special_tokens[piece])
                continue
            for chunk in self._pre_tokenize(piece):
                chunk_ids = self._cache.get(chunk)
                if chunk_ids is None:
                    if len(self._cache) >= _CACHE_LIMIT:
                        self._cache.clear()
                    chunk_ids = self._cache[chunk] = self._encode_chunk(chunk.encode("utf-8"))
                ids.extend(chunk_ids)
        return ids

    def decode_bytes(self, ids: Sequence[int]) -> bytes:
        """The bytes behind ``ids``; a token can hold part of a character: ``b'\\xe2'``."""
        return b"".join(self.vocab[i] for i in check_ids(ids, self.vocab.__contains__, self.vocab_size))

    def decode(self, ids: Sequence[int]) -> str:
        """Turn ids back into text; bytes that are not valid UTF-8 become U+FFFD (like tiktoken).

        Example:
            >>> tok = BPETokenizer()
            >>> tok.decode(tok.encode("naïve 🙂")), tok.decode([240, 159])
            ('naïve 🙂', '�')
        """
        return self.decode_bytes(ids).decode("utf-8", errors="replace")

    @classmethod
    def from_merges(cls, merges: dict[tuple[int, int], int], byte_ids: Sequence[int] | None = None,
                    pattern: str | None = None, special_tokens: dict[str, int] | None = None) -> BPETokenizer:
        """Build a tokenizer from merges ``(a, b) -> new id`` in priority order.

        ``byte_ids[b]`` is the id of byte ``b`` (default: ``b`` itself; tiktoken shuffles them).

        Example:
            >>> BPETokenizer.from_merges({(104, 105): 256}).encode("hi!")
            [256, 33]
        """
        byte_ids = list(range(256)) if byte_ids is None else [int(i) for i in byte_ids]
        if len(byte_ids) != 256 or len(set(byte_ids)) != 256:
            raise ValueError(f"byte_ids must be 256 distinct ids, got {len(byte_ids)} "
                             f"({len(set(byte_ids))} distinct)")
        known, byte_set = set(byte_ids), set(byte_ids)
        for (a, b), new_id in merges.items():
            if a not in known or b not in known or new_id in byte_set:
                raise ValueError(f"merge ({a}, {b}) -> {new_id} uses an id not defined before it "
                                 "or makes a byte id")
            known.add(new_id)
        tok = cls(pattern, special_tokens)
        tok._set_merges(merges, byte_ids)
        return tok

    @classmethod
    def from_tiktoken(cls, name: str = "cl100k_base") -> BPETokenizer:
        """Rebuild a tiktoken encoding (``"cl100k_base"``, ``"o200k_base"``) as merges; same ids.

        tiktoken stores ranks, not merges: each token's merge is found by running BPE on its bytes
        with only the lower ranks (minbpe's ``recover_merges``); 1-3 s. Offline via :func:`tiktoken_encoding`.

        Example (skipped by doctest for time; ``tests/test_bpe.py`` checks it against tiktoken):
            >>> tok = BPETokenizer.from_tiktoken("cl100k_base")  # doctest: +SKIP
            >>> tok.encode("hello world"), len(tok.merges), tok.vocab_size  # doctest: +SKIP
            ([15339, 1917], 100000, 100277)
        """
        enc = tiktoken_encoding(name)
        ranks: dict[bytes, int] = enc._mergeable_ranks
        merges = {}
        for token, rank in sorted(ranks.items(), key=lambda item: item[1]):
            if len(token) > 1:
                left, right = _recover_pair(ranks, token, rank)
                merges[ranks[left], ranks[right]] = rank
        byte_ids = [ranks[bytes([b])] for b in range(256)]
        return cls.from_merges(merges, byte_ids, enc._pat_str, dict(enc._special_tokens))

    def save(self, path: str | os.PathLike) -> None:
        """Write the tokenizer as JSON: ``{"format": "course_lib.bpe/1", "pattern", "special_tokens",
        "byte_ids": [256 ids], "merges": [[a, b, new_id], ...]}``, merges in priority order.

        Example:
            >>> import tempfile
            >>> tok = BPETokenizer("gpt2", special_tokens={"<|end|>": 300})
            >>> tok.train("hello hello", 257)
            >>> with tempfile.TemporaryDirectory() as folder:
            ...     tok.save(Path(folder) / "tok.json")
            ...     again = BPETokenizer.load(Path(folder) / "tok.json")
            >>> again.merges, again.special_tokens, again.pattern
            ({(101, 108): 256}, {'<|end|>': 300}, 'gpt2')
        """
        state = {"format": "course_lib.bpe/1", "pattern": self.pattern, "special_tokens": self.special_tokens,
                 "byte_ids": self._byte_ids, "merges": [[a, b, i] for (a, b), i in self._merges.items()]}
        Path(path).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | os.PathLike) -> BPETokenizer:
        """Read a tokenizer written by :meth:`save`."""
        state = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(state, dict) or state.get("format") != "course_lib.bpe/1":
            raise ValueError(f"{path} is not a course_lib.bpe/1 file (written by BPETokenizer.save)")
        merges = {(a, b): i for a, b, i in state["merges"]}
        return cls.from_merges(merges, state["byte_ids"], state["pattern"], state["special_tokens"])

    def __repr__(self) -> str:
        return (f"BPETokenizer(pattern={self.pattern!r:.40}, vocab_size={self.vocab_size}, "
                f"merges={len(self._merges)}, special_tokens={len(self.special_tokens)})")


def _recover_pair(ranks: dict[bytes, int], token: bytes, max_rank: int) -> tuple[bytes, bytes]:
    """Run tiktoken's BPE on ``token`` with ranks below ``max_rank``; the two parts left are its merge."""
    parts = [bytes([b]) for b in token]
    while len(parts) > 2:
        best = None
        for i in range(len(parts) - 1):
            rank = ranks.get(parts[i] + parts[i + 1])
            if rank is not None and rank < max_rank and (best is None or rank < best[0]):
                best = (rank, i)
        if best is None:
            raise ValueError(f"these ranks are not a BPE vocabulary: token {token!r} (rank {max_rank}) "
                             "cannot be built from lower-ranked tokens")
        i = best[1]
        parts[i:i + 2] = [parts[i] + parts[i + 1]]
    return parts[0], parts[1]


def tiktoken_encoding(name: str):
    """tiktoken's encoding ``name``, read offline from llama-index-core's bundled files if installed.

    tiktoken looks in ``TIKTOKEN_CACHE_DIR`` for a file named by the sha1 of the download URL;
    llama-index-core ships ``cl100k_base`` and ``o200k_base`` so, in ``llama_index/core/_static/
    tiktoken_cache``. A ``TIKTOKEN_CACHE_DIR`` you set yourself wins; without either, tiktoken downloads.

    Example:
        >>> tiktoken_encoding("cl100k_base").encode("hello world")
        [15339, 1917]
    """
    import importlib.util

    import tiktoken

    spec = importlib.util.find_spec("llama_index.core") if importlib.util.find_spec("llama_index") else None
    if spec is None or "TIKTOKEN_CACHE_DIR" in os.environ:
        return tiktoken.get_encoding(name)
    folder = spec.submodule_search_locations[0]
    os.environ["TIKTOKEN_CACHE_DIR"] = os.path.join(folder, "_static", "tiktoken_cache")
    try:
        return tiktoken.get_encoding(name)
    finally:
        del os.environ["TIKTOKEN_CACHE_DIR"]
