"""course_lib.generation.beam against transformers' beam search, greedy decoding and brute force."""

import itertools
import random

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from course_lib.generation.beam import beam_search  # noqa: E402
from course_lib.transformer import GPT, GPTConfig  # noqa: E402

VOCAB = 61


def random_gpt(seed, style, vocab=VOCAB):
    """A small GPT with large random weights (std 0.3), so next-token distributions are peaked, not flat."""
    torch.manual_seed(seed)
    config = getattr(GPTConfig, style)(vocab_size=vocab, block_size=32, n_layer=2, n_head=2, d_model=24)
    model = GPT(config).eval()
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            if p.ndim == 2:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.3)
    return model


def hf_beam(hf, ids, nb, n, lp, es, eos):
    from transformers import GenerationConfig

    pad = None if eos is None else eos if isinstance(eos, int) else eos[0]
    config = GenerationConfig(num_beams=nb, num_return_sequences=nb, do_sample=False, max_new_tokens=n,
                              length_penalty=lp, early_stopping=es, eos_token_id=eos,
                              pad_token_id=0 if pad is None else pad, bos_token_id=None,
                              output_scores=True, return_dict_in_generate=True, use_cache=False)
    return hf.generate(ids, generation_config=config, attention_mask=torch.ones_like(ids))


@pytest.mark.parametrize("seed", range(10))
def test_sequences_and_scores_equal_transformers(seed):
    rng = random.Random(seed)
    model = random_gpt(seed, rng.choice(["llama_style", "gpt2_style"]))
    hf = model.to_hf().eval()
    ids = torch.tensor([[rng.randrange(VOCAB) for _ in range(rng.randrange(1, 5))]])
    nb, n = rng.randrange(2, 5), rng.randrange(2, 9)
    lp, es = rng.choice([1.0, 0.0, 2.0, -1.0, 0.5]), rng.choice([True, False, "never"])
    eos = None
    if seed % 3:  # an EOS the search meets: a token of the best sequence found without one
        new = beam_search(model, ids, nb, n).sequences[0, ids.shape[1]:].tolist()
        eos = rng.choice(new) if seed % 3 == 1 else [rng.choice(new), rng.randrange(VOCAB)]
    ref = hf_beam(hf, ids, nb, n, lp, es, eos)
    for scorer in (hf, model):  # transformers' own logits, then ours (same weights)
        out = beam_search(scorer, ids, nb, n, length_penalty=lp, eos_token_id=eos, early_stopping=es)
        assert torch.equal(out.sequences, ref.sequences), (out.sequences, ref.sequences)
        torch.testing.assert_close(out.scores, ref.sequences_scores, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("seed", range(4))
def test_an_eos_ends_beams_early_and_scores_are_normalized_log_probs(seed):
    rng = random.Random(seed)
    model = random_gpt(seed, "llama_style")
    ids = torch.tensor([[rng.randrange(VOCAB) for _ in range(3)]])
    nb, n, lp = 3, 8, rng.choice([0.5, 1.0, 2.0])
    eos = beam_search(model, ids, nb, n).sequences[0, 4].item()  # the 2nd new token of the best beam
    out = beam_search(model, ids, nb, n, length_penalty=lp, eos_token_id=eos)
    assert any(eos in row[3:].tolist() for row in out.sequences)  # at least one returned beam ended early
    for row, score in zip(out.sequences, out.scores):
        new = row[3:].tolist()
        length = new.index(eos) + 1 if eos in new else len(new)
        full = row[None, :3 + length]
        log_probs = torch.log_softmax(model(full)[0, 2:-1].double(), dim=-1)  # (length, V) teacher forcing
        total = log_probs.gather(1, full[0, 3:, None]).sum().item()
        assert score.item() == pytest.approx(total / length ** lp, abs=1e-4)
        assert (row[3 + length:] == eos).all()  # padding after the end
    assert out.scores[0] >= out.scores[1] >= out.scores[2]


@pytest.mark.parametrize("seed", range(5))
def test_one_beam_is_greedy(seed):
    rng = random.Random(seed)
    model = random_gpt(seed, rng.choice(["llama_style", "gpt2_style"]))
    ids = torch.tensor([[rng.randrange(VOCAB) for _ in range(rng.randrange(1, 6))]])
    n = rng.randrange(1, 12)
    out = beam_search(model, ids, num_beams=1, max_new_tokens=n)
    assert torch.equal(out.sequences[0], model.generate(ids, n, temperature=0)[0])


@pytest.mark.parametrize("seed", range(3))
def test_a_beam_as_wide_as_the_tree_finds_the_most_probable_sequence(seed):
    """length_penalty=0 ranks by total log-prob; with num_beams >= V**(n-1) nothing is ever pruned."""
    vocab, n = 5, 3
    model = random_gpt(seed, "llama_style", vocab=vocab)
    ids = torch.tensor([[seed % vocab]])
    best, best_score = None, -float("inf")
    for tail in itertools.product(range(vocab), repeat=n):
        full = torch.tensor([[ids.item(), *tail]])
        log_probs = torch.log_softmax(model(full)[0, :-1].double(), dim=-1)
        score = log_probs.gather(1, full[0, 1:, None]).sum().item()
        if score > best_score:
            best, best_score = tail, score
    out = beam_search(model, ids, num_beams=vocab ** (n - 1), max_new_tokens=n, length_penalty=0.0,
                      early_stopping="never")
    assert tuple(out.sequences[0, 1:].tolist()) == best
    assert out.scores[0].item() == pytest.approx(best_score, abs=1e-4)
    narrow = beam_search(model, ids, num_beams=1, max_new_tokens=n, length_penalty=0.0)
    assert narrow.scores[0].item() <= best_score + 1e-4  # greedy can only do as well


def test_steps_record_the_tree():
    model = random_gpt(0, "gpt2_style")
    ids = torch.tensor([[1, 2]])
    out = beam_search(model, ids, num_beams=3, max_new_tokens=5)
    assert len(out.steps) == 5
    running = [ids[0].tolist()]
    for step in out.steps:
        assert len(step.tokens) == len(step.parents) == len(step.scores) == 6  # 2 * num_beams candidates
        assert list(step.scores) == sorted(step.scores, reverse=True)
        cands = [running[p] + [t] for p, t in zip(step.parents, step.tokens)]
        running = [c for c, k in zip(cands, step.kept) if k]
        assert len(running) == 3 or step is out.steps[-1]
    finished = [c for c, f in zip(cands, out.steps[-1].finished) if f]
    assert sorted(map(tuple, out.sequences.tolist())) == sorted(map(tuple, finished))


def test_bad_input_is_named():
    model = random_gpt(0, "llama_style")
    ids = torch.tensor([[1, 2]])
    with pytest.raises(ValueError, match="num_beams"):
        beam_search(model, ids, 0, 3)
    with pytest.raises(ValueError, match="one non-empty prompt"):
        beam_search(model, ids.repeat(2, 1), 2, 3)
    with pytest.raises(ValueError, match="'sometimes'"):
        beam_search(model, ids, 2, 3, early_stopping="sometimes")
    with pytest.raises(ValueError, match="-4"):
        beam_search(model, ids, 2, 3, eos_token_id=-4)
    with pytest.raises(TypeError, match="length_penalty"):
        beam_search(model, ids, 2, 3, length_penalty="long")
    with pytest.raises(TypeError, match="logits"):
        beam_search(lambda x: x.float(), ids, 2, 3)
