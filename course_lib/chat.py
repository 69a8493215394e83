"""Chat applications around a stateless model: templates, conversation state, context budgets, cost per turn.

A chat model is a function of one token sequence (Day 1, Day 4). Everything that makes it a *chat*
lives in the application:

* **templates** turn a list of ``{"role", "content"}`` messages into that one sequence:
  :func:`render_chatml` (ChatML: Qwen, OpenAI's original format) and :func:`render_gemma` (Gemma:
  ``<start_of_turn>`` turns, the assistant is called ``model``, a system message is folded into the
  first user turn, roles must alternate). :data:`CHATML_TEMPLATE` and :data:`GEMMA_TEMPLATE` are the
  same rules as Jinja programs; tests/test_chat.py asserts the Python renderers equal transformers'
  ``apply_chat_template`` with those templates on random conversations;
* **token counts**: :func:`count_chat_tokens` counts a rendered conversation with tiktoken's
  ``cl100k_base`` where every template marker is one token (a special token of the vocabulary, Day 3),
  checked against a tiktoken ``Encoding`` extended with the markers as special tokens;
* **state**: :class:`Conversation` keeps the system prompt and the history and sends the whole
  (trimmed) list to the model on every turn; :func:`trim_to_budget` drops the oldest turns and keeps
  the system prompt; :func:`summarize_oldest` replaces them by a summary instead;
* **cost**: :func:`bill_per_turn` gives the tokens billed at each turn of a stateless API, which grow
  linearly per turn and so quadratically in total, until a context window caps them.

Leaves out: tool calls, images, generation-prompt variants such as ``continue_final_message``.
Introduced on Day 19.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Sequence

__all__ = ["CHATML_TEMPLATE", "GEMMA_TEMPLATE", "FAMILIES", "render_chatml", "render_gemma", "render",
           "template_markers", "count_chat_tokens", "message_tokens", "trim_to_budget", "summarize_oldest",
           "Conversation", "TurnBill", "bill_per_turn"]

ROLES = ("system", "user", "assistant")
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
#: Gemma-style (after Gemma 3's published template, without images): '<bos>' once, the system
#: message folded into the first user turn, 'assistant' renamed 'model', contents trimmed.
GEMMA_TEMPLATE = (
    "{{ '<bos>' }}"
    "{% if messages and messages[0]['role'] == 'system' %}"
    "{% set prefix = messages[0]['content'] + '\n\n' %}{% set turns = messages[1:] %}"
    "{% else %}{% set prefix = '' %}{% set turns = messages %}{% endif %}"
    "{% for message in turns %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% set role = 'model' if message['role'] == 'assistant' else message['role'] %}"
    "{{ '<start_of_turn>' + role + '\n' + (prefix if loop.first else '') + message['content'] | trim"
    " + '<end_of_turn>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}"
)


def _check_messages(messages: Sequence[dict]) -> list[dict]:
    if isinstance(messages, (str, dict)):
        raise TypeError(f"messages must be a list of dicts, got a {type(messages).__name__}")
    messages = list(messages)
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            raise ValueError(f"each message must be {{'role': one of {ROLES}, 'content': str}}, got {m!r}")
    return messages


def render_chatml(messages: Sequence[dict], add_generation_prompt: bool = True) -> str:
    """ChatML: each message as ``<|im_start|>role\\ncontent<|im_end|>\\n``, then the generation prompt.

    Example:
        >>> render_chatml([{"role": "user", "content": "Hi"}])
        '<|im_start|>user\\nHi<|im_end|>\\n<|im_start|>assistant\\n'
    """
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in _check_messages(messages))
    return text + ("<|im_start|>assistant\n" if add_generation_prompt else "")


def render_gemma(messages: Sequence[dict], add_generation_prompt: bool = True) -> str:
    """Gemma-style turns: the system message prefixed to the first user turn; user/model must alternate.

    Example:
        >>> render_gemma([{"role": "system", "content": "Be brief."}, {"role": "user", "content": " Hi "}])
        '<bos><start_of_turn>user\\nBe brief.\\n\\nHi<end_of_turn>\\n<start_of_turn>model\\n'
    """
    messages = _check_messages(messages)
    prefix, turns = "", messages
    if messages and messages[0]["role"] == "system":
        prefix, turns = messages[0]["content"] + "\n\n", messages[1:]
    text = "<bos>"
    for i, m in enumerate(turns):
        if (m["role"] == "user") != (i % 2 == 0):
            raise ValueError(f"message {i} after the system prompt has role {m['role']!r}: Gemma needs "
                             "user/assistant/user/... alternating, starting with user")
        role = "model" if m["role"] == "assistant" else m["role"]
        text += f"<start_of_turn>{role}\n{prefix if i == 0 else ''}{m['content'].strip()}<end_of_turn>\n"
    return text + ("<start_of_turn>model\n" if add_generation_prompt else "")


FAMILIES = {"chatml": (render_chatml, CHATML_TEMPLATE), "gemma": (render_gemma, GEMMA_TEMPLATE)}
_MARKERS = {"chatml": ("<|im_start|>", "<|im_end|>"), "gemma": ("<bos>", "<start_of_turn>", "<end_of_turn>")}


def _family(family: str) -> str:
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {sorted(FAMILIES)}, got {family!r}")
    return family


def render(messages: Sequence[dict], family: str = "chatml", add_generation_prompt: bool = True) -> str:
    """The conversation as one prompt string in the template ``family`` (``"chatml"`` or ``"gemma"``).

    Example:
        >>> render([{"role": "user", "content": "Hi"}], "gemma")
        '<bos><start_of_turn>user\\nHi<end_of_turn>\\n<start_of_turn>model\\n'
    """
    return FAMILIES[_family(family)][0](messages, add_generation_prompt)


def template_markers(family: str = "chatml") -> tuple[str, ...]:
    """The special tokens a template family writes (each one id in the model's vocabulary).

    Example:
        >>> template_markers("chatml")
        ('<|im_start|>', '<|im_end|>')
    """
    return _MARKERS[_family(family)]


@lru_cache(maxsize=1)
def _cl100k() -> Any:
    from course_lib.bpe import tiktoken_encoding

    return tiktoken_encoding("cl100k_base")


def count_chat_tokens(messages: Sequence[dict], family: str = "chatml", add_generation_prompt: bool = True) -> int:
    """Tokens of the rendered conversation: each template marker is 1, the text between is cl100k_base.

    Example:
        >>> count_chat_tokens([{"role": "user", "content": "Hi"}])  # 3 markers + 'user', '\\n', 'Hi', '\\n', 'assistant', '\\n'
        9
    """
    text = render(messages, family, add_generation_prompt)
    markers = template_markers(family)
    pieces = re.split("(" + "|".join(map(re.escape, markers)) + ")", text)
    encoding = _cl100k()
    return sum(1 if piece in markers else len(encoding.encode(piece, disallowed_special=())) for piece in pieces)


def message_tokens(message: dict, family: str = "chatml") -> int:
    """What one message adds to a ChatML prompt: its rendered tokens without the generation prompt.

    Example:
        >>> message_tokens({"role": "user", "content": "Hi"})  # <|im_start|> user \\n Hi <|im_end|> \\n
        6
    """
    return count_chat_tokens([message], family, add_generation_prompt=False)


def _split_system(messages: list[dict]) -> tuple[list[dict], list[dict]]:
    if messages and messages[0]["role"] == "system":
        return messages[:1], messages[1:]
    return [], messages


def trim_to_budget(messages: Sequence[dict], budget: int,
                   count: Callable[[list[dict]], int] = count_chat_tokens) -> list[dict]:
    """The system prompt plus the most recent messages whose prompt ``count(...)`` fits in ``budget``.

    Drops the oldest messages after the system prompt, one at a time, then also a leading assistant
    message (a history starts with a user turn). Raises ``ValueError`` when even the system prompt
    and the newest message do not fit.

    Example:
        >>> chat = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
        ...         {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"}]
        >>> [m["content"] for m in trim_to_budget(chat, 25)]
        ['Be brief.', 'Bye']
    """
    messages = _check_messages(messages)
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ValueError(f"budget must be a positive int (tokens), got {budget!r}")
    system, history = _split_system(messages)
    while history and count(system + history) > budget:
        history = history[1:]
        while history and history[0]["role"] == "assistant":
            history = history[1:]
    if not history or count(system + history) > budget:
        raise ValueError(f"budget {budget} is too small: the system prompt and the newest message alone need "
                         f"{count(system + messages[-1:])} tokens")
    return system + history


def summarize_oldest(messages: Sequence[dict], budget: int, summarize: Callable[[list[dict]], str],
                     count: Callable[[list[dict]], int] = count_chat_tokens) -> list[dict]:
    """Like :func:`trim_to_budget`, but the dropped messages come back as one summary message.

    The summary (``summarize(dropped)``) goes right after the system prompt as a system message
    ``"Summary of the earlier conversation: ..."``; if summary and kept turns do not fit, more old
    turns are folded into it.

    Example:
        >>> chat = [{"role": "system", "content": "Be brief."},
        ...         {"role": "user", "content": "What does BPE merge, and when does it stop?"},
        ...         {"role": "assistant", "content": "The most frequent pair, again and again, until the vocabulary is full."},
        ...         {"role": "user", "content": "Bye"}]
        >>> out = summarize_oldest(chat, 40, lambda dropped: f"{len(dropped)} messages")
        >>> [m["content"] for m in out]
        ['Be brief.', 'Summary of the earlier conversation: 2 messages', 'Bye']
    """
    messages = _check_messages(messages)
    system, history = _split_system(messages)
    kept = trim_to_budget(messages, budget, count)[len(system):]
    while True:
        dropped = history[:len(history) - len(kept)]
        if not dropped:
            return system + kept
        note = {"role": "system", "content": "Summary of the earlier conversation: " + summarize(dropped)}
        if count(system + [note] + kept) <= budget:
            return system + [note] + kept
        if len(kept) <= 1:
            raise ValueError(f"budget {budget} leaves no room for a summary beside the newest message")
        kept = kept[1:]
        while len(kept) > 1 and kept[0]["role"] == "assistant":
            kept = kept[1:]


@dataclass
class Conversation:
    """Conversation state kept by the application: the system prompt, the history, the tokens billed.

    ``send(text, model)`` appends the user's message, sends the system prompt and the history (trimmed
    to ``budget`` tokens when one is set) to ``model`` (an object with ``chat(messages)``, such as a
    :mod:`course_lib.llm` backend, or a plain function), appends the reply and records the input tokens
    of that call in ``billed``. The model itself remembers nothing between calls.

    Example:
        >>> chat = Conversation("Answer in one word.")
        >>> chat.send("Colour of the sky?", lambda messages: f"{len(messages)} messages seen")
        '2 messages seen'
        >>> chat.send("And grass?", lambda messages: f"{len(messages)} messages seen")
        '4 messages seen'
    """

    system: str = "You are a helpful assistant."
    budget: int | None = None  # tokens for the prompt; None: send everything
    family: str = "chatml"  # template used for counting tokens
    history: list[dict] = field(default_factory=list)
    billed: list[int] = field(default_factory=list)  # input tokens sent at each turn

    def messages(self) -> list[dict]:
        """The system prompt followed by the whole history."""
        return [{"role": "system", "content": self.system}, *self.history]

    def prompt(self) -> list[dict]:
        """What the next call sends: :meth:`messages`, trimmed to ``budget`` when one is set."""
        count = lambda ms: count_chat_tokens(ms, self.family)  # noqa: E731
        return self.messages() if self.budget is None else trim_to_budget(self.messages(), self.budget, count)

    def send(self, text: str, model: Any) -> str:
        """One turn: the user's ``text`` in, the model's reply out (both kept in the history)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__} {text!r}")
        self.history.append({"role": "user", "content": text})
        prompt = self.prompt()
        self.billed.append(count_chat_tokens(prompt, self.family))
        reply = model.chat(prompt) if hasattr(model, "chat") else model(prompt)
        self.history.append({"role": "assistant", "content": reply})
        return reply


