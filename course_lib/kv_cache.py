"""The key/value cache of autoregressive decoding, and what it costs in memory (Day 13).

Generating token ``t + 1`` needs the keys and values of tokens ``0 .. t`` in every layer. Without a
cache the model recomputes them all at every step (``O(t)`` work per layer for the projections, on
top of the attention itself); with a cache it computes them once and appends: the *prefill* runs the
prompt through the model in one pass and stores its keys/values, then each *decode* step feeds one new
token, whose query attends to the cached keys. The idea is as old as Transformer decoding (the 2017
paper's tensor2tensor code already cached); ``transformers`` calls it ``past_key_values``
(``DynamicCache``), which also grows by concatenation as this one does.

* :class:`KVCache`: per layer, keys and values of shape ``(batch, n_kv_head, seq, head_dim)``. With
  grouped-query attention only the ``n_kv_head`` key/value heads are stored, not the ``n_head`` query
  heads: that is GQA's memory saving (Ainslie et al. 2023). Keys are stored *after* RoPE, so a cached
  key never needs rotating again.
* :func:`kv_cache_bytes`: the memory formula,
  ``2 (K and V) * n_layer * batch * seq_len * n_kv_head * head_dim * bytes_per_value``.

Checked against: the uncached forward pass (stepwise cached logits equal the full forward's),
``transformers``' greedy ``generate(use_cache=True)`` with the same weights, and the measured bytes of
the stored tensors (``tests/test_kv_cache.py``). Leaves out: preallocated/static caches, paged
attention (vLLM), sliding-window and quantized caches, and batches of unequal prompt lengths.

torch is imported inside the methods, so ``import course_lib.kv_cache`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

__all__ = ["KVCache", "kv_cache_bytes"]


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


class KVCache:
    """Keys and values of every layer so far, grown one step at a time (Day 13).

    ``update(layer, k, v)`` appends new keys/values ``(B, n_kv_head, T_new, head_dim)`` along the
    sequence axis and returns everything stored for that layer, ``(B, n_kv_head, T_past + T_new,
    head_dim)``. ``len(cache)`` is the number of positions stored (in layer 0), which is also the
    position of the next token: :meth:`course_lib.gpt.GPT.forward` starts RoPE and learned
    positions there.

    Example:
        >>> import torch
        >>> cache = KVCache(n_layer=2)
        >>> k = torch.zeros(1, 2, 5, 4)  # (B, n_kv_head, T, head_dim): a 5-token prompt
        >>> for layer in range(2):
        ...     _ = cache.update(layer, k, k)
        >>> len(cache), cache.nbytes()  # 2 (K, V) * 2 layers * 1 * 5 * 2 * 4 values * 4 bytes
        (5, 640)
        >>> keys, values = cache.update(0, k[:, :, :1], k[:, :, :1])  # one decode step in layer 0
        >>> keys.shape
        torch.Size([1, 2, 6, 4])
    """

    def __init__(self, n_layer: int):
        _check_int("n_layer", n_layer, 1)
        self.n_layer = n_layer
        self.keys: list[torch.Tensor | None] = [None] * n_layer  # per layer (B, n_kv_head, seq, head_dim)
        self.values: list[torch.Tensor | None] = [None] * n_layer

    def seq_length(self, layer: int = 0) -> int:
        """Number of positions stored in ``layer`` (0 before the first update)."""
        self._check_layer(layer)
        keys = self.keys[layer]
        return 0 if keys is None else int(keys.shape[-2])

    def __len__(self) -> int:
        return self.seq_length(0)

    def _check_layer(self, layer: object) -> None:
        if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < self.n_layer:
            raise ValueError(f"layer must be an integer in [0, {self.n_layer}), got {layer!r}")

    def update(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Append ``k, v (B, n_kv_head, T_new, head_dim)`` to ``layer``; return all its keys and values."""
        import torch

        self._check_layer(layer)
        if not isinstance(k, torch.Tensor) or not isinstance(v, torch.Tensor) or k.ndim != 4 or k.shape != v.shape:
            raise ValueError(f"k and v must be tensors of one shape (batch, kv_heads, seq, head_dim), got "
                             f"{tuple(getattr(k, 'shape', ()))} and {tuple(getattr(v, 'shape', ()))}")
        past_k, past_v = self.keys[layer], self.values[layer]
        if past_k is not None:
            if past_k.shape[:2] != k.shape[:2] or past_k.shape[-1] != k.shape[-1]:
                raise ValueError(f"new keys {tuple(k.shape)} do not continue the cached {tuple(past_k.shape)} "
                                 "(batch, kv_heads and head_dim must match)")
            k = torch.cat((past_k, k), dim=-2)  # (B, Hkv, T_past + T_new, hd)
            v = torch.cat((past_v, v), dim=-2)
        else:  # own copies: the new keys may be views of a larger tensor (q and k rotated together)
            k, v = k.clone(), v.clone()
        self.keys[layer], self.values[layer] = k, v
        return k, v

    def nbytes(self) -> int:
        """Bytes held by the stored keys and values (measured from the tensors)."""
        return sum(t.numel() * t.element_size() for t in self.keys + self.values if t is not None)

    def reset(self) -> None:
        """Forget everything (a new prompt)."""
        self.keys, self.values = [None] * self.n_layer, [None] * self.n_layer

    def __repr__(self) -> str:
        return f"KVCache(n_layer={self.n_layer}, seq_length={len(self)}, nbytes={self.nbytes()})"


def kv_cache_bytes(config: Any, batch: int, seq_len: int, bytes_per_value: int = 4) -> int:
    """Memory of a full KV cache: ``2 * n_layer * batch * seq_len * n_kv_head * head_dim * bytes_per_value``.

    ``config`` is a :class:`course_lib.transformer.GPTConfig`; ``bytes_per_value`` is 4 for float32,
    2 for float16/bfloat16, 1 for int8/float8. The factor 2 counts keys and values (Day 13).

    Example:
        >>> from course_lib.transformer import GPTConfig
        >>> llama3_8b = GPTConfig.llama_style(vocab_size=128256, block_size=8192, n_layer=32, n_head=32,
        ...                                   n_kv_head=8, d_model=4096, d_ff=14336)
        >>> kv_cache_bytes(llama3_8b, batch=1, seq_len=8192, bytes_per_value=2) / 2**30  # GiB in bf16
        1.0
    """
    from course_lib.transformer import GPTConfig

    if not isinstance(config, GPTConfig):
        raise TypeError(f"config must be a GPTConfig, got {type(config).__name__}")
    _check_int("batch", batch, 1)
    _check_int("seq_len", seq_len, 0)
    _check_int("bytes_per_value", bytes_per_value, 1)
    return 2 * config.n_layer * batch * seq_len * config.n_kv_head * config.head_dim * bytes_per_value
