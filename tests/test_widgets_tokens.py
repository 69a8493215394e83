"""The token explorer's min_frequency slider: vocabulary size and OOV rate follow a hand count."""

import random
import re
from collections import Counter

import pytest

from course_lib.corpus import course_corpus
from course_lib.tokenizers import SPECIAL_TOKENS, WordTokenizer, pre_tokenize
from course_lib.widgets.tokens import oov_summary_html, token_explorer

pytest.importorskip("ipywidgets")

SUMMARY = re.compile(r"vocabulary ([\d,]+) entries · (\d+) of (\d+) words unknown")


def hand_count(texts, text, min_frequency):
    """(vocabulary size, unknown words, words) counted without the library."""
    counts = Counter(word for t in texts for word in pre_tokenize(t))
    known = {word for word, count in counts.items() if count >= min_frequency}
    words = pre_tokenize(text)
    return len(SPECIAL_TOKENS) + len(known), sum(w not in known for w in words), len(words)


def numbers(view_html):
    size, unknown, words = SUMMARY.search(view_html).groups()
    return int(size.replace(",", "")), int(unknown), int(words)


@pytest.mark.parametrize("seed", range(4))
def test_slider_moves_vocabulary_size_and_oov_rate(seed):
    rng = random.Random(seed)
    corpus = rng.sample(course_corpus(), 30)
    held = rng.choice([p for p in course_corpus() if p not in corpus])
    start = rng.randrange(1, 6)
    box, slider, view = token_explorer(None, held, texts=corpus, min_frequency=start).children
    assert slider.value == start and numbers(view.value) == hand_count(corpus, held, start)
    rates = []
    for k in range(1, 11):
        slider.value = k
        assert numbers(view.value) == hand_count(corpus, held, k), k
        rates.append(numbers(view.value)[1])
        assert view.value.count("#dc2626") == rates[-1]  # one red token per unknown word
    assert rates == sorted(rates) and rates[-1] > rates[0]  # a higher threshold never knows more words
    box.value = typed = " ".join(rng.choice(corpus).split()[:6]) + " zebra"
    assert numbers(view.value) == hand_count(corpus, typed, 10)


def test_without_texts_the_explorer_is_unchanged():
    tok = WordTokenizer().build_vocabulary(["the cat sat"])
    assert len(token_explorer(tok, "the dog").children) == 2
    assert "words unknown" not in token_explorer(tok, "the dog")._repr_mimebundle_()["text/html"]


def test_summary_of_an_empty_text_and_bad_arguments():
    tok = WordTokenizer().build_vocabulary(["the cat sat"])
    assert "0 of 0 words unknown" in oov_summary_html(tok, "")
    with pytest.raises(ValueError, match="min_frequency"):
        token_explorer(None, "x", texts=["a"], min_frequency=0)
    with pytest.raises(ValueError, match="max_min_frequency"):
        token_explorer(None, "x", texts=["a"], max_min_frequency=0)
    with pytest.raises(TypeError, match="texts"):
        token_explorer(None, "x", texts="not a list")
