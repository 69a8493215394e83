"""Benchmark the KV cache (Day 13): GPT.generate with and without it, in one run.

Run from the repository root (offline; needs torch):

    python benchmarks/bench_kv_cache.py                  # 64-token prompt + 512 new tokens, CPU, 1 thread
    python benchmarks/bench_kv_cache.py --d-model 256 --layers 6 --repeats 3

The model has the course GPT's architecture (``course_lib.course_gpt.course_gpt_config``: Llama recipe,
RMSNorm, RoPE, SwiGLU, 4 layers, 4 query heads sharing 2 key/value heads, tied embeddings, vocabulary 1024)
at twice its width by default (d_model 256, d_ff 704: 3.2M parameters; ``--d-model 128 --d-ff 352`` is the
shipped size) and with ``block_size = 1024`` so that 64 + 512 = 576 positions fit (the shipped model reads
128). Weights are random: speed does not depend on them.

Greedy generation of ``--new`` tokens after a ``--prompt``-token prompt, ``use_cache=True`` against
``use_cache=False``; the two must give the same ids. Timed per step (CPU: this process's CPU seconds,
``time.process_time``, steadier than wall time on a shared machine; GPU: wall time after synchronizing),
best of ``--repeats`` runs for each step. Prints the speedup (uncached / cached total time; target at least
5x) and the time per token at the start and the end of generation: flat with the cache (end / start near 1)
and growing without it. Exits 1 if the speedup target is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from course_lib.course_gpt import course_gpt_config  # noqa: E402
from course_lib.transformer import GPT, GPTConfig  # noqa: E402

MIN_SPEEDUP = 5.0


def step_times(model: GPT, prompt: torch.Tensor, new: int, use_cache: bool) -> tuple[list[float], torch.Tensor]:
    """Seconds of each decoding step of ``model.generate`` (greedy), and the ids it produced."""
    cuda = prompt.is_cuda
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    clock = time.perf_counter if cuda else time.process_time
    times, ids = [], prompt
    sync()
    start = clock()
    for ids in model._decode(prompt, new, temperature=0, use_cache=use_cache):  # the loop generate() runs
        sync()
        now = clock()
        times.append(now - start)
        start = now
    return times, ids


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes and the machine, shared with ``bench_generate_hf.py``."""
    for flag, default in (("--prompt", 64), ("--new", 512), ("--layers", 4), ("--d-model", 256), ("--d-ff", 704),
                          ("--repeats", 3), ("--threads", 1)):
        parser.add_argument(flag, type=int, default=default)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])


def build_model(args: argparse.Namespace, recipe: str = "llama") -> GPT:
    """The course GPT's architecture at the chosen sizes, random weights, ``block_size`` >= prompt + new."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    sizes = {"block_size": max(1024, args.prompt + args.new), "n_layer": args.layers, "d_model": args.d_model,
             "d_ff": args.d_ff, "dropout": 0.0}
    if recipe == "llama":
        config = GPTConfig.from_dict({**course_gpt_config().to_dict(), **sizes})
    else:
        config = GPTConfig.gpt2_style(vocab_size=course_gpt_config().vocab_size, n_head=4, **sizes)
    return GPT(config).to(args.device).eval()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_arguments(parser)
    args = parser.parse_args()
    model = build_model(args)
    config = model.config
    prompt = torch.randint(0, config.vocab_size, (1, args.prompt), device=args.device)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {args.device}; course GPT architecture "
          f"({config.n_layer} layers, d_model {config.d_model}, {config.n_head} heads / {config.n_kv_head} KV heads, "
          f"vocab {config.vocab_size}, {model.num_parameters():,} parameters), block_size {config.block_size}; "
          f"{args.prompt}-token prompt + {args.new} new tokens, greedy, best of {args.repeats}")
    best: dict[bool, list[float]] = {}
    outputs = {}
    for _ in range(args.repeats):
        for use_cache in (True, False):  # alternate, so load changes hit both alike
            times, outputs[use_cache] = step_times(model, prompt, args.new, use_cache)
            best[use_cache] = times if use_cache not in best else [min(a, b) for a, b in zip(best[use_cache], times)]
    assert torch.equal(outputs[True], outputs[False]), "cached and uncached generation differ"
    total = {c: sum(t) for c, t in best.items()}
    speedup = total[False] / total[True]
    window = max(1, args.new // 8)
    for use_cache in (True, False):
        t = best[use_cache]
        first = sum(t[1:1 + window]) / window  # step 0 is the prefill (or the first full pass)
        last = sum(t[-window:]) / window
        label = "with cache   " if use_cache else "without cache"
        print(f"{label} total {total[use_cache]:7.3f} s  {args.new / total[use_cache]:7.1f} tokens/s  "
              f"ms/token: first {window} {first * 1e3:6.2f}, last {window} {last * 1e3:6.2f} (end/start "
              f"{last / first:4.2f}); prefill/first step {t[0] * 1e3:.2f} ms")
    print(f"speedup (without / with cache) {speedup:.2f}x; target >= {MIN_SPEEDUP:.0f}x: "
          f"{'met' if speedup >= MIN_SPEEDUP else 'FAILED'}")
    return 0 if speedup >= MIN_SPEEDUP else 1


if __name__ == "__main__":
    sys.exit(main())
