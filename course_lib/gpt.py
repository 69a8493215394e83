"""The course GPT as a torch module, :class:`GPT`, configured by :class:`course_lib.transformer.GPTConfig`.

Token embedding (+ learned position embedding for the GPT-2 recipe) -> dropout -> ``n_layer`` pre-norm
:class:`course_lib.attention.TransformerBlock` s, each attending causally (and rotating q, k with RoPE in the
Llama recipe) -> final norm -> ``lm_head``, one logit per vocabulary entry. :meth:`GPT.generate` samples
from it. See :mod:`course_lib.transformer` for the recipes and what is left out, and
:mod:`course_lib.hf_convert` for the mapping to ``transformers``. Introduced on Day 9, trained on Day 10.

Checked against: ``transformers``' ``GPT2LMHeadModel`` and ``LlamaForCausalLM`` with the same weights
(``tests/test_transformer.py``). Imports torch at module level: load it through
``course_lib.transformer``, which imports it on first use.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from course_lib.attention import LayerNorm, RMSNorm, TransformerBlock
from course_lib.transformer import GPTConfig

__all__ = ["GPT"]


def _check_count(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


class GPT(nn.Module):
    """Decoder-only Transformer: ``idx (B, T)`` -> ``logits (B, T, vocab_size)`` (Day 9).

    Parameter names are fixed (trained checkpoints are state dicts with them): ``tok_emb``, ``pos_emb``
    (learned positions only), ``drop``, ``blocks.{i}.{norm1,attn,norm2,ffn}...``, ``norm_f``,
    ``lm_head`` (its weight IS ``tok_emb.weight`` when ``tie_embeddings``). Weights start as in GPT-2:
    normal(0, 0.02), the projections back into the residual stream scaled by ``1/sqrt(2 n_layer)``.

    Example:
        >>> _ = torch.manual_seed(0)
        >>> model = GPT(GPTConfig.gpt2_style(vocab_size=99, block_size=8, n_layer=2, n_head=3, d_model=48))
        >>> model.lm_head.weight is model.tok_emb.weight  # tied embeddings
        True
        >>> model.num_parameters()  # 99*48 + 8*48 + 2 blocks * 28_272 + 2*48 (the tied lm_head counted once)
        61776
        >>> model(torch.tensor([[1, 2, 3]])).shape  # (B, T, vocab_size)
        torch.Size([1, 3, 99])
        >>> generator = torch.Generator().manual_seed(0)
        >>> out = model.generate(torch.tensor([[1, 2, 3]]), max_new_tokens=10, generator=generator)
        >>> out.shape  # the prompt and 10 new ids; 13 > block_size, so later steps read the last 8 only
        torch.Size([1, 13])
    """

    def __init__(self, config: GPTConfig):
        super().__init__()
        if not isinstance(config, GPTConfig):
            raise TypeError(f"config must be a GPTConfig, got {type(config).__name__}")
        self.config = c = config
        self.tok_emb = nn.Embedding(c.vocab_size, c.d_model)
        if c.position == "learned":
            self.pos_emb = nn.Embedding(c.block_size, c.d_model)
        self.drop = nn.Dropout(c.dropout)
        self.blocks = nn.ModuleList(
            TransformerBlock(c.d_model, c.n_head, c.d_ff, num_kv_heads=c.n_kv_head, norm=c.norm,
                             activation=c.activation, bias=c.bias, dropout=c.dropout, pre_norm=True,
                             norm_eps=c.norm_eps, rope_base=c.rope_base)
            for _ in range(c.n_layer))
        self.norm_f = LayerNorm(c.d_model, eps=c.norm_eps, bias=c.bias) if c.norm == "layernorm" \
            else RMSNorm(c.d_model, eps=c.norm_eps)
        self.lm_head = nn.Linear(c.d_model, c.vocab_size, bias=False)
        self.apply(self._init_weights)
        for name, param in self.named_parameters():  # GPT-2: residual projections shrink with depth
            if name.endswith(("attn.o_proj.weight", "ffn.down_proj.weight")):
                nn.init.normal_(param, mean=0.0, std=0.02 / math.sqrt(2 * c.n_layer))
        if c.tie_embeddings:
            self.lm_head.weight = self.tok_emb.weight  # one matrix: embeds ids and scores them

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """Logits ``(B, T, vocab_size)`` for token ids ``idx (B, T)``, each position seeing only its past."""
        c = self.config
        if not isinstance(idx, torch.Tensor) or idx.ndim != 2 or idx.dtype != torch.long:
            raise ValueError(f"idx must be a (batch, time) tensor of int64 token ids, got "
                             f"{getattr(idx, 'dtype', type(idx).__name__)} {tuple(getattr(idx, 'shape', ()))}")
        T = idx.shape[1]
        if T > c.block_size:
            raise ValueError(f"sequence length {T} exceeds block_size={c.block_size}; crop the context")
        x = self.tok_emb(idx)  # (B, T, C)
        if c.position == "learned":
            x = x + self.pos_emb(torch.arange(T, device=idx.device))  # (B, T, C) + (T, C)
        x = self.drop(x)
        for block in self.blocks:
            x = block(x, is_causal=True, rope=c.position == "rope")  # (B, T, C)
        return self.lm_head(self.norm_f(x))  # (B, T, vocab_size)

    def num_parameters(self, exclude_embeddings: bool = False) -> int:
        """Number of parameters (a tied matrix counted once); optionally without the embedding tables."""
        total = sum(p.numel() for p in self.parameters())
        if exclude_embeddings:
            total -= self.tok_emb.weight.numel()
            if hasattr(self, "pos_emb"):
                total -= self.pos_emb.weight.numel()
        return total

    @torch.no_grad()
    def generate(self, idx: torch.Tensor, max_new_tokens: int, temperature: float = 1.0,
                 top_k: int | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
        """Append ``max_new_tokens`` ids to ``idx (B, T)``; returns ``(B, T + max_new_tokens)``.

        Each step reads the last ``block_size`` ids, divides the last logits by ``temperature`` (0 =
        greedy: the argmax, first on ties), keeps the ``top_k`` largest (if given), and samples with
        ``generator`` (a seeded ``torch.Generator`` makes it repeatable). Call ``model.eval()`` first
        when the model has dropout. No KV cache: every step reruns the context (Day 13 adds one).
        """
        _check_count("max_new_tokens", max_new_tokens, 0)
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) \
                or not 0 <= temperature < math.inf:
            raise ValueError(f"temperature must be a finite number >= 0 (0 = greedy), got {temperature!r}")
        if top_k is not None:
            _check_count("top_k", top_k, 1)
        for _ in range(max_new_tokens):
            logits = self(idx[:, -self.config.block_size:])[:, -1, :]  # (B, vocab) at the last position
            if temperature == 0:
                next_id = logits.argmax(dim=-1, keepdim=True)  # (B, 1)
            else:
                logits = logits.float() / temperature  # sample in float32, as transformers does
                if top_k is not None and top_k < logits.shape[-1]:
                    kth = torch.topk(logits, top_k, dim=-1).values[:, -1:]  # (B, 1) the k-th largest
                    logits = logits.masked_fill(logits < kth, float("-inf"))
                probs = F.softmax(logits, dim=-1)  # (B, vocab)
                if generator is not None and generator.device != probs.device:  # e.g. a CPU generator, GPU model
                    probs = probs.to(generator.device)
                next_id = torch.multinomial(probs, num_samples=1, generator=generator).to(idx.device)  # (B, 1)
            idx = torch.cat((idx, next_id), dim=1)  # (B, T + 1)
        return idx

    @classmethod
    def from_hf(cls, model: Any) -> "GPT":
        """A :class:`GPT` with the weights (and logits) of a ``GPT2LMHeadModel`` or ``LlamaForCausalLM``."""
        from course_lib.hf_convert import gpt_from_hf

        return gpt_from_hf(model)

    def to_hf(self) -> Any:
        """The equivalent ``transformers`` model (GPT-2 or Llama recipe); ``ValueError`` for other mixes."""
        from course_lib.hf_convert import gpt_to_hf

        return gpt_to_hf(self)

