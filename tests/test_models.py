"""course_lib.models (Day 14): the exported course GPT equals ours (logits, greedy ids through
``pipeline``), the exported tokenizer gives our BPE's ids on the whole book, and the loader and the
parameter count refuse what they cannot handle."""

import random

import pytest
import torch

transformers = pytest.importorskip("transformers")

from course_lib.bpe import BPETokenizer  # noqa: E402
from course_lib.corpus import book_sections  # noqa: E402
from course_lib.course_gpt import EOT  # noqa: E402
from course_lib.models import export_course_gpt, hf_tokenizer_from_bpe, load_causal_lm, parameter_groups  # noqa: E402
from course_lib.pretrained import load_course_gpt  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Small matrices: one thread is fastest (and fair to a shared machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def ours():
    return load_course_gpt()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return export_course_gpt(tmp_path_factory.mktemp("course_gpt_hf"))


@pytest.fixture(scope="module")
def loaded(folder):
    return load_causal_lm(folder)


def test_export_writes_a_transformers_folder(folder, loaded):
    names = {p.name for p in folder.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "generation_config.json"} <= names
    model, tokenizer = loaded
    assert type(model).__name__ == "LlamaForCausalLM" and not model.training
    assert model.config.num_key_value_heads == 2 and model.config.tie_word_embeddings
    assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()  # tie survives saving
    assert tokenizer.eos_token == EOT and tokenizer.eos_token_id == 1023
    assert model.generation_config.eos_token_id == 1023


@pytest.mark.parametrize("seed", range(3))
def test_round_trip_gives_our_logits(seed, ours, loaded):
    gpt, _ = ours
    model, _ = loaded
    gen = torch.Generator().manual_seed(seed)
    batch, length = 1 + seed, random.Random(seed).randrange(5, 128)
    idx = torch.randint(0, gpt.config.vocab_size, (batch, length), generator=gen)
    with torch.no_grad():
        expected, actual = gpt(idx), model(idx).logits
    assert expected.abs().max() > 1  # real logits, not zeros
    torch.testing.assert_close(actual, expected, atol=2e-5, rtol=1e-4)


def test_exported_tokenizer_equals_our_bpe_on_every_book_section(ours, loaded):
    _, bpe = ours
    _, tokenizer = loaded
    sections = book_sections()
    assert len(sections) > 100
    for section in sections:
        expected = bpe.encode(section.text, allowed_special="all")
        assert tokenizer(section.text)["input_ids"] == expected, section.title
        assert tokenizer.decode(expected) == section.text


@pytest.mark.parametrize("seed", range(4))
def test_exported_tokenizer_equals_our_bpe_on_random_text_with_the_special_token(seed, ours, loaded):
    _, bpe = ours
    _, tokenizer = loaded
    rng = random.Random(seed)
    pieces = ["the ", "token", "2020", "123456789", " ", "\n\n", "  ", "naïve", "🙂", "東京", "'s", "'LL",
              "\t", "$50257", EOT, ".", "(", "x"]
    for _ in range(100):
        text = "".join(rng.choices(pieces, k=rng.randrange(0, 20)))
        expected = bpe.encode(text, allowed_special="all")
        assert tokenizer(text)["input_ids"] == expected, text
        assert tokenizer.decode(expected) == text
    assert tokenizer(EOT)["input_ids"] == [1023]
    assert tokenizer("a" + EOT + "b")["input_ids"] == [97, 1023, 98]


@pytest.mark.parametrize("seed", range(3))
def test_hf_tokenizer_from_a_freshly_trained_bpe(seed):
    rng = random.Random(seed)
    alphabet = "ab cd\n01 23é🙂'sX."
    text = "".join(rng.choices(alphabet, k=3000))
    pattern = ("gpt2", "gpt4")[seed % 2]
    special_id = 300 + 17 * seed  # seed 0: right after the last merge; otherwise a gap of unused ids
    bpe = BPETokenizer(pattern, special_tokens={"<|end|>": special_id})
    bpe.train(text, vocab_size=300)
    theirs = hf_tokenizer_from_bpe(bpe, eos_token="<|end|>")
    for _ in range(100):
        sample = "".join(rng.choices(alphabet, k=rng.randrange(0, 40))) + rng.choice(["", "<|end|>"])
        assert theirs(sample)["input_ids"] == bpe.encode(sample, allowed_special="all"), (pattern, sample)
    assert theirs("<|end|>")["input_ids"] == [special_id] and theirs.eos_token_id == special_id


def test_pipeline_greedy_equals_our_greedy_generate(ours, folder):
    gpt, bpe = ours
    pipe = transformers.pipeline("text-generation", model=str(folder))
    prompts = ["A language model", "Attention", "The tokenizer splits"]
    for prompt in prompts:
        out = pipe(prompt, max_new_tokens=40, do_sample=False, return_tensors=True)[0]["generated_token_ids"]
        expected = gpt.generate(torch.tensor([bpe.encode(prompt)]), 40, temperature=0)[0].tolist()
        if 1023 in expected:  # transformers stops at <|endoftext|>, ours runs on
            expected = expected[:expected.index(1023) + 1]
        assert list(out) == expected, prompt
        text = pipe(prompt, max_new_tokens=40, do_sample=False)[0]["generated_text"]
        assert text == bpe.decode([i for i in expected if i != 1023])


def test_parameter_groups_add_up_and_follow_the_formula(loaded):
    model, _ = loaded
    groups = parameter_groups(model)
    assert sum(groups.values()) == sum(p.numel() for p in model.parameters()) == 869_504
    c = model.config
    head_dim = c.hidden_size // c.num_attention_heads
    kv = c.num_key_value_heads * head_dim
    assert groups["attention"] == c.num_hidden_layers * (2 * c.hidden_size ** 2 + 2 * c.hidden_size * kv)
    assert groups["mlp"] == c.num_hidden_layers * 3 * c.hidden_size * c.intermediate_size
    assert groups["lm_head"] == 0 and groups["embed_tokens"] == c.vocab_size * c.hidden_size
    untied = transformers.LlamaForCausalLM(transformers.LlamaConfig(
        vocab_size=99, hidden_size=32, intermediate_size=37, num_hidden_layers=3, num_attention_heads=4,
        num_key_value_heads=1, tie_word_embeddings=False))
    assert parameter_groups(untied)["lm_head"] == 99 * 32
    assert parameter_groups(untied)["norms"] == (2 * 3 + 1) * 32


def test_bad_input_raises(tmp_path, ours):
    _, bpe = ours
    with pytest.raises(TypeError, match="dict"):
        hf_tokenizer_from_bpe({})
    with pytest.raises(ValueError, match="pattern=None"):
        hf_tokenizer_from_bpe(BPETokenizer())
    clashing = BPETokenizer.from_merges({(104, 105): 256}, pattern="gpt4", special_tokens={"hi": 300})
    with pytest.raises(ValueError, match="'hi'"):
        hf_tokenizer_from_bpe(clashing)
    with pytest.raises(ValueError, match="'<eos>'"):
        hf_tokenizer_from_bpe(bpe, eos_token="<eos>")
    with pytest.raises(FileNotFoundError, match="no config.json"):
        load_causal_lm(tmp_path)
    with pytest.raises(ValueError, match="'flash'"):
        load_causal_lm(tmp_path, attn_implementation="flash")
    with pytest.raises(TypeError, match="int"):
        load_causal_lm(3)
    with pytest.raises(OSError, match="course-test/not-a-cached-model"):  # a hub name, offline, not cached
        load_causal_lm("course-test/not-a-cached-model")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not a directory"):
        export_course_gpt(tmp_path / "file")
    with pytest.raises(ValueError, match="'lin.weight'"):
        parameter_groups(torch.nn.ModuleDict({"lin": torch.nn.Linear(2, 2)}))
