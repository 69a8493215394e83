"""The course GPT: the recipe that trains the small model shipped in ``course_lib/data/course_gpt``.

One reproducible command trains it from the book's own text::

    python -m course_lib.training course-gpt --out course_lib/data/course_gpt

Data: the train split of the book (:func:`course_lib.corpus.split_book` of the frozen edition
:data:`course_lib.corpus.BOOK_EDITION`) plus the Day 1 corpus;
the held-out sections are never trained on. Tokenizer: our byte-level BPE (Day 2) with GPT-4's
split pattern, trained on the train text, plus one special token ``<|endoftext|>`` that closes every
document. Model: :class:`course_lib.transformer.GPT` in the Llama recipe (RMSNorm, RoPE, SwiGLU,
grouped-query attention). Training: :func:`course_lib.training.train`. Everything is seeded; on a
2-core CPU the default run takes a quarter of an hour or so, ``COURSE_FULL=1`` (or a GPU) runs a
longer one. Introduced on Day 10; loaded with :func:`course_lib.pretrained.load_course_gpt`.

Leaves out: any text outside the book (the corpus is small, so the model mostly learns the book's
own phrases), and picking the checkpoint by held-out loss (the last step is shipped).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

__all__ = ["EOT", "course_gpt_documents", "course_gpt_config", "course_train_config", "train_course_tokenizer",
           "train_course_gpt", "greedy_sample", "SAMPLE_PROMPT", "main"]

#: The end-of-text special token that closes every document (its id is vocab_size - 1).
EOT = "<|endoftext|>"
VOCAB_SIZE = 1024  # 256 bytes + 767 merges + EOT
#: The prompt of the samples recorded while training (``training_log.json``).
SAMPLE_PROMPT = "A language model"


def course_gpt_documents() -> tuple[list[str], list[str]]:
    """(train, held_out) documents: book sections by the corpus split; the Day 1 paragraphs train.

    Example:
        >>> train, held_out = course_gpt_documents()
        >>> len(train) > 10 * len(held_out) / 2 > 0
        True
    """
    from course_lib.corpus import BOOK_EDITION, book_sections, course_corpus, split_book

    train, held_out = split_book(book_sections(edition=BOOK_EDITION))
    return [s.text for s in train] + course_corpus(), [s.text for s in held_out]


def train_course_tokenizer(documents: list[str], vocab_size: int = VOCAB_SIZE) -> Any:
    """Our byte-level BPE (GPT-4 pattern) trained on ``documents``, with ``EOT`` as id vocab_size - 1."""
    from course_lib.bpe import BPETokenizer

    tokenizer = BPETokenizer("gpt4", special_tokens={EOT: vocab_size - 1})
    tokenizer.train("\n\n".join(documents), vocab_size=vocab_size - 1)
    return tokenizer


def course_gpt_config(vocab_size: int = VOCAB_SIZE) -> Any:
    """The shipped model's shape: Llama-style, 4 layers, width 128, 4 query heads sharing 2 KV heads."""
    from course_lib.transformer import GPTConfig

    return GPTConfig.llama_style(vocab_size=vocab_size, block_size=128, n_layer=4, n_head=4, n_kv_head=2,
                                 d_model=128, d_ff=352, dropout=0.1, tie_embeddings=True)


def course_train_config(full: bool = False, device: str = "cpu") -> Any:
    """How the shipped model is trained (``full``: a longer run for a GPU)."""
    from course_lib.training import TrainConfig

    return TrainConfig(max_steps=3000 if full else 600, batch_size=16, block_size=128, lr=3e-3, min_lr=3e-4,
                       warmup_steps=30, weight_decay=0.1, grad_clip=1.0, eval_interval=20, eval_blocks=64,
                       seed=0, device=device)


