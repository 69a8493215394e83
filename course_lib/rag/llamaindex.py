"""Adapters that plug the course's RAG pieces into LlamaIndex 0.14 (Day 23).

* :func:`course_embedding` wraps our MiniLM sentence embeddings as a llama-index ``BaseEmbedding``
  (``Settings.embed_model``); batches go through ``_get_text_embeddings`` in one call, so indexing
  embeds ``embed_batch_size`` texts at a time rather than one by one.
* :func:`course_llm` wraps a :mod:`course_lib.llm` model (default ``get_llm()``: offline the extractive
  reader; ``COURSE_LLM`` picks a real model) as a llama-index ``CustomLLM`` with ``metadata``, ``complete`` and
  ``stream_complete``; ``chat`` is llama-index's default (messages flattened into one prompt).
* :func:`to_llamaindex_documents` and :func:`to_llamaindex_nodes` turn our documents and chunks into
  llama-index ``Document`` and ``TextNode`` objects with the same ids and metadata. The metadata is
  kept but *excluded* from what is embedded and what the LLM sees, so a node embeds exactly the
  text our own retriever embedded (llama-index prepends ``key: value`` lines otherwise).
* :func:`use_course_settings` sets both ``Settings.embed_model`` and ``Settings.llm``: leaving either
  unset makes llama-index fall back to OpenAI (an error offline) when ``llama-index-llms-openai`` is
  installed.

Checked in ``tests/test_rag_llamaindex.py``: a ``VectorStoreIndex`` built with our embedding returns
the same top-k chunk ids as our own dense retriever over the same chunks, and the LLM adapter returns
exactly what :mod:`course_lib.llm` returns. Leaves out: async embedding beyond the sync fallback,
function calling (the adapter reports ``is_function_calling_model=False``).

llama-index is imported inside the functions, and the two classes are created on first use
(``CourseEmbedding`` and ``CourseLLM`` are module attributes built lazily), so
``import course_lib.rag`` stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

__all__ = ["course_embedding", "course_llm", "to_llamaindex_documents", "to_llamaindex_nodes",
           "use_course_settings", "CourseEmbedding", "CourseLLM"]


def _encoder(model: Any) -> Callable[[list[str]], Any]:
    """A function ``texts -> (n, d) array`` from a course embedding model, or the default MiniLM one."""
    if model is None:
        from course_lib.rag import EmbeddingModel

        model = EmbeddingModel()
    for name in ("embed", "encode"):
        if callable(getattr(model, name, None)):
            return getattr(model, name)
    if callable(model):
        return model
    raise TypeError(f"model must be an embedding model with .embed(texts) or a function texts -> vectors, "
                    f"got {type(model).__name__}: {model!r:.60}")


@lru_cache(maxsize=1)
def _embedding_class() -> type:
    from pydantic import PrivateAttr
    from llama_index.core.embeddings import BaseEmbedding

    class CourseEmbedding(BaseEmbedding):
        """Our MiniLM sentence embeddings (384-d, unit length) behind llama-index's embedding API."""

        _encode: Any = PrivateAttr()

        def __init__(self, model: Any = None, embed_batch_size: int = 64, **kwargs: Any) -> None:
            super().__init__(model_name=kwargs.pop("model_name", "all-MiniLM-L6-v2 (course_lib)"),
                             embed_batch_size=embed_batch_size, **kwargs)
            self._encode = _encoder(model)

        @classmethod
        def class_name(cls) -> str:
            return "CourseEmbedding"

        def _vectors(self, texts: list[str]) -> list[list[float]]:
            import numpy as np

            return np.asarray(self._encode(list(texts)), dtype=np.float64).tolist()  # (n, d)

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._vectors([query])[0]

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._vectors([text])[0]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._vectors(texts)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    return CourseEmbedding


def _llm_backend(llm: Any) -> tuple[Callable[..., str], Callable[..., Iterable[str]] | None, str]:
    """``(complete, stream or None, name)`` of a course LLM (default: ``course_lib.llm.get_llm()``, which
    reads ``COURSE_LLM``), any object with ``.complete(prompt)``, or a function ``prompt -> text``."""
    if llm is None:
        from course_lib.llm import get_llm

        llm = get_llm()
    complete = getattr(llm, "complete", None)
    if callable(complete):
        stream = getattr(llm, "stream", None)
        name = getattr(llm, "name", None) or getattr(llm, "model", None) or type(llm).__name__
        return complete, stream if callable(stream) else None, str(name)
    if callable(llm):
        return llm, None, getattr(llm, "__name__", type(llm).__name__)
    raise TypeError(f"llm must be a course_lib.llm LLM, an object with .complete(prompt) or a function "
                    f"prompt -> text, got {type(llm).__name__}: {llm!r:.60}")