@dataclass(frozen=True)
class TurnBill:
    """Tokens of one turn of a stateless chat API."""

    input_tokens: int  # sent this turn: system + kept history + the new user message
    output_tokens: int  # the reply
    kept_turns: int  # earlier turns that fitted in the window and were sent again
    dropped_turns: int  # earlier turns left out to respect the window


def bill_per_turn(turns: int, user_tokens: int, reply_tokens: int, system_tokens: int = 0,
                  context_window: int | None = None) -> list[TurnBill]:
    """Per-turn token bill when every turn resends the history, dropping whole old turns to fit the window.

    Each turn is a user message of ``user_tokens`` and a reply of ``reply_tokens``; the window must
    hold the system prompt, the kept history, the new message and the reply.

    Example:
        >>> [b.input_tokens for b in bill_per_turn(4, 10, 30, system_tokens=5)]
        [15, 55, 95, 135]
        >>> [(b.input_tokens, b.dropped_turns) for b in bill_per_turn(4, 10, 30, 5, context_window=100)]
        [(15, 0), (55, 0), (55, 1), (55, 2)]
    """
    for name, value, low in (("turns", turns, 0), ("user_tokens", user_tokens, 0),
                             ("reply_tokens", reply_tokens, 0), ("system_tokens", system_tokens, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    turn = user_tokens + reply_tokens
    if context_window is not None and (not isinstance(context_window, int) or
                                       context_window < system_tokens + turn):
        raise ValueError(f"context_window must be an int >= {system_tokens + turn} (system prompt plus one turn), "
                         f"got {context_window!r}")
    bills = []
    for t in range(turns):
        kept = t if context_window is None else min(t, (context_window - system_tokens - turn) // max(turn, 1))
        bills.append(TurnBill(system_tokens + kept * turn + user_tokens, reply_tokens, kept, t - kept))
    return bills