def greedy_sample(model: Any, tokenizer: Any, prompt: Any, max_new_tokens: int = 40) -> str:
    """The greedy continuation of ``prompt`` (ids, shape (1, T)) as text, the model left as it was."""
    import torch

    was_training = model.training
    model.eval()
    with torch.no_grad():
        ids = model.generate(prompt.to(next(model.parameters()).device), max_new_tokens, temperature=0)
    model.train(was_training)
    return tokenizer.decode(ids[0].tolist())


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def train_course_gpt(out: str | Path, full: bool = False, max_steps: int | None = None, threads: int = 1,
                     progress: bool = True) -> dict[str, Any]:
    """Train the course GPT and write the folder ``out``; returns the training log."""
    import dataclasses

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch
    from safetensors.torch import save_model

    from course_lib.runtime import pick_device, seed_everything
    from course_lib.training import pack, plot_loss_curve, train
    from course_lib.transformer import GPT

    torch.set_num_threads(threads)
    seed_everything(0)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    train_docs, held_docs = course_gpt_documents()
    tokenizer = train_course_tokenizer(train_docs)
    eot = tokenizer.special_tokens[EOT]
    train_ids = [tokenizer.encode(d, allowed_special="none") for d in train_docs]
    held_ids = [tokenizer.encode(d, allowed_special="none") for d in held_docs]
    device = pick_device()
    config = course_train_config(full, device)
    if max_steps is not None:
        config = dataclasses.replace(config, max_steps=max_steps, warmup_steps=min(config.warmup_steps, max_steps))
    model_config = course_gpt_config(tokenizer.vocab_size)
    seed_everything(0)
    model = GPT(model_config)
    train_data = pack(train_ids, config.block_size, eot)
    held_data = pack(held_ids, config.block_size, eot)
    prompt = torch.tensor([tokenizer.encode(SAMPLE_PROMPT)])
    samples: dict[str, list] = {"sample_steps": [], "samples": []}

    def record_sample(step: int, log: dict) -> None:  # a greedy sample at every evaluation
        if log["val_steps"] and log["val_steps"][-1] == step:
            samples["sample_steps"].append(step)
            samples["samples"].append(greedy_sample(model, tokenizer, prompt))

    log = train(model, train_data, held_data, config, progress=progress, callback=record_sample)
    log.update(samples)
    model.to("cpu").eval()

    save_model(model, str(out / "model.safetensors"))
    (out / "config.json").write_text(json.dumps(model_config.to_dict(), indent=1) + "\n", encoding="utf-8")
    tokenizer.save(out / "tokenizer.json")
    log.update({
        "train_config": dataclasses.asdict(config), "num_parameters": model.num_parameters(),
        "train_tokens": train_data.tokens, "held_out_tokens": held_data.tokens,
        "train_bytes": len("\n\n".join(train_docs).encode("utf-8")),
        "held_out_bytes": len("\n\n".join(held_docs).encode("utf-8")),
        "corpus_sha256": _sha256("\n\n".join(train_docs) + "\0" + "\n\n".join(held_docs)),
        "total_wall_time_s": time.perf_counter() - t0, "torch": torch.__version__, "device": device,
        "threads": threads,
    })
    (out / "training_log.json").write_text(json.dumps(log) + "\n", encoding="utf-8")
    ax = plot_loss_curve(log, title="The course GPT on the book")
    ax.figure.tight_layout()
    ax.figure.savefig(out / "loss_curve.png", dpi=100)
    plt.close(ax.figure)
    return log


def main(argv: list[str] | None = None) -> int:
    """``python -m course_lib.training course-gpt --out DIR [--steps N] [--threads N]``."""
    import argparse

    from course_lib.runtime import full_size

    parser = argparse.ArgumentParser(prog="python -m course_lib.training")
    parser.add_argument("command", choices=["course-gpt"])
    parser.add_argument("--out", default=str(Path(__file__).parent / "data" / "course_gpt"))
    parser.add_argument("--steps", type=int, default=None, help="override the number of steps (quick trials)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1: the shipped run)")
    args = parser.parse_args(argv)
    log = train_course_gpt(args.out, full=full_size(), max_steps=args.steps, threads=args.threads)
    print(f"wrote {args.out}: {log['num_parameters']:,} parameters, final loss {log['loss'][-1]:.3f}, "
          f"held-out {log['val_loss'][-1]:.3f}, {log['tokens_per_s']:.0f} tokens/s, "
          f"{log['total_wall_time_s']:.0f} s")
    return 0
