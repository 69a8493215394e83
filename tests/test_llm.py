"""course_lib.llm: the extractive reader on hand-made contexts, a tiny random Llama through transformers,
and the OpenAI-compatible client against a loopback HTTP server started here."""

import json
import random
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from course_lib import llm as L

CONTEXT = ("[1] notebooks/day02_bpe.ipynb · Merges\n"
           "Byte pair encoding repeatedly merges the most frequent pair of adjacent symbols. "
           "The merge list is learned once from a training corpus.\n\n"
           "[2] notebooks/day05_embeddings_positions.ipynb · Positions\n"
           "Rotary embeddings rotate query and key vectors by an angle that depends on the position. "
           "Attention then sees relative offsets.\n\n"
           "[3] book/intro.md · Welcome\nThis course runs on a laptop without a GPU.")


def _prompt(question, context=CONTEXT):
    return L.RAG_PROMPT_TEMPLATE.format(context=context, question=question)


# ------------------------------------------------------------------------------------------ extractive

@pytest.mark.parametrize("question, sentence, n", [
    ("What does byte pair encoding merge?", "Byte pair encoding repeatedly merges the most frequent pair", 1),
    ("How do rotary embeddings encode position?", "Rotary embeddings rotate query and key vectors", 2),
    ("Do I need a GPU for this course?", "This course runs on a laptop without a GPU.", 3)])
def test_extractive_reader_quotes_the_right_sentence(question, sentence, n):
    answer = L.ExtractiveReader().complete(_prompt(question))
    assert answer.startswith(sentence)
    assert re.match(r"[^\[]*\[(\d+)\]", answer).group(1) == str(n)  # the first quote cites its passage


@pytest.mark.parametrize("seed", range(4))
def test_extractive_reader_finds_a_random_sentence_in_a_random_context(seed):
    from course_lib.corpus import course_corpus
    from course_lib.rag.chunking import split_sentences

    rng = random.Random(seed)
    paragraphs = rng.sample(course_corpus(), rng.randint(2, 5))
    context = "\n\n".join(f"[{i}] src{i}.md · S{i}\n{p}" for i, p in enumerate(paragraphs, start=1))
    n = rng.randint(1, len(paragraphs))
    sentences = [paragraphs[n - 1][a:b].strip() for a, b in split_sentences(paragraphs[n - 1])]
    target = rng.choice([s for s in sentences if len(s.split()) > 5])
    answer = L.ExtractiveReader().complete(_prompt(target, context))
    assert answer.startswith(f"{target} [{n}]")


def test_extractive_reader_says_not_in_context_for_unrelated_question():
    assert L.ExtractiveReader().complete(_prompt("Who won the football world cup in 1998?")) == L.NOT_IN_CONTEXT
    assert L.ExtractiveReader().complete("What is the capital of France?") == L.NOT_IN_CONTEXT  # no context


def test_extractive_reader_only_quotes_context_sentences():
    reader = L.ExtractiveReader(threshold=-1.0, max_sentences=10, relative=0.0)
    answer = reader.complete(_prompt("Tell me everything."))
    quoted = [part.strip() for part in answer.split("]") if part.strip()]
    for piece in quoted:
        sentence, _, n = piece.rpartition("[")
        passage = dict(L.parse_rag_prompt(_prompt("x"))[1])[int(n)]
        assert sentence.strip() in passage


def test_extractive_reader_chat_and_stream():
    reader = L.ExtractiveReader()
    messages = [{"role": "system", "content": "Context:\n" + CONTEXT},
                {"role": "user", "content": "What does byte pair encoding merge?"}]
    answer = reader.chat(messages)
    assert answer.startswith("Byte pair encoding repeatedly merges") and answer.endswith("[1]")
    pieces = list(reader.stream(_prompt("What does byte pair encoding merge?")))
    assert len(pieces) > 3 and "".join(pieces) == reader.complete(_prompt("What does byte pair encoding merge?"))
    assert "not a generative model" in repr(reader) and "not a generative model" in L.ExtractiveReader.__doc__.lower()


def test_parse_rag_prompt():
    question, passages = L.parse_rag_prompt(_prompt("Why?"))
    assert question == "Why?" and [n for n, _ in passages] == [1, 2, 3]
    assert passages[2][1] == "This course runs on a laptop without a GPU."
    assert L.parse_rag_prompt("Context:\nplain text\nQuestion: q")[1] == [(1, "plain text")]


# ------------------------------------------------------------------------------------------ get_llm

