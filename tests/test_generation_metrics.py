"""course_lib.generation.metrics against transformers' loss, sacrebleu, rouge-score and brute force."""

import math
import random
from collections import Counter

import pytest

from course_lib.generation.metrics import (bleu, bleu_tokenize, distinct_n, ngram_counts, perplexity, rouge_l,
                                           rouge_n, rouge_tokenize)

WORDS = ["the", "cat", "sat", "on", "mat", "a", "dog", "The", "ran", "3.50", "1-2", "it's", "naïve", "KV-cache",
         "tokens,", "end.", "(beam)", "&amp;", "$5", "over", "again", "?", "--", "x/y", "café", "A", "ran."]


def random_text(rng, low=0, high=14):
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(low, high)))
    return text + rng.choice(["", " ", ".", "\n", " !"])


def paraphrase(rng, text):
    """A noisy copy of text (so references share n-grams with hypotheses, as real ones do)."""
    words = text.split()
    out = [w if rng.random() < 0.7 else rng.choice(WORDS) for w in words if rng.random() < 0.9]
    if rng.random() < 0.5:
        out += [rng.choice(WORDS) for _ in range(rng.randrange(0, 4))]
    return " ".join(out)


@pytest.mark.parametrize("seed", range(20))
def test_bleu_equals_sacrebleu(seed):
    import sacrebleu

    rng = random.Random(seed)
    hyps = [random_text(rng, low=rng.choice([0, 3])) for _ in range(rng.randrange(1, 8))]
    n_refs = rng.randrange(1, 4)
    streams = [[paraphrase(rng, h) for h in hyps] for _ in range(n_refs)]
    ours_refs = [[stream[i] for stream in streams] for i in range(len(hyps))]
    if n_refs == 1 and seed % 2:
        ours_refs = [r[0] for r in ours_refs]  # one plain string per hypothesis
    expected = sacrebleu.corpus_bleu(hyps, streams).score
    assert bleu(hyps, ours_refs) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_bleu_corner_cases_equal_sacrebleu():
    import sacrebleu

    cases = [(["a b c"], ["a b c d"]),  # no 4-gram in the hypothesis
             (["the cat"], ["dog"]),  # no match at all
             (["the the the the the"], ["the cat"]),  # clipping
             (["a b c d e"], ["a b c d e"]),  # perfect
             (["a b x d e f"], ["a b c d e f"]),  # a zero-match order: smoothing
             ([""], ["a b"])]
    for hyps, refs in cases:
        assert bleu(hyps, refs) == pytest.approx(sacrebleu.corpus_bleu(hyps, [refs]).score, abs=1e-12), hyps
    assert bleu(["a b c d e"], ["a b c d e"]) == pytest.approx(100.0)


@pytest.mark.parametrize("seed", range(10))
def test_bleu_tokenizer_equals_sacrebleu_13a(seed):
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    rng = random.Random(seed)
    text = random_text(rng) + "".join(rng.choice("&<>-\n.,;:'\"0123456789éß ") for _ in range(20))
    assert bleu_tokenize(text) == Tokenizer13a()(text.rstrip()).split()


@pytest.mark.parametrize("seed", range(20))
def test_rouge_equals_rouge_score(seed):
    from rouge_score import rouge_scorer

    rng = random.Random(seed)
    hyp = random_text(rng)
    ref = paraphrase(rng, hyp) if rng.random() < 0.8 else random_text(rng)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rouge3", "rougeL"], use_stemmer=False)
    expected = scorer.score(ref, hyp)  # rouge-score: target (reference) first
    got = {"rouge1": rouge_n(hyp, ref, 1), "rouge2": rouge_n(hyp, ref, 2), "rouge3": rouge_n(hyp, ref, 3),
           "rougeL": rouge_l(hyp, ref)}
    for name, score in got.items():
        e = expected[name]
        assert (score.precision, score.recall, score.fmeasure) == pytest.approx(
            (e.precision, e.recall, e.fmeasure), abs=1e-12), name
    from rouge_score.tokenize import tokenize
    assert rouge_tokenize(hyp) == tokenize(hyp, None)


@pytest.mark.parametrize("seed", range(10))
def test_distinct_n_equals_brute_force(seed):
    rng = random.Random(seed)
    n = rng.randrange(1, 4)
    texts = [[rng.randrange(6) for _ in range(rng.randrange(0, 12))] for _ in range(rng.randrange(1, 5))]
    grams = [tuple(t[i:i + n]) for t in texts for i in range(len(t) - n + 1)]
    expected = len(set(grams)) / len(grams) if grams else 0.0
    assert distinct_n(texts, n) == expected
    as_strings = [" ".join(map(str, t)) for t in texts]
    assert distinct_n(as_strings, n) == expected  # strings are split on whitespace
    first = texts[0]
    assert ngram_counts(first, n) == Counter(tuple(first[i:i + n]) for i in range(len(first) - n + 1))


@pytest.mark.parametrize("seed", range(4))
def test_perplexity_equals_transformers_loss(seed):
    torch = pytest.importorskip("torch")
    from course_lib.transformer import GPT, GPTConfig

    rng = random.Random(seed)
    torch.manual_seed(seed)
    style = rng.choice(["llama_style", "gpt2_style"])
    model = GPT(getattr(GPTConfig, style)(vocab_size=53, block_size=24, n_layer=2, n_head=2, d_model=16)).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(rng.choice([5.0, 20.0]))  # move away from the uniform distribution
    hf = model.to_hf().eval()
    ids = torch.tensor([[rng.randrange(53) for _ in range(20)] for _ in range(rng.randrange(1, 4))])
    prompt = rng.randrange(0, 10)
    labels = ids.clone()
    labels[:, :prompt] = -100  # transformers ignores these positions
    expected = math.exp(hf(ids, labels=labels).loss.item())
    assert perplexity(model, ids, prompt) == pytest.approx(expected, rel=1e-4)
    assert perplexity(hf, ids, prompt) == pytest.approx(expected, rel=1e-4)
    assert perplexity(model, ids, prompt) != pytest.approx(perplexity(model, ids[:, torch.randperm(20)], prompt),
                                                           rel=1e-3)  # order matters


def test_bad_input_is_named():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="2 hypotheses but 1 references"):
        bleu(["a", "b"], ["a"])
    with pytest.raises(TypeError, match="hypotheses"):
        bleu("a b", ["a b"])
    with pytest.raises(TypeError, match="reference"):
        bleu(["a"], [[]])
    with pytest.raises(ValueError, match="0"):
        rouge_n("a", "a", 0)
    with pytest.raises(ValueError, match="-1"):
        distinct_n(["a"], -1)
    with pytest.raises(TypeError, match="texts"):
        distinct_n("a b", 1)
    with pytest.raises(ValueError, match="prompt_length"):
        perplexity(lambda x: torch.zeros(1, 3, 5), torch.tensor([[1, 2, 3]]), 3)
    with pytest.raises(ValueError, match="int64"):
        perplexity(lambda x: x, torch.tensor([[1.0, 2.0]]))
