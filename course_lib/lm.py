"""A count-based n-gram language model: the simplest next-token predictor there is.

An n-gram model predicts the next token from the ``n - 1`` tokens before it, with probabilities
estimated by counting (Shannon 1948; Jurafsky & Martin, *Speech and Language Processing*, ch. 3):

    P(w | context) = (count(context, w) + k) / (count(context) + k * V)

where ``V`` is the vocabulary size and ``k`` the add-k smoothing constant (``k = 1`` is Laplace
smoothing, ``k = 0`` the maximum-likelihood estimate). Every sequence is padded on the left with
``n - 1`` beginning-of-sequence tokens and closed by an end-of-sequence token, so the model also
learns how texts start and when they stop. It has the same interface as the neural models of
later days: :meth:`NGramLM.next_token_logits` maps a context to one score per vocabulary entry.
Introduced on Day 4.

Checked against: hand-computed counts on tiny corpora, and ``torch.nn.functional.cross_entropy``
on the model's own logits for the perplexity (``tests/test_lm.py``).

:class:`InterpolatedLM` mixes the orders 1 to n (Jelinek-Mercer interpolation, Jurafsky & Martin
3.6): P(w | a, b) = l3 P3(w | a, b) + l2 P2(w | b) + l1 P1(w), so a longer context helps where
it was seen and the shorter ones fill in where it was not. Checked against a hand-written mixture
of the separate :class:`NGramLM` models.

Leaves out: Katz back-off and Kneser-Ney smoothing, pruning, tuning the weights by EM, and any
sharing between similar contexts: for a plain :class:`NGramLM` a context never seen in training
gets the uniform distribution.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from course_lib.generation import greedy, sample_next

__all__ = ["NGramConfig", "NGramLM", "InterpolatedLM"]


@dataclass(frozen=True)
class NGramConfig:
    """Settings of an :class:`NGramLM`."""

    n: int = 2  # order: the model looks n - 1 tokens back (1 = unigram, 2 = bigram, ...)
    k: float = 1.0  # add-k smoothing: k pretend sightings of every (context, token) pair; 0 = MLE
    bos: Hashable = "<bos>"  # pads the context on the left; never predicted
    eos: Hashable = "<eos>"  # closes every sequence; predicting it ends generation

    def __post_init__(self) -> None:
        if isinstance(self.n, bool) or not isinstance(self.n, int) or self.n < 1:
            raise ValueError(f"n must be an integer >= 1 (1 = unigram, 2 = bigram), got {self.n!r}")
        if isinstance(self.k, bool) or not isinstance(self.k, (int, float)) or not 0 <= self.k < math.inf:
            raise ValueError(f"k must be a finite number >= 0 (0 = no smoothing), got {self.k!r}")
        if self.bos == self.eos:
            raise ValueError(f"bos and eos must differ, got {self.bos!r} for both")


class NGramLM:
    """Count-based n-gram language model with add-k smoothing, over words or token ids.

    ``vocab`` fixes the tokens the model can predict (for ids, ``range(tokenizer.vocab_size)``);
    without it the vocabulary is every token seen by :meth:`fit` plus ``eos``, in order of first
    appearance. Sequences are given *without* ``bos``/``eos``: the model adds them. Day 4.

    Example:
        >>> lm = NGramLM(n=2, k=0).fit([["the", "cat"], ["the", "dog"]])
        >>> lm.vocab
        ('<eos>', 'the', 'cat', 'dog')
        >>> lm.prob("cat", ["the"]), lm.prob("the", []), lm.prob("<eos>", ["dog"])
        (0.5, 1.0, 1.0)
        >>> round(lm.perplexity([["the", "cat"]]), 4)  # 1 * 0.5 * 1 over 3 predictions
        1.2599
    """

    def __init__(self, n: int = 2, k: float = 1.0, bos: Hashable = "<bos>", eos: Hashable = "<eos>",
                 vocab: Iterable[Hashable] | None = None):
        self.config = NGramConfig(n=n, k=k, bos=bos, eos=eos)
        self._fixed_vocab = None if vocab is None else self._check_vocab(vocab)
        self.vocab: tuple = self._fixed_vocab or ()
        self.index: dict = {token: i for i, token in enumerate(self.vocab)}
        self.counts: dict[tuple, Counter] = {}  # context (n - 1 tokens) -> Counter of the next tokens
        self.totals: Counter = Counter()  # context -> how many times it was followed by anything

    def _check_vocab(self, vocab: Iterable[Hashable]) -> tuple:
        if isinstance(vocab, (str, bytes)):
            raise TypeError(f"vocab must be a list of tokens (or a range of ids), not a single string: {vocab!r:.60}")
        vocab = tuple(vocab)
        if len(set(vocab)) != len(vocab):
            raise ValueError(f"vocab must not repeat tokens, got {len(vocab)} entries, {len(set(vocab))} distinct")
        if self.config.eos not in vocab:
            raise ValueError(f"vocab must contain eos={self.config.eos!r} (the model predicts it)")
        return vocab

    # convenient read-only views of the config
    n = property(lambda self: self.config.n)
    k = property(lambda self: self.config.k)
    bos = property(lambda self: self.config.bos)
    eos = property(lambda self: self.config.eos)

    @property
    def vocab_size(self) -> int:
        """Number of tokens the model can predict (``eos`` included)."""
        return len(self.vocab)

    def _check_sequence(self, sequence: Sequence[Hashable], what: str) -> list:
        if isinstance(sequence, (str, bytes)) or not isinstance(sequence, Iterable):
            raise TypeError(f"{what} must be a list of tokens, not {type(sequence).__name__}: {sequence!r:.60}; "
                            "split text into tokens first (for example with pre_tokenize)")
        return [t.item() if hasattr(t, "item") else t for t in sequence]  # numpy/torch scalars -> Python

    def _context(self, context: Sequence[Hashable]) -> tuple:
        """The last n - 1 tokens of ``context``, padded on the left with bos."""
        width = self.n - 1
        context = self._check_sequence(context, "context")
        padded = [self.bos] * max(0, width - len(context)) + context
        return tuple(padded[len(padded) - width:]) if width else ()

    def fit(self, sequences: Iterable[Sequence[Hashable]]) -> "NGramLM":
        """Count every (context, next token) pair in ``sequences``; returns ``self``.

        Example:
            >>> lm = NGramLM(n=3, k=1).fit([["a", "b", "a"]])
            >>> lm.counts[("<bos>", "<bos>")], lm.counts[("b", "a")]
            (Counter({'a': 1}), Counter({'<eos>': 1}))
        """
        if isinstance(sequences, (str, bytes)):
            raise TypeError("sequences must be a list of token lists, not a single string")
        checked = [self._check_sequence(s, f"sequences[{i}]") for i, s in enumerate(sequences)]
        for i, sequence in enumerate(checked):
            for token in (self.bos, self.eos):
                if token in sequence:
                    raise ValueError(f"sequences[{i}] contains {token!r}: give sequences without bos/eos, "
                                     "the model adds them")
        if self._fixed_vocab is None:
            seen = dict.fromkeys([self.eos])
            for sequence in checked:
                seen.update(dict.fromkeys(sequence))
            self.vocab = tuple(seen)
            self.index = {token: i for i, token in enumerate(self.vocab)}
        self.counts, self.totals = {}, Counter()
        for i, sequence in enumerate(checked):
            self._require_known(sequence, f"sequences[{i}]")
            padded = [self.bos] * (self.n - 1) + sequence + [self.eos]
            for end in range(self.n - 1, len(padded)):
                context = tuple(padded[end - self.n + 1:end])
                self.counts.setdefault(context, Counter())[padded[end]] += 1
                self.totals[context] += 1
        return self

    def _require_known(self, tokens: Sequence[Hashable], what: str) -> None:
        for position, token in enumerate(tokens):
            if token not in self.index:
                raise ValueError(f"{what}[{position}] = {token!r} is not in the model's vocabulary "
                                 f"of {self.vocab_size} tokens")

    def _require_vocab(self) -> None:
        if not self.vocab:
            raise RuntimeError("this NGramLM has no vocabulary yet: call fit(sequences) first, or pass vocab=")

    def next_token_logits(self, context: Sequence[Hashable]) -> np.ndarray:
        """Log-probabilities of every vocabulary entry after ``context`` (one score per entry).

        Only the last ``n - 1`` tokens matter; a shorter context is read as the start of a text.
        ``softmax`` of the result gives the probabilities back. An unseen context (or, with
        ``k = 0``, any context never seen in training) gets the uniform distribution.

        Example:
            >>> lm = NGramLM(n=2, k=1).fit([["a", "b"]])
            >>> np.exp(lm.next_token_logits(["a"])).round(3).tolist()  # vocab ('<eos>', 'a', 'b')
            [0.25, 0.25, 0.5]
        """
        self._require_vocab()
        key = self._context(context)
        counts = np.zeros(self.vocab_size)
        for token, count in self.counts.get(key, {}).items():
            counts[self.index[token]] = count
        total = self.totals.get(key, 0)
        if total == 0:  # unseen context: nothing to go on, every token equally likely
            return np.full(self.vocab_size, -math.log(self.vocab_size))
        with np.errstate(divide="ignore"):  # k = 0: unseen tokens get log(0) = -inf
            return np.log(counts + self.k) - math.log(total + self.k * self.vocab_size)

    def prob(self, token: Hashable, context: Sequence[Hashable]) -> float:
        """P(token | the last n - 1 tokens of context), add-k smoothed.

        Example:
            >>> NGramLM(n=2, k=1).fit([["a", "b"]]).prob("b", ["a"])  # (1 + 1) / (1 + 3)
            0.5
        """
        self._require_vocab()
        if token not in self.index:
            raise ValueError(f"token {token!r} is not in the model's vocabulary of {self.vocab_size} tokens")
        key = self._context(context)
        total = self.totals.get(key, 0)
        if total == 0:
            return 1 / self.vocab_size
        return (self.counts[key][token] + self.k) / (total + self.k * self.vocab_size)

    def cross_entropy(self, sequences: Iterable[Sequence[Hashable]]) -> float:
        """Mean negative log-probability (nats) of every token of ``sequences``, ``eos`` included.

        Example:
            >>> lm = NGramLM(n=1, k=0).fit([["a", "a", "b"]])  # P(a) = 1/2, P(b) = P(<eos>) = 1/4
            >>> round(lm.cross_entropy([["a"]]), 4)  # -(log 1/2 + log 1/4) / 2
            1.0397
        """
        self._require_vocab()
        if isinstance(sequences, (str, bytes)):
            raise TypeError("sequences must be a list of token lists, not a single string")
        total_nll, predictions = 0.0, 0
        for i, sequence in enumerate(sequences):
            sequence = self._check_sequence(sequence, f"sequences[{i}]")
            self._require_known(sequence, f"sequences[{i}]")
            padded = [self.bos] * (self.n - 1) + sequence + [self.eos]
            for end in range(self.n - 1, len(padded)):
                p = self.prob(padded[end], padded[end - self.n + 1:end])
                total_nll += math.inf if p == 0 else -math.log(p)
                predictions += 1
        if predictions == 0:
            raise ValueError("sequences is empty: there is nothing to score")
        return total_nll / predictions

    def perplexity(self, sequences: Iterable[Sequence[Hashable]]) -> float:
        """``exp(cross_entropy)``: the number of equally likely choices the model is as unsure as.

        A model that spreads its bets evenly over ``V`` tokens has perplexity ``V``; a perfect one 1.

        Example:
            >>> lm = NGramLM(n=2, vocab=["<eos>", "x", "y", "z"]).fit([])  # no data: uniform
            >>> round(lm.perplexity([["x", "z", "y"]]), 6)
            4.0
        """
        return math.exp(self.cross_entropy(sequences))

    def generate(self, context: Sequence[Hashable] = (), max_new_tokens: int = 20, temperature: float = 1.0,
                 seed: int | None = 0) -> list:
        """Continue ``context`` one token at a time until ``eos`` or ``max_new_tokens`` new tokens.

        Temperature 0 is greedy decoding; a fixed ``seed`` gives the same text every time. Returns
        the new tokens only, without ``eos``.

        Example:
            >>> lm = NGramLM(n=2, k=0).fit([["a", "b", "c"]])
            >>> lm.generate(["a"], max_new_tokens=5, temperature=0)
            ['b', 'c']
        """
        self._require_vocab()
        if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 0:
            raise ValueError(f"max_new_tokens must be an integer >= 0, got {max_new_tokens!r}")
        rng = np.random.default_rng(seed)
        tokens = self._check_sequence(context, "context")
        new: list = []
        for _ in range(max_new_tokens):
            logits = self.next_token_logits(tokens)  # the model sees only the tokens so far
            choice = self.vocab[greedy(logits) if temperature == 0 else sample_next(logits, temperature, rng)]
            if choice == self.eos:
                break
            new.append(choice)
            tokens.append(choice)
        return new

    def __repr__(self) -> str:
        return (f"NGramLM(n={self.n}, k={self.k}, vocab_size={self.vocab_size}, "
                f"contexts={len(self.counts)})")


class InterpolatedLM(NGramLM):
    """A weighted mixture of the n-gram models of orders 1 to ``len(weights)`` (Jelinek-Mercer).

    ``P(w | context) = sum_j weights[j - 1] * P_j(w | last j - 1 tokens)``, each ``P_j`` an
    :class:`NGramLM`: the unigram add-k smoothed (so every token keeps some probability), the
    longer orders plain counts (``k = 0``), which predict only what was seen in that context. Where an order's context was never seen in training that order has
    nothing to say: its weight goes to the others (weights renormalized over the seen contexts),
    so an unseen trigram context falls back on the bigram and unigram. Day 4.

    Example:
        >>> lm = InterpolatedLM([0.2, 0.8], k=0).fit([["a", "b"], ["a", "a"]])  # k: the unigram's
        >>> lm.vocab, lm.prob("b", ["a"])  # 0.2 * P1(b) + 0.8 * P2(b | a) = 0.2 * 1/6 + 0.8 * 1/3
        (('<eos>', 'a', 'b'), 0.3)
        >>> round(lm.prob("a", ["b"]), 4)  # 'b' was only ever followed by <eos>: 0.2 * P1(a)
        0.1
    """

    def __init__(self, weights: Sequence[float], k: float = 0.01, bos: Hashable = "<bos>",
                 eos: Hashable = "<eos>", vocab: Iterable[Hashable] | None = None):
        if isinstance(weights, (str, bytes)) or not isinstance(weights, Iterable):
            raise TypeError(f"weights must be a list of numbers (one per order, unigram first), got {weights!r:.60}")
        weights = tuple(weights)
        if not weights or not all(isinstance(w, (int, float)) and not isinstance(w, bool)
                                  and 0 <= w < math.inf for w in weights):
            raise ValueError(f"weights must be a non-empty list of finite numbers >= 0, got {weights!r}")
        if not math.isclose(sum(weights), 1.0, rel_tol=1e-9):
            raise ValueError(f"weights must sum to 1, got {weights!r} (sum {sum(weights)})")
        super().__init__(n=len(weights), k=k, bos=bos, eos=eos, vocab=vocab)
        self.weights = tuple(float(w) for w in weights)
        self.models = [NGramLM(j, k=k if j == 1 else 0, bos=bos, eos=eos, vocab=self._fixed_vocab)
                       for j in range(1, len(weights) + 1)]  # orders 1 .. n; only the unigram smoothed

    def fit(self, sequences: Iterable[Sequence[Hashable]]) -> "InterpolatedLM":
        """Fit every order on ``sequences``; returns ``self``."""
        if isinstance(sequences, (str, bytes)):
            raise TypeError("sequences must be a list of token lists, not a single string")
        sequences = list(sequences)
        for model in self.models:
            model.fit(sequences)
        top = self.models[-1]
        self.vocab, self.index, self.counts, self.totals = top.vocab, top.index, top.counts, top.totals
        return self

    def _mixture(self, context: Sequence[Hashable]) -> list[tuple[float, NGramLM]]:
        """(weight, model) for the orders whose context was seen, weights summing to 1."""
        context = self._check_sequence(context, "context")
        seen = [(w, m) for w, m in zip(self.weights, self.models)
                if w > 0 and m.totals.get(m._context(context), 0) > 0]
        if not seen:  # nothing was seen (no data): every order is uniform anyway
            return [(1.0, self.models[0])]
        total = sum(w for w, _ in seen)
        return [(w / total, m) for w, m in seen]

    def next_token_logits(self, context: Sequence[Hashable]) -> np.ndarray:
        """Log of the mixed probabilities of every vocabulary entry after ``context``."""
        self._require_vocab()
        probs = sum(w * np.exp(m.next_token_logits(context)) for w, m in self._mixture(context))
        with np.errstate(divide="ignore"):
            return np.log(probs)

    def prob(self, token: Hashable, context: Sequence[Hashable]) -> float:
        """The mixed probability of ``token`` after ``context``."""
        self._require_vocab()
        return sum(w * m.prob(token, context) for w, m in self._mixture(context))

    def __repr__(self) -> str:
        return f"InterpolatedLM(weights={self.weights}, k={self.k}, vocab_size={self.vocab_size})"
