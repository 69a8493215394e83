"""Time course_lib's MoELayer against transformers' MixtralSparseMoeBlock (same weights, same input).

    python benchmarks/bench_moe.py [--tokens 512] [--d-model 256] [--d-ff 512] [--experts 8] [--top-k 2]
                                   [--device cpu|cuda] [--dtype float32|bfloat16] [--repeats 30]

Checks that the outputs agree, then times forward passes of ours, of transformers' eager experts
loop and of its default ``grouped_mm`` kernel, interleaved (one of each per round, so a busy machine
disturbs all three alike), and prints the fastest run of each (the least disturbed by other load) and
the ratios ours / transformers.
"""

import argparse
import time

import torch
from transformers import MixtralConfig
from transformers.models.mixtral.modeling_mixtral import MixtralSparseMoeBlock

from course_lib.moe import MoELayer


def seconds(fn, device: str) -> float:
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    fn()
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=512)
    parser.add_argument("--d-model", type=int, default=256)
    parser.add_argument("--d-ff", type=int, default=512)
    parser.add_argument("--experts", type=int, default=8)
    parser.add_argument("--top-k", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    dtype = getattr(torch, args.dtype)
    torch.manual_seed(0)
    x = torch.randn(1, args.tokens, args.d_model, device=args.device, dtype=dtype)  # (B, T, C)
    blocks = {}
    for implementation in ("eager", "grouped_mm"):
        config = MixtralConfig(hidden_size=args.d_model, intermediate_size=args.d_ff,
                               num_local_experts=args.experts, num_experts_per_tok=args.top_k)
        config._experts_implementation = implementation
        torch.manual_seed(1)  # the same weights for both
        block = MixtralSparseMoeBlock(config)
        with torch.no_grad():
            for param in block.parameters():
                param.normal_(0.0, 0.05)
        blocks[implementation] = block.to(device=args.device, dtype=dtype).eval()
    ours = MoELayer.from_hf(blocks["eager"]).eval()
    runs = {"course_lib MoELayer": ours, **{f"transformers {name}": b for name, b in blocks.items()}}
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == torch.float32 else dict(rtol=2e-2, atol=2e-2)
    times = {name: [] for name in runs}
    with torch.no_grad():
        reference = ours(x)
        for name, module in runs.items():
            torch.testing.assert_close(module(x.clone()), reference, **tol)
        for _ in range(args.repeats):
            for name, module in runs.items():
                times[name].append(seconds(lambda: module(x.clone()), args.device))
    print(f"{args.tokens} tokens, d_model {args.d_model}, d_ff {args.d_ff}, {args.experts} experts, "
          f"top-{args.top_k}, "
          f"{args.device} {args.dtype}, torch threads {torch.get_num_threads()}, best of {args.repeats}")
    mine = min(times["course_lib MoELayer"])
    for name, values in times.items():
        best = min(values)
        ratio = "" if name.startswith("course_lib") else f"   ratio ours / theirs {mine / best:.2f}"
        print(f"{name:28} {best * 1e3:8.3f} ms{ratio}")


if __name__ == "__main__":
    main()
