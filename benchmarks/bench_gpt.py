"""Benchmark the course GPT (course_lib.transformer) against transformers' model of the same architecture.

Run from the repository root (offline; needs torch and transformers):

    python benchmarks/bench_gpt.py                 # both recipes, CPU, batch 8 x 128 tokens
    python benchmarks/bench_gpt.py --repeats 15 --d-model 384

For each recipe (GPT-2: ``GPT2LMHeadModel``; Llama: ``LlamaForCausalLM`` with grouped-query attention) it
builds our GPT, converts it with ``to_hf()`` (same weights, same sizes), checks that the logits agree, and
times one training step's worth of work, forward + cross-entropy + backward, on the same batch. The two
models alternate, ``--repeats`` times each after ``--warmup`` untimed rounds; the median counts. On the
CPU the clock is the process's CPU time (``time.process_time``) with one thread by default, which other
jobs on a shared machine disturb far less than wall time; on a GPU it is wall time after synchronizing. Prints
ours / theirs per recipe and exits 1 if a ratio exceeds the target (1.10: ours takes the same fused
attention kernel, ``torch.nn.functional.scaled_dot_product_attention``, as transformers' default "sdpa").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from course_lib.transformer import GPT, GPTConfig  # noqa: E402

MAX_RATIO = 1.10


def step_time(logits_fn, idx: torch.Tensor, targets: torch.Tensor) -> float:
    """Seconds for forward + cross-entropy + backward (gradients cleared by the caller)."""
    sync = torch.cuda.synchronize if idx.is_cuda else (lambda: None)
    clock = time.perf_counter if idx.is_cuda else time.process_time  # CPU: this process's CPU seconds
    sync()
    start = clock()
    logits = logits_fn(idx)  # (B, T, vocab)
    F.cross_entropy(logits.flatten(0, 1), targets.flatten()).backward()
    sync()
    return clock() - start


def bench(recipe: str, args: argparse.Namespace) -> float:
    torch.manual_seed(0)
    sizes = dict(vocab_size=args.vocab, block_size=args.seq, n_layer=args.layers, n_head=args.heads,
                 d_model=args.d_model)
    config = GPTConfig.gpt2_style(**sizes) if recipe == "gpt2" else \
        GPTConfig.llama_style(n_kv_head=args.heads // 2, **sizes)
    ours = GPT(config).to(args.device)
    theirs = ours.to_hf().to(args.device)  # same weights; transformers' default attention ("sdpa")
    idx = torch.randint(0, args.vocab, (args.batch, args.seq), device=args.device)
    targets = torch.randint(0, args.vocab, (args.batch, args.seq), device=args.device)
    with torch.no_grad():
        gap = (ours(idx) - theirs(idx).logits).abs().max().item()
    assert gap < 1e-4, f"{recipe}: logits differ by {gap}"

    models = {"ours": (ours, ours), "theirs": (theirs, lambda x: theirs(x).logits)}
    times: dict[str, list[float]] = {"ours": [], "theirs": []}
    for round_ in range(args.warmup + args.repeats):
        for name, (model, logits_fn) in models.items():  # alternate, so load changes hit both alike
            model.zero_grad(set_to_none=True)
            seconds = step_time(logits_fn, idx, targets)
            if round_ >= args.warmup:
                times[name].append(seconds)
    med = {name: statistics.median(values) for name, values in times.items()}
    ratio = med["ours"] / med["theirs"]
    print(f"{recipe:6s} {ours.num_parameters():>10,d} params  ours {med['ours'] * 1e3:8.1f} ms  "
          f"{type(theirs).__name__} {med['theirs'] * 1e3:8.1f} ms  ratio {ratio:.3f}  "
          f"(max logit gap {gap:.1e})")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--vocab", type=int, default=2048)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--d-model", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1: steadiest on a shared machine)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}; "
          f"batch {args.batch} x {args.seq} tokens, d_model {args.d_model}, {args.layers} layers, "
          f"median of {args.repeats}")
    ratios = {recipe: bench(recipe, args) for recipe in ("gpt2", "llama")}
    failed = [r for r, value in ratios.items() if value > MAX_RATIO]
    print("target ours/theirs <= %.2f: %s" % (MAX_RATIO, "FAILED for " + ", ".join(failed) if failed else "met"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
