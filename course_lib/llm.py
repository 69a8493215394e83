"""One interface to a language model: ``complete(prompt)``, ``chat(messages)``, ``stream(...)``.

The backend is chosen by a spec string, from :func:`get_llm`'s argument or the environment
variable ``COURSE_LLM``:

* ``"extractive"`` (default): :class:`ExtractiveReader`, **not a generative model**. It parses a
  RAG prompt (format :data:`RAG_PROMPT_TEMPLATE`, what :class:`course_lib.rag.ContextAssembler`
  writes), scores every context sentence against the question with MiniLM and answers with the
  best sentences verbatim, each followed by its passage number ``[n]``; when no sentence reaches
  ``threshold`` it says the answer is not in the context. It runs offline in a second.
* ``"transformers:<model>"``: :class:`TransformersLLM`, a local causal LM through transformers
  (a hub name such as ``Qwen/Qwen2.5-0.5B-Instruct`` on Colab, or a local folder); the tokenizer's
  chat template is used when it has one, else the plain prompt.
* ``"openai:<model>"``: :class:`OpenAILLM`, any OpenAI-compatible ``/chat/completions`` endpoint
  over plain HTTP (urllib), key and URL from ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``.

Messages are dicts ``{"role": "system"|"user"|"assistant", "content": str}``.
Introduced on Day 19; the generation days of Part V use it for every answer.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from functools import lru_cache
from typing import Iterator, Sequence

__all__ = ["LLM", "ExtractiveReader", "TransformersLLM", "OpenAILLM", "get_llm", "complete", "chat", "stream", "name",
           "RAG_PROMPT_TEMPLATE", "NOT_IN_CONTEXT", "parse_rag_prompt", "DEFAULT_SPEC"]

DEFAULT_SPEC = "extractive"
NOT_IN_CONTEXT = "The answer is not in the context."
#: The prompt every RAG step writes and the extractive reader parses. ``context`` holds passages
#: ``[n] <source> · <section>`` followed by their text, separated by blank lines.
RAG_PROMPT_TEMPLATE = (
    "Answer the question using only the numbered context passages below. Cite the passages you use "
    "as [n]. If the answer is not in the context, say that it is not in the context.\n\n"
    "Context:\n{context}\n\nQuestion: {question}\nAnswer:"
)
_PASSAGE = re.compile(r"^\[(\d+)\][^\n]*\n", re.M)
_LIST_MARK = re.compile(r"^(?:[-*•]|#+|\d+[.)])\s+")  # markdown list/heading markers before a sentence


def parse_rag_prompt(prompt: str) -> tuple[str, list[tuple[int, str]]]:
    """``(question, [(n, passage text), ...])`` from a prompt in :data:`RAG_PROMPT_TEMPLATE` format.

    Without a ``Question:`` line the whole prompt is the question; without ``Context:`` there are
    no passages; context without ``[n]`` headers is one passage numbered 1.

    Example:
        >>> p = RAG_PROMPT_TEMPLATE.format(context="[1] a.md · A\\nCats purr.", question="Do cats purr?")
        >>> parse_rag_prompt(p)
        ('Do cats purr?', [(1, 'Cats purr.')])
    """
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a str, got {type(prompt).__name__} {prompt!r}")
    q_at = prompt.rfind("Question:")
    if q_at < 0:
        return prompt.strip(), []
    question = prompt[q_at + len("Question:"):].split("\nAnswer:")[0].strip()
    c_at = prompt.find("Context:", 0, q_at)  # the first one: a passage may quote the word
    if c_at < 0:
        return question, []
    context = prompt[c_at + len("Context:"):q_at].strip("\n")
    heads = list(_PASSAGE.finditer(context))
    if not heads:
        return question, [(1, context.strip())] if context.strip() else []
    passages = []
    for h, nxt in zip(heads, heads[1:] + [None]):
        passages.append((int(h.group(1)), context[h.end():nxt.start() if nxt else len(context)].strip()))
    return question, passages


def _check_messages(messages: Sequence[dict]) -> list[dict]:
    messages = list(messages)
    if not messages:
        raise ValueError("messages must not be empty")
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant") \
                or not isinstance(m.get("content"), str):
            raise ValueError(f"each message must be {{'role': system|user|assistant, 'content': str}}, got {m!r}")
    return messages


class LLM:
    """Base class: subclasses implement :meth:`chat`; ``complete`` is a one-user-message chat and
    ``stream`` yields the text of ``chat`` in pieces unless a backend streams for real."""

    name = "llm"  # a short name for the backend and model (shown in tables and by llama-index adapters)

    def complete(self, prompt: str) -> str:
        """The model's reply to ``prompt``."""
        if not isinstance(prompt, str):
            raise TypeError(f"prompt must be a str, got {type(prompt).__name__} {prompt!r}")
        return self.chat([{"role": "user", "content": prompt}])

    def chat(self, messages: Sequence[dict]) -> str:
        raise NotImplementedError

    def stream(self, prompt_or_messages: str | Sequence[dict]) -> Iterator[str]:
        """Yield the reply in pieces; their concatenation equals ``complete``/``chat``'s reply."""
        text = self._reply(prompt_or_messages)
        for piece in re.findall(r"\S+\s*|\s+", text):
            yield piece

    def _reply(self, prompt_or_messages: str | Sequence[dict]) -> str:
        if isinstance(prompt_or_messages, str):
            return self.complete(prompt_or_messages)
        return self.chat(prompt_or_messages)


