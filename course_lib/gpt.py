"""The course GPT as a torch module, :class:`GPT`, configured by :class:`course_lib.transformer.GPTConfig`.

Token embedding (+ learned position embedding for the GPT-2 recipe) -> dropout -> ``n_layer`` pre-norm
:class:`course_lib.attention.TransformerBlock` s, each attending causally (and rotating q, k with RoPE in the
Llama recipe) -> final norm -> ``lm_head``, one logit per vocabulary entry. :meth:`GPT.generate` samples
from it (top-k, top-p, repetition penalty, eos and stop strings; with a KV cache by default, Day 13) and
:meth:`GPT.stream` yields the text as it comes. See :mod:`course_lib.transformer` for the recipes and what
is left out, and :mod:`course_lib.hf_convert` for the mapping to ``transformers``. Introduced on Day 9,
trained on Day 10.

Checked against: ``transformers``' ``GPT2LMHeadModel`` and ``LlamaForCausalLM`` with the same weights
(``tests/test_transformer.py``); cached == uncached forward and generation (``tests/test_kv_cache.py``,
``tests/test_gpt_generate.py``). Imports torch at module level: load it through
``course_lib.transformer``, which imports it on first use.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from course_lib.attention import LayerNorm, RMSNorm, TransformerBlock
from course_lib.kv_cache import KVCache
from course_lib.transformer import GPTConfig

__all__ = ["GPT"]


def _check_count(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_ids(idx: object) -> None:
    if not isinstance(idx, torch.Tensor) or idx.ndim != 2 or idx.dtype != torch.long or not idx.shape[1]:
        raise ValueError(f"idx must be a non-empty (batch, time) tensor of int64 token ids, got "
                         f"{getattr(idx, 'dtype', type(idx).__name__)} {tuple(getattr(idx, 'shape', ()))}")


def _check_sampling(temperature: object, top_k: object, top_p: object, repetition_penalty: object) -> None:
    def is_number(x: object) -> bool:
        return not isinstance(x, bool) and isinstance(x, (int, float))

    if not is_number(temperature) or not 0 <= temperature < math.inf:
        raise ValueError(f"temperature must be a finite number >= 0 (0 = greedy), got {temperature!r}")
    if top_k is not None:
        _check_count("top_k", top_k, 1)
    if top_p is not None and (not is_number(top_p) or not 0 <= top_p <= 1):
        raise ValueError(f"top_p must be a number in [0, 1] (or None), got {top_p!r}")
    if repetition_penalty is not None and (not is_number(repetition_penalty) or not 0 < repetition_penalty < math.inf):
        raise ValueError(f"repetition_penalty must be a finite number > 0 (or None), got {repetition_penalty!r}")


def _stop_prefix_length(text: str, stops: list[str]) -> int:
    """Length of the longest end of ``text`` that begins some stop string (text to hold back while streaming).

    Example:
        >>> _stop_prefix_length("Answer: 42\\nQ", ["\\nQ:", "END"])
        2
    """
    return max((n for stop in stops for n in range(min(len(stop) - 1, len(text)), 0, -1)
                if text.endswith(stop[:n])), default=0)


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

    def forward(self, idx: torch.Tensor, kv_cache: KVCache | None = None) -> torch.Tensor:
        """Logits ``(B, T, vocab_size)`` for token ids ``idx (B, T)``, each position seeing only its past.

        With ``kv_cache`` (a :class:`course_lib.kv_cache.KVCache`, Day 13) ``idx`` holds only the NEW ids:
        their positions start at ``len(kv_cache)`` (learned embeddings and RoPE alike), their keys and
        values are appended to the cache, and they attend to everything cached. Cached and new
        positions together must fit in ``block_size``.
        """
        c = self.config
        if not isinstance(idx, torch.Tensor) or idx.ndim != 2 or idx.dtype != torch.long:
            raise ValueError(f"idx must be a (batch, time) tensor of int64 token ids, got "
                             f"{getattr(idx, 'dtype', type(idx).__name__)} {tuple(getattr(idx, 'shape', ()))}")
        offset = self._cache_offset(kv_cache)
        T = idx.shape[1]
        if offset + T > c.block_size:
            where = f"{offset} cached + {T} new positions" if kv_cache is not None else f"sequence length {T}"
            raise ValueError(f"{where} exceeds block_size={c.block_size}; crop the context")
        x = self.tok_emb(idx)  # (B, T, C)
        if c.position == "learned":
            x = x + self.pos_emb(torch.arange(offset, offset + T, device=idx.device))  # (B, T, C) + (T, C)
        x = self.drop(x)
        for i, block in enumerate(self.blocks):
            x = block(x, is_causal=True, rope=c.position == "rope", kv_cache=kv_cache, layer_idx=i)  # (B, T, C)
        return self.lm_head(self.norm_f(x))  # (B, T, vocab_size)

    def _cache_offset(self, kv_cache: KVCache | None) -> int:
        if kv_cache is None:
            return 0
        if not isinstance(kv_cache, KVCache):
            raise TypeError(f"kv_cache must be a course_lib.kv_cache.KVCache, got {type(kv_cache).__name__}")
        if kv_cache.n_layer != self.config.n_layer:
            raise ValueError(f"kv_cache has {kv_cache.n_layer} layers, the model n_layer={self.config.n_layer}")
        return len(kv_cache)

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
                 top_k: int | None = None, top_p: float | None = None, repetition_penalty: float | None = None,
                 eos_token_id: int | list[int] | None = None, stop: list[str] | None = None,
                 tokenizer: Any = None, use_cache: bool = True,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        """Append up to ``max_new_tokens`` ids to ``idx (B, T)``; returns ``(B, T + n)`` int64 (Days 9, 13).

        Each step picks the next id with :func:`course_lib.generation.filters.choose_next_token`
        (repetition penalty, then temperature, with 0 = greedy, top-k, top-p, and a draw with
        ``generator``: seed it to repeat a sample). A row is finished when it writes ``eos_token_id``
        or a ``stop`` string appears in its new text (``stop`` needs ``tokenizer``); a finished row is
        padded with the (first) eos id, and generation ends early when every row is finished. Call
        ``model.eval()`` first when the model has dropout.

        ``use_cache=True`` (Day 13) runs the prompt once (prefill) and then feeds one id per step,
        reusing the keys and values in a :class:`course_lib.kv_cache.KVCache`; ``use_cache=False``
        reruns the whole context at every step. Both give the same ids. Beyond ``block_size`` the
        uncached path reads the last ``block_size`` ids; the cached path then does the same (it drops
        the cache and recomputes that window each step), because a sliding cache would keep keys
        computed from context the window no longer holds and so give different text: the cache only
        speeds up sequences that fit the window.

        Example:
            >>> _ = torch.manual_seed(0)
            >>> model = GPT(GPTConfig.llama_style(vocab_size=50, block_size=32, n_layer=2, n_head=4, n_kv_head=2,
            ...                                   d_model=32)).eval()
            >>> prompt = torch.tensor([[1, 2, 3]])
            >>> out = model.generate(prompt, 8, temperature=0)  # greedy, with the KV cache
            >>> out.shape, torch.equal(out, model.generate(prompt, 8, temperature=0, use_cache=False))
            (torch.Size([1, 11]), True)
            >>> seeded = lambda: model.generate(prompt, 8, top_p=0.9, generator=torch.Generator().manual_seed(1))
            >>> torch.equal(seeded(), seeded())  # a seeded sample repeats exactly
            True
        """
        ids = None
        for ids in self._decode(idx, max_new_tokens, temperature=temperature, top_k=top_k, top_p=top_p,
                                repetition_penalty=repetition_penalty, eos_token_id=eos_token_id, stop=stop,
                                tokenizer=tokenizer, use_cache=use_cache, generator=generator):
            pass
        return idx if ids is None else ids

    @torch.no_grad()
    def stream(self, idx: torch.Tensor, tokenizer: Any, max_new_tokens: int, **options: Any) -> Iterator[str]:
        """Yield the new text of ``idx (1, T)`` as it is generated, never half a UTF-8 character (Day 13).

        ``options`` are :meth:`generate`'s. The pieces join to the decoded new text, without the eos
        token and cut before the first ``stop`` string (text that might be the start of a stop string
        is held back until it is known not to be).

        Example:
            >>> from course_lib.bpe import BPETokenizer
            >>> tokenizer = BPETokenizer()  # bytes only: 256 ids
            >>> model = GPT(GPTConfig.gpt2_style(vocab_size=256, block_size=16, n_layer=1, n_head=2, d_model=16))
            >>> prompt = torch.tensor([tokenizer.encode("Hi")])
            >>> pieces = list(model.stream(prompt, tokenizer, 10, temperature=0))
            >>> "".join(pieces) == tokenizer.decode(model.generate(prompt, 10, temperature=0)[0, 2:].tolist())
            True
        """
        from course_lib.generation.stopping import trim_at_stop
        from course_lib.generation.streaming import IncrementalDetokenizer

        if isinstance(idx, torch.Tensor) and idx.ndim == 2 and idx.shape[0] != 1:
            raise ValueError(f"stream takes one sequence, idx of shape (1, T); got {tuple(idx.shape)}")
        eos = options.get("eos_token_id")
        eos = set() if eos is None else {eos} if isinstance(eos, int) else set(eos)
        stops = list(options.get("stop") or [])
        detokenizer, pending = IncrementalDetokenizer(tokenizer), ""
        for ids in self._decode(idx, max_new_tokens, tokenizer=tokenizer, **options):
            token = int(ids[0, -1])
            if token in eos:
                break
            pending += detokenizer.push(token)
            if stops and trim_at_stop(pending, stops) != pending:
                break
            ready = len(pending) - _stop_prefix_length(pending, stops)
            if ready:
                yield pending[:ready]
                pending = pending[ready:]
        else:
            pending += detokenizer.flush()
        pending = trim_at_stop(pending, stops) if stops else pending
        if pending:
            yield pending

    def _decode(self, idx: torch.Tensor, max_new_tokens: int, *, temperature: float = 1.0, top_k: int | None = None,
                top_p: float | None = None, repetition_penalty: float | None = None,
                eos_token_id: int | list[int] | None = None, stop: list[str] | None = None, tokenizer: Any = None,
                use_cache: bool = True, generator: torch.Generator | None = None) -> Iterator[torch.Tensor]:
        """The decoding loop of :meth:`generate` and :meth:`stream`: yields ``(B, T + i)`` after step ``i``."""
        from course_lib.generation.filters import choose_next_token
        from course_lib.generation.stopping import EosToken, StopStrings, stop_reached

        _check_ids(idx)
        _check_count("max_new_tokens", max_new_tokens, 0)
        _check_sampling(temperature, top_k, top_p, repetition_penalty)
        if not isinstance(use_cache, bool):
            raise TypeError(f"use_cache must be True or False, got {use_cache!r}")
        criteria = [] if eos_token_id is None else [EosToken(eos_token_id)]
        if stop:
            if tokenizer is None:
                raise ValueError(f"stop={stop!r} needs tokenizer= to decode the new text")
            criteria.append(StopStrings(stop, tokenizer))
        pad = None if eos_token_id is None else eos_token_id if isinstance(eos_token_id, int) else eos_token_id[0]
        if pad is None and criteria and idx.shape[0] > 1:
            raise ValueError("stop strings in a batch need eos_token_id= to pad the rows that finish first")
        cache = KVCache(self.config.n_layer) if use_cache else None
        prompt_length = idx.shape[1]
        finished = torch.zeros(idx.shape[0], dtype=torch.bool, device=idx.device)  # (B,)
        for _ in range(max_new_tokens):
            logits = self._next_logits(idx, cache)  # (B, vocab)
            next_id = choose_next_token(logits, idx, temperature=temperature, top_k=top_k, top_p=top_p,
                                        repetition_penalty=repetition_penalty, generator=generator)  # (B, 1)
            if pad is not None:
                next_id = next_id.masked_fill(finished.unsqueeze(1), pad)
            idx = torch.cat((idx, next_id.to(idx.device)), dim=1)  # (B, T + 1)
            yield idx
            if criteria:
                finished |= stop_reached(criteria, idx, prompt_length)
                if finished.all():
                    return

    def _next_logits(self, idx: torch.Tensor, cache: KVCache | None) -> torch.Tensor:
        """Last-position logits ``(B, vocab)``: from the cache when the sequence fits ``block_size``."""
        block_size = self.config.block_size
        if cache is None or idx.shape[1] > block_size:  # no cache, or past the window: rerun the last block
            if cache is not None and len(cache):
                cache.reset()
            return self(idx[:, -block_size:])[:, -1, :]
        return self(idx[:, len(cache):], kv_cache=cache)[:, -1, :]  # prefill, then one new id per step

    @classmethod
    def from_hf(cls, model: Any) -> "GPT":
        """A :class:`GPT` with the weights (and logits) of a ``GPT2LMHeadModel`` or ``LlamaForCausalLM``."""
        from course_lib.hf_convert import gpt_from_hf

        return gpt_from_hf(model)

    def to_hf(self) -> Any:
        """The equivalent ``transformers`` model (GPT-2 or Llama recipe); ``ValueError`` for other mixes."""
        from course_lib.hf_convert import gpt_to_hf

        return gpt_to_hf(self)

