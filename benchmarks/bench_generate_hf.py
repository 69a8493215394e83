"""Benchmark our cached GPT.generate against transformers' generate() on the same weights (Day 13).

Run from the repository root (offline; needs torch and transformers):

    python benchmarks/bench_generate_hf.py               # 64-token prompt + 512 new tokens, CPU, 1 thread
    python benchmarks/bench_generate_hf.py --d-model 128 --d-ff 352 --repeats 5

The model has the course GPT's architecture (Llama recipe: RMSNorm, RoPE, SwiGLU, 4 query heads sharing 2
key/value heads, tied embeddings, vocabulary 1024; the width is ``--d-model``) with ``block_size = 1024``,
random weights, exported with ``gpt.to_hf()`` to a ``LlamaForCausalLM`` (``--recipe gpt2`` does the same
for the GPT-2 recipe and ``GPT2LMHeadModel``). Both generate ``--new`` tokens greedily after the same
``--prompt``-token prompt, each with its KV cache (ours: ``use_cache=True``; theirs: ``use_cache=True``,
its default ``DynamicCache``, default "sdpa" attention). The ids must agree. Timed as this process's CPU
seconds (``time.process_time``; wall time after synchronizing on a GPU), runs alternating, best of
``--repeats``. Prints tokens per second for each and the time ratio ours / theirs; target at most 1.2.
Exits 1 if the target is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from bench_kv_cache import add_model_arguments, build_model  # noqa: E402

MAX_RATIO = 1.2


def timed(fn, cuda: bool) -> tuple[float, torch.Tensor]:
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    clock = time.perf_counter if cuda else time.process_time
    sync()
    start = clock()
    out = fn()
    sync()
    return clock() - start, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipe", default="llama", choices=["llama", "gpt2"])
    add_model_arguments(parser)
    args = parser.parse_args()
    ours = build_model(args, args.recipe)
    config = ours.config
    theirs = ours.to_hf().to(args.device).eval()
    prompt = torch.randint(0, config.vocab_size, (1, args.prompt), device=args.device)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {args.device}; {args.recipe} recipe "
          f"({config.n_layer} layers, d_model {config.d_model}, {config.n_head} heads / {config.n_kv_head} KV heads, "
          f"{ours.num_parameters():,} parameters) vs {type(theirs).__name__}; {args.prompt}-token prompt + "
          f"{args.new} new tokens, greedy, best of {args.repeats}")

    def run_ours() -> torch.Tensor:
        return ours.generate(prompt, args.new, temperature=0, use_cache=True)

    def run_theirs() -> torch.Tensor:
        with torch.no_grad():
            return theirs.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=args.new,
                                   min_new_tokens=args.new, do_sample=False, use_cache=True, pad_token_id=0,
                                   eos_token_id=None)

    best = {"ours": float("inf"), "theirs": float("inf")}
    outputs = {}
    for _ in range(args.repeats):
        for name, fn in (("ours", run_ours), ("theirs", run_theirs)):  # alternate, so load hits both alike
            seconds, outputs[name] = timed(fn, prompt.is_cuda)
            best[name] = min(best[name], seconds)
    same = outputs["ours"].shape == outputs["theirs"].shape and torch.equal(outputs["ours"], outputs["theirs"])
    agree = (outputs["ours"] == outputs["theirs"]).float().mean().item() if \
        outputs["ours"].shape == outputs["theirs"].shape else 0.0
    for name in ("ours", "theirs"):
        print(f"{name:6s} {best[name]:7.3f} s  {args.new / best[name]:7.1f} tokens/s")
    ratio = best["ours"] / best["theirs"]
    print(f"same ids: {same} ({agree:.1%} of positions agree)")
    print(f"time ours / theirs {ratio:.2f}; target <= {MAX_RATIO}: {'met' if ratio <= MAX_RATIO else 'FAILED'}")
    return 0 if ratio <= MAX_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