class ExtractiveReader(LLM):
    """NOT a generative model: answers with the context sentences most similar to the question.

    Each chosen sentence is quoted verbatim and followed by its passage number ``[n]``. Sentences
    are scored by MiniLM cosine with the question; at most ``max_sentences`` are kept (in score
    order), each scoring at least ``threshold`` and at least ``relative`` times the best score;
    none -> :data:`NOT_IN_CONTEXT`. The default threshold 0.4 was set on the book's text with the
    hybrid retriever's top 5 as context: the best sentence scored at most 0.36 for 15 off-topic
    questions ("Who won the 1998 World Cup?") and at least 0.46 for 95% of the dev questions of
    ``course_lib.evaluation.load_eval_set("dev")``. Identical sentences (chunk overlap) are quoted once.

    Example:
        >>> ctx = "[1] day02 · BPE\\nBPE merges the most frequent pair. It starts from bytes.\\n\\n[2] day01 · Cats\\nCats purr."
        >>> reader = ExtractiveReader()  # doctest: +SKIP
        >>> reader.complete(RAG_PROMPT_TEMPLATE.format(context=ctx, question="What does BPE merge?"))  # doctest: +SKIP
        'BPE merges the most frequent pair. [1]'
    """

    def __init__(self, threshold: float = 0.4, max_sentences: int = 2, relative: float = 0.8):
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not -1 <= threshold <= 1:
            raise ValueError(f"threshold must be a cosine in [-1, 1], got {threshold!r}")
        if isinstance(max_sentences, bool) or not isinstance(max_sentences, int) or max_sentences < 1:
            raise ValueError(f"max_sentences must be a positive int, got {max_sentences!r}")
        if isinstance(relative, bool) or not isinstance(relative, (int, float)) or not 0 <= relative <= 1:
            raise ValueError(f"relative must be a number in [0, 1], got {relative!r}")
        self.threshold, self.max_sentences, self.relative = float(threshold), max_sentences, float(relative)
        self.name = "extractive-minilm"

    def __repr__(self) -> str:
        return (f"ExtractiveReader(threshold={self.threshold}, max_sentences={self.max_sentences}, "
                f"relative={self.relative}) "
                "# not a generative model: quotes context sentences chosen by MiniLM similarity")

    def scored_sentences(self, question: str, passages: Sequence[tuple[int, str]]) -> list[tuple[float, str, int]]:
        """``[(cosine, sentence, passage number), ...]`` for every context sentence, best first."""
        from course_lib.rag.chunking import split_sentences

        sents = [(_LIST_MARK.sub("", text[a:b].strip()), n) for n, text in passages for a, b in split_sentences(text)]
        sents = [(s, n) for s, n in sents if re.search(r"\w", s)]
        if not sents or not question.strip():
            return []
        model = _reader_embedder()
        q = model.embed_query(question)
        scores = model.embed([s for s, _ in sents]) @ q  # (n_sentences,)
        ranked = sorted(zip(scores.tolist(), range(len(sents))), key=lambda t: (-t[0], t[1]))
        seen: set[str] = set()  # overlapping chunks repeat sentences: keep the best-placed copy
        out = []
        for score, i in ranked:
            if sents[i][0] not in seen:
                seen.add(sents[i][0])
                out.append((score, sents[i][0], sents[i][1]))
        return out

    def chat(self, messages: Sequence[dict]) -> str:
        messages = _check_messages(messages)
        question, passages = parse_rag_prompt(messages[-1]["content"])
        if not passages and len(messages) > 1:  # context given in earlier messages (e.g. a system message)
            _, passages = parse_rag_prompt("\n\n".join(m["content"] for m in messages[:-1]) + "\nQuestion: ?")
        scored = self.scored_sentences(question, passages)
        floor = max(self.threshold, self.relative * scored[0][0]) if scored else self.threshold
        best = [t for t in scored if t[0] >= floor]
        if not best:
            return NOT_IN_CONTEXT
        return " ".join(f"{s} [{n}]" for _, s, n in best[: self.max_sentences])


