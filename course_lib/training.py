"""Training a language model: packing data, the training loop, schedules, checkpoints.

What Day 10 builds, in the order a training run needs it:

- data: :func:`pack` concatenates documents, each closed by an end-of-text id, and cuts the stream
  into blocks of ``block_size + 1`` ids (inputs are a block's first ``block_size`` ids, targets the
  last ``block_size``); :func:`pad` instead gives each document its own rows, padded, with a loss
  mask. Both report how many slots they waste.
- optimisation: AdamW (Loshchilov & Hutter 2019) with weight decay on 2-D parameters only
  (:func:`make_optimizer`), linear warm-up then cosine decay to ``min_lr`` (:func:`lr_at`, as in
  nanoGPT), gradient clipping by global norm.
- :func:`train`: the loop, with a tqdm bar, a held-out loss every ``eval_interval`` steps and a log.
  Batches are a pure function of ``(seed, step)`` and dropout is re-seeded every step, so a run
  resumed from a checkpoint (:func:`save_checkpoint`, safetensors for the model and the optimizer
  state, JSON for the step and configs) ends with the same weights as an uninterrupted one.

Checked against (``tests/test_training.py``): torch's ``LinearLR`` + ``CosineAnnealingLR`` for the
schedule, ``F.cross_entropy(ignore_index=-100)`` for the masked loss, hand-counted packing and
padding on small documents, and bitwise equality of resumed and uninterrupted runs.

Leaves out: mixed precision, gradient accumulation, distributed data parallelism, and
document-aware attention masks inside packed blocks (a block may straddle two documents).
The recipe of the shipped course GPT is in ``course_lib.course_gpt``.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

__all__ = ["TrainConfig", "PackedData", "pack", "pad", "lr_at", "make_optimizer", "get_batch", "evaluate",
           "train", "sequence_nll", "save_checkpoint", "load_checkpoint", "plot_loss_curve", "IGNORE_INDEX"]

#: Target id that the loss skips (``F.cross_entropy``'s default ``ignore_index``).
IGNORE_INDEX = -100


@dataclass(frozen=True)
class TrainConfig:
    """Settings of a training run (Day 10)."""

    max_steps: int = 200  # optimizer steps in the whole run (the schedule ends here)
    batch_size: int = 16  # blocks per step
    block_size: int = 128  # tokens per block (the model's context while training)
    lr: float = 3e-3  # peak learning rate, reached at the end of warm-up
    min_lr: float = 3e-4  # floor of the cosine decay
    warmup_steps: int = 20  # linear warm-up from lr/warmup_steps to lr
    weight_decay: float = 0.1  # AdamW decay, on 2-D weights only (not norms, not biases)
    beta1: float = 0.9  # AdamW's first-moment decay
    beta2: float = 0.95  # AdamW's second-moment decay
    grad_clip: float = 1.0  # clip the global gradient norm to this; 0 = no clipping
    eval_interval: int = 50  # held-out loss every this many steps (and at the end)
    eval_blocks: int = 64  # at most this many held-out blocks per evaluation
    seed: int = 0  # batches and dropout are functions of (seed, step)
    device: str = "cpu"  # "cpu" or "cuda"

    def __post_init__(self) -> None:
        for name in ("max_steps", "batch_size", "block_size", "eval_interval", "eval_blocks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if not isinstance(self.warmup_steps, int) or not 0 <= self.warmup_steps <= self.max_steps:
            raise ValueError(f"warmup_steps must be an integer in [0, max_steps={self.max_steps}], "
                             f"got {self.warmup_steps!r}")
        if not 0 <= self.min_lr <= self.lr:
            raise ValueError(f"need 0 <= min_lr <= lr, got min_lr={self.min_lr!r}, lr={self.lr!r}")
        if self.grad_clip < 0 or self.weight_decay < 0:
            raise ValueError(f"grad_clip and weight_decay must be >= 0, got {self.grad_clip!r}, "
                             f"{self.weight_decay!r}")


@dataclass
class PackedData:
    """Rows of inputs and targets (shape (N, block_size)), a loss mask, and the slots wasted."""

    inputs: Any  # (N, T) long
    targets: Any  # (N, T) long; IGNORE_INDEX where mask is False
    mask: Any  # (N, T) bool: True where the slot holds a real token that is trained on
    wasted: int  # slots that cost compute but teach nothing (padding), or tokens dropped (packing)
    tokens: int = field(default=0)  # real tokens in the input (documents + end-of-text ids)


def _check_documents(documents: Sequence[Sequence[int]], block_size: int) -> None:
    if isinstance(documents, (str, bytes)) or not isinstance(documents, Sequence):
        raise TypeError(f"documents must be a list of id lists, got {type(documents).__name__}")
    if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 1:
        raise ValueError(f"block_size must be an integer >= 1, got {block_size!r}")


def pack(documents: Sequence[Sequence[int]], block_size: int, eos_id: int) -> PackedData:
    """Concatenate documents, each followed by ``eos_id``, and cut into blocks of ``block_size + 1``.

    Block ``i`` covers stream positions ``i*T .. i*T + T`` (consecutive blocks share one id), so every
    id but the first is a target exactly once. The tail that does not fill a block is dropped:
    ``wasted`` counts those ids.

    Example:
        >>> data = pack([[1, 2, 3], [4, 5]], block_size=3, eos_id=0)  # stream 1 2 3 0 4 5 0
        >>> data.inputs.tolist(), data.targets.tolist(), data.wasted
        ([[1, 2, 3], [0, 4, 5]], [[2, 3, 0], [4, 5, 0]], 0)
    """
    import torch

    _check_documents(documents, block_size)
    stream = [t for doc in documents for t in (*doc, eos_id)]
    n_blocks = max(0, (len(stream) - 1) // block_size)
    used = stream[: n_blocks * block_size + 1]
    blocks = torch.tensor(used, dtype=torch.long)
    inputs = blocks[:-1].view(n_blocks, block_size) if n_blocks else torch.zeros(0, block_size, dtype=torch.long)
    targets = blocks[1:].view(n_blocks, block_size) if n_blocks else inputs.clone()
    wasted = len(stream) - len(used) if n_blocks else len(stream)
    return PackedData(inputs, targets, torch.ones_like(inputs, dtype=torch.bool), wasted, len(stream))


def pad(documents: Sequence[Sequence[int]], block_size: int, eos_id: int, pad_id: int = 0) -> PackedData:
    """One row per document (+ ``eos_id``), long documents split into rows, the rest padded.

    Padded slots get ``pad_id`` as input and ``IGNORE_INDEX`` as target; ``mask`` is False there
    (also for attention, when a model takes one). ``wasted`` counts the padded slots.

    Example:
        >>> data = pad([[1, 2, 3], [4]], block_size=3, eos_id=0, pad_id=9)
        >>> data.inputs.tolist(), data.targets.tolist(), data.wasted
        ([[1, 2, 3], [4, 9, 9]], [[2, 3, 0], [0, -100, -100]], 2)
    """
    import torch

    _check_documents(documents, block_size)
    rows_in, rows_out = [], []
    for doc in documents:
        ids = [*doc, eos_id]
        for start in range(0, len(ids) - 1, block_size):  # a row predicts ids[start+1 .. start+T]
            y = ids[start + 1: start + block_size + 1]
            x = ids[start: start + len(y)]  # an input with no target after it would be a wasted slot
            rows_in.append(x + [pad_id] * (block_size - len(x)))
            rows_out.append(y + [IGNORE_INDEX] * (block_size - len(y)))
    inputs = torch.tensor(rows_in, dtype=torch.long).view(-1, block_size)
    targets = torch.tensor(rows_out, dtype=torch.long).view(-1, block_size)
    mask = targets != IGNORE_INDEX
    return PackedData(inputs, targets, mask, int((~mask).sum()), sum(len(d) + 1 for d in documents))


def lr_at(step: int, config: TrainConfig) -> float:
    """Learning rate at ``step`` (0-based): linear warm-up to ``lr``, then cosine decay to ``min_lr``.

    Example:
        >>> cfg = TrainConfig(max_steps=110, warmup_steps=10, lr=1.0, min_lr=0.0)
        >>> lr_at(0, cfg), lr_at(9, cfg), round(lr_at(60, cfg), 6), lr_at(110, cfg)
        (0.1, 1.0, 0.5, 0.0)
    """
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    decay_steps = max(1, config.max_steps - config.warmup_steps)
    progress = min(1.0, (step - config.warmup_steps) / decay_steps)
    return config.min_lr + 0.5 * (config.lr - config.min_lr) * (1.0 + math.cos(math.pi * progress))


def make_optimizer(model: Any, config: TrainConfig) -> Any:
    """AdamW with weight decay on parameters of 2 or more dimensions only (not norms or biases)."""
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": config.weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr_at(0, config), betas=(config.beta1, config.beta2), foreach=False)


def get_batch(data: PackedData, config: TrainConfig, step: int) -> tuple[Any, Any]:
    """The batch of ``step``: rows drawn without replacement, reshuffled each epoch from ``(seed, epoch)``."""
    import torch

    n = data.inputs.shape[0]
    if n == 0:
        raise ValueError(f"no training blocks: the data has fewer than block_size + 1 = {config.block_size + 1} ids")
    start = step * config.batch_size
    rows = []
    for position in range(start, start + config.batch_size):
        epoch, offset = divmod(position, n)
        order = torch.randperm(n, generator=torch.Generator().manual_seed(config.seed * 100_003 + epoch))
        rows.append(int(order[offset]))
    index = torch.tensor(rows)
    return data.inputs[index].to(config.device), data.targets[index].to(config.device)


def _loss(model: Any, inputs: Any, targets: Any) -> Any:
    import torch.nn.functional as F

    logits = model(inputs)  # (B, T, V)
    return F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten(), ignore_index=IGNORE_INDEX)


def evaluate(model: Any, data: PackedData, config: TrainConfig) -> float:
    """Mean cross-entropy (nats per token) on the first ``eval_blocks`` rows of ``data``."""
    import torch

    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, min(config.eval_blocks, data.inputs.shape[0]), config.batch_size):
            stop = min(start + config.batch_size, config.eval_blocks)
            x, y = data.inputs[start:stop].to(config.device), data.targets[start:stop].to(config.device)
            n = int((y != IGNORE_INDEX).sum())
            total += float(_loss(model, x, y)) * n
            count += n
    model.train(was_training)
    return total / max(count, 1)


def sequence_nll(model: Any, ids: Sequence[int], block_size: int, stride: int | None = None) -> float:
    """Total negative log-likelihood (nats) of ``ids[1:]``, each id predicted from the ids before it.

    Sequences longer than ``block_size`` are read in overlapping windows (``stride`` new targets per
    window, default ``block_size // 2``), so every prediction sees at least ``block_size - stride``
    ids of context once there are that many. Divide by ``math.log(2)`` and a byte count for bits per byte.

    Example:
        >>> sequence_nll(model, [eot, *tokenizer.encode(text), eot], 256)  # doctest: +SKIP
    """
    import torch
    import torch.nn.functional as F

    stride = stride or max(1, block_size // 2)
    if not 1 <= stride <= block_size:
        raise ValueError(f"stride must be in [1, block_size={block_size}], got {stride!r}")
    ids = torch.as_tensor(list(ids), dtype=torch.long)
    device = next(model.parameters()).device
    total, done = 0.0, 1  # ids[:done] have been predicted (the first one is only context)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        while done < len(ids):
            end = min(len(ids), done + stride)
            start = max(0, end - block_size - 1)
            window = ids[start:end].to(device)
            logits = model(window[None, :-1])[0]  # (T, V): predicts window[1:]
            new = end - done  # score only the targets not scored before
            total += float(F.cross_entropy(logits[-new:].float(), window[-new:], reduction="sum"))
            done = end
    model.train(was_training)
    return total


def _new_log() -> dict[str, list]:
    return {"steps": [], "loss": [], "lr": [], "val_steps": [], "val_loss": []}


def train(model: Any, train_data: PackedData, val_data: PackedData | None, config: TrainConfig, *,
          until: int | None = None, resume_from: str | Path | None = None, checkpoint_dir: str | Path | None = None,
          progress: bool = True, callback: Callable[[int, dict], None] | None = None) -> dict[str, Any]:
    """Train ``model`` for steps ``start .. min(until, max_steps) - 1``; return the log.

    ``resume_from`` loads a checkpoint (weights, optimizer state, step, log) and goes on from its step;
    ``checkpoint_dir`` saves one at the end. The log holds per-step ``loss`` and ``lr``, held-out
    ``val_loss`` at ``val_steps``, ``tokens_per_s`` and ``wall_time_s``.

    Example:
        >>> log = train(model, pack(docs, 64, eos), None, TrainConfig(max_steps=100))  # doctest: +SKIP
    """
    import torch
    from tqdm.auto import tqdm

    model.to(config.device).train()
    optimizer = make_optimizer(model, config)
    start, log = 0, _new_log()
    if resume_from is not None:
        state = load_checkpoint(resume_from, model, optimizer)
        start, log = state["step"], state.get("log") or _new_log()
    stop = config.max_steps if until is None else min(until, config.max_steps)
    t0, tokens = time.perf_counter(), 0
    bar = tqdm(range(start, stop), desc="training", disable=not progress, leave=False)
    for step in bar:
        lr = lr_at(step, config)
        for group in optimizer.param_groups:
            group["lr"] = lr
        torch.manual_seed(config.seed * 100_003 + step)  # dropout masks depend on the step only
        x, y = get_batch(train_data, config, step)  # (B, T), (B, T)
        loss = _loss(model, x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if config.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        tokens += x.numel()
        log["steps"].append(step + 1)
        log["loss"].append(loss.item())
        log["lr"].append(lr)
        if val_data is not None and ((step + 1) % config.eval_interval == 0 or step + 1 == config.max_steps):
            log["val_steps"].append(step + 1)
            log["val_loss"].append(evaluate(model, val_data, config))
            bar.set_postfix(loss=f"{log['loss'][-1]:.3f}", val=f"{log['val_loss'][-1]:.3f}")
        if callback is not None:
            callback(step + 1, log)
    wall = time.perf_counter() - t0
    log["wall_time_s"] = log.get("wall_time_s", 0.0) + wall
    log["tokens_per_s"] = tokens / wall if wall > 0 else 0.0
    if checkpoint_dir is not None:
        save_checkpoint(checkpoint_dir, model, optimizer, stop, config, log)
    return log


def save_checkpoint(folder: str | Path, model: Any, optimizer: Any, step: int, config: TrainConfig,
                    log: dict | None = None) -> Path:
    """Write ``model.safetensors``, ``optimizer.safetensors`` and ``trainer.json`` into ``folder``."""
    from safetensors.torch import save_file, save_model

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_model(model, str(folder / "model.safetensors"))  # tied weights stored once
    state = optimizer.state_dict()
    tensors = {f"{i}.{name}": value.detach().cpu().contiguous()
               for i, slot in state["state"].items() for name, value in slot.items()}
    save_file(tensors, str(folder / "optimizer.safetensors"),
              metadata={"param_groups": json.dumps(state["param_groups"])})
    model_config = getattr(getattr(model, "config", None), "to_dict", lambda: None)()
    info = {"step": step, "train_config": asdict(config), "model_config": model_config, "log": log}
    (folder / "trainer.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return folder


def load_checkpoint(folder: str | Path, model: Any, optimizer: Any | None = None) -> dict[str, Any]:
    """Load weights (and optimizer state) from ``folder`` into ``model``; return ``trainer.json``."""
    from safetensors import safe_open
    from safetensors.torch import load_file, load_model

    folder = Path(folder)
    if not (folder / "trainer.json").is_file():
        raise FileNotFoundError(f"{folder} is not a checkpoint (no trainer.json); save one with save_checkpoint")
    load_model(model, str(folder / "model.safetensors"))
    if optimizer is not None:
        tensors = load_file(str(folder / "optimizer.safetensors"))
        with safe_open(str(folder / "optimizer.safetensors"), "pt") as f:
            groups = json.loads(f.metadata()["param_groups"])
        slots: dict[int, dict] = {}
        for key, value in tensors.items():
            index, name = key.split(".", 1)
            slots.setdefault(int(index), {})[name] = value
        optimizer.load_state_dict({"state": slots, "param_groups": groups})
    return json.loads((folder / "trainer.json").read_text(encoding="utf-8"))


def plot_loss_curve(log: dict[str, Any], ax: Any = None, title: str = "Training loss") -> Any:
    """Plot per-step training loss (and held-out loss when logged) against the step; returns the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(log["steps"], log["loss"], lw=1, alpha=0.8, label="train (one batch)")
    if log.get("val_steps"):
        ax.plot(log["val_steps"], log["val_loss"], "o-", ms=4, label="held-out")
    ax.set(xlabel="step", ylabel="cross-entropy (nats per token)", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    return ax


if __name__ == "__main__":  # python -m course_lib.training course-gpt --out DIR
    from course_lib.course_gpt import main

    raise SystemExit(main())
