"""The rest of a transformer block: feed-forward network, LayerNorm, RMSNorm, and the block (Day 8).

* :class:`FeedForwardNetwork`: two linear maps with an activation between them (Vaswani et al. 2017),
  or SwiGLU (Shazeer 2020, "GLU Variants Improve Transformer"; Llama's MLP) with a gated third map.
* :class:`LayerNorm` (Ba et al. 2016): subtract the mean, divide by the (biased) standard deviation,
  scale and shift. :class:`RMSNorm` (Zhang & Sennrich 2019): divide by the root mean square only.
* :class:`TransformerBlock`: attention then FFN, each on a residual branch; pre-LN (GPT-2, Llama:
  normalize the branch input) or post-LN (the 2017 paper: normalize after the addition).

Checked against: ``torch.nn.LayerNorm``, ``torch.nn.RMSNorm``, transformers' ``LlamaMLP``,
``LlamaDecoderLayer`` and ``GPT2Block`` with weights copied (``tests/test_layers.py``).
Leaves out: mixture of experts (Day 11), parallel attention/FFN blocks, DeepNorm. Imports torch at
module level: load it through ``course_lib.attention``, which imports it on first use.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from course_lib.multihead import MultiHeadAttention, check_dropout

__all__ = ["ACTIVATIONS", "FeedForwardNetwork", "LayerNorm", "RMSNorm", "TransformerBlock"]

ACTIVATIONS = ("relu", "gelu", "gelu_tanh", "swiglu")


def _check_dim(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _check_eps(eps: object) -> None:
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
        raise ValueError(f"eps must be a positive number, got {eps!r}")


class FeedForwardNetwork(nn.Module):
    """Position-wise MLP: ``down_proj(act(up_proj(x)))``, or SwiGLU (Day 8).

    ``activation`` is ``"relu"``, ``"gelu"`` (exact, erf), ``"gelu_tanh"`` (GPT-2's tanh
    approximation) or ``"swiglu"``: ``down_proj(silu(gate_proj(x)) * up_proj(x))`` as in
    transformers' ``LlamaMLP``. ``dropout`` applies to the hidden activation.

    Example:
        >>> import torch
        >>> ffn = FeedForwardNetwork(8, 20, activation="swiglu", bias=False)
        >>> ffn(torch.randn(2, 3, 8)).shape, sum(p.numel() for p in ffn.parameters())  # 3 * 8 * 20
        (torch.Size([2, 3, 8]), 480)
    """

    def __init__(self, d_model: int, d_ff: int, activation: str = "gelu", bias: bool = True,
                 dropout: float = 0.0):
        super().__init__()
        _check_dim("d_model", d_model)
        _check_dim("d_ff", d_ff)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        check_dropout(dropout)
        self.activation = activation
        self.up_proj = nn.Linear(d_model, d_ff, bias=bias)
        self.down_proj = nn.Linear(d_ff, d_model, bias=bias)
        if activation == "swiglu":
            self.gate_proj = nn.Linear(d_model, d_ff, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        up = self.up_proj(x)  # (..., d_ff)
        if self.activation == "swiglu":
            hidden = F.silu(self.gate_proj(x)) * up  # (..., d_ff)
        elif self.activation == "relu":
            hidden = F.relu(up)
        else:
            hidden = F.gelu(up, approximate="tanh" if self.activation == "gelu_tanh" else "none")
        return self.down_proj(self.dropout(hidden))  # (..., d_model)


class LayerNorm(nn.Module):
    """``(x - mean) / sqrt(var + eps) * weight + bias`` over the last dimension (Day 8).

    The variance is the biased one (divide by ``d``), eps inside the square root: the same as
    ``torch.nn.LayerNorm``. ``bias=False`` drops the shift.

    Example:
        >>> import torch
        >>> LayerNorm(4)(torch.tensor([[1.0, 2.0, 3.0, 4.0]]))
        tensor([[-1.3416, -0.4472,  0.4472,  1.3416]], grad_fn=<AddBackward0>)
    """

    def __init__(self, d: int, eps: float = 1e-5, bias: bool = True):
        super().__init__()
        _check_dim("d", d)
        _check_eps(eps)
        self.eps = float(eps)
        self.weight = nn.Parameter(torch.ones(d))
        self.bias = nn.Parameter(torch.zeros(d)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=-1, keepdim=True)  # (..., 1)
        var = (x - mean).pow(2).mean(dim=-1, keepdim=True)  # (..., 1), biased
        out = (x - mean) * torch.rsqrt(var + self.eps) * self.weight  # (..., d)
        return out + self.bias if self.bias is not None else out


class RMSNorm(nn.Module):
    """``x / sqrt(mean(x^2) + eps) * weight`` over the last dimension (Day 8).

    Half-precision inputs are normalized in float32 and cast back before the scale, as in
    transformers' ``LlamaRMSNorm``; otherwise equal to ``torch.nn.RMSNorm``.

    Example:
        >>> import torch
        >>> RMSNorm(2, eps=0.0)(torch.tensor([[3.0, 4.0]]))  # rms = sqrt(12.5)
        tensor([[0.8485, 1.1314]], grad_fn=<MulBackward0>)
    """

    def __init__(self, d: int, eps: float = 1e-6):
        super().__init__()
        _check_dim("d", d)
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or eps < 0:
            raise ValueError(f"eps must be a number >= 0, got {eps!r}")
        self.eps = float(eps)
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        compute = torch.promote_types(x.dtype, torch.float32)
        xc = x.to(compute)
        normed = xc * torch.rsqrt(xc.pow(2).mean(dim=-1, keepdim=True) + self.eps)  # (..., d)
        return self.weight * normed.to(x.dtype)


def _norm(kind: str, d: int, eps: float, bias: bool) -> nn.Module:
    if kind == "layernorm":
        return LayerNorm(d, eps=eps, bias=bias)
    if kind == "rmsnorm":
        return RMSNorm(d, eps=eps)
    raise ValueError(f"norm must be 'layernorm' or 'rmsnorm', got {kind!r}")


class TransformerBlock(nn.Module):
    """Attention and feed-forward sublayers with residual connections, pre-LN or post-LN (Day 8).

    pre-LN: ``x = x + drop(attn(norm1(x))); x = x + drop(ffn(norm2(x)))``;
    post-LN: ``x = norm1(x + drop(attn(x))); x = norm2(x + drop(ffn(x)))``. ``dropout`` also drops
    attention weights. ``bias`` applies to every linear map and to LayerNorm's shift. ``kv_cache`` and
    ``layer_idx`` go to the attention (Day 13: the block's keys/values are stored in layer ``layer_idx``).

    Example:
        >>> import torch
        >>> block = TransformerBlock(16, num_heads=4, d_ff=40, num_kv_heads=2, norm="rmsnorm",
        ...                          activation="swiglu", bias=False)
        >>> block(torch.randn(2, 7, 16), is_causal=True, rope=True).shape
        torch.Size([2, 7, 16])
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, num_kv_heads: int | None = None,
                 norm: str = "layernorm", activation: str = "gelu", bias: bool = True, dropout: float = 0.0,
                 pre_norm: bool = True, norm_eps: float = 1e-5, rope_base: float = 10000.0):
        super().__init__()
        self.pre_norm = bool(pre_norm)
        self.norm1 = _norm(norm, d_model, norm_eps, bias)
        self.attn = MultiHeadAttention(d_model, num_heads, num_kv_heads, bias=bias, dropout=dropout,
                                       rope_base=rope_base)
        self.norm2 = _norm(norm, d_model, norm_eps, bias)
        self.ffn = FeedForwardNetwork(d_model, d_ff, activation=activation, bias=bias)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, is_causal: bool = False,
                rope: bool = False, position_offset: int = 0, kv_cache: Any = None,
                layer_idx: int = 0) -> torch.Tensor:
        def attend(h: torch.Tensor) -> torch.Tensor:
            return self.attn(h, mask=mask, is_causal=is_causal, rope=rope, position_offset=position_offset,
                             kv_cache=kv_cache, layer_idx=layer_idx)

        if self.pre_norm:
            x = x + self.drop(attend(self.norm1(x)))  # (B, T, d_model)
            return x + self.drop(self.ffn(self.norm2(x)))
        x = self.norm1(x + self.drop(attend(x)))
        return self.norm2(x + self.drop(self.ffn(x)))