def test_get_llm_spec_and_env(monkeypatch):
    monkeypatch.delenv("COURSE_LLM", raising=False)
    assert isinstance(L.get_llm(), L.ExtractiveReader) and L.get_llm() is L.get_llm("extractive")
    monkeypatch.setenv("COURSE_LLM", "openai:my-model")
    assert isinstance(L.get_llm(), L.OpenAILLM) and L.get_llm().model == "my-model"
    with pytest.raises(ValueError, match="gpt5"):
        L.get_llm("gpt5")
    with pytest.raises(ValueError, match="transformers:"):
        L.get_llm("transformers:")


def test_bad_input():
    with pytest.raises(ValueError, match="threshold.*2"):
        L.ExtractiveReader(threshold=2)
    with pytest.raises(ValueError, match="role"):
        L.ExtractiveReader().chat([{"role": "robot", "content": "hi"}])
    with pytest.raises(TypeError, match="prompt must be a str"):
        L.ExtractiveReader().complete(None)
    with pytest.raises(ValueError, match="base_url.*ftp"):
        L.OpenAILLM("m", base_url="ftp://x")


# ------------------------------------------------------------------------------------------ transformers

@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory):
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from course_lib.pretrained import minilm_path

    folder = tmp_path_factory.mktemp("tiny_llama")
    tokenizer = AutoTokenizer.from_pretrained(str(minilm_path()))  # reuse MiniLM's WordPiece files
    tokenizer.eos_token = "[SEP]"
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                         pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.sep_token_id)
    LlamaForCausalLM(config).save_pretrained(folder)
    return folder


def test_transformers_backend_is_greedy_generate(tiny_llama):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    llm = L.TransformersLLM(str(tiny_llama), max_new_tokens=7, device="cpu")
    prompt = "the cat sat on the mat"
    tok = AutoTokenizer.from_pretrained(str(tiny_llama))
    model = AutoModelForCausalLM.from_pretrained(str(tiny_llama)).eval()
    ids = {key: value for key, value in tok(prompt, return_tensors="pt").items() if key != "token_type_ids"}
    with torch.inference_mode():
        out = model.generate(**ids, max_new_tokens=7, do_sample=False, pad_token_id=tok.pad_token_id)
    expected = tok.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)
    assert llm.complete(prompt) == expected and expected.strip()
    assert "".join(llm.stream(prompt)).strip() == expected.strip()
    assert L.get_llm(f"transformers:{tiny_llama}").name == str(tiny_llama)


def test_transformers_backend_uses_chat_template_when_present(tiny_llama):
    llm = L.TransformersLLM(str(tiny_llama), max_new_tokens=3, device="cpu")
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    assert llm.format_prompt(messages) == "system: be brief\nuser: hi\nassistant:"
    assert llm.format_prompt(messages[1:]) == "hi"
    llm.tokenizer.chat_template = ("{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}{% endfor %}"
                                   "{% if add_generation_prompt %}<assistant>{% endif %}")
    assert llm.format_prompt(messages) == "<system>be brief<user>hi<assistant>"
    assert isinstance(llm.chat(messages), str)


# ------------------------------------------------------------------------------------------ openai

@pytest.fixture()
def fake_openai():
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append((self.path, self.headers.get("Authorization"), body))
            if body["model"] == "broken":
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b'{"error": "boom"}')
                return
            reply = "echo: " + body["messages"][-1]["content"]
            self.send_response(200)
            if body.get("stream"):
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for word in reply.split(" "):
                    chunk = {"choices": [{"delta": {"content": word + " "}}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
            else:
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"choices": [{"message": {"role": "assistant", "content": reply}}]}).encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1", seen
    server.shutdown()
    server.server_close()


def test_openai_backend_against_loopback_server(fake_openai, monkeypatch):
    url, seen = fake_openai
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    llm = L.OpenAILLM("tiny-model")
    assert llm.complete("hello there") == "echo: hello there"
    path, auth, body = seen[-1]
    assert path == "/v1/chat/completions" and auth == "Bearer sk-test"
    assert body["model"] == "tiny-model" and body["messages"] == [{"role": "user", "content": "hello there"}]
    assert body["stream"] is False and body["temperature"] == 0.0
    assert llm.chat([{"role": "system", "content": "s"}, {"role": "user", "content": "q"}]) == "echo: q"
    pieces = list(llm.stream("one two three"))
    assert pieces == ["echo: ", "one ", "two ", "three "] and seen[-1][2]["stream"] is True


def test_openai_backend_reports_http_errors(fake_openai):
    url, _ = fake_openai
    with pytest.raises(RuntimeError, match="HTTP 500.*boom"):
        L.OpenAILLM("broken", api_key="", base_url=url).complete("x")
