"""Parameter-efficient fine-tuning: LoRA and bottleneck adapters (Day 17).

- :class:`LinearWithLoRA` wraps a frozen linear map ``W`` and adds a trainable low-rank update:
  ``y = base(x) + (alpha / r) * B(A(dropout(x)))`` with ``A`` of shape ``(r, in)`` and ``B`` of shape
  ``(out, r)``, ``B = 0`` at the start so the wrapped model begins exactly where the base model is
  (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"). :meth:`LinearWithLoRA.merge`
  folds ``W + (alpha / r) B A`` into one plain ``nn.Linear``: no extra cost at inference.
- :func:`apply_lora` wraps every linear layer whose name ends with one of ``target_modules`` (the
  same rule as peft's ``LoraConfig(target_modules=...)``) and freezes every other parameter; it works
  on our :class:`course_lib.gpt.GPT` (``blocks.0.attn.q_proj``) and on a transformers model
  (``model.layers.0.self_attn.q_proj``). :func:`merge_lora` undoes the wrapping with merged weights.
- :class:`AdapterLayer` is the bottleneck adapter of Houlsby et al. 2019 ("Parameter-Efficient
  Transfer Learning for NLP"): ``x + up(act(down(x)))`` with ``up = 0`` at the start;
  :func:`apply_adapters` puts one after each named projection.
- :func:`count_parameters` and :func:`lora_parameter_count`: the arithmetic of what is trained.
- Day 17's experiment: :func:`glossary_qa_documents` (the task: the frozen book's glossary as
  questions and answers), :func:`finetuning_data`, :func:`finetune` (full, LoRA or adapters through
  ``course_lib.training.train``; task loss, forgetting as held-out book loss, trainable parameters,
  :func:`training_memory_bytes`, time per step) and :class:`LogitsOnly` for transformers models.

Checked against (``tests/test_fine_tuning.py``): peft 0.21's LoRA ``Linear`` layer given the same
``A`` and ``B`` (``init_lora_weights=False`` and ``B`` randomized, since with ``B = 0`` any adapter
adds nothing), peft's ``merge_and_unload`` for merged weights, and hand counts of parameters.

Leaves out: rsLoRA's ``alpha / sqrt(r)`` scaling, DoRA, LoRA on embeddings or convolutions, several
adapters on one layer, and training the biases.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from course_lib.multihead import check_dropout

__all__ = ["LinearWithLoRA", "apply_lora", "merge_lora", "count_parameters", "lora_parameter_count",
           "AdapterLayer", "apply_adapters", "matching_linear_names", "METHODS", "ALL_LINEAR",
           "glossary_qa_documents", "LogitsOnly", "FINETUNE_LR", "finetune_config", "finetuning_data", "prepare_for_finetuning",
           "training_memory_bytes", "saved_activation_bytes", "finetune"]


def _check_positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")


def _float_like(module: nn.Module) -> tuple[torch.device, torch.dtype]:
    """Device and floating dtype of ``module``'s first floating tensor (float32 on its device if none)."""
    tensors = [*module.parameters(), *module.buffers()]
    floats = [t for t in tensors if t.is_floating_point()]
    if floats:
        return floats[0].device, floats[0].dtype
    return (tensors[0].device if tensors else torch.device("cpu")), torch.float32


