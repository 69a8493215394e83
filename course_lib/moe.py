"""Mixture of experts: a router, top-k gating, SwiGLU experts and the load-balancing loss (Day 15).

* :func:`route`: the routing convention of Mixtral (Jiang et al. 2024, "Mixtral of Experts") as
  transformers implements it: **softmax over all experts, then top-k, then renormalize** the k
  kept probabilities so they sum to 1. (Shazeer et al. 2017 take the top-k *logits* first and
  softmax those; for the weights the two orders give the same numbers, since the softmax of the k
  largest logits equals their renormalized full-softmax probabilities; the full softmax is still
  needed by the load-balancing loss.)
* :class:`MoELayer`: a drop-in replacement for a feed-forward network: a linear router (no bias)
  scores the experts, each token is sent to its top-k experts (``FeedForwardNetwork`` with
  ``activation="swiglu"``, no biases) and their outputs are summed with the renormalized weights.
* :func:`load_balancing_loss`: the auxiliary loss of the Switch Transformer (Fedus et al. 2021,
  eqs. 4-6) in transformers' form: ``num_experts * sum_i f_i * P_i`` with ``f_i`` the share of
  tokens that picked expert ``i`` among their top k (the ``f_i`` sum to ``top_k``) and ``P_i`` the
  mean router probability of expert ``i``. Perfectly balanced routing gives ``top_k``.
* :class:`SparseModelShape`: total vs active parameters of a Mixtral-style model, as arithmetic.

Checked against (``tests/test_moe.py``): transformers' ``MixtralSparseMoeBlock`` (weights copied
with :meth:`MoELayer.from_hf`), its ``load_balancing_loss_func``, a dense loop over all experts,
and the parameter count of ``MixtralForCausalLM`` built on the meta device.
Leaves out: expert capacity and token dropping, router jitter noise and z-loss, expert
parallelism, shared experts (DeepSeek-MoE), and fused/grouped matrix-multiply kernels.
Imports torch at module level, like :mod:`course_lib.layers` whose SwiGLU FFN the experts are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from course_lib.layers import FeedForwardNetwork

__all__ = ["route", "MoELayer", "load_balancing_loss", "expert_load", "swap_in_moe", "moe_layers",
           "SparseModelShape", "MIXTRAL_8X7B"]


def _check_positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _check_top_k(top_k: object, num_experts: int) -> None:
    _check_positive_int("top_k", top_k)
    if top_k > num_experts:  # type: ignore[operator]
        raise ValueError(f"top_k must be at most num_experts={num_experts}, got top_k={top_k!r}")


def _check_logits(router_logits: Any) -> None:
    if not isinstance(router_logits, torch.Tensor) or router_logits.ndim < 1 \
            or not router_logits.is_floating_point():
        raise TypeError("router_logits must be a floating-point tensor (..., num_experts), got "
                        f"{getattr(router_logits, 'dtype', type(router_logits).__name__)} "
                        f"{tuple(getattr(router_logits, 'shape', ()))}")


def route(router_logits: Any, top_k: int) -> tuple[Any, Any, Any]:
    """Softmax over the experts, keep the top k, renormalize: ``(weights, indices, probs)`` (Day 15).

    ``router_logits`` is ``(..., num_experts)``; ``weights`` and ``indices`` are ``(..., top_k)``
    (largest probability first; on ties torch.topk decides), ``probs`` is the full softmax
    ``(..., num_experts)``. The softmax runs in at least float32 (as transformers' Mixtral router).

    Example:
        >>> import torch
        >>> weights, indices, probs = route(torch.tensor([[2.0, 0.0, 1.0, -1.0]]), top_k=2)
        >>> indices.tolist(), [round(w, 4) for w in weights[0].tolist()]  # e / (e + 1) and 1 / (e + 1)
        ([[0, 2]], [0.7311, 0.2689])
    """
    _check_logits(router_logits)
    _check_top_k(top_k, router_logits.shape[-1])
    compute = torch.promote_types(router_logits.dtype, torch.float32)
    probs = torch.softmax(router_logits.to(compute), dim=-1)  # (..., E)
    top_probs, indices = torch.topk(probs, top_k, dim=-1)  # (..., k), (..., k)
    weights = top_probs / top_probs.sum(dim=-1, keepdim=True)  # (..., k), each row sums to 1
    return weights, indices, probs


def expert_load(indices: Any, num_experts: int) -> Any:
    """Share of the (token, slot) assignments that went to each expert: float ``(num_experts,)``, sums to 1.

    Example:
        >>> import torch
        >>> expert_load(torch.tensor([[0, 1], [0, 2]]), num_experts=4).tolist()
        [0.5, 0.25, 0.25, 0.0]
    """
    _check_positive_int("num_experts", num_experts)
    if not isinstance(indices, torch.Tensor) or indices.dtype not in (torch.int32, torch.int64):
        raise TypeError(f"indices must be an integer tensor of expert ids, got {type(indices).__name__}")
    if indices.numel() and (indices.min() < 0 or indices.max() >= num_experts):
        raise ValueError(f"expert ids must lie in [0, {num_experts}), got {indices.min().item()}.."
                         f"{indices.max().item()}")
    counts = torch.bincount(indices.reshape(-1), minlength=num_experts).double()  # (E,)
    return counts / max(indices.numel(), 1)


def load_balancing_loss(router_logits: Any, top_k: int) -> Any:
    """Switch Transformer's auxiliary loss ``E * sum_i f_i * P_i``, as transformers' Mixtral (Day 15).

    ``router_logits``: one tensor ``(..., E)`` or a list/tuple of them (one per layer, as
    transformers' ``load_balancing_loss_func`` takes them: the layers' tokens are pooled before
    ``f`` and ``P`` are formed, which is not the mean of per-layer losses). ``f_i``: the share of
    tokens whose top k includes expert ``i``; ``P_i``: the mean softmax probability of expert ``i``.
    Uniform routing gives ``top_k`` (the minimum for balanced top-k choices); all tokens on the
    same k experts with probability near 1 give about ``E``. Returns a float32 scalar tensor that
    carries gradient through ``P`` (the counts ``f`` are not differentiable).

    Example:
        >>> import torch
        >>> # uniform probabilities: 4 * 4 * (1/2 * 1/4)
        >>> round(load_balancing_loss(torch.zeros(6, 4), top_k=2).item(), 4)
        2.0
    """
    layers = list(router_logits) if isinstance(router_logits, (list, tuple)) else [router_logits]
    if not layers:
        raise ValueError("router_logits must hold at least one tensor, got an empty sequence")
    for logits in layers:
        _check_logits(logits)
    num_experts = layers[0].shape[-1]
    if any(logits.shape[-1] != num_experts for logits in layers):
        raise ValueError(f"every layer needs the same number of experts, got {[t.shape[-1] for t in layers]}")
    flat = torch.cat([logits.reshape(-1, num_experts).float() for logits in layers])  # (N, E)
    if flat.shape[0] == 0:
        raise ValueError("router_logits holds no tokens")
    _, indices, probs = route(flat, top_k)  # (N, k), (N, E)
    chosen = torch.nn.functional.one_hot(indices, num_experts).sum(dim=1).float()  # (N, E), 0/1
    f = chosen.mean(dim=0)  # (E,), sums to top_k
    p = probs.mean(dim=0)  # (E,), sums to 1
    return num_experts * (f * p).sum()


class MoELayer(nn.Module):
    """A sparse feed-forward layer: router, top-k of ``num_experts`` SwiGLU experts, weighted sum (Day 15).

    ``forward(x)`` takes ``(..., d_model)`` and returns the same shape, so it can replace a
    block's FFN. Each token ``t`` gets ``sum_j w_tj * expert_{i_tj}(x_t)`` over its top-k experts
    (:func:`route`'s convention). The router's logits of the last call are kept in
    ``last_router_logits`` ``(tokens, num_experts)`` (with their graph, for
    :func:`load_balancing_loss`) and the chosen experts in ``last_indices`` ``(tokens, top_k)``.
    Parameters: ``router.weight`` ``(num_experts, d_model)``, ``experts[i].{gate,up,down}_proj``.

    Example:
        >>> import torch
        >>> layer = MoELayer(d_model=8, d_ff=12, num_experts=4, top_k=2)
        >>> layer(torch.randn(2, 5, 8)).shape, tuple(layer.last_router_logits.shape)
        (torch.Size([2, 5, 8]), (10, 4))
        >>> sum(p.numel() for p in layer.parameters())  # router 4 * 8 + 4 experts * 3 * 8 * 12
        1184
    """

    def __init__(self, d_model: int, d_ff: int, num_experts: int, top_k: int):
        super().__init__()
        for name, value in (("d_model", d_model), ("d_ff", d_ff), ("num_experts", num_experts)):
            _check_positive_int(name, value)
        _check_top_k(top_k, num_experts)
        self.d_model, self.d_ff, self.num_experts, self.top_k = d_model, d_ff, num_experts, top_k
        self.router = nn.Linear(d_model, num_experts, bias=False)
        self.experts = nn.ModuleList(FeedForwardNetwork(d_model, d_ff, activation="swiglu", bias=False)
                                     for _ in range(num_experts))
        self.last_router_logits: Any = None
        self.last_indices: Any = None

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, d_ff={self.d_ff}, num_experts={self.num_experts}, top_k={self.top_k}"

    def forward(self, x: Any) -> Any:
        if not isinstance(x, torch.Tensor) or x.ndim < 1 or x.shape[-1] != self.d_model:
            raise ValueError(f"x must be a tensor (..., d_model={self.d_model}), got "
                             f"{tuple(getattr(x, 'shape', ())) or type(x).__name__}")
        flat = x.reshape(-1, self.d_model)  # (N, C)
        logits = self.router(flat)  # (N, E)
        weights, indices, _ = route(logits, self.top_k)  # (N, k), (N, k)
        out = torch.zeros_like(flat)  # (N, C)
        for e, expert in enumerate(self.experts):
            tokens, slots = torch.where(indices == e)  # the tokens that chose expert e, and in which slot
            if tokens.numel() == 0:
                continue  # an idle expert computes nothing
            y = expert(flat[tokens]) * weights[tokens, slots, None]  # (n_e, C)
            out.index_add_(0, tokens, y.to(out.dtype))
        self.last_router_logits, self.last_indices = logits, indices
        return out.reshape(x.shape)

    @classmethod
    def from_hf(cls, block: Any) -> "MoELayer":
        """A copy of transformers' ``MixtralSparseMoeBlock`` (fused expert tensors, transformers >= 5).

        ``block.gate.weight`` ``(E, C)`` becomes ``router.weight``; ``block.experts.gate_up_proj``
        ``(E, 2F, C)`` is split into each expert's ``gate_proj`` (first F rows) and ``up_proj``;
        ``block.experts.down_proj`` ``(E, C, F)`` gives ``down_proj``. Dtype and device are kept. The block's
        training-time jitter noise is not copied (it is off at inference).

        Example:
            >>> from transformers import MixtralConfig  # doctest: +SKIP
            >>> from transformers.models.mixtral import modeling_mixtral  # doctest: +SKIP
            >>> config = MixtralConfig(hidden_size=8, intermediate_size=12)  # doctest: +SKIP
            >>> block = modeling_mixtral.MixtralSparseMoeBlock(config)  # doctest: +SKIP
            >>> MoELayer.from_hf(block).num_experts  # doctest: +SKIP
            8
        """
        gate, experts = getattr(block, "gate", None), getattr(block, "experts", None)
        if getattr(gate, "weight", None) is None or getattr(experts, "gate_up_proj", None) is None \
                or getattr(experts, "down_proj", None) is None:
            raise TypeError("block must be a transformers MixtralSparseMoeBlock with gate.weight and fused "
                            f"experts.gate_up_proj / experts.down_proj, got {type(block).__name__}")
        act = getattr(getattr(experts, "config", None), "hidden_act", "silu")
        if act != "silu":
            raise ValueError(f"the experts must use SiLU (SwiGLU), got hidden_act={act!r}")
        num_experts, d_model = gate.weight.shape
        d_ff = experts.down_proj.shape[-1]
        top_k = int(getattr(block, "top_k", getattr(gate, "top_k", 0)))
        layer = cls(d_model, d_ff, num_experts, top_k).to(device=gate.weight.device, dtype=gate.weight.dtype)
        with torch.no_grad():
            layer.router.weight.copy_(gate.weight)
            for e, expert in enumerate(layer.experts):
                expert.gate_proj.weight.copy_(experts.gate_up_proj[e, :d_ff])  # (F, C)
                expert.up_proj.weight.copy_(experts.gate_up_proj[e, d_ff:])  # (F, C)
                expert.down_proj.weight.copy_(experts.down_proj[e])  # (C, F)
        return layer


def swap_in_moe(model: Any, num_experts: int, top_k: int, d_ff: int | None = None) -> Any:
    """Replace the FFN of every block of a course GPT by a fresh :class:`MoELayer` (Day 15).

    Each expert gets ``d_ff`` (default: the model's ``config.d_ff``), so the layer holds
    ``num_experts`` times the FFN's parameters and uses ``top_k`` of them per token. Returns the
    same model, changed in place; attention, norms and embeddings are untouched.

    Example:
        >>> from course_lib.transformer import GPT, GPTConfig
        >>> config = GPTConfig(vocab_size=50, block_size=8, n_layer=2, d_model=16, n_head=2)
        >>> model = swap_in_moe(GPT(config), num_experts=4, top_k=1)
        >>> ids = torch.zeros(1, 3, dtype=torch.long)
        >>> [type(block.ffn).__name__ for block in model.blocks], model(ids).shape
        (['MoELayer', 'MoELayer'], torch.Size([1, 3, 50]))
    """
    blocks = getattr(model, "blocks", None)
    config = getattr(model, "config", None)
    if blocks is None or not hasattr(config, "d_model"):
        raise TypeError(f"model must be a course GPT (with .blocks and .config), got {type(model).__name__}")
    width = config.d_ff if d_ff is None else d_ff
    for block in blocks:
        block.ffn = MoELayer(config.d_model, width, num_experts, top_k)
    return model


def moe_layers(model: Any) -> list[MoELayer]:
    """The :class:`MoELayer` modules of ``model`` in order (e.g. to collect ``last_router_logits``) (Day 15).

    Example:
        >>> stack = torch.nn.Sequential(MoELayer(4, 6, 3, 1), MoELayer(4, 6, 5, 2))
        >>> [layer.num_experts for layer in moe_layers(stack)]
        [3, 5]
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return [module for module in model.modules() if isinstance(module, MoELayer)]


@dataclass(frozen=True)
class SparseModelShape:
    """The sizes of a Mixtral-style decoder, enough to count its total and active parameters (Day 15).

    Attention (GQA, no biases), an MoE FFN of ``num_experts`` SwiGLU experts per layer, two RMSNorms
    per layer, a final norm, input embeddings and an untied (unless ``tie_embeddings``) output layer.

    Example:
        >>> shape = SparseModelShape(vocab_size=10, d_model=4, d_ff=6, n_layer=1, n_head=2, n_kv_head=1,
        ...                          num_experts=4, top_k=1)
        >>> shape.expert_parameters(), shape.total_parameters(), shape.active_parameters()
        (72, 444, 228)
    """

    vocab_size: int  # token ids (rows of the embedding table, outputs of lm_head)
    d_model: int  # hidden size
    d_ff: int  # intermediate size of ONE expert
    n_layer: int  # decoder layers, each with attention and an MoE FFN
    n_head: int  # query heads; head_dim = d_model // n_head
    n_kv_head: int  # key/value heads (GQA)
    num_experts: int  # experts per layer
    top_k: int  # experts each token uses
    tie_embeddings: bool = False  # True: lm_head shares the embedding matrix

    def __post_init__(self) -> None:
        for name in ("vocab_size", "d_model", "d_ff", "n_layer", "n_head", "n_kv_head", "num_experts"):
            _check_positive_int(name, getattr(self, name))
        _check_top_k(self.top_k, self.num_experts)
        if self.d_model % self.n_head or self.n_head % self.n_kv_head:
            raise ValueError(f"need n_head | d_model and n_kv_head | n_head, got d_model={self.d_model}, "
                             f"n_head={self.n_head}, n_kv_head={self.n_kv_head}")

    def expert_parameters(self) -> int:
        """One SwiGLU expert: gate, up and down matrices, ``3 * d_model * d_ff``."""
        return 3 * self.d_model * self.d_ff

    def attention_parameters(self) -> int:
        """One attention layer: q and o ``d_model^2`` each, k and v ``d_model * kv_width`` each."""
        kv_width = self.n_kv_head * (self.d_model // self.n_head)
        return 2 * self.d_model * self.d_model + 2 * self.d_model * kv_width

    def _count(self, experts_per_layer: int) -> int:
        per_layer = (self.attention_parameters() + experts_per_layer * self.expert_parameters()
                     + self.num_experts * self.d_model + 2 * self.d_model)  # + router + two norms
        embeddings = self.vocab_size * self.d_model * (1 if self.tie_embeddings else 2)
        return self.n_layer * per_layer + embeddings + self.d_model  # + final norm

    def total_parameters(self) -> int:
        """Every parameter: what must sit in memory to run the model."""
        return self._count(self.num_experts)

    def active_parameters(self) -> int:
        """Parameters one token uses: ``top_k`` experts per layer, plus router, attention and embeddings."""
        return self._count(self.top_k)


#: Mixtral 8x7B's published configuration (Jiang et al. 2024; the model's config.json).
MIXTRAL_8X7B = SparseModelShape(vocab_size=32000, d_model=4096, d_ff=14336, n_layer=32, n_head=32,
                                n_kv_head=8, num_experts=8, top_k=2)