@lru_cache(maxsize=1)
def _reader_embedder():
    from course_lib.rag.embedding import EmbeddingModel

    return EmbeddingModel()


class TransformersLLM(LLM):
    """A local causal LM via transformers (hub name on Colab, or a folder). Greedy when ``temperature == 0``.

    Example:
        >>> llm = TransformersLLM("Qwen/Qwen2.5-0.5B-Instruct")  # doctest: +SKIP
        >>> llm.complete("Say hi.")  # doctest: +SKIP
    """

    def __init__(self, model: str, max_new_tokens: int = 256, temperature: float = 0.0, device: str | None = None):
        if not isinstance(model, str) or not model:
            raise ValueError(f"model must be a hub name or a folder, got {model!r}")
        if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be a positive int, got {max_new_tokens!r}")
        if not isinstance(temperature, (int, float)) or temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature!r}")
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from course_lib.runtime import pick_device

        self.name, self.max_new_tokens, self.temperature = model, max_new_tokens, float(temperature)
        self.device = device or pick_device()
        self.tokenizer = AutoTokenizer.from_pretrained(model)
        self.model = AutoModelForCausalLM.from_pretrained(model).to(self.device).eval()

    def __repr__(self) -> str:
        return f"TransformersLLM({self.name!r}, device={self.device!r})"

    def format_prompt(self, messages: Sequence[dict]) -> str:
        """The text fed to the model: the chat template when the tokenizer has one, else
        ``role: content`` lines ending with ``assistant:`` (a lone user message is passed as is)."""
        messages = _check_messages(messages)
        if getattr(self.tokenizer, "chat_template", None):
            return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        if len(messages) == 1 and messages[0]["role"] == "user":
            return messages[0]["content"]
        return "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant:"

    def _generate_kwargs(self, messages: Sequence[dict]) -> dict:
        text = self.format_prompt(messages)
        has_template = bool(getattr(self.tokenizer, "chat_template", None))
        enc = self.tokenizer(text, return_tensors="pt", add_special_tokens=not has_template)
        enc = {key: enc[key].to(self.device) for key in ("input_ids", "attention_mask")}  # no token_type_ids
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        sampling = {"do_sample": True, "temperature": self.temperature} if self.temperature > 0 else {"do_sample": False}
        return dict(enc, max_new_tokens=self.max_new_tokens, pad_token_id=pad, **sampling)

    def chat(self, messages: Sequence[dict]) -> str:
        import torch

        kwargs = self._generate_kwargs(messages)
        with torch.inference_mode():
            out = self.model.generate(**kwargs)  # (1, T + new)
        return self.tokenizer.decode(out[0, kwargs["input_ids"].shape[1]:], skip_special_tokens=True)

    def stream(self, prompt_or_messages: str | Sequence[dict]) -> Iterator[str]:
        import threading

        from transformers import TextIteratorStreamer

        messages = ([{"role": "user", "content": prompt_or_messages}] if isinstance(prompt_or_messages, str)
                    else prompt_or_messages)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        worker = threading.Thread(target=self.model.generate, kwargs=dict(self._generate_kwargs(messages), streamer=streamer))
        worker.start()
        yield from (piece for piece in streamer if piece)
        worker.join()


