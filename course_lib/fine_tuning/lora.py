"""LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"): the layer, wrapping
a model's linear layers and merging them back, and the parameter counts (Day 17).

Also holds the helpers the adapters and Day 17's experiment share (argument checks, finding and
replacing linear layers). Checked against peft 0.21's LoRA ``Linear`` layer in ``tests/test_fine_tuning.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from course_lib.multihead import check_dropout

__all__ = ["LinearWithLoRA", "matching_linear_names", "apply_lora", "merge_lora", "count_parameters",
           "lora_parameter_count"]


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
    from course_lib.fine_tuning.adapters import _WithAdapter  # here: adapters.py imports this module

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
