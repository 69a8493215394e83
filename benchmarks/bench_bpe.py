"""Benchmark course_lib.bpe: training against HF tokenizers, encoding against tiktoken.

Run from the repository root (offline; needs tokenizers, tiktoken and llama-index-core):

    python benchmarks/bench_bpe.py            # ~200 KB of text, vocab 512

Prints three ratios and exits 1 if a target fails:
  1. training time, ours / HF ``BpeTrainer`` (ByteLevel pre-tokenizer = the GPT-2 regex), same text
     and vocab size, best of ``--repeats`` runs each: target <= 10;
  2. tokens on held-out text, ours / HF, both trained above (equal vocab): target within 5%;
  3. encoding time, ``BPETokenizer.from_tiktoken("cl100k_base")`` / tiktoken itself, on the training
     text, with our chunk cache cold (first pass) and warm (second pass): reported, no target.
"""

from __future__ import annotations

import argparse
import random
import re
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_lib.bpe import BPETokenizer, tiktoken_encoding  # noqa: E402
from course_lib.corpus import course_corpus  # noqa: E402
from _timing import best_time  # benchmarks/_timing.py

MAX_TIME_RATIO = 10.0
MAX_TOKEN_DIFFERENCE = 0.05


def documents() -> list[str]:
    """The course corpus paragraphs, then the book's markdown pages cut at blank lines (sorted by file)."""
    pages = [p.strip() for f in sorted((ROOT / "book").glob("*.md"))
             for p in f.read_text(encoding="utf-8").split("\n\n")]
    return course_corpus() + [p for p in pages if p]


def varied_text(docs: list[str], n_chars: int, seed: int) -> str:
    """Shuffled copies of ``docs`` until ``n_chars``, with ~12% of words altered (case, a typo, a
    number) so the text keeps a long tail of rare words instead of repeating the same few thousand."""
    rng = random.Random(seed)

    def vary(match: re.Match) -> str:
        word, r = match.group(), rng.random()
        if r < 0.03:
            return word.upper()
        if r < 0.06:
            return word.capitalize()
        if r < 0.10 and len(word) > 3:
            i = rng.randrange(len(word))
            return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1:]
        if r < 0.12:
            return word + str(rng.randrange(1000))
        return word

    out, size = [], 0
    while size < n_chars:
        order = docs[:]
        rng.shuffle(order)
        for doc in order:
            out.append(re.sub(r"[A-Za-z]+", vary, doc))
            size += len(out[-1]) + 2
    return "\n\n".join(out)


def train_hf(paragraphs: list[str], vocab_size: int):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(paragraphs, trainer)
    return tok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=200_000, help="size of the training text")
    parser.add_argument("--vocab-size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each trainer (best kept)")
    args = parser.parse_args()

    import tiktoken
    import tokenizers

    docs = documents()
    held_out_docs = docs[::5]  # every fifth paragraph is never trained on
    train_text = varied_text([d for i, d in enumerate(docs) if i % 5], args.chars, seed=0)
    held_out = varied_text(held_out_docs, args.chars // 4, seed=1)
    # HF gets the paragraphs as separate sequences (as it is usually fed, and so it can use its
    # threads); the pair counts are the same, since "\n\n" chunks hold no pair of the GPT-2 split.
    paragraphs = train_text.split("\n\n")
    print(f"tokenizers {tokenizers.__version__}, tiktoken {tiktoken.__version__}; training text "
          f"{len(train_text.encode()):,} bytes ({len(docs)} paragraphs, 1 in 5 held out), "
          f"held-out text {len(held_out.encode()):,} bytes, vocab {args.vocab_size}")

    ours = BPETokenizer("gpt2")
    t_ours = best_time(lambda: ours.train(train_text, args.vocab_size), args.repeats)
    hf_holder = []
    t_hf = best_time(lambda: hf_holder.append(train_hf(paragraphs, args.vocab_size)), args.repeats)
    hf = hf_holder[-1]
    time_ratio = t_ours / t_hf
    print(f"1. training: ours {t_ours:.3f} s, HF {t_hf:.3f} s, ratio ours/HF = {time_ratio:.2f} "
          f"(target <= {MAX_TIME_RATIO:g})")

    n_ours, n_hf = len(ours.encode(held_out)), len(hf.encode(held_out).ids)
    token_ratio = n_ours / n_hf
    print(f"2. held-out tokens: ours {n_ours:,}, HF {n_hf:,} (vocab {ours.vocab_size}, "
          f"{hf.get_vocab_size()}), ratio ours/HF = {token_ratio:.4f} "
          f"(target within {MAX_TOKEN_DIFFERENCE:.0%})")

    start = time.perf_counter()
    cl100k = BPETokenizer.from_tiktoken("cl100k_base")
    t_build = time.perf_counter() - start
    enc = tiktoken_encoding("cl100k_base")
    t_tiktoken = best_time(lambda: enc.encode(train_text, allowed_special="all"), args.repeats)
    start = time.perf_counter()
    ids = cl100k.encode(train_text, allowed_special="all")
    t_cold = time.perf_counter() - start
    t_warm = best_time(lambda: cl100k.encode(train_text, allowed_special="all"), args.repeats)
    assert ids == enc.encode(train_text, allowed_special="all"), "from_tiktoken disagrees with tiktoken"
    mb = len(train_text.encode()) / 1e6
    print(f"3. encoding (cl100k_base, {len(ids):,} tokens): tiktoken {t_tiktoken * 1e3:.1f} ms "
          f"({mb / t_tiktoken:.1f} MB/s); ours cold cache {t_cold * 1e3:.1f} ms ({mb / t_cold:.1f} MB/s), "
          f"warm {t_warm * 1e3:.1f} ms ({mb / t_warm:.1f} MB/s); ratio ours/tiktoken = "
          f"{t_cold / t_tiktoken:.1f} cold, {t_warm / t_tiktoken:.1f} warm "
          f"(building from tiktoken's ranks took {t_build:.1f} s)")

    failures = []
    if time_ratio > MAX_TIME_RATIO:
        failures.append(f"training is {time_ratio:.1f}x HF's time (target <= {MAX_TIME_RATIO:g}x)")
    if abs(token_ratio - 1) > MAX_TOKEN_DIFFERENCE:
        failures.append(f"held-out token count differs from HF's by {token_ratio - 1:+.1%}")
    for failure in failures:
        print("FAIL:", failure)
    print("PASS" if not failures else f"{len(failures)} target(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