class OpenAILLM(LLM):
    """An OpenAI-compatible chat endpoint over plain HTTP: ``POST {base_url}/chat/completions``.

    ``api_key`` defaults to ``$OPENAI_API_KEY``, ``base_url`` to ``$OPENAI_BASE_URL`` or
    ``https://api.openai.com/v1``. A local server (vLLM, llama.cpp, Ollama) may need no key.

    Example:
        >>> OpenAILLM("gpt-4o-mini").complete("Say hi.")  # doctest: +SKIP
    """

    def __init__(self, model: str, api_key: str | None = None, base_url: str | None = None,
                 temperature: float = 0.0, max_tokens: int | None = None, timeout: float = 60.0):
        if not isinstance(model, str) or not model:
            raise ValueError(f"model must be a model name, got {model!r}")
        self.model, self.temperature, self.max_tokens, self.timeout = model, temperature, max_tokens, timeout
        self.name = model
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1").rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {self.base_url!r}")

    def __repr__(self) -> str:
        return f"OpenAILLM({self.model!r}, base_url={self.base_url!r})"

    def _post(self, messages: Sequence[dict], stream: bool):
        body = {"model": self.model, "messages": _check_messages(messages), "temperature": self.temperature,
                "stream": stream}
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(f"{self.base_url}/chat/completions", data=json.dumps(body).encode(),
                                         headers=headers, method="POST")
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")[:300]
            raise RuntimeError(f"{self.base_url}/chat/completions answered HTTP {err.code}: {detail}") from None

    def chat(self, messages: Sequence[dict]) -> str:
        with self._post(messages, stream=False) as response:
            data = json.loads(response.read())
        return data["choices"][0]["message"]["content"] or ""

    def stream(self, prompt_or_messages: str | Sequence[dict]) -> Iterator[str]:
        messages = ([{"role": "user", "content": prompt_or_messages}] if isinstance(prompt_or_messages, str)
                    else prompt_or_messages)
        with self._post(messages, stream=True) as response:
            for raw in response:  # server-sent events: "data: {...}" lines, ending with "data: [DONE]"
                line = raw.decode("utf-8").strip()
                if not line.startswith("data:"):
                    continue
                payload = line[len("data:"):].strip()
                if payload == "[DONE]":
                    break
                piece = json.loads(payload)["choices"][0].get("delta", {}).get("content")
                if piece:
                    yield piece


@lru_cache(maxsize=8)
def _cached_llm(spec: str) -> LLM:
    kind, _, name = spec.partition(":")
    if spec == "extractive":
        return ExtractiveReader()
    if kind == "transformers" and name:
        return TransformersLLM(name)
    if kind == "openai" and name:
        return OpenAILLM(name)
    raise ValueError(f"LLM spec must be 'extractive', 'transformers:<model>' or 'openai:<model>', got {spec!r}")


def get_llm(spec: str | None = None) -> LLM:
    """The LLM named by ``spec``, else by ``$COURSE_LLM``, else the extractive reader (cached per spec).

    Example:
        >>> get_llm("extractive")
        ExtractiveReader(threshold=0.4, max_sentences=2, relative=0.8) # not a generative model: quotes context sentences chosen by MiniLM similarity
    """
    spec = spec if spec is not None else os.environ.get("COURSE_LLM", DEFAULT_SPEC)
    if not isinstance(spec, str):
        raise TypeError(f"spec must be a str, got {type(spec).__name__} {spec!r}")
    return _cached_llm(spec.strip())


def name() -> str:
    """``get_llm().name``: the current backend's model name."""
    return get_llm().name


def complete(prompt: str) -> str:
    """``get_llm().complete(prompt)``."""
    return get_llm().complete(prompt)


def chat(messages: Sequence[dict]) -> str:
    """``get_llm().chat(messages)``."""
    return get_llm().chat(messages)


def stream(prompt_or_messages: str | Sequence[dict]) -> Iterator[str]:
    """``get_llm().stream(...)``: the reply in pieces."""
    return get_llm().stream(prompt_or_messages)
