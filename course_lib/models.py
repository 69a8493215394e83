"""Real models through ``transformers``: the course GPT exported to a folder, and one loader for any causal LM.

:func:`export_course_gpt` writes the shipped course GPT (:func:`course_lib.pretrained.load_course_gpt`) in
the layout the Hugging Face hub uses: ``config.json`` + ``model.safetensors`` from
``GPT.to_hf().save_pretrained`` (a ``LlamaForCausalLM``), ``generation_config.json``, and a
``tokenizer.json`` built by :func:`hf_tokenizer_from_bpe` from our byte-level BPE (its merges, GPT-4's split
pattern, ``<|endoftext|>``). So ``AutoModelForCausalLM.from_pretrained(folder)``,
``AutoTokenizer.from_pretrained(folder)`` and ``pipeline("text-generation", model=folder)`` work with no
network. :func:`load_causal_lm` takes that folder, or a hub name on Colab. :func:`parameter_groups` counts a
Llama-style model's parameters per part (Day 14's anatomy). Introduced on Day 14.

Checked against (``tests/test_models.py``): our GPT's logits and greedy ids, and our BPE's ids on every
section of the book. One pitfall found on the way: Hugging Face ``tokenizers`` runs regexes with
Oniguruma, where ``\\p{N}{1,3}+`` is *not* possessive but "one to three digits, one or more times", so
"2020" would become one piece instead of ``202`` + ``0``; the exported pattern drops that ``+`` (for a
branch that matches digits only, possessive and greedy agree). Leaves out: chat templates, sharded
checkpoints, uploading to the hub.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["HUB_MODEL_EXAMPLE", "hf_tokenizer_from_bpe", "export_course_gpt", "load_causal_lm",
           "course_gpt_transformers", "parameter_groups"]

#: A real Llama-family model on the hub with the same anatomy as ours (tied embeddings, GQA, RoPE, SwiGLU):
#: 30 layers, width 576, 135M parameters. Loadable on Colab; offline tests never touch it.
HUB_MODEL_EXAMPLE = "HuggingFaceTB/SmolLM2-135M"


def _hf_split_pattern(pattern: str) -> str:
    """Our regex for Oniguruma: ``{n,m}+`` means "repeat the repetition" there, so drop that ``+``."""
    from course_lib.bpe import GPT2_SPLIT_PATTERN, GPT4_SPLIT_PATTERN

    regex = {"gpt2": GPT2_SPLIT_PATTERN, "gpt4": GPT4_SPLIT_PATTERN}.get(pattern, pattern)
    return regex.replace(r"\p{N}{1,3}+", r"\p{N}{1,3}")


def hf_tokenizer_from_bpe(bpe: Any, eos_token: str | None = None) -> Any:
    """A ``transformers`` fast tokenizer that gives our :class:`~course_lib.bpe.BPETokenizer`'s ids (Day 14).

    Byte-level BPE in Hugging Face's form: every byte is spelled by one printable character (GPT-2's
    ``bytes_to_unicode`` table), the vocabulary maps those spellings to our ids, and the merge list is
    ours in priority order. Special tokens are matched before the split, as ours with
    ``allowed_special="all"``. ``eos_token`` (a registered special token) becomes the tokenizer's
    ``eos_token``; no BOS is added, as ours adds none.

    Example:
        >>> from course_lib.bpe import BPETokenizer
        >>> ours = BPETokenizer("gpt4", special_tokens={"<|end|>": 300})
        >>> ours.train("low lower lowest " * 20, vocab_size=270)
        >>> theirs = hf_tokenizer_from_bpe(ours, eos_token="<|end|>")
        >>> text = "lower lowest<|end|>"
        >>> theirs(text)["input_ids"] == ours.encode(text, allowed_special="all")
        True
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    if not hasattr(bpe, "merges") or not hasattr(bpe, "vocab"):
        raise TypeError(f"bpe must be a course_lib.bpe.BPETokenizer, got {type(bpe).__name__}")
    if bpe.pattern is None:
        raise ValueError("bpe has no split pattern (pattern=None); a transformers tokenizer needs one: "
                         "train it with pattern='gpt2' or 'gpt4'")
    if eos_token is not None and eos_token not in bpe.special_tokens:
        raise ValueError(f"eos_token {eos_token!r} is not a special token of bpe; expected one of "
                         f"{sorted(bpe.special_tokens)}")
    spell = bytes_to_unicode()  # byte value -> one printable character

    def spelling(token: bytes) -> str:
        return "".join(spell[b] for b in token)

    specials = set(bpe.special_tokens.values())
    vocab = {spelling(token): i for i, token in bpe.vocab.items() if i not in specials}
    if len(vocab) != len(bpe.vocab) - len(specials):
        raise ValueError("bpe has two ids with the same bytes; a transformers vocabulary cannot hold that")
    merges = [(spelling(bpe.vocab[a]), spelling(bpe.vocab[b])) for a, b in bpe.merges]  # priority order
    clash = sorted(t for t in bpe.special_tokens if t in vocab)
    if clash:
        raise ValueError(f"special tokens {clash} are spelled like ordinary tokens of bpe; rename them")
    vocab.update(bpe.special_tokens)  # in the vocabulary at their own ids (ids may leave gaps)
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=False))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(_hf_split_pattern(bpe.pattern)), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])  # bytes -> printable spelling
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in bpe.special_tokens])
    assert all(tokenizer.token_to_id(t) == i for t, i in bpe.special_tokens.items())  # found in the vocab
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token=eos_token,
                                   model_max_length=int(1e30), clean_up_tokenization_spaces=False)


