"""TextChunker: invariants on random texts (budget, coverage, exact overlap, sentence ends), bad input."""

import random
import re

import pytest

from course_lib.corpus import course_corpus
from course_lib.rag import Document, TextChunker
from course_lib.rag.chunking import split_sentences, token_spans


def _random_text(seed):
    rng = random.Random(seed)
    paragraphs = course_corpus()
    picked = [paragraphs[rng.randrange(len(paragraphs))] for _ in range(rng.randint(1, 6))]
    if rng.random() < 0.5:  # a very long "sentence" with no punctuation forces a cut inside it
        picked.append(" ".join(rng.choice(["alpha", "beta", "tokenization", "x"]) for _ in range(300)))
    return "\n\n".join(picked)


def _params(seed):
    rng = random.Random(seed)
    size = rng.choice([8, 17, 40, 128])
    return rng.choice(["fixed", "sentence", "recursive"]), size, rng.randrange(0, size // 2 + 1), rng.choice(
        ["whitespace", "minilm"])


def _count(text, a, b, tokenizer):  # tokens of the whole text lying inside [a, b)
    return sum(1 for s, e in token_spans(text, tokenizer) if s >= a and e <= b)


@pytest.mark.parametrize("seed", range(12))
def test_chunks_fit_cover_and_are_verbatim(seed):
    text = _random_text(seed)
    strategy, size, overlap, tokenizer = _params(seed)
    chunker = TextChunker(strategy, size, overlap, tokenizer)
    doc = Document(text, {"source": "s.md", "section": "S"})
    chunks = chunker.split(doc)
    covered = [False] * len(text)
    for i, c in enumerate(chunks):
        a, b = c.metadata["start_char"], c.metadata["end_char"]
        assert text[a:b] == c.text and c.text == c.text.strip() and c.text
        assert _count(text, a, b, tokenizer) <= size
        assert c.metadata["chunk_index"] == i and c.metadata["source"] == "s.md"
        assert c.metadata["chunk_id"] == f"{doc.id}:{i}"
        for j in range(a, b):
            covered[j] = True
    assert all(covered[j] for j in range(len(text)) if not text[j].isspace())
    starts = [c.metadata["start_char"] for c in chunks]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


@pytest.mark.parametrize("seed", range(6))
def test_fixed_windows_overlap_exactly(seed):
    rng = random.Random(seed)
    text = _random_text(seed)
    size = rng.choice([5, 16, 64])
    overlap = rng.randrange(size)
    spans = token_spans(text, "minilm")
    chunks = TextChunker("fixed", size, overlap).split(Document(text))
    step = size - overlap
    for i, c in enumerate(chunks):  # window i covers tokens [i*step, i*step+size)
        first = i * step
        assert c.metadata["start_char"] == spans[first][0]
        assert c.metadata["end_char"] == spans[min(first + size, len(spans)) - 1][1]
    assert chunks[-1].metadata["end_char"] == spans[-1][1]
    assert len(chunks) == max(1, -(-(len(spans) - overlap) // step))


@pytest.mark.parametrize("seed", range(6))
def test_sentence_chunks_end_at_sentence_ends(seed):
    text = "\n\n".join(random.Random(seed).sample(course_corpus(), 4))
    chunker = TextChunker("sentence", 60, 10)
    ends = {b for _, b in split_sentences(text)} | {len(text.rstrip())}
    ends |= {len(text[:b].rstrip()) for b in list(ends)}  # chunks are stripped of trailing space
    assert max(_count(text, a, b, "minilm") for a, b in split_sentences(text)) <= 60  # no sentence is cut
    chunks = chunker.split(Document(text))
    assert len(chunks) > 1
    for c in chunks:
        assert c.metadata["end_char"] in ends, c.text[-30:]


def test_sentence_overlap_repeats_last_sentences():
    text = "One two three. Four five six. Seven eight nine. Ten eleven twelve."
    chunks = TextChunker("sentence", 7, 3, "whitespace").split_text(text)
    assert chunks == ["One two three. Four five six.", "Four five six. Seven eight nine.",
                      "Seven eight nine. Ten eleven twelve."]


@pytest.mark.parametrize("seed", range(8))
def test_sentence_overlap_is_the_longest_tail_that_fits(seed):
    rng = random.Random(seed)
    sentences = [" ".join(f"w{rng.randrange(99)}" for _ in range(rng.randint(1, 4))) + "." for _ in range(30)]
    text = " ".join(sentences)
    size, overlap = rng.randint(6, 12), rng.randint(1, 5)
    spans = split_sentences(text)
    n_tok = [len(text[a:b].split()) for a, b in spans]
    chunks = TextChunker("sentence", size, overlap, "whitespace").split(Document(text))
    starts = [a for a, _ in spans]
    for prev, nxt in zip(chunks, chunks[1:]):
        first_prev = starts.index(prev.metadata["start_char"])
        first_next = starts.index(nxt.metadata["start_char"])
        last_prev = max(i for i, (a, b) in enumerate(spans) if a < prev.metadata["end_char"])
        shared = sum(n_tok[first_next:last_prev + 1])  # tokens of the sentences both chunks hold
        assert shared <= overlap
        if first_next > first_prev + 1:  # one more sentence of tail would break the overlap or the size budget
            one_more = sum(n_tok[first_next - 1:last_prev + 1])
            assert one_more > overlap or one_more + n_tok[last_prev + 1] > size


def test_recursive_prefers_paragraphs_then_sentences():
    para1 = "Alpha beta gamma. Delta epsilon."
    para2 = "Zeta eta theta iota kappa lambda. Mu nu xi omicron pi rho."
    out = TextChunker("recursive", 6, 0, "whitespace").split_text(para1 + "\n\n" + para2)
    assert out == ["Alpha beta gamma. Delta epsilon.", "Zeta eta theta iota kappa lambda.",
                   "Mu nu xi omicron pi rho."]


def test_split_sentences_tiles_text():
    text = 'He said "Stop." Then left! Did he? Yes\n\nNew paragraph'
    spans = split_sentences(text)
    assert "".join(text[a:b] for a, b in spans) == text
    assert [text[a:b].strip() for a, b in spans] == ['He said "Stop."', "Then left!", "Did he?", "Yes",
                                                     "New paragraph"]


def test_empty_and_whitespace_documents_give_no_chunks():
    assert TextChunker().split_text("   \n ") == []
    assert TextChunker("fixed", 4, 0, "whitespace").split(Document("")) == []


@pytest.mark.parametrize("kwargs, match", [
    ({"strategy": "semantic"}, "semantic"), ({"chunk_size": 0}, "chunk_size.*0"),
    ({"chunk_size": 10, "chunk_overlap": 10}, "chunk_overlap.*10"), ({"chunk_overlap": -1}, "-1"),
    ({"tokenizer": "gpt2"}, "gpt2"), ({"chunk_size": 2.5}, "2.5")])
def test_bad_arguments_name_the_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TextChunker(**kwargs)


def test_bad_documents():
    with pytest.raises(TypeError, match="Document"):
        TextChunker().split("plain text")
    with pytest.raises(TypeError, match="text must be a str"):
        TextChunker().split_text(3)
    assert re.fullmatch(r"[0-9a-f]{16}", Document("x").id)
