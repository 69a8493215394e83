"""Quality measures for generated text: perplexity, BLEU, ROUGE-1/2/L and distinct-n (Day 12).

* :func:`perplexity` - how surprised a model is by a token sequence: ``exp(mean negative log-likelihood)``.
* :func:`bleu` - corpus BLEU (Papineni et al. 2002) with sacrebleu's defaults (Post 2018): 13a
  tokenization, clipped n-gram precisions up to 4, their geometric mean, a brevity penalty against the
  closest reference length, and the "exp" smoothing of mteval-v13a for orders with no match.
* :func:`rouge_n`, :func:`rouge_l` - ROUGE (Lin 2004): n-gram / longest-common-subsequence overlap with one
  reference as precision, recall and F1, on rouge-score's tokens (lowercase ASCII letters and digits).
* :func:`distinct_n` - diversity (Li et al. 2016): distinct n-grams / all n-grams over a set of texts.

Checked against (``tests/test_generation_metrics.py``): ``transformers``' language-model loss
(``exp(model(ids, labels=ids).loss)``), ``sacrebleu.corpus_bleu`` (2.6.0) and ``rouge_score``'s
``RougeScorer`` (0.1.2, ``use_stemmer=False``) on randomized texts, and a brute-force distinct-n. Leaves out:
sentence-level BLEU's effective order, other BLEU tokenizers and smoothings, ROUGE stemming and ROUGE-Lsum,
model-based metrics (BERTScore, MAUVE).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["perplexity", "bleu", "bleu_tokenize", "ngram_counts", "rouge_n", "rouge_l", "rouge_tokenize",
           "RougeScore", "distinct_n"]


def _check_n(n: Any, name: str = "n") -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{name} must be an int >= 1, got {n!r}")


def _check_texts(texts: Any, name: str) -> list:
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"{name} must be a list of texts, got {type(texts).__name__}: {texts!r:.60}")
    return list(texts)


def ngram_counts(tokens: Sequence[Any], n: int) -> Counter:
    """How often each n-gram (a tuple of ``n`` consecutive tokens) occurs in ``tokens``.

    Example:
        >>> ngram_counts(["a", "b", "a", "b"], 2)
        Counter({('a', 'b'): 2, ('b', 'a'): 1})
    """
    _check_n(n)
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def perplexity(model: Any, input_ids: Any, prompt_length: int = 0) -> float:
    """``exp`` of the mean negative log-likelihood ``model`` gives the tokens of ``input_ids (B, T)`` after
    the first ``prompt_length`` (each predicted from all tokens before it; the first token is never scored).

    ``model`` maps ids ``(B, T)`` to logits ``(B, T, vocab)`` (our GPT, or a ``transformers`` model: its
    ``.logits``); the mean runs over every scored token of every row (a corpus perplexity). A model that
    spreads its bets evenly over ``V`` tokens scores ``V``; a perfect one 1.

    Example:
        >>> import torch
        >>> uniform = lambda ids: torch.zeros(ids.shape[0], ids.shape[1], 7)  # every token: probability 1/7
        >>> round(perplexity(uniform, torch.tensor([[1, 2, 3, 4]])), 6)
        7.0
    """
    import torch

    if not isinstance(input_ids, torch.Tensor) or input_ids.dtype != torch.long or input_ids.ndim != 2:
        raise ValueError(f"input_ids must be a (batch, time) int64 tensor, got "
                         f"{getattr(input_ids, 'dtype', type(input_ids).__name__)} "
                         f"{tuple(getattr(input_ids, 'shape', ()))}")
    start = max(prompt_length, 1) if isinstance(prompt_length, int) and not isinstance(prompt_length, bool) else -1
    if not 0 <= start < input_ids.shape[1]:
        raise ValueError(f"prompt_length must be an int in [0, {input_ids.shape[1] - 1}] (at least one token to "
                         f"score), got {prompt_length!r}")
    with torch.no_grad():
        out = model(input_ids)
    logits = out.logits if hasattr(out, "logits") else out  # (B, T, V)
    log_probs = torch.log_softmax(logits[:, start - 1:-1].double(), dim=-1)  # (B, T - start, V) predictions
    targets = input_ids[:, start:, None]  # (B, T - start, 1) what came next
    return math.exp(-log_probs.gather(-1, targets).mean().item())


_BLEU_RULES = [  # sacrebleu's 13a tokenizer (mteval-v13a.pl): split off punctuation and symbols
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),  # period and comma, unless after a digit
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),  # or before one
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),  # a dash after a digit
]


def bleu_tokenize(text: str) -> list[str]:
    """Tokens as BLEU's standard "13a" tokenizer splits them (punctuation apart; numbers and
    apostrophes kept inside words).

    Example:
        >>> bleu_tokenize("It costs $3.50, isn't it?")
        ['It', 'costs', '$', '3.50', ',', "isn't", 'it', '?']
    """
    line = text.rstrip().replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    for entity, char in (("&quot;", '"'), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">")):
        line = line.replace(entity, char)
    line = f" {line} "
    for pattern, replacement in _BLEU_RULES:
        line = pattern.sub(replacement, line)
    return line.split()


def _closest_length(hyp_len: int, ref_lens: list[int]) -> int:
    """The reference length closest to the hypothesis length (the shorter one on a tie)."""
    return min(ref_lens, key=lambda r: (abs(r - hyp_len), r))


def bleu(hypotheses: Sequence[str], references: Sequence[str | Sequence[str]], max_order: int = 4) -> float:
    """Corpus BLEU in [0, 100], equal to ``sacrebleu.corpus_bleu(hypotheses, ...).score``.

    ``references[i]`` is the reference of ``hypotheses[i]`` (a string) or a list of references for it.
    (sacrebleu wants the transpose: one list per reference "stream".) Counts are summed over the corpus
    before the precisions are taken, so BLEU of a corpus is not the mean of sentence BLEUs.

    Example:
        >>> round(bleu(["the cat sat on the mat"], ["the cat sat on a mat"]), 2)
        53.73
    """
    hyps, refs = _check_texts(hypotheses, "hypotheses"), _check_texts(references, "references")
    if len(hyps) != len(refs):
        raise ValueError(f"got {len(hyps)} hypotheses but {len(refs)} references: one entry each")
    _check_n(max_order, "max_order")
    correct, total = [0] * max_order, [0] * max_order
    sys_len = ref_len = 0
    for hyp, ref in zip(hyps, refs):
        ref_list = [ref] if isinstance(ref, str) else list(ref)
        if not isinstance(hyp, str) or not ref_list or not all(isinstance(r, str) for r in ref_list):
            raise TypeError(f"each hypothesis must be a str and each reference a str or a non-empty list of str, "
                            f"got {hyp!r:.40} / {ref!r:.40}")
        hyp_tokens, ref_tokens = bleu_tokenize(hyp), [bleu_tokenize(r) for r in ref_list]
        sys_len += len(hyp_tokens)
        ref_len += _closest_length(len(hyp_tokens), [len(r) for r in ref_tokens])
        for n in range(1, max_order + 1):
            hyp_counts = ngram_counts(hyp_tokens, n)
            best_ref = Counter()  # each n-gram may be matched as often as the most generous reference allows
            for r in ref_tokens:
                best_ref |= ngram_counts(r, n)
            correct[n - 1] += sum(min(c, best_ref[g]) for g, c in hyp_counts.items())
            total[n - 1] += sum(hyp_counts.values())
    return _bleu_from_counts(correct, total, sys_len, ref_len)


def _bleu_from_counts(correct: list[int], total: list[int], sys_len: int, ref_len: int) -> float:
    if not any(correct):
        return 0.0
    brevity = 1.0 if sys_len >= ref_len else math.exp(1 - ref_len / sys_len)
    log_sum, halvings = 0.0, 1
    for c, t in zip(correct, total):
        if t == 0:  # the hypotheses are too short to hold any n-gram of this order: BLEU is 0
            return 0.0
        if c == 0:  # "exp" smoothing: 1 / (2^k * total) for the k-th order without a match
            halvings *= 2
            log_sum += math.log(100.0 / (halvings * t))
        else:
            log_sum += math.log(100.0 * c / t)
    return brevity * math.exp(log_sum / len(correct))


@dataclass(frozen=True)
class RougeScore:
    """Overlap of a hypothesis with its reference (as rouge-score's ``Score``)."""

    precision: float  # share of the hypothesis' units found in the reference
    recall: float  # share of the reference's units found in the hypothesis
    fmeasure: float  # their harmonic mean (0 when both are 0)


def _score(overlap: int, hyp_count: int, ref_count: int) -> RougeScore:
    precision, recall = overlap / max(hyp_count, 1), overlap / max(ref_count, 1)
    f = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return RougeScore(precision, recall, f)


def rouge_tokenize(text: str) -> list[str]:
    """rouge-score's tokens: lowercase, every run of characters other than ``a-z0-9`` is a separator
    (so accented letters split words: ``"naïve"`` gives ``["na", "ve"]``).

    Example:
        >>> rouge_tokenize("The KV-cache, twice!")
        ['the', 'kv', 'cache', 'twice']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).split()


def rouge_n(hypothesis: str, reference: str, n: int = 1) -> RougeScore:
    """ROUGE-n: clipped n-gram overlap of ``hypothesis`` with ``reference`` (note rouge-score's
    ``RougeScorer.score`` takes the reference FIRST).

    Example:
        >>> rouge_n("the cat sat", "the cat sat down", n=2)
        RougeScore(precision=1.0, recall=0.6666666666666666, fmeasure=0.8)
    """
    _check_n(n)
    hyp, ref = ngram_counts(rouge_tokenize(hypothesis), n), ngram_counts(rouge_tokenize(reference), n)
    overlap = sum(min(c, hyp[g]) for g, c in ref.items())
    return _score(overlap, sum(hyp.values()), sum(ref.values()))


def _lcs_length(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Length of the longest common subsequence (dynamic programming, one row at a time)."""
    row = [0] * (len(b) + 1)
    for x in a:
        diagonal = 0  # row[j - 1] of the previous line
        for j, y in enumerate(b, start=1):
            diagonal, row[j] = row[j], diagonal + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def rouge_l(hypothesis: str, reference: str) -> RougeScore:
    """ROUGE-L: the longest common subsequence of tokens (in order, gaps allowed) as the overlap.

    Example:
        >>> rouge_l("the cat sat on mat", "the cat was on the mat").recall  # LCS "the cat on mat": 4 of 6
        0.6666666666666666
    """
    hyp, ref = rouge_tokenize(hypothesis), rouge_tokenize(reference)
    if not hyp or not ref:
        return RougeScore(0.0, 0.0, 0.0)
    return _score(_lcs_length(ref, hyp), len(hyp), len(ref))


def distinct_n(texts: Sequence[str | Sequence[Any]], n: int) -> float:
    """Distinct n-grams / all n-grams, pooled over ``texts`` (0.0 when there is no n-gram at all).

    A text is a string (split on whitespace) or a list of tokens (words, token ids). 1.0 means no n-gram
    repeats anywhere; a model that loops on one phrase drives it towards 0.

    Example:
        >>> distinct_n(["the cat the cat", "a dog"], 2)  # bigrams: the cat, cat the, the cat, a dog
        0.75
    """
    _check_n(n)
    seen, count = set(), 0
    for text in _check_texts(texts, "texts"):
        tokens = text.split() if isinstance(text, str) else list(text)
        grams = ngram_counts(tokens, n)
        seen.update(grams)
        count += sum(grams.values())
    return len(seen) / count if count else 0.0
