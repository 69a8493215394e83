"""Attention masks as boolean tensors, True = "this query may attend to this key" (Days 6-7).

The convention is torch's (``F.scaled_dot_product_attention``): a boolean mask holds True where
attention is allowed; :func:`additive_mask` turns it into the float form (0 where allowed,
``-inf`` where not) that is added to the scores. Masks for ``L_q`` queries and ``L_k`` keys are
*bottom-right* aligned: query ``i`` is the token at position ``i + L_k - L_q``, so with a KV cache
(one new query, many cached keys) the last query sees every key. torch's own ``is_causal`` is
top-left aligned (query ``i`` sees keys ``j <= i``); the two agree only when ``L_q == L_k``.

Checked against: explicit Python loops over ``(i, j)`` and torch's ``is_causal`` for square
masks (``tests/test_attention.py``). Leaves out: block-sparse and document (packed-sequence) masks.
torch is imported inside the functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import torch

__all__ = ["causal_mask", "sliding_window_mask", "padding_mask", "additive_mask"]


def _check_length(name: str, value: object, minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def causal_mask(num_queries: int, num_keys: int | None = None, device=None) -> "torch.Tensor":
    """Boolean ``(num_queries, num_keys)`` causal mask, bottom-right aligned (Day 6).

    Query ``i`` may attend to key ``j`` when ``j <= i + num_keys - num_queries``: each query sees its
    own position and the past. ``num_keys`` defaults to ``num_queries`` (the lower triangle).

    Example:
        >>> causal_mask(3).int()
        tensor([[1, 0, 0],
                [1, 1, 0],
                [1, 1, 1]], dtype=torch.int32)
        >>> causal_mask(2, 4).int()  # 2 new queries after 2 cached keys
        tensor([[1, 1, 1, 0],
                [1, 1, 1, 1]], dtype=torch.int32)
    """
    import torch

    num_keys = num_queries if num_keys is None else num_keys
    _check_length("num_queries", num_queries)
    _check_length("num_keys", num_keys)
    return torch.ones(num_queries, num_keys, dtype=torch.bool, device=device).tril(num_keys - num_queries)


def sliding_window_mask(num_queries: int, window: int, num_keys: int | None = None,
                        device=None) -> "torch.Tensor":
    """Causal mask that also hides keys more than ``window - 1`` positions back (Day 7).

    Query at position ``p`` sees keys ``p - window + 1 .. p``: ``window`` keys including its own
    (Mistral's sliding-window attention). Bottom-right aligned like :func:`causal_mask`.

    Example:
        >>> sliding_window_mask(4, window=2).int()
        tensor([[1, 0, 0, 0],
                [1, 1, 0, 0],
                [0, 1, 1, 0],
                [0, 0, 1, 1]], dtype=torch.int32)
    """
    _check_length("window", window, minimum=1)
    mask = causal_mask(num_queries, num_keys, device=device)  # (L_q, L_k)
    offset = mask.shape[1] - mask.shape[0]
    return mask & ~mask.new_ones(mask.shape).tril(offset - window)  # drop keys j <= p - window


def padding_mask(lengths: "Sequence[int] | torch.Tensor", max_len: int | None = None,
                 device=None) -> "torch.Tensor":
    """Key-padding mask ``(B, 1, 1, max_len)`` from the real lengths of right-padded sequences (Day 7).

    Entry ``[b, 0, 0, j]`` is True when key ``j`` is a real token of sequence ``b`` (``j < lengths[b]``);
    the two singleton dimensions broadcast over heads and queries. ``max_len`` defaults to the
    longest length. AND it with :func:`causal_mask` for a padded causal batch.

    Example:
        >>> padding_mask([2, 3]).int()[:, 0, 0]
        tensor([[1, 1, 0],
                [1, 1, 1]], dtype=torch.int32)
        >>> padding_mask([1], max_len=4).shape
        torch.Size([1, 1, 1, 4])
    """
    import torch

    lengths = torch.as_tensor(lengths, device=device)
    if lengths.ndim != 1 or lengths.is_floating_point() or lengths.dtype == torch.bool:
        raise ValueError(f"lengths must be a 1-D sequence of integers, got {lengths.tolist()!r}")
    if (lengths < 0).any():
        raise ValueError(f"lengths must be >= 0, got {lengths.tolist()!r}")
    longest = int(lengths.max()) if len(lengths) else 0
    max_len = longest if max_len is None else max_len
    _check_length("max_len", max_len)
    if longest > max_len:
        raise ValueError(f"max_len={max_len} is shorter than the longest length {longest}")
    positions = torch.arange(max_len, device=lengths.device)  # (max_len,)
    return (positions < lengths[:, None])[:, None, None, :]  # (B, 1, 1, max_len)


def additive_mask(mask: "torch.Tensor", dtype: "torch.dtype | None" = None) -> "torch.Tensor":
    """The float form of a boolean mask: 0 where allowed, ``-inf`` where not (Day 6).

    Adding it to the scores before the softmax is the same as masking them.

    Example:
        >>> additive_mask(causal_mask(2))
        tensor([[0., -inf],
                [0., 0.]])
    """
    import torch

    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        raise TypeError(f"mask must be a boolean torch.Tensor, got "
                        f"{getattr(mask, 'dtype', type(mask).__name__)}")
    dtype = dtype or torch.get_default_dtype()
    return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(~mask, float("-inf"))
