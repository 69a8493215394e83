"""Decoding: turning a model's next-token scores into text (Days 4, 11, 12).

One file per strategy, re-exported here:

* :mod:`course_lib.generation.probabilities` (Day 4, NumPy): softmax, log-softmax, temperature,
  greedy and sampled choice of one token.
* :mod:`course_lib.generation.filters` (Day 11, torch): temperature, top-k, top-p and the repetition
  penalty as logits processors, each equal to its ``transformers`` counterpart, and
  :func:`choose_next_token`, one decoding step in ``transformers``' order.
* :mod:`course_lib.generation.stopping` (Day 12): stopping criteria (max tokens, EOS, stop strings)
  and an incremental detokenizer that never emits half a UTF-8 character.
* :mod:`course_lib.generation.beam` (Day 12): beam search with a length penalty.
* :mod:`course_lib.generation.metrics` (Day 12): perplexity, BLEU, ROUGE, distinct-n.

The torch-based files are imported on first use (PEP 562), so ``import course_lib.generation``
stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

from course_lib.generation.probabilities import greedy, log_softmax, sample_next, scale_logits, softmax

__all__ = ["softmax", "log_softmax", "greedy", "sample_next", "scale_logits"]

# name -> submodule (each imports torch at module level); see PART34 interfaces
_FILES = {
    "filters": ["temperature_scale", "top_k_filter", "top_p_filter", "repetition_penalty", "choose_next_token"],
    "streaming": ["IncrementalDetokenizer"],
    "stopping": ["MaxNewTokens", "EosToken", "StopStrings", "stop_reached", "trim_at_stop"],
    "beam": ["beam_search", "BeamSearchOutput"],
    "metrics": ["perplexity", "bleu", "rouge_n", "rouge_l", "distinct_n"],
}
_LAZY = {name: f"course_lib.generation.{file}" for file, names in _FILES.items() for name in names}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'course_lib.generation' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
