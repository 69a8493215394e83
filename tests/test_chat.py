"""course_lib.chat against transformers' apply_chat_template (same Jinja template), tiktoken, and brute force."""

import copy
import random

import pytest

from course_lib import chat as C

PHRASES = ["Hi!", "What is a token?", "", "  padded  ", "Two\nlines", "Ünïcode 🙂", "{{ not jinja }}",
           "a" * 40, "<b>html</b>", "end\n"]


@pytest.fixture(scope="module")
def tokenizer():
    """A small tokenizer built here (no hub): word level, with the template markers as special tokens."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    markers = [*C.template_markers("chatml"), *C.template_markers("gemma")]
    words = Tokenizer(models.WordLevel({"[UNK]": 0, **{m: i + 1 for i, m in enumerate(markers)}}, unk_token="[UNK]"))
    words.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=words, unk_token="[UNK]", additional_special_tokens=markers)


def _conversation(rng, alternate=False):
    messages = []
    if rng.random() < 0.6:
        messages.append({"role": "system", "content": rng.choice(PHRASES)})
    for i in range(rng.randrange(0 if not alternate else 1, 6)):
        role = ("user" if i % 2 == 0 else "assistant") if alternate else rng.choice(C.ROLES)
        messages.append({"role": role, "content": rng.choice(PHRASES)})
    return messages or [{"role": "user", "content": "x"}]


@pytest.mark.parametrize("seed", range(4))
def test_chatml_equals_apply_chat_template(tokenizer, seed):
    rng = random.Random(seed)
    for _ in range(60):
        messages = _conversation(rng)
        for prompt in (True, False):
            expected = tokenizer.apply_chat_template(messages, chat_template=C.CHATML_TEMPLATE, tokenize=False,
                                                     add_generation_prompt=prompt)
            assert C.render_chatml(messages, prompt) == expected == C.render(messages, "chatml", prompt)


@pytest.mark.parametrize("seed", range(4))
def test_gemma_equals_apply_chat_template(tokenizer, seed):
    rng = random.Random(100 + seed)
    for _ in range(60):
        messages = _conversation(rng, alternate=True)
        for prompt in (True, False):
            expected = tokenizer.apply_chat_template(messages, chat_template=C.GEMMA_TEMPLATE, tokenize=False,
                                                     add_generation_prompt=prompt)
            assert C.render_gemma(messages, prompt) == expected == C.render(messages, "gemma", prompt)


def test_gemma_refuses_non_alternating_roles_like_transformers(tokenizer):
    from jinja2.exceptions import TemplateError

    for bad in ([{"role": "assistant", "content": "first"}],
                [{"role": "system", "content": "s"}, {"role": "user", "content": "a"}, {"role": "user", "content": "b"}]):
        with pytest.raises(TemplateError, match="alternate"):
            tokenizer.apply_chat_template(bad, chat_template=C.GEMMA_TEMPLATE, tokenize=False)
        with pytest.raises(ValueError, match="alternating"):
            C.render_gemma(bad)


def test_markers_are_single_ids_in_the_tokenizer(tokenizer):
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": "hello there"}]
    ids = tokenizer.apply_chat_template(messages, chat_template=C.CHATML_TEMPLATE, add_generation_prompt=True,
                                        return_dict=False)
    start, end = tokenizer.convert_tokens_to_ids(["<|im_start|>", "<|im_end|>"])
    assert ids.count(start) == 3 and ids.count(end) == 2


@pytest.mark.parametrize("family", ["chatml", "gemma"])
@pytest.mark.parametrize("seed", range(3))
def test_count_chat_tokens_equals_tiktoken_with_the_markers_as_special_tokens(family, seed):
    import tiktoken

    base = C._cl100k()
    markers = C.template_markers(family)
    extended = tiktoken.Encoding(name=f"cl100k_{family}", pat_str=base._pat_str, mergeable_ranks=base._mergeable_ranks,
                                 special_tokens={**base._special_tokens,
                                                 **{m: 100300 + i for i, m in enumerate(markers)}})
    rng = random.Random(seed)
    for _ in range(40):
        messages = _conversation(rng, alternate=family == "gemma")
        prompt = rng.random() < 0.5
        text = C.render(messages, family, prompt)
        expected = len(extended.encode(text, allowed_special=set(markers), disallowed_special=()))
        assert C.count_chat_tokens(messages, family, prompt) == expected


def _history(rng, n):
    out = [{"role": "system", "content": rng.choice(PHRASES)}] if rng.random() < 0.8 else []
    for i in range(n):
        out.append({"role": "user" if i % 2 == 0 else "assistant",
                    "content": " ".join(rng.choices(["token", "window", "cost", "bank", "42"], k=rng.randrange(0, 30)))})
    return out


@pytest.mark.parametrize("seed", range(5))
def test_trim_to_budget_is_the_longest_fitting_suffix_starting_with_a_user_turn(seed):
    rng = random.Random(seed)
    for _ in range(40):
        messages = _history(rng, rng.randrange(1, 10))
        before = copy.deepcopy(messages)
        budget = rng.randrange(5, 200)
        system = messages[:1] if messages[0]["role"] == "system" else []
        history = messages[len(system):]
        fits = [i for i in range(len(history)) if C.count_chat_tokens(system + history[i:]) <= budget
                and (i == 0 or history[i]["role"] != "assistant")]
        if not fits:
            with pytest.raises(ValueError, match=f"budget {budget} is too small"):
                C.trim_to_budget(messages, budget)
        else:
            out = C.trim_to_budget(messages, budget)
            assert out == system + history[min(fits):]
            assert C.count_chat_tokens(out) <= budget
        assert messages == before


@pytest.mark.parametrize("seed", range(4))
def test_summarize_oldest_keeps_everything_either_verbatim_or_in_the_summary(seed):
    rng = random.Random(seed)
    for _ in range(30):
        messages = [{"role": "system", "content": "Be brief."}] + _history(rng, rng.randrange(2, 10))[1:]
        budget = rng.randrange(40, 250)
        seen = []

        def summarize(dropped):
            seen.append(list(dropped))
            return f"{len(dropped)} earlier messages"
        try:
            out = C.summarize_oldest(messages, budget, summarize)
        except ValueError:
            continue
        assert out[0] == messages[0] and C.count_chat_tokens(out) <= budget
        if len(out) > 1 and out[1]["content"].startswith("Summary of the earlier conversation: "):
            dropped = seen[-1]
            assert out[1]["content"].endswith(f"{len(dropped)} earlier messages")
            assert messages[1:] == dropped + out[2:]
        else:
            assert out == messages


def test_conversation_sends_the_whole_history_each_turn_and_bills_it():
    calls = []

    def model(messages):
        calls.append(copy.deepcopy(messages))
        return f"reply {len(calls)}"

    chat = C.Conversation("Be brief.")
    for text in ["one", "two", "three"]:
        chat.send(text, model)
    assert [len(c) for c in calls] == [2, 4, 6]
    assert calls[-1][1:] == chat.history[:-1] and chat.history[-1] == {"role": "assistant", "content": "reply 3"}
    assert chat.billed == [C.count_chat_tokens(c) for c in calls]
    assert chat.billed[2] - chat.billed[1] == chat.billed[1] - chat.billed[0]  # equal turns: equal growth


def test_conversation_with_a_budget_trims_and_keeps_the_system_prompt():
    class Model:
        def chat(self, messages):
            self.last = messages
            return "a fairly long answer " * 5

    model, chat = Model(), C.Conversation("You are terse.", budget=80)
    for i in range(6):
        chat.send(f"question number {i} about tokens", model)
        assert model.last[0] == {"role": "system", "content": "You are terse."}
        assert C.count_chat_tokens(model.last) <= 80 and model.last[-1]["content"] == f"question number {i} about tokens"
    assert len(chat.history) == 12 and len(model.last) < 12
    assert max(chat.billed) <= 80


@pytest.mark.parametrize("seed", range(5))
def test_bill_per_turn_equals_a_simulated_stateless_chat(seed):
    rng = random.Random(seed)
    for _ in range(50):
        turns, user, reply, system = rng.randrange(0, 30), rng.randrange(1, 300), rng.randrange(0, 500), rng.randrange(0, 400)
        window = None if rng.random() < 0.3 else system + user + reply + rng.randrange(0, 5000)
        bills = C.bill_per_turn(turns, user, reply, system, window)
        history = []  # sizes of earlier turns
        for t, bill in enumerate(bills):
            while window is not None and system + sum(history) + user + reply > window:
                history.pop(0)
            assert (bill.input_tokens, bill.output_tokens) == (system + sum(history) + user, reply)
            assert (bill.kept_turns, bill.dropped_turns) == (len(history), t - len(history))
            history.append(user + reply)


def test_stateless_bill_grows_quadratically():
    bills = C.bill_per_turn(40, 50, 150)
    total = sum(b.input_tokens for b in bills)
    assert total == 50 * 40 + 200 * 40 * 39 // 2
    doubled = sum(b.input_tokens for b in C.bill_per_turn(80, 50, 150))
    assert 3.9 < doubled / total < 4.1


def test_bad_inputs_name_the_value():
    with pytest.raises(ValueError, match="'robot'"):
        C.render_chatml([{"role": "robot", "content": "hi"}])
    with pytest.raises(TypeError, match="str"):
        C.render_chatml("hello")
    with pytest.raises(ValueError, match="family.*'llama'"):
        C.render([], "llama")
    with pytest.raises(ValueError, match="budget.*0"):
        C.trim_to_budget([{"role": "user", "content": "x"}], 0)
    with pytest.raises(ValueError, match="context_window must be.*10"):
        C.bill_per_turn(3, 10, 20, 5, context_window=10)
    with pytest.raises(ValueError, match="turns.*-1"):
        C.bill_per_turn(-1, 1, 1)
    with pytest.raises(TypeError, match="text must be a str"):
        C.Conversation().send(5, lambda m: "x")
