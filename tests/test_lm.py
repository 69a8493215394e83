"""course_lib.lm.NGramLM: hand-computed counts, normalization, and perplexity against torch."""

import math
import random
from collections import Counter

import numpy as np
import pytest

from course_lib.corpus import course_corpus
from course_lib.generation import softmax
from course_lib.lm import InterpolatedLM, NGramConfig, NGramLM
from course_lib.tokenizers import WordTokenizer

TINY = [["the", "cat", "sat"], ["the", "dog", "sat"], ["the", "cat", "ran"]]


def random_sequences(rng, n_sequences, alphabet):
    return [[rng.choice(alphabet) for _ in range(rng.randrange(0, 12))] for _ in range(n_sequences)]


def test_hand_computed_bigram_counts_and_probabilities():
    lm = NGramLM(n=2, k=0).fit(TINY)
    assert lm.vocab == ("<eos>", "the", "cat", "sat", "dog", "ran")
    assert lm.counts[("<bos>",)] == Counter({"the": 3})
    assert lm.counts[("the",)] == Counter({"cat": 2, "dog": 1})
    assert lm.counts[("cat",)] == Counter({"sat": 1, "ran": 1})
    assert lm.totals[("sat",)] == 2 and lm.counts[("sat",)] == Counter({"<eos>": 2})
    assert lm.prob("cat", ["the"]) == 2 / 3
    assert lm.prob("sat", ["the", "cat"]) == 1 / 2  # only the last token counts for a bigram
    assert lm.prob("the", []) == 1.0
    smoothed = NGramLM(n=2, k=1).fit(TINY)  # V = 6
    assert smoothed.prob("cat", ["the"]) == (2 + 1) / (3 + 6)
    assert smoothed.prob("ran", ["the"]) == (0 + 1) / (3 + 6)
    half = NGramLM(n=2, k=0.5).fit(TINY)
    assert half.prob("dog", ["the"]) == (1 + 0.5) / (3 + 0.5 * 6)


def test_hand_computed_trigram_and_unigram():
    tri = NGramLM(n=3, k=0).fit(TINY)
    assert tri.counts[("<bos>", "<bos>")] == Counter({"the": 3})
    assert tri.counts[("<bos>", "the")] == Counter({"cat": 2, "dog": 1})
    assert tri.prob("sat", ["the", "dog"]) == 1.0
    assert tri.prob("cat", ["the"]) == 2 / 3  # short context: padded with <bos>
    uni = NGramLM(n=1, k=0).fit(TINY)  # 12 predictions: 3 the, 2 cat, 2 sat, 1 dog, 1 ran, 3 eos
    assert uni.prob("the", ["whatever", "came", "before"]) == 3 / 12
    assert uni.prob("<eos>", []) == 3 / 12