@lru_cache(maxsize=1)
def _llm_class() -> type:
    from pydantic import PrivateAttr
    from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata
    from llama_index.core.llms.callbacks import llm_completion_callback

    class CourseLLM(CustomLLM):
        """course_lib.llm behind llama-index's LLM API: complete, stream_complete, and chat by default."""

        context_window: int = 4096  # tokens llama-index may pack into one prompt
        num_output: int = 256  # tokens it reserves for the answer
        _complete: Any = PrivateAttr()
        _stream: Any = PrivateAttr()
        _name: str = PrivateAttr()

        def __init__(self, llm: Any = None, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._complete, self._stream, self._name = _llm_backend(llm)

        @classmethod
        def class_name(cls) -> str:
            return "CourseLLM"

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(context_window=self.context_window, num_output=self.num_output,
                               model_name=self._name, is_chat_model=False, is_function_calling_model=False)

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
            return CompletionResponse(text=str(self._complete(prompt)))

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Iterator[CompletionResponse]:
            pieces = self._stream(prompt) if self._stream is not None else [self._complete(prompt)]

            def gen() -> Iterator[CompletionResponse]:
                text = ""
                for piece in pieces:
                    text += piece
                    yield CompletionResponse(text=text, delta=piece)

            return gen()

    return CourseLLM


def __getattr__(name: str) -> Any:
    if name == "CourseEmbedding":
        return _embedding_class()
    if name == "CourseLLM":
        return _llm_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def course_embedding(model: Any = None, embed_batch_size: int = 64) -> Any:
    """Our MiniLM embeddings as a llama-index ``BaseEmbedding`` (Day 23).

    ``model`` is a course ``EmbeddingModel`` (default: a new one), any object with ``.embed(texts)``,
    or a function ``texts -> (n, d) array``.

    Example:
        >>> embed = course_embedding(lambda texts: [[1.0, float(len(t))] for t in texts])
        >>> embed.get_text_embedding_batch(["a", "abc"])
        [[1.0, 1.0], [1.0, 3.0]]
    """
    if isinstance(embed_batch_size, bool) or not isinstance(embed_batch_size, int) or embed_batch_size < 1:
        raise ValueError(f"embed_batch_size must be a positive int, got {embed_batch_size!r}")
    return _embedding_class()(model, embed_batch_size=embed_batch_size)


def course_llm(llm: Any = None, context_window: int = 4096, num_output: int = 256) -> Any:
    """:mod:`course_lib.llm` (or any ``.complete(prompt)`` object or function) as a llama-index LLM (Day 23).

    Example:
        >>> shout = course_llm(lambda prompt: prompt.upper())
        >>> shout.complete("hello").text, shout.metadata.is_function_calling_model
        ('HELLO', False)
    """
    for name, value in (("context_window", context_window), ("num_output", num_output)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    return _llm_class()(llm, context_window=context_window, num_output=num_output)


def _text_id_metadata(item: Any) -> tuple[str, str | None, dict]:
    """The text, id and metadata of one of our documents/chunks (or a plain string)."""
    if isinstance(item, str):
        return item, None, {}
    text = getattr(item, "text", None)
    if not isinstance(text, str):
        raise TypeError(f"expected a course Document/chunk with a .text string, got {type(item).__name__}: "
                        f"{item!r:.60}")
    metadata = dict(getattr(item, "metadata", None) or {})
    ident = metadata.get("chunk_id") or getattr(item, "id", None)  # a chunk's own id, else the document's
    return text, None if ident is None else str(ident), metadata


def _hide_metadata(node: Any) -> Any:
    """Keep the metadata on the node but out of the embedded and the LLM text."""
    node.excluded_embed_metadata_keys = list(node.metadata)
    node.excluded_llm_metadata_keys = list(node.metadata)
    return node


def to_llamaindex_documents(documents: Iterable[Any]) -> list:
    """Our documents as llama-index ``Document`` objects: same text, id (``doc_id``) and metadata.

    Example:
        >>> [d.text for d in to_llamaindex_documents(["Tokens first.", "Then vectors."])]
        ['Tokens first.', 'Then vectors.']
    """
    from llama_index.core import Document

    out = []
    for item in documents:
        text, ident, metadata = _text_id_metadata(item)
        kwargs = {"id_": ident} if ident is not None else {}
        out.append(_hide_metadata(Document(text=text, metadata=metadata, **kwargs)))
    return out


def to_llamaindex_nodes(chunks: Iterable[Any]) -> list:
    """Our chunks as llama-index ``TextNode`` objects with the same ids, ready for ``VectorStoreIndex``.

    A chunk that carries an ``embedding`` keeps it, so the index does not embed it again.

    Example:
        >>> nodes = to_llamaindex_nodes(["first chunk", "second chunk"])
        >>> [(n.node_id, n.text) for n in nodes]
        [('chunk-0', 'first chunk'), ('chunk-1', 'second chunk')]
    """
    from llama_index.core.schema import TextNode

    out = []
    for i, item in enumerate(chunks):
        text, ident, metadata = _text_id_metadata(item)
        node = TextNode(text=text, id_=ident if ident is not None else f"chunk-{i}", metadata=metadata)
        embedding = getattr(item, "embedding", None)
        if embedding is not None:
            node.embedding = [float(x) for x in embedding]
        out.append(_hide_metadata(node))
    ids = [node.node_id for node in out]
    if len(set(ids)) != len(ids):
        raise ValueError(f"chunk ids must be unique, got duplicates such as {next(i for i in ids if ids.count(i) > 1)!r}")
    return out


def use_course_settings(embed_model: Any = None, llm: Any = None) -> tuple[Any, Any]:
    """Set llama-index's global ``Settings.embed_model`` and ``Settings.llm`` to the course's adapters.

    Both are set explicitly (unset, llama-index tries OpenAI). Pass adapters or the objects they wrap.
    Returns ``(embed_model, llm)`` as installed.

    Example:
        >>> embed, llm = use_course_settings(lambda ts: [[1.0] for t in ts], lambda p: "ok")  # doctest: +SKIP
    """
    from llama_index.core import Settings
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.llms import LLM

    Settings.embed_model = embed_model if isinstance(embed_model, BaseEmbedding) else course_embedding(embed_model)
    Settings.llm = llm if isinstance(llm, LLM) else course_llm(llm)
    return Settings.embed_model, Settings.llm