class LinearWithLoRA(nn.Module):
    """A frozen linear layer plus a trainable low-rank update ``(alpha / rank) * B A`` (Day 17).

    ``linear`` is any module with integer ``in_features``, ``out_features`` and a forward (an
    ``nn.Linear``, or Day 18's NF4 linear for QLoRA); it is kept as ``base`` with its parameters
    frozen. ``lora_A`` starts like an ``nn.Linear`` (Kaiming-uniform, as in peft) and ``lora_B`` at
    zero, so the output starts equal to the base layer's.

    Example:
        >>> _ = torch.manual_seed(0)
        >>> layer = LinearWithLoRA(nn.Linear(6, 4), rank=2, alpha=4)
        >>> layer.lora_A.weight.shape, layer.lora_B.weight.shape, layer.scaling
        (torch.Size([2, 6]), torch.Size([4, 2]), 2.0)
        >>> x = torch.randn(3, 6)
        >>> torch.equal(layer(x), layer.base(x))  # B = 0: nothing added yet
        True
        >>> _ = nn.init.normal_(layer.lora_B.weight)
        >>> torch.allclose(layer.merge()(x), layer(x), atol=1e-6)
        True
    """

    def __init__(self, linear: nn.Module, rank: int, alpha: float, dropout: float = 0.0) -> None:
        super().__init__()
        if not isinstance(linear, nn.Module):
            raise TypeError(f"linear must be an nn.Module with in_features and out_features, "
                            f"got {type(linear).__name__}")
        for name in ("in_features", "out_features"):
            value = getattr(linear, name, None)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise TypeError(f"linear must have an integer {name} >= 1, "
                                f"got {value!r} on {type(linear).__name__}")
        _check_positive_int("rank", rank)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha > 0:
            raise ValueError(f"alpha must be a number > 0, got {alpha!r}")
        check_dropout(dropout)
        self.base = linear
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.rank, self.alpha = rank, alpha
        self.scaling = alpha / rank
        device, dtype = _float_like(linear)
        self.lora_A = nn.Linear(self.in_features, rank, bias=False, device=device, dtype=dtype)  # (r, in)
        self.lora_B = nn.Linear(rank, self.out_features, bias=False, device=device, dtype=dtype)  # (out, r)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.base(x)  # (..., out)
        update = self.lora_B(self.lora_A(self.dropout(x.to(self.lora_A.weight.dtype))))  # (..., r) -> (..., out)
        return out + (self.scaling * update).to(out.dtype)

    def delta_weight(self) -> torch.Tensor:
        """The update ``(alpha / rank) * B @ A`` as an ``(out_features, in_features)`` matrix."""
        return self.scaling * (self.lora_B.weight @ self.lora_A.weight)  # (out, r) @ (r, in)

    def base_weight(self) -> torch.Tensor:
        """The base layer's ``(out, in)`` weight: ``base.weight``, or ``base.dequantize()`` (NF4)."""
        weight = getattr(self.base, "weight", None)
        if isinstance(weight, torch.Tensor) and weight.is_floating_point():
            return weight
        if callable(getattr(self.base, "dequantize", None)):
            return self.base.dequantize()
        raise TypeError(f"cannot merge into {type(self.base).__name__}: it has no floating .weight "
                        "and no dequantize() giving one")

    def merge(self) -> nn.Linear:
        """A plain ``nn.Linear`` with weight ``W + (alpha / rank) B A`` (and the base's bias): same outputs."""
        weight = self.base_weight()
        bias = getattr(self.base, "bias", None)
        merged = nn.Linear(self.in_features, self.out_features, bias=bias is not None,
                           device=weight.device, dtype=weight.dtype)
        with torch.no_grad():
            merged.weight.copy_(weight + self.delta_weight().to(weight.dtype))
            if bias is not None:
                merged.bias.copy_(bias)
        return merged

    def extra_repr(self) -> str:
        return f"rank={self.rank}, alpha={self.alpha}, scaling={self.scaling:g}"


def _is_linear(module: nn.Module) -> bool:
    return isinstance(module, nn.Linear) or (
        isinstance(getattr(module, "in_features", None), int) and isinstance(getattr(module, "out_features", None), int)
        and not isinstance(module, (LinearWithLoRA, nn.Embedding)))


def _check_targets(target_modules: object) -> list[str]:
    if isinstance(target_modules, str) or not isinstance(target_modules, Sequence) or not target_modules:
        raise TypeError(f"target_modules must be a non-empty list of module names, got {target_modules!r}")
    if not all(isinstance(t, str) and t for t in target_modules):
        raise TypeError(f"target_modules must hold non-empty strings, got {target_modules!r}")
    return list(target_modules)


def matching_linear_names(model: nn.Module, target_modules: Sequence[str]) -> list[str]:
    """Names of the linear layers that ``target_modules`` selects (peft's rule: the name equals a
    target or ends with ``"." + target``), skipping layers already inside a LoRA or adapter wrapper.

    Example:
        >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2))
        >>> matching_linear_names(net, ["0", "2"])
        ['0', '2']
    """
    targets = _check_targets(target_modules)
    wrapped = [name for name, m in model.named_modules() if isinstance(m, (LinearWithLoRA, _WithAdapter))]
    names = []
    for name, module in model.named_modules():
        if not name or not _is_linear(module) or any(name.startswith(w + ".") for w in wrapped):
            continue
        if any(name == t or name.endswith("." + t) for t in targets):
            names.append(name)
    return names


def _replace(model: nn.Module, name: str, new: nn.Module) -> None:
    parent_name, _, child = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, child, new)


def _wrap(model: nn.Module, target_modules: Sequence[str], make: Any) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    names = matching_linear_names(model, target_modules)
    if not names:
        linears = sorted({n.rsplit(".", 1)[-1] for n, m in model.named_modules() if n and _is_linear(m)})
        raise ValueError(f"no linear layer matches target_modules={list(target_modules)!r}; "
                         f"the model's linear layers end with {linears}")
    for p in model.parameters():
        p.requires_grad_(False)
    for name in names:
        _replace(model, name, make(model.get_submodule(name)))
    return model


