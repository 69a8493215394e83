"""course_lib.generation against torch: softmax, log-softmax, temperature, sampling."""

import random
import subprocess
import sys

import numpy as np
import pytest

from course_lib.generation import greedy, log_softmax, sample_next, scale_logits, softmax

torch = pytest.importorskip("torch")


def random_logits(seed, shape=None):
    rng = random.Random(seed)
    shape = shape or (rng.randrange(1, 5), rng.randrange(1, 40))
    scale = rng.choice([0.1, 1.0, 5.0])
    return np.array([[rng.gauss(0, scale) for _ in range(shape[1])] for _ in range(shape[0])])


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("transform", [lambda x: x, lambda x: x + 100, lambda x: 1000 * x, lambda x: x - 1e4],
                         ids=["x", "x+100", "1000x", "x-1e4"])
def test_softmax_and_log_softmax_match_torch(seed, transform):
    logits = transform(random_logits(seed))
    temperature = random.Random(seed).choice([0.05, 0.7, 1.0, 3.0])
    reference = torch.tensor(logits, dtype=torch.float64) / temperature
    expected = torch.softmax(reference, dim=-1).numpy()
    expected_log = torch.log_softmax(reference, dim=-1).numpy()
    got = softmax(logits, temperature)
    assert got.dtype == np.float64 and got.shape == logits.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(log_softmax(logits, temperature), expected_log, rtol=1e-10, atol=1e-10)
    assert np.isfinite(got).all() and np.allclose(got.sum(axis=-1), 1.0)


def test_lists_one_dimensional_and_minus_infinity():
    assert softmax([0.0, 0.0, 0.0, 0.0]).tolist() == [0.25] * 4
    assert softmax([3.0]).tolist() == [1.0]
    probs = softmax([1.0, -np.inf, 1.0])
    assert probs.tolist() == [0.5, 0.0, 0.5]
    assert log_softmax([1.0, -np.inf])[1] == -np.inf
    np.testing.assert_allclose(softmax([[1.0, 2.0], [5.0, 5.0]]), [[0.2689414213699951, 0.7310585786300049], [0.5, 0.5]])
    assert scale_logits([2.0, 4.0], 2.0).tolist() == [1.0, 2.0]


def test_temperature_towards_zero_approaches_argmax_and_large_towards_uniform():
    logits = random_logits(3, shape=(1, 30))[0]
    best = int(np.argmax(logits))
    previous = 0.0
    for temperature in (2.0, 1.0, 0.5, 0.1, 0.01, 1e-4):
        p = softmax(logits, temperature)[best]
        assert p >= previous - 1e-12
        previous = p
    assert softmax(logits, 1e-4)[best] > 1 - 1e-9
    np.testing.assert_allclose(softmax(logits, 1e6), np.full(30, 1 / 30), rtol=1e-4)
    assert greedy(logits) == best == sample_next(logits, 0, np.random.default_rng(0))


@pytest.mark.parametrize("seed", range(4))
def test_sampling_frequencies_follow_the_probabilities(seed):
    rng = random.Random(seed)
    logits = np.array([rng.gauss(0, 1.5) for _ in range(rng.randrange(2, 9))])
    temperature = rng.choice([0.5, 1.0, 2.0])
    probs = softmax(logits, temperature)
    draws = 20_000
    generator = np.random.default_rng(seed)
    counts = np.bincount([sample_next(logits, temperature, generator) for _ in range(draws)], minlength=len(logits))
    expected = probs * draws
    chi_square = (((counts - expected) ** 2) / np.maximum(expected, 1e-12)).sum()
    # degrees of freedom = len - 1 <= 7; the 99.99th percentile of chi-square(7) is about 29.9
    assert chi_square < 30, (chi_square, counts, expected)
    assert counts[probs < 1e-12].sum() == 0


def test_sampling_is_reproducible_under_a_seed():
    logits = random_logits(5, shape=(1, 50))[0]
    first = [sample_next(logits, 1.3, np.random.default_rng(42)) for _ in range(3)]
    again = [sample_next(logits, 1.3, np.random.default_rng(42)) for _ in range(3)]
    assert first == again
    stream = np.random.default_rng(7)
    a = [sample_next(logits, 1.3, stream) for _ in range(30)]
    stream = np.random.default_rng(7)
    assert a == [sample_next(logits, 1.3, stream) for _ in range(30)]
    assert len(set(a)) > 1


def test_greedy_takes_the_first_of_ties():
    assert greedy([1.0, 3.0, 3.0]) == 1
    assert greedy(np.array([-np.inf, -5.0])) == 1


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan"), float("inf")])
def test_softmax_rejects_bad_temperature(temperature):
    with pytest.raises(ValueError, match="temperature"):
        softmax([1.0, 2.0], temperature)
    with pytest.raises(ValueError, match="temperature"):
        log_softmax([1.0, 2.0], temperature)


def test_bad_inputs_name_the_problem():
    with pytest.raises(TypeError, match="temperature"):
        softmax([1.0], "hot")
    with pytest.raises(TypeError, match="temperature"):
        softmax([1.0], True)
    with pytest.raises(ValueError, match="-1.0"):
        sample_next([1.0, 2.0], -1.0)
    with pytest.raises(TypeError, match="'abc'"):
        softmax("abc")
    with pytest.raises(TypeError, match="None"):
        softmax(None)
    with pytest.raises(ValueError, match="at least one entry"):
        softmax([])
    with pytest.raises(ValueError, match="NaN"):
        softmax([1.0, float("nan")])
    with pytest.raises(ValueError, match="-inf"):
        softmax([-np.inf, -np.inf])
    with pytest.raises(ValueError, match="1-D"):
        greedy([[1.0, 2.0]])
    with pytest.raises(ValueError, match="1-D"):
        sample_next([[1.0, 2.0]], 1.0, np.random.default_rng(0))
    with pytest.raises(TypeError, match="Generator"):
        sample_next([1.0, 2.0], 1.0, rng=random.Random(0))


def test_lm_and_generation_do_not_import_torch():
    code = "import sys, course_lib.generation, course_lib.lm; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
