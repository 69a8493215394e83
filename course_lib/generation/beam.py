"""Beam search: keep the ``num_beams`` most probable partial sequences at every step (Day 12).

Greedy decoding commits to the single best token at each step; beam search keeps ``num_beams`` running
sequences ("beams"), extends each by every token, and keeps the best ``num_beams`` by total log-probability
(Graves 2012; Sutskever et al. 2014; the length penalty of Wu et al. 2016, "Google's NMT system", in the
simple form ``score = sum of log-probs / new_length ** length_penalty``). A beam that writes an
end-of-sequence id, or reaches ``max_new_tokens``, moves to a list of finished hypotheses; the search ends
when no running beam can beat the finished ones (``early_stopping`` chooses how that is judged).

Checked against ``transformers``' beam search (``GenerationMixin._beam_search``, transformers 5.23) in
``tests/test_generation_beam.py``: on the same weights, ``sequences`` and ``scores`` equal
``model.generate(ids, num_beams=B, num_return_sequences=B, do_sample=False, max_new_tokens=N,
length_penalty=L, early_stopping=E, eos_token_id=EOS, pad_token_id=EOS, output_scores=True,
return_dict_in_generate=True)``'s ``sequences`` and ``sequences_scores``, given NO other logits processor
(no ``min_length``, ``no_repeat_ngram_size``, ``repetition_penalty``, ``bad_words_ids``, temperature 1) and,
without an EOS, a generation config whose ``eos_token_id`` is None (Llama configs default to 2). We
follow transformers' bookkeeping on purpose: ``max(2, 1 + #eos) * num_beams`` candidates per step, only
the best ``num_beams`` of them may finish, scores in float32, finished rows padded with the EOS id.
Leaves out: batches of prompts (one prompt at a time), sampling beams, diverse/constrained beam search,
a KV cache (each step reruns the beams; Day 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

__all__ = ["beam_search", "BeamSearchOutput", "BeamStep"]

_NEG = -1.0e9  # transformers' "impossible" score


@dataclass(frozen=True)
class BeamStep:
    """One step of the search, for drawing it: the candidates the step considered, best first."""

    parents: tuple[int, ...]  # index of each candidate's beam among the previous step's running beams
    tokens: tuple[int, ...]  # the token each candidate appends
    scores: tuple[float, ...]  # its total log-probability (no length penalty)
    kept: tuple[bool, ...]  # it became a running beam of the next step (in this order; none at the end)
    finished: tuple[bool, ...]  # it ended here (EOS or length) and entered the finished list


@dataclass(frozen=True)
class BeamSearchOutput:
    """Result of :func:`beam_search`."""

    sequences: Any  # (num_beams, <= T + max_new_tokens) int64, prompt included, best first, padded with EOS
    scores: Any  # (num_beams,) float32: sum of new-token log-probs / new_length ** length_penalty
    steps: tuple[BeamStep, ...]  # what each step considered, kept and finished (the beam-tree widget draws it)


def _next_log_probs(model: Any, ids: torch.Tensor) -> torch.Tensor:
    """``(B, vocab)`` log-probabilities of the next token after each row of ``ids (B, T)``, in float32."""
    block = getattr(getattr(model, "config", None), "block_size", None)
    out = model(ids[:, -block:] if isinstance(block, int) else ids)
    logits = out.logits if hasattr(out, "logits") else out  # a transformers model returns an object
    if not isinstance(logits, torch.Tensor) or logits.ndim != 3 or logits.shape[0] != ids.shape[0]:
        raise TypeError(f"model(ids) must give logits (B, T, vocab), got {type(logits).__name__} "
                        f"{tuple(getattr(logits, 'shape', ()))}")
    return torch.log_softmax(logits[:, -1, :].float(), dim=-1)  # (B, vocab)


def _check(input_ids: Any, num_beams: Any, max_new_tokens: Any, length_penalty: Any, eos_token_id: Any,
           early_stopping: Any) -> list[int]:
    if not isinstance(input_ids, torch.Tensor) or input_ids.dtype != torch.long or input_ids.ndim != 2 \
            or input_ids.shape[0] != 1 or input_ids.shape[1] == 0:
        raise ValueError(f"input_ids must be one non-empty prompt, an int64 tensor (1, T), got "
                         f"{getattr(input_ids, 'dtype', type(input_ids).__name__)} "
                         f"{tuple(getattr(input_ids, 'shape', ()))}")
    for name, value in (("num_beams", num_beams), ("max_new_tokens", max_new_tokens)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    if isinstance(length_penalty, bool) or not isinstance(length_penalty, (int, float)):
        raise TypeError(f"length_penalty must be a number, got {length_penalty!r}")
    if not (isinstance(early_stopping, bool) or early_stopping == "never"):
        raise ValueError(f"early_stopping must be True, False or 'never', got {early_stopping!r}")
    eos = [] if eos_token_id is None else [eos_token_id] if isinstance(eos_token_id, int) else list(eos_token_id)
    if not all(isinstance(e, int) and not isinstance(e, bool) and e >= 0 for e in eos):
        raise ValueError(f"eos_token_id must be None, an int >= 0 or a list of them, got {eos_token_id!r}")
    return eos


@torch.no_grad()
def beam_search(model: Any, input_ids: torch.Tensor, num_beams: int, max_new_tokens: int,
                length_penalty: float = 1.0, eos_token_id: int | list[int] | None = None,
                early_stopping: bool | str = False) -> BeamSearchOutput:
    """The ``num_beams`` best continuations of one prompt ``input_ids (1, T)``, best first (Day 12).

    ``model`` maps ids ``(B, T)`` to logits ``(B, T, vocab)`` (our GPT, any callable, or a ``transformers``
    model: its ``.logits`` is used). ``length_penalty`` > 0 favours longer finished sequences, < 0 shorter
    ones, 0 ranks by plain total log-probability. ``early_stopping``: True stops once ``num_beams``
    sequences have finished; False (transformers' default) stops when the best running beam, scored at
    its current length, cannot beat the worst finished one; "never" scores it at ``max_new_tokens`` when
    ``length_penalty`` > 0 (the exact, slowest rule). ``num_beams=1`` is greedy decoding.

    Example:
        >>> from course_lib.transformer import GPT, GPTConfig
        >>> _ = torch.manual_seed(0)
        >>> model = GPT(GPTConfig.llama_style(vocab_size=50, block_size=16, n_layer=1, n_head=2, d_model=16)).eval()
        >>> out = beam_search(model, torch.tensor([[1, 2, 3]]), num_beams=3, max_new_tokens=4)
        >>> out.sequences.shape, out.scores.shape, len(out.steps)  # 3 beams of 3 + 4 ids, 4 steps
        (torch.Size([3, 7]), torch.Size([3]), 4)
        >>> bool(out.scores[0] >= out.scores[1] >= out.scores[2])  # best first
        True
    """
    eos = _check(input_ids, num_beams, max_new_tokens, length_penalty, eos_token_id, early_stopping)
    prompt_len = input_ids.shape[1]
    keep = max(2, 1 + len(eos)) * num_beams  # candidates per step: enough to leave num_beams running
    eos_ids = torch.tensor(eos, dtype=torch.long)
    fill = eos[0] if eos else -1
    running = input_ids.repeat(num_beams, 1)  # (nb, T)
    running_scores = torch.full((num_beams,), _NEG)  # (nb,) only the first copy of the prompt is live
    running_scores[0] = 0.0
    done_seqs = torch.full((num_beams, prompt_len + max_new_tokens), fill, dtype=torch.long)  # finished list
    done_scores = torch.full((num_beams,), _NEG)  # (nb,) length-penalized scores
    done_flags = torch.zeros(num_beams, dtype=torch.bool)  # slot holds a real finished sequence
    done_lens = torch.zeros(num_beams, dtype=torch.long)  # its number of new tokens
    improvable, steps = True, []
    for step in range(max_new_tokens):
        log_probs = _next_log_probs(model, running) + running_scores[:, None]  # (nb, V) totals
        vocab = log_probs.shape[1]
        top_scores, top_index = torch.topk(log_probs.reshape(-1), k=keep)  # (keep,) best over beams x tokens
        parents, tokens = top_index // vocab, top_index % vocab  # (keep,), (keep,)
        cands = torch.cat([running[parents], tokens[:, None]], dim=1)  # (keep, T + step + 1)
        hits = torch.isin(tokens, eos_ids) | (step + 1 == max_new_tokens)  # (keep,) these candidates end here
        # running beams of the next step: the best candidates that did not end
        next_index = torch.topk(top_scores + hits.float() * _NEG, k=num_beams).indices  # (nb,)
        # finished list: only the best num_beams candidates may finish, scored with the length penalty
        may_finish = hits & (torch.arange(keep) < num_beams)  # (keep,)
        new_scores = top_scores / ((step + 1) ** length_penalty)
        new_scores += float(bool(done_flags.all()) and early_stopping is True) * _NEG
        new_scores += (~may_finish) * _NEG
        padded = torch.full((keep, done_seqs.shape[1]), fill, dtype=torch.long)
        padded[:, :cands.shape[1]] = cands
        best = torch.topk(torch.cat([done_scores, new_scores]), k=num_beams).indices  # (nb,)
        done_seqs = torch.cat([done_seqs, padded])[best]
        done_scores = torch.cat([done_scores, new_scores])[best]
        done_flags = torch.cat([done_flags, may_finish])[best]
        done_lens = torch.cat([done_lens, torch.full((keep,), step + 1)])[best]
        kept = torch.zeros(keep, dtype=torch.bool)
        kept[next_index] = True
        kept &= ~hits  # at the last step every candidate ends: none runs on
        steps.append(BeamStep(tuple(parents.tolist()), tuple(tokens.tolist()), tuple(top_scores.tolist()),
                              tuple(kept.tolist()), tuple(may_finish.tolist())))
        running, running_scores = cands[next_index], top_scores + hits.float() * _NEG
        running_scores = running_scores[next_index]
        # can a running beam still beat the worst finished one?
        best_len = max_new_tokens if early_stopping == "never" and length_penalty > 0 else step + 1
        best_possible = running_scores[0] / (best_len ** length_penalty)
        worst_done = torch.where(done_flags, done_scores.min(), _NEG)  # (nb,)
        improvable = improvable and bool((best_possible > worst_done).any())
        if not improvable or (bool(done_flags.all()) and early_stopping is True) or bool(hits.all()):
            break
    length = prompt_len + int(done_lens.max())  # as transformers, crop to the longest returned row
    return BeamSearchOutput(done_seqs[:, :length], done_scores, tuple(steps))