def apply_lora(model: nn.Module, target_modules: Sequence[str], rank: int, alpha: float,
               dropout: float = 0.0) -> nn.Module:
    """Wrap the linear layers named by ``target_modules`` in :class:`LinearWithLoRA`; freeze the rest.

    Changes ``model`` in place and returns it: only the ``lora_A``/``lora_B`` weights train.

    Example:
        >>> from course_lib.gpt import GPT
        >>> from course_lib.transformer import GPTConfig
        >>> model = GPT(GPTConfig(vocab_size=50, block_size=8, n_layer=2, n_head=2, d_model=16, d_ff=32))
        >>> model = apply_lora(model, ["q_proj", "v_proj"], rank=4, alpha=8)
        >>> type(model.blocks[0].attn.q_proj).__name__, count_parameters(model)[0]  # 2 layers x 2 x 4 x (16 + 16)
        ('LinearWithLoRA', 512)
    """
    _check_positive_int("rank", rank)
    check_dropout(dropout)
    return _wrap(model, target_modules, lambda layer: LinearWithLoRA(layer, rank, alpha, dropout))


def merge_lora(model: nn.Module) -> nn.Module:
    """Replace every :class:`LinearWithLoRA` in ``model`` by its merged ``nn.Linear`` (in place)."""
    names = [n for n, m in model.named_modules() if isinstance(m, LinearWithLoRA)]
    if not names:
        raise ValueError("model has no LinearWithLoRA layer to merge; wrap it with apply_lora first")
    for name in names:
        _replace(model, name, model.get_submodule(name).merge())
    return model


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """``(trainable, total)`` parameter counts; a tied weight counts once.

    Example:
        >>> layer = LinearWithLoRA(nn.Linear(10, 20), rank=2, alpha=2)
        >>> count_parameters(layer)  # LoRA: 2 * (10 + 20); base: 10 * 20 + 20
        (60, 280)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    params = list(model.parameters())  # shared parameters appear once
    return sum(p.numel() for p in params if p.requires_grad), sum(p.numel() for p in params)


def lora_parameter_count(model: nn.Module, target_modules: Sequence[str], rank: int) -> int:
    """Parameters LoRA of this rank would train on ``model`` (``rank * (in + out)`` per target layer),
    without changing the model.

    Example:
        >>> lora_parameter_count(nn.Sequential(nn.Linear(10, 20)), ["0"], rank=2)
        60
    """
    _check_positive_int("rank", rank)
    names = matching_linear_names(model, target_modules)
    return sum(rank * (model.get_submodule(n).in_features + model.get_submodule(n).out_features) for n in names)


class AdapterLayer(nn.Module):
    """Bottleneck adapter with a residual: ``x + up(act(down(x)))``, ``up`` zero at the start (Day 17).

    ``down`` maps ``d_model -> bottleneck``, ``up`` maps back; both have biases, as in Houlsby et al.

    Example:
        >>> adapter = AdapterLayer(8, bottleneck=2)
        >>> x = torch.randn(3, 8)
        >>> torch.equal(adapter(x), x), sum(p.numel() for p in adapter.parameters())  # 2*8*2 + 2 + 8
        (True, 42)
    """

    def __init__(self, d_model: int, bottleneck: int, activation: str = "gelu") -> None:
        super().__init__()
        _check_positive_int("d_model", d_model)
        _check_positive_int("bottleneck", bottleneck)
        acts = {"gelu": nn.GELU, "relu": nn.ReLU, "silu": nn.SiLU}
        if activation not in acts:
            raise ValueError(f"activation must be one of {sorted(acts)}, got {activation!r}")
        self.down = nn.Linear(d_model, bottleneck)  # (b, d)
        self.act = acts[activation]()
        self.up = nn.Linear(bottleneck, d_model)  # (d, b)
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.up(self.act(self.down(x)))  # (..., d)


class _WithAdapter(nn.Module):
    """A frozen layer followed by an :class:`AdapterLayer` on its output."""

    def __init__(self, layer: nn.Module, bottleneck: int, activation: str) -> None:
        super().__init__()
        self.base = layer
        self.in_features, self.out_features = layer.in_features, layer.out_features
        device, dtype = _float_like(layer)
        self.adapter = AdapterLayer(layer.out_features, bottleneck, activation).to(device=device, dtype=dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.adapter(self.base(x))


def apply_adapters(model: nn.Module, target_modules: Sequence[str], bottleneck: int,
                   activation: str = "gelu") -> nn.Module:
    """Put an :class:`AdapterLayer` after each linear layer named by ``target_modules``; freeze the rest.

    Houlsby et al. place adapters after the attention output and the feed-forward output, before
    the residual sum: for our GPT that is ``["o_proj", "down_proj"]``.

    Example:
        >>> net = apply_adapters(nn.Sequential(nn.Linear(4, 8)), ["0"], bottleneck=2)
        >>> count_parameters(net)  # adapter 2*8*2 + 2 + 8 trainable; + frozen 4*8 + 8
        (42, 82)
    """
    _check_positive_int("bottleneck", bottleneck)
    return _wrap(model, target_modules, lambda layer: _WithAdapter(layer, bottleneck, activation))


# --- Day 17's experiment: full fine-tuning vs LoRA vs adapters on the course GPT ----------------------------

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
