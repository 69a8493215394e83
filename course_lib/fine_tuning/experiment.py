"""Day 17's experiment: full fine-tuning against LoRA and adapters on the course GPT.

The task is the frozen book's glossary as questions and answers (:func:`glossary_qa_documents`,
:func:`finetuning_data`); :func:`finetune` trains with ``course_lib.training.train`` and measures the
task loss, forgetting (held-out book loss), trainable parameters, :func:`training_memory_bytes` and
time per step. :class:`LogitsOnly` lets a transformers model stand in for our GPT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from course_lib.fine_tuning.adapters import apply_adapters
from course_lib.fine_tuning.lora import _check_positive_int, apply_lora, count_parameters

__all__ = ["METHODS", "ALL_LINEAR", "FINETUNE_LR", "finetune_config", "glossary_qa_documents", "LogitsOnly",
           "finetuning_data", "prepare_for_finetuning", "training_memory_bytes", "saved_activation_bytes",
           "finetune"]

#: Methods that :func:`prepare_for_finetuning` knows.
METHODS = ("full", "lora", "adapter")
#: Every linear layer of a Llama-style block (the QLoRA paper's choice); ``lm_head`` is tied, so left out.
ALL_LINEAR = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


#: Peak learning rate per method: the few new weights of LoRA and adapters take a 10x larger step.
FINETUNE_LR = {"full": 3e-4, "lora": 3e-3, "adapter": 3e-3}


def finetune_config(method: str, max_steps: int = 40, device: str = "cpu", **changes: Any) -> Any:
    """Day 17's :class:`course_lib.training.TrainConfig` for ``method``: 40 steps of 8 blocks of 64 tokens,
    warm-up 5 steps, cosine to a tenth of :data:`FINETUNE_LR`, no weight decay, 64 evaluation blocks.

    Example:
        >>> finetune_config("lora").lr, finetune_config("full", max_steps=10).max_steps
        (0.003, 10)
    """
    import dataclasses

    from course_lib.training import TrainConfig

    if method not in FINETUNE_LR:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    lr = FINETUNE_LR[method]
    config = TrainConfig(max_steps=max_steps, batch_size=8, block_size=64, lr=lr, min_lr=lr / 10,
                         warmup_steps=min(5, max_steps), weight_decay=0.0, eval_blocks=64, device=device)
    return dataclasses.replace(config, **changes)


def glossary_qa_documents(held_out_every: int = 4) -> tuple[list[str], list[str]]:
    """Day 17's task: the book's glossary (frozen edition) as ``"Q: Define <term>.\\nA: <definition>"``.

    Every ``held_out_every``-th entry is held out (never fine-tuned on) to measure the task loss.

    Example:
        >>> train_docs, held_docs = glossary_qa_documents()
        >>> train_docs[0].splitlines()[0], len(held_docs) > 0
        ('Q: Define Token.', True)
    """
    from course_lib.corpus import BOOK_EDITION, book_sections

    _check_positive_int("held_out_every", held_out_every)
    if held_out_every < 2:
        raise ValueError(f"held_out_every must be >= 2 (1 would hold out everything), got {held_out_every}")
    paragraphs = [p for s in book_sections(edition=BOOK_EDITION) if s.source == "book/glossary.md"
                  for p in s.text.split("\n\n")]
    docs = [f"Q: Define {term}.\nA: {definition}" for term, sep, definition in
            (p.partition(": ") for p in paragraphs) if sep and len(term) < 60]  # the intro has no "Term: "
    held = [d for i, d in enumerate(docs) if i % held_out_every == held_out_every - 1]
    return [d for i, d in enumerate(docs) if i % held_out_every != held_out_every - 1], held


class LogitsOnly(nn.Module):
    """Wrap a transformers causal LM so that ``model(ids)`` returns the logits tensor, as our GPT does."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=ids).logits  # (B, T, V)


def _encode(tokenizer: Any, docs: Sequence[str]) -> tuple[list[list[int]], int]:
    """Token ids of each document and the end-of-text id, for our BPE or a transformers tokenizer."""
    special = getattr(tokenizer, "special_tokens", None)
    if isinstance(special, dict) and "<|endoftext|>" in special:  # our BPETokenizer
        return [tokenizer.encode(d, allowed_special="none") for d in docs], special["<|endoftext|>"]
    eos = tokenizer.eos_token_id
    if eos is None:
        raise ValueError(f"{type(tokenizer).__name__} has no eos_token_id to close documents with")
    return [tokenizer.encode(d, add_special_tokens=False) for d in docs], eos


