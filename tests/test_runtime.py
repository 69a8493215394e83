"""Seeding and the small/full switch."""

import random

import numpy as np
import pytest

from course_lib.runtime import full_size, pick_device, seed_everything


def test_seed_everything_repeats_python_numpy_and_torch():
    torch = pytest.importorskip("torch")
    seed = random.Random().randrange(2**31)
    seed_everything(seed)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    seed_everything(seed)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == first


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "3", True])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed must be"):
        seed_everything(bad)


def test_full_size_follows_the_environment(monkeypatch):
    monkeypatch.setenv("COURSE_FULL", "1")
    assert full_size() is True
    monkeypatch.setenv("COURSE_FULL", "0")
    assert full_size() is False
    monkeypatch.setenv("COURSE_FULL", "yes")
    with pytest.raises(ValueError, match="'yes'"):
        full_size()
    monkeypatch.delenv("COURSE_FULL")
    assert full_size() is (pick_device() == "cuda")
