"""Benchmark quantization (course_lib.quantization) on the course GPT: bytes, weight error, held-out loss, speed.

Run from the repository root (offline; needs torch):

    python benchmarks/bench_quantization.py              # all schemes, 64 held-out blocks of 128 tokens
    python benchmarks/bench_quantization.py --eval-blocks 77 --repeats 20

Part 1, for the 28 linear weight matrices of the shipped course GPT (the tied output head stays float32):
for float32, fp16, int8 (absmax per channel), NF4 (blocks of 64), NF4 with double quantization, and
int4 (absmax, blocks of 64) for comparison, it prints the bytes the weights take (codes + scales, as
stored: two 4-bit codes per byte), the mean absolute error of the dequantized weights, and the model's
held-out loss (``course_lib.training.evaluate`` on the held-out sections of the frozen book edition
``STATS_EDITION``) after replacing the weights by their dequantized values. The NF4 loss is also measured
with the real ``NF4Linear`` modules (``quantize_linears``) and must equal the dequantized copy's.

Part 2, speed against a reference in the same run: our zero-point int8 against torch's own
``torch.quantize_per_tensor`` (its C++ kernel) on a 4096 x 4096 matrix, and the ``NF4Linear`` forward
(dequantize + matmul) against a plain ``nn.Linear`` on a batch of 512 rows. Times are the best of
``--repeats`` runs of the process's CPU time, one thread. Prints ours / reference; informational (no
target: a from-scratch quantizer in Python-level torch is expected to be a few times slower than a fused
kernel, and a dequantize-every-forward layer slower than a float matmul: that is QLoRA's trade, memory for
compute).
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from course_lib.corpus import STATS_EDITION, book_sections, split_book  # noqa: E402
from _timing import best_time  # noqa: E402  benchmarks/_timing.py
from course_lib.pretrained import load_course_gpt  # noqa: E402
from course_lib.quantization import (  # noqa: E402
    absmax_dequantize, absmax_quantize, dequantize_nf4, double_dequantize, double_quantize, fake_quantize,
    quantize_linears, quantize_nf4, zeropoint_quantize)
from course_lib.training import TrainConfig, evaluate, pack  # noqa: E402


def cpu_best(fn, repeats: int) -> float:
    """The fastest of ``repeats`` runs of ``fn()`` in CPU seconds of this process."""
    return best_time(fn, repeats, clock=time.process_time)


def schemes() -> dict:
    """name -> (function w -> dequantized w, function w -> bytes stored)."""
    def nf4_dq(w):
        codes, absmax = quantize_nf4(w)
        return dequantize_nf4(codes, double_dequantize(*double_quantize(absmax)))

    def nf4_dq_bytes(w):
        blocks = -(-w.numel() // 64)
        return w.numel() / 2 + blocks + 4 * -(-blocks // 256) + 4  # codes, int8 absmax, scales, offset

    return {
        "float32": (lambda w: w, lambda w: 4 * w.numel()),
        "fp16": (lambda w: w.half().float(), lambda w: 2 * w.numel()),
        "int8 per channel": (lambda w: absmax_dequantize(*absmax_quantize(w, 8, dim=0)),
                             lambda w: w.numel() + 4 * w.shape[0]),
        "NF4 blocks of 64": (lambda w: dequantize_nf4(*quantize_nf4(w)), lambda w: w.numel() / 2 + 4 * w.numel() / 64),
        "NF4 + double quant.": (nf4_dq, nf4_dq_bytes),
        "int4 blocks of 64": (lambda w: fake_quantize(w, "absmax", 4, "block"),
                              lambda w: w.numel() / 2 + 4 * w.numel() / 64),
    }


def quality(eval_blocks: int) -> None:
    model, tokenizer = load_course_gpt()
    names = [n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear) and n != "lm_head"]
    weights = {n: model.get_submodule(n).weight.detach() for n in names}
    n_weights = sum(w.numel() for w in weights.values())
    _, held_out = split_book(book_sections(edition=STATS_EDITION))
    eot = tokenizer.vocab_size - 1
    data = pack([tokenizer.encode(s.text, allowed_special="none") for s in held_out], 128, eot)
    config = TrainConfig(batch_size=16, block_size=128, eval_blocks=eval_blocks)
    print(f"course GPT: {len(names)} linear matrices, {n_weights:,} weights; held-out loss on "
          f"{min(eval_blocks, data.inputs.shape[0])} blocks of 128 tokens")
    print(f"{'scheme':<22}{'bytes':>10}{'bits/weight':>13}{'mean |error|':>14}{'held-out loss':>15}")
    for name, (restore, size) in schemes().items():
        copied = copy.deepcopy(model)
        error, stored = 0.0, 0.0
        with torch.no_grad():
            for n, w in weights.items():
                restored = restore(w)
                error += float((restored - w).abs().sum())
                stored += size(w)
                copied.get_submodule(n).weight.copy_(restored)
        loss = evaluate(copied, data, config)
        print(f"{name:<22}{stored:>10,.0f}{8 * stored / n_weights:>13.3f}{error / n_weights:>14.3e}{loss:>15.4f}")
        if name == "NF4 blocks of 64":
            real = evaluate(quantize_linears(copy.deepcopy(model)), data, config)
            assert abs(real - loss) < 1e-5, (real, loss)
            print(f"{'  (NF4Linear modules)':<22}{'':>10}{'':>13}{'':>14}{real:>15.4f}")


def speed(repeats: int) -> None:
    torch.manual_seed(0)
    w = torch.randn(4096, 4096) * 0.02
    codes, scale, zero_point = zeropoint_quantize(w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = torch.quantize_per_tensor(w, float(scale), int(zero_point), torch.quint8)
        differ = reference.int_repr().int() != codes  # torch multiplies by 1/scale, we divide
        assert (reference.int_repr().int() - codes).abs().max() <= 1 and differ.float().mean() < 1e-5
        ours = cpu_best(lambda: zeropoint_quantize(w), repeats)
        theirs = cpu_best(lambda: torch.quantize_per_tensor(w, float(scale), int(zero_point), torch.quint8), repeats)
    print(f"zero-point int8, 4096x4096: ours {ours * 1e3:.1f} ms, torch.quantize_per_tensor {theirs * 1e3:.1f} ms, "
          f"ratio {ours / theirs:.2f} ({int(differ.sum())} of {w.numel():,} codes differ by one: x / scale "
          "within float error of a half)")
    nf4_time = cpu_best(lambda: quantize_nf4(w), repeats)
    print(f"quantize_nf4, 4096x4096 (16.8M weights): {nf4_time * 1e3:.1f} ms")
    linear = torch.nn.Linear(1024, 1024, bias=False)
    layer = quantize_linears(torch.nn.Sequential(copy.deepcopy(linear)))[0]
    x = torch.randn(512, 1024)
    with torch.no_grad():
        ours = cpu_best(lambda: layer(x), repeats)
        theirs = cpu_best(lambda: linear(x), repeats)
    print(f"forward 512x1024 @ 1024x1024: NF4Linear {ours * 1e3:.2f} ms, nn.Linear {theirs * 1e3:.2f} ms, "
          f"ratio {ours / theirs:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-blocks", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    quality(args.eval_blocks)
    speed(args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
