"""LoRA vs full fine-tuning on the course GPT: trainable parameters, peak memory, time per step, held-out loss.

    python benchmarks/bench_lora.py                 # 40 steps per method, the Day 17 settings
    python benchmarks/bench_lora.py --steps 100 --rank 16

Four runs on Day 17's task (the glossary as questions and answers, ``course_lib.fine_tuning``), each in
its own process so that the peak memory of one does not hide another's: full fine-tuning, our LoRA
(``apply_lora`` on every linear layer of the blocks), peft's LoRA with the same targets, rank and
alpha (the reference: time per step ours / peft is printed), and bottleneck adapters.

Memory: ``state`` is what the run keeps from step to step, counted from the real tensors (weights,
gradients of the trainable weights, AdamW's two moments: ``training_memory_bytes``); ``activations``
is what autograd saves in one forward pass for the backward pass (``saved_activation_bytes``, one
batch). Their sum is the CPU figure of peak memory; on a GPU ``torch.cuda.max_memory_allocated``
during training is printed as well.
Held-out losses are nats per token on the held-out glossary questions (task) and on the book's
held-out split (forgetting: after minus before).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys


def run_one(method: str, steps: int, rank: int, threads: int) -> dict:
    import torch

    from course_lib.fine_tuning import (ALL_LINEAR, count_parameters, finetune, finetune_config, finetuning_data,
                                        saved_activation_bytes, training_memory_bytes)
    from course_lib.pretrained import load_course_gpt
    from course_lib.runtime import pick_device, seed_everything
    from course_lib.training import evaluate, get_batch, train

    torch.set_num_threads(threads)
    seed_everything(0)
    model, tokenizer = load_course_gpt()
    device = pick_device()
    config = finetune_config("lora" if method == "peft" else method, max_steps=steps, device=device)
    data = finetuning_data(tokenizer, config.block_size)
    if method == "peft":
        from peft import LoraConfig, get_peft_model

        model.to(device)
        before = {"task": evaluate(model, data["task_held_out"], config),
                  "book": evaluate(model, data["book_held_out"], config)}
        model = get_peft_model(model, LoraConfig(r=rank, lora_alpha=2 * rank, target_modules=list(ALL_LINEAR)))
        trainable, total = count_parameters(model)
        if device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        log = train(model, data["task_train"], None, config, progress=False)
        result = {"trainable": trainable, "total": total, "seconds_per_step": log["wall_time_s"] / steps,
                  "task_before": before["task"], "book_before": before["book"],
                  "task_after": evaluate(model, data["task_held_out"], config),
                  "book_after": evaluate(model, data["book_held_out"], config)}
    else:
        options = {"rank": rank, "alpha": 2 * rank} if method == "lora" else {}
        result = finetune(model, method, data, config, progress=False, **options)
        result.pop("log")
    cuda_peak = torch.cuda.max_memory_allocated() if device == "cuda" else None
    state = training_memory_bytes(model)["total"]
    activations = saved_activation_bytes(model.train(), get_batch(data["task_train"], config, 0)[0])
    return {"method": method, "device": device, "state_bytes": state, "activation_bytes": activations,
            "peak_bytes": state + activations, "cuda_peak_bytes": cuda_peak,
            **{k: v for k, v in result.items() if k not in ("memory", "peak_cuda_bytes")}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one method, print JSON
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.steps, args.rank, args.threads)))
        return 0
    rows = []
    for method in ("full", "lora", "peft", "adapter"):
        out = subprocess.run([sys.executable, __file__, "--one", method, "--steps", str(args.steps),
                              "--rank", str(args.rank), "--threads", str(args.threads)],
                             capture_output=True, text=True, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    names = {"full": "full fine-tuning", "lora": f"LoRA r={args.rank} (ours)", "peft": f"LoRA r={args.rank} (peft)",
             "adapter": "adapters (o, down)"}
    print(f"course GPT, {args.steps} steps of 8 x 64 tokens, device {rows[0]['device']}, {args.threads} thread(s)")
    print(f"{'method':<22}{'trainable':>11}{'% of full':>10}{'state MB':>9}{'act. MB':>8}{'peak MB':>8}{'ms/step':>9}"
          f"{'task before->after':>20}{'book before->after':>20}")
    full = rows[0]
    for r in rows:
        print(f"{names[r['method']]:<22}{r['trainable']:>11,}{100 * r['trainable'] / full['trainable']:>9.1f}%"
              f"{r['state_bytes'] / 1e6:>9.2f}{r['activation_bytes'] / 1e6:>8.2f}"
              f"{(r['cuda_peak_bytes'] or r['peak_bytes']) / 1e6:>8.2f}{1000 * r['seconds_per_step']:>9.1f}"
              f"{r['task_before']:>10.3f}->{r['task_after']:<8.3f}{r['book_before']:>10.3f}->{r['book_after']:<8.3f}")
    ours, peft = rows[1], rows[2]
    print(f"time per step, LoRA ours / peft: {ours['seconds_per_step'] / peft['seconds_per_step']:.2f}; "
          f"LoRA / full: {ours['seconds_per_step'] / full['seconds_per_step']:.2f}; "
          f"peak memory LoRA / full: {ours['peak_bytes'] / max(1, full['peak_bytes']):.2f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    raise SystemExit(main())
