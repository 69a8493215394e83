"""Speed of course_lib.chat against its references, in the same run.

    python benchmarks/bench_chat.py

* rendering 2,000 random conversations: ``render_chatml`` / ``render_gemma`` (plain Python) vs
  transformers' ``apply_chat_template(tokenize=False)`` with the same Jinja templates;
* counting their tokens: ``count_chat_tokens`` (split at the markers, cl100k for the rest) vs a
  tiktoken ``Encoding`` extended with the markers as special tokens (same counts, asserted).

Prints seconds and the ratio ours / reference (below 1 = we are faster). No target: the point is
that an application can render and count on every turn without noticing.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import best_time  # noqa: E402

from course_lib import chat as C  # noqa: E402


def conversations(n: int, seed: int = 0) -> list[list[dict]]:
    rng = random.Random(seed)
    words = "the model reads tokens and the application keeps the whole conversation".split()
    out = []
    for _ in range(n):
        messages = [{"role": "system", "content": " ".join(rng.choices(words, k=12))}]
        for i in range(rng.randrange(1, 12)):
            messages.append({"role": "user" if i % 2 == 0 else "assistant",
                             "content": " ".join(rng.choices(words, k=rng.randrange(1, 60)))})
        out.append(messages)
    return out


def main() -> None:
    import tiktoken
    from tokenizers import Tokenizer, models
    from transformers import PreTrainedTokenizerFast

    chats = conversations(2000)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]")))
    base = C._cl100k()
    for family in ("chatml", "gemma"):
        ours_fn, template = C.FAMILIES[family]
        ours = best_time(lambda: [ours_fn(m) for m in chats], 3)
        ref = best_time(lambda: [tokenizer.apply_chat_template(m, chat_template=template, tokenize=False,
                                                               add_generation_prompt=True) for m in chats], 3)
        print(f"render {family:6} {len(chats)} chats: ours {ours:.3f}s, apply_chat_template {ref:.3f}s, "
              f"ratio {ours / ref:.2f}")
        markers = C.template_markers(family)
        extended = tiktoken.Encoding(name=f"cl100k_{family}", pat_str=base._pat_str,
                                     mergeable_ranks=base._mergeable_ranks,
                                     special_tokens={**base._special_tokens,
                                                     **{m: 100300 + i for i, m in enumerate(markers)}})
        texts = [ours_fn(m) for m in chats]
        counts = [C.count_chat_tokens(m, family) for m in chats]
        assert counts == [len(extended.encode(t, allowed_special=set(markers))) for t in texts]
        ours = best_time(lambda: [C.count_chat_tokens(m, family) for m in chats], 3)
        ref = best_time(lambda: [len(extended.encode(t, allowed_special=set(markers))) for t in texts], 3)
        print(f"count  {family:6} {len(chats)} chats: ours {ours:.3f}s (render + count), tiktoken extended "
              f"{ref:.3f}s (count only), ratio {ours / ref:.2f}")


if __name__ == "__main__":
    main()