def export_course_gpt(folder: str | os.PathLike) -> Path:
    """Write the course GPT and its tokenizer to ``folder`` in transformers' layout; returns the folder (Day 14).

    ``<|endoftext|>`` is the model's end-of-sequence token (``generation_config.eos_token_id``), so
    ``generate`` and ``pipeline`` stop where a document of the training text ended.

    Example:
        >>> folder = export_course_gpt(tmp_folder)  # doctest: +SKIP
        >>> sorted(p.name for p in folder.iterdir())  # doctest: +SKIP
        ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']
    """
    from course_lib.course_gpt import EOT
    from course_lib.pretrained import load_course_gpt

    if not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"folder must be a path, got {type(folder).__name__}")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"folder {str(folder)!r} exists and is not a directory")
    gpt, bpe = load_course_gpt()
    model = gpt.to_hf().eval()
    eot = bpe.special_tokens[EOT]
    model.config.eos_token_id = model.generation_config.eos_token_id = eot
    model.generation_config.pad_token_id = eot  # batches pad with EOT (not config.pad_token_id: that would
    # make EOT the embedding's padding_idx, whose row gets no gradient when fine-tuning)
    model.save_pretrained(folder)
    hf_tokenizer_from_bpe(bpe, eos_token=EOT).save_pretrained(folder)
    return folder


def load_causal_lm(name_or_path: str | os.PathLike, attn_implementation: str = "eager",
                   dtype: Any = None) -> tuple[Any, Any]:
    """``(model in eval mode, tokenizer)`` from a local folder, or a hub name where the hub is reachable (Day 14).

    A local folder (e.g. :func:`export_course_gpt`'s) loads with no network. Any other string is a hub
    name (``HUB_MODEL_EXAMPLE`` on Colab); with ``HF_HUB_OFFLINE=1`` it must already be in the cache.
    ``attn_implementation="eager"`` is the readable attention that can return its weights
    (``output_attentions=True``); ``"sdpa"`` is faster.

    Example:
        >>> model, tokenizer = load_causal_lm(export_course_gpt(tmp_folder))  # doctest: +SKIP
        >>> type(model).__name__  # doctest: +SKIP
        'LlamaForCausalLM'
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(f"name_or_path must be a hub name or a folder, got {type(name_or_path).__name__}")
    if attn_implementation not in ("eager", "sdpa"):
        raise ValueError(f"attn_implementation must be 'eager' or 'sdpa', got {attn_implementation!r}")
    local = Path(name_or_path)
    looks_local = isinstance(name_or_path, os.PathLike) or local.is_absolute() or str(name_or_path).startswith(".")
    if local.is_dir() or looks_local:
        if not (local / "config.json").is_file():
            raise FileNotFoundError(f"{str(local)!r} is not a model folder (no config.json): "
                                    "write one with export_course_gpt(folder)")
    source = str(local) if local.is_dir() else str(name_or_path)  # else a hub name: "owner/model"
    try:
        model = AutoModelForCausalLM.from_pretrained(source, attn_implementation=attn_implementation,
                                                     **({"dtype": dtype} if dtype is not None else {}))
        tokenizer = AutoTokenizer.from_pretrained(source)
    except OSError as error:
        if local.is_dir():
            raise
        raise OSError(f"could not load the hub model {source!r} (no network, or HF_HUB_OFFLINE=1 and not "
                      f"cached): {error}. Offline, pass a local folder, e.g. export_course_gpt(folder)") from error
    return model.eval(), tokenizer


@lru_cache(maxsize=1)
def course_gpt_transformers() -> tuple[Any, Any]:
    """The course GPT as a ``transformers`` model (eager attention) and tokenizer, exported once to a temp folder.

    Example:
        >>> model, tokenizer = course_gpt_transformers()  # doctest: +SKIP
        >>> model.config.num_hidden_layers, tokenizer.eos_token  # doctest: +SKIP
        (4, '<|endoftext|>')
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="course_gpt_hf_", ignore_cleanup_errors=True) as folder:
        return load_causal_lm(export_course_gpt(folder))


def parameter_groups(model: Any) -> dict[str, int]:
    """Parameters of a Llama-style ``transformers`` model per part, a tied ``lm_head`` counted once (Day 14).

    Keys: ``embed_tokens``, ``attention`` (q, k, v, o projections of all layers), ``mlp`` (gate, up,
    down), ``norms`` (every RMSNorm), ``lm_head`` (0 when it shares ``embed_tokens``' matrix). The values
    add up to ``sum(p.numel() for p in model.parameters())``.

    Example:
        >>> from transformers import LlamaConfig, LlamaForCausalLM
        >>> tiny = LlamaForCausalLM(LlamaConfig(vocab_size=99, hidden_size=32, intermediate_size=37,
        ...     num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True))
        >>> parameter_groups(tiny)
        {'embed_tokens': 3168, 'attention': 6144, 'mlp': 7104, 'norms': 160, 'lm_head': 0}
    """
    parts = {"embed_tokens": 0, "attention": 0, "mlp": 0, "norms": 0, "lm_head": 0}
    for name, parameter in model.named_parameters():  # a shared (tied) tensor is listed once
        if "embed_tokens" in name:
            part = "embed_tokens"
        elif ".self_attn." in name:
            part = "attention"
        elif ".mlp." in name:
            part = "mlp"
        elif "norm" in name:
            part = "norms"
        elif name.startswith("lm_head"):
            part = "lm_head"
        else:
            raise ValueError(f"parameter {name!r} is not part of a Llama-style model (embed_tokens, self_attn, "
                             "mlp, norms, lm_head)")
        parts[part] += parameter.numel()
    return parts