def finetuning_data(tokenizer: Any, block_size: int, held_out_every: int = 4) -> dict[str, Any]:
    """Packed blocks: ``task_train`` and ``task_held_out`` (the glossary Q/A) and ``book_held_out``
    (the book's held-out split, to measure forgetting)."""
    from course_lib.course_gpt import course_gpt_documents
    from course_lib.training import pack

    train_docs, held_docs = glossary_qa_documents(held_out_every)
    book_docs = course_gpt_documents()[1]
    out = {}
    for name, docs in (("task_train", train_docs), ("task_held_out", held_docs), ("book_held_out", book_docs)):
        ids, eos = _encode(tokenizer, docs)
        out[name] = pack(ids, block_size, eos)
    return out


def prepare_for_finetuning(model: nn.Module, method: str, *, rank: int = 8, alpha: float = 16,
                           bottleneck: int = 8, targets: Sequence[str] | None = None) -> nn.Module:
    """Make ``model`` ready for ``method``: ``"full"`` (every weight trains), ``"lora"`` (LoRA on
    ``targets``, default :data:`ALL_LINEAR`) or ``"adapter"`` (adapters after ``targets``, default
    ``o_proj`` and ``down_proj``). In place; returns the model."""
    if method == "full":
        for p in model.parameters():
            p.requires_grad_(True)
        return model
    if method == "lora":
        return apply_lora(model, list(targets or ALL_LINEAR), rank, alpha)
    if method == "adapter":
        return apply_adapters(model, list(targets or ("o_proj", "down_proj")), bottleneck)
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def training_memory_bytes(model: nn.Module) -> dict[str, int]:
    """Bytes a training step keeps besides activations: weights, gradients of the trainable weights and
    AdamW's two moments per trainable weight (the part that LoRA shrinks).

    Example:
        >>> from course_lib.fine_tuning.lora import LinearWithLoRA
        >>> training_memory_bytes(LinearWithLoRA(nn.Linear(10, 20), rank=2, alpha=2))  # float32: 4 bytes each
        {'weights': 1120, 'gradients': 240, 'optimizer': 480, 'total': 1840}
    """
    params = list(model.parameters())
    weights = sum(p.numel() * p.element_size() for p in params)
    grads = sum(p.numel() * p.element_size() for p in params if p.requires_grad)
    out = {"weights": weights, "gradients": grads, "optimizer": 2 * grads}
    out["total"] = sum(out.values())
    return out


def saved_activation_bytes(model: nn.Module, inputs: torch.Tensor) -> int:
    """Bytes of the tensors autograd keeps from one forward pass for the backward pass (activations),
    measured with ``torch.autograd.graph.saved_tensors_hooks``; parameters and repeats count once, never.

    Example:
        >>> net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> saved_activation_bytes(net, torch.randn(16, 4))  # input 16x4, ReLU output 16x8, float32
        768
    """
    params = {p.data_ptr() for p in model.parameters()}
    seen: set[tuple[int, int]] = set()
    total = [0]

    def pack(t: torch.Tensor) -> torch.Tensor:
        key = (t.untyped_storage().data_ptr(), t.untyped_storage().nbytes())
        if key[0] not in params and key not in seen:
            seen.add(key)
            total[0] += key[1]
        return t

    was_training = model.training
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = model(inputs)
    model.train(was_training)
    del out
    return total[0]


def finetune(model: nn.Module, method: str, data: dict[str, Any], config: Any, *, progress: bool = True,
             **method_options: Any) -> dict[str, Any]:
    """Fine-tune ``model`` on ``data["task_train"]`` with ``method``; measure what Day 17 compares.

    Returns ``trainable``, ``total``, ``memory`` (:func:`training_memory_bytes`), ``peak_cuda_bytes``
    (measured on a GPU, else None), ``seconds_per_step``, task and book held-out losses before and
    after (``task_before``, ``task_after``, ``book_before``, ``book_after``: forgetting is
    ``book_after - book_before``) and the training ``log``.

    Example:
        >>> result = finetune(load_course_gpt()[0], "lora", data, TrainConfig(max_steps=30))  # doctest: +SKIP
    """
    from course_lib.training import evaluate, train

    model.to(config.device)
    before = {k: evaluate(model, data[d], config) for k, d in (("task", "task_held_out"), ("book", "book_held_out"))}
    prepare_for_finetuning(model, method, **method_options)
    trainable, total = count_parameters(model)
    cuda = str(config.device).startswith("cuda")
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    log = train(model, data["task_train"], None, config, progress=progress)
    peak = torch.cuda.max_memory_allocated() if cuda else None
    return {"method": method, "trainable": trainable, "total": total, "memory": training_memory_bytes(model),
            "peak_cuda_bytes": peak, "seconds_per_step": log["wall_time_s"] / max(1, len(log["steps"])),
            "task_before": before["task"], "task_after": evaluate(model, data["task_held_out"], config),
            "book_before": before["book"], "book_after": evaluate(model, data["book_held_out"], config),
            "log": log}