@pytest.mark.parametrize("seed", range(6))
def test_probabilities_sum_to_one_for_random_contexts(seed):
    rng = random.Random(seed)
    alphabet = list("abcdefg")
    n, k = rng.randrange(1, 5), rng.choice([0, 0.01, 0.5, 1, 3])
    lm = NGramLM(n=n, k=k).fit(random_sequences(rng, 30, alphabet))
    for _ in range(30):
        context = [rng.choice(alphabet + ["zz"]) for _ in range(rng.randrange(0, 6))]
        logits = lm.next_token_logits(context)
        assert logits.shape == (lm.vocab_size,)
        assert math.isclose(np.exp(logits).sum(), 1.0, rel_tol=1e-12)
        np.testing.assert_allclose(softmax(logits), np.exp(logits), rtol=1e-12, atol=1e-300)
        for token in lm.vocab:
            assert math.isclose(lm.prob(token, context), math.exp(logits[lm.index[token]]), rel_tol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_perplexity_equals_exp_of_torch_cross_entropy(seed):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    rng = random.Random(seed)
    alphabet = [10 + i for i in range(rng.randrange(2, 9))]
    n, k = rng.randrange(1, 4), rng.choice([0.1, 1.0, 2.5])
    lm = NGramLM(n=n, k=k, bos=-1, eos=0).fit(random_sequences(rng, 40, alphabet))
    held_out = random_sequences(rng, 10, alphabet)
    rows, targets = [], []
    for sequence in held_out:  # build the model's logits at every position independently
        full = sequence + [0]
        for position, target in enumerate(full):
            rows.append(lm.next_token_logits(sequence[:position]))
            targets.append(lm.index[target])
    loss = F.cross_entropy(torch.tensor(np.array(rows)), torch.tensor(targets), reduction="mean")
    assert math.isclose(lm.cross_entropy(held_out), loss.item(), rel_tol=1e-10)
    assert math.isclose(lm.perplexity(held_out), math.exp(loss.item()), rel_tol=1e-10)


def test_add_k_towards_zero_equals_the_maximum_likelihood_estimate():
    rng = random.Random(11)
    sequences = random_sequences(rng, 50, list("xyzw"))
    mle = NGramLM(n=2, k=0).fit(sequences)
    for k in (1e-3, 1e-6, 1e-9):
        smoothed = NGramLM(n=2, k=k).fit(sequences)
        for context, counter in mle.counts.items():
            for token in mle.vocab:
                expected = counter[token] / mle.totals[context]
                assert math.isclose(smoothed.prob(token, list(context)), expected, abs_tol=k * 100)
    assert NGramLM(n=2, k=0).fit(sequences).prob("x", ["y"]) == mle.counts[("y",)]["x"] / mle.totals[("y",)]


def test_large_k_and_an_untrained_model_are_uniform_with_perplexity_v():
    vocab = ["<eos>", *"abcdefghi"]
    empty = NGramLM(n=3, vocab=vocab).fit([])
    held_out = [list("abcab"), list("iii"), []]
    assert math.isclose(empty.perplexity(held_out), len(vocab), rel_tol=1e-12)
    flat = NGramLM(n=2, k=1e9, vocab=vocab).fit([list("aaaaab")])
    assert math.isclose(flat.perplexity(held_out), len(vocab), rel_tol=1e-6)
    ids = NGramLM(n=2, k=1, bos=2, eos=3, vocab=range(50)).fit([])
    assert math.isclose(ids.perplexity([[7, 8, 9]]), 50, rel_tol=1e-12)


def test_training_perplexity_falls_with_n_and_unseen_events_are_infinite_without_smoothing():
    corpus = course_corpus()
    tokenizer = WordTokenizer().build_vocabulary(corpus)
    ids = [tokenizer.encode(p, add_special_tokens=False) for p in corpus]
    train, held_out = ids[:40], ids[40:]
    perplexities = [NGramLM(n, k=0.01, bos=2, eos=3, vocab=range(tokenizer.vocab_size)).fit(train).perplexity(train)
                    for n in (1, 2, 3)]
    assert perplexities[0] > perplexities[1] > perplexities[2] > 1
    assert NGramLM(2, k=0, bos=2, eos=3, vocab=range(tokenizer.vocab_size)).fit(train).perplexity(held_out) == math.inf


def test_generation_is_deterministic_under_a_seed_and_stops_at_eos():
    corpus = course_corpus()
    lm = NGramLM(n=2, k=0.1).fit([p.lower().split() for p in corpus])
    a = lm.generate(["the"], max_new_tokens=30, temperature=1.0, seed=3)
    assert a == lm.generate(["the"], max_new_tokens=30, temperature=1.0, seed=3)
    assert len(a) <= 30 and "<eos>" not in a and all(t in lm.index for t in a)
    others = {tuple(lm.generate(["the"], 30, 1.0, seed=s)) for s in range(5)}
    assert len(others) > 1
    greedy = lm.generate(["the"], max_new_tokens=10, temperature=0, seed=None)
    assert greedy == lm.generate(["the"], max_new_tokens=10, temperature=0, seed=99)
    assert greedy[0] == lm.vocab[int(np.argmax(lm.next_token_logits(["the"])))]
    assert lm.generate(["the"], max_new_tokens=0) == []
    chain = NGramLM(n=2, k=0).fit([["a", "b", "c"]])
    assert chain.generate([], 10, temperature=1.0, seed=0) == ["a", "b", "c"]


def test_generate_does_not_modify_the_context():
    lm = NGramLM(n=2, k=0).fit([["a", "b", "c"]])
    context = ["a"]
    lm.generate(context, 5, seed=0)
    assert context == ["a"]


def test_config_is_frozen_and_validated():
    lm = NGramLM(n=3, k=0.5)
    assert lm.config == NGramConfig(n=3, k=0.5)
    with pytest.raises(AttributeError):
        lm.config.n = 4
    for bad in (0, -1, 2.5, True, "2"):
        with pytest.raises(ValueError, match=repr(bad)):
            NGramLM(n=bad)
    for bad in (-0.1, float("inf"), float("nan"), "1"):
        with pytest.raises(ValueError, match="k must be"):
            NGramLM(n=2, k=bad)
    with pytest.raises(ValueError, match="differ"):
        NGramLM(bos="#", eos="#")


def test_bad_input_errors_name_the_bad_value():
    lm = NGramLM(n=2).fit(TINY)
    with pytest.raises(TypeError, match="'the cat'"):
        lm.next_token_logits("the cat")
    with pytest.raises(TypeError, match="single string"):
        NGramLM().fit("the cat sat")
    with pytest.raises(TypeError, match=r"sequences\[1\]"):
        NGramLM().fit([["a"], "b c"])
    with pytest.raises(ValueError, match="'<eos>'"):
        NGramLM().fit([["a", "<eos>"]])
    with pytest.raises(ValueError, match="'zebra'"):
        lm.prob("zebra", ["the"])
    with pytest.raises(ValueError, match="'zebra'"):
        lm.perplexity([["the", "zebra"]])
    with pytest.raises(ValueError, match="empty"):
        lm.perplexity([])
    with pytest.raises(ValueError, match="max_new_tokens"):
        lm.generate(["the"], max_new_tokens=-1)
    with pytest.raises(ValueError, match="temperature"):
        lm.generate(["the"], temperature=-0.5)
    with pytest.raises(RuntimeError, match="fit"):
        NGramLM().next_token_logits([])
    with pytest.raises(ValueError, match="eos"):
        NGramLM(vocab=["a", "b"])
    with pytest.raises(ValueError, match="repeat"):
        NGramLM(vocab=["<eos>", "a", "a"])
    with pytest.raises(ValueError, match=r"sequences\[0\]\[1\] = 99"):
        NGramLM(bos=2, eos=3, vocab=range(10)).fit([[5, 99]])


def _hand_mixture(sequences, weights, k, context, token, vocab):
    """Jelinek-Mercer by hand from raw counts: orders whose context is unseen hand their weight on."""
    parts = []
    for order, weight in enumerate(weights, start=1):
        pairs, totals = Counter(), Counter()
        for sequence in sequences:
            padded = ["<bos>"] * (order - 1) + list(sequence) + ["<eos>"]
            for end in range(order - 1, len(padded)):
                ctx = tuple(padded[end - order + 1:end])
                pairs[ctx, padded[end]] += 1
                totals[ctx] += 1
        ctx = tuple((["<bos>"] * (order - 1) + list(context))[len(context):]) if order > 1 else ()
        if weight > 0 and totals[ctx] > 0:
            smooth = k if order == 1 else 0  # only the unigram is smoothed
            parts.append((weight, (pairs[ctx, token] + smooth) / (totals[ctx] + smooth * len(vocab))))
    total = sum(w for w, _ in parts)
    return sum(w * p for w, p in parts) / total


@pytest.mark.parametrize("seed", range(6))
def test_interpolated_lm_is_the_renormalized_mixture_of_the_orders(seed):
    rng = random.Random(100 + seed)
    alphabet = list("abcdef")
    raw = [rng.random() for _ in range(rng.randrange(1, 5))]
    weights = [w / sum(raw) for w in raw]
    k = rng.choice([0, 0.01, 0.5])
    sequences = random_sequences(rng, 25, alphabet)
    lm = InterpolatedLM(weights, k=k).fit(sequences)
    assert lm.n == len(weights) and lm.vocab == NGramLM(1).fit(sequences).vocab
    for _ in range(25):
        context = [rng.choice(alphabet + ["zz"]) for _ in range(rng.randrange(0, 5))]
        logits = lm.next_token_logits(context)
        assert math.isclose(np.exp(logits).sum(), 1.0, rel_tol=1e-9)
        for token in lm.vocab:
            expected = _hand_mixture(sequences, weights, k, context, token, lm.vocab)
            assert math.isclose(lm.prob(token, context), expected, rel_tol=1e-9)
            assert math.isclose(math.exp(logits[lm.index[token]]), expected, rel_tol=1e-9)
    one = InterpolatedLM([1.0], k=k).fit(sequences)  # a single weight is the plain unigram model
    assert math.isclose(one.perplexity(sequences[:5] or [[]]), NGramLM(1, k=k).fit(sequences).perplexity(sequences[:5] or [[]]))


def test_interpolation_lets_more_context_help_on_held_out_text():
    from course_lib.corpus import split_book

    train, held_out = ([s.text.lower().split() for s in part] for part in split_book())
    plain = [NGramLM(n, k=0.01).fit(train) for n in (1, 2, 3)]
    vocab = plain[0].vocab
    held_out = [[w for w in s if w in vocab] for s in held_out]
    mixed = [InterpolatedLM(w, k=0.01).fit(train).perplexity(held_out) for w in ([1.0], [0.3, 0.7], [0.2, 0.3, 0.5])]
    assert mixed[0] > mixed[1] > mixed[2]  # each added order lowers held-out perplexity
    assert mixed[2] < plain[2].perplexity(held_out)  # the plain trigram overfits


@pytest.mark.parametrize("weights, match", [([], "non-empty"), ([0.5, 0.6], "sum to 1"), ([-0.5, 1.5], ">= 0"),
                                            ("ab", "list of numbers"), ([True], "finite")])
def test_interpolated_lm_rejects_bad_weights(weights, match):
    with pytest.raises((ValueError, TypeError), match=match):
        InterpolatedLM(weights)
