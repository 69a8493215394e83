"""Embedding-space widget (Day 16): PCA against scikit-learn, projection, parts, and the rendered view."""

import base64
import random
import re

import numpy as np
import pytest

from course_lib.widgets.embedding_space import (
    PART_COLOURS,
    course_part,
    embedding_space,
    pca_basis,
    project,
    render_embedding_space,
)

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")


@pytest.mark.parametrize("seed", range(4))
def test_pca_equals_scikit_learn_up_to_sign(seed):
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(5, 40)), int(rng.integers(3, 12))
    x = rng.normal(size=(n, d)) * rng.uniform(0.1, 5, size=d)  # unequal spreads: a clear order
    k = int(rng.integers(1, min(n, d) + 1))
    mean, comps = pca_basis(x, k)
    ref = PCA(n_components=k, svd_solver="full").fit(x)
    np.testing.assert_allclose(mean, ref.mean_)
    signs = np.sign((comps * ref.components_).sum(axis=1))
    np.testing.assert_allclose(comps, ref.components_ * signs[:, None], atol=1e-8)
    np.testing.assert_allclose(project(x, mean, comps), ref.transform(x) * signs, atol=1e-8)
    largest = comps[np.arange(k), np.abs(comps).argmax(axis=1)]
    assert (largest > 0).all()


def test_pca_bad_inputs():
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        pca_basis(np.ones(3))
    with pytest.raises(ValueError, match="n_components.*5"):
        pca_basis(np.ones((4, 3)), 5)


@pytest.mark.parametrize("source, part", [("notebooks/day01_tokens.ipynb", "I tokens and vectors"),
                                          ("notebooks/day10_training_gpt.ipynb", "II attention and the Transformer"),
                                          ("notebooks/day16_embeddings_for_meaning.ipynb", "IV representations"),
                                          ("notebooks/day19_chat_templates.ipynb", "IV representations"),
                                          ("notebooks/day20_rag_from_scratch.ipynb", "V retrieval"),
                                          ("notebooks/day30_routers.ipynb", "VI systems"),
                                          ("book/glossary.md", "book pages")])
def test_course_part(source, part):
    assert course_part(source) == part and part in PART_COLOURS


class _Chunk:
    def __init__(self, text, source):
        self.text, self.metadata = text, {"source": source, "section": "S"}


def test_render_names_the_nearest_passage_by_cosine():
    from course_lib.embeddings import sentence_embeddings

    texts = ["Byte pair encoding merges frequent pairs.", "The river bank was muddy.",
             "Attention weighs the keys.", "Cosine similarity ranks the retrieved chunks."]
    chunks = [_Chunk(t, f"notebooks/day0{i + 1}_x.ipynb") for i, t in enumerate(texts)]
    vectors = sentence_embeddings(texts)
    order = random.Random(0).sample(range(4), 4)
    chunks, vectors = [chunks[i] for i in order], vectors[order]
    page = render_embedding_space("Which pairs does BPE merge?\n\nThe muddy bank of a river", chunks, vectors)
    png = base64.b64decode(re.search(r'base64,([A-Za-z0-9+/=]+)"', page).group(1))
    assert png.startswith(b"\x89PNG")
    items = re.findall(r"<li>(.*?)</li>", page)
    assert len(items) == 2 and "2 sentence(s)" in page
    assert "merges frequent pairs" in items[0] and "river bank was muddy" in items[1]
    with pytest.raises(ValueError, match="3 chunks and 4 vectors"):
        render_embedding_space("x", chunks[:3], vectors)


def test_widget_follows_the_text_box():
    from course_lib.embeddings import sentence_embeddings

    texts = ["Tokens are ids.", "Retrieval finds passages.", "Heads attend.", "Loss goes down."]
    chunks = [_Chunk(t, "book/intro.md") for t in texts]
    widget = embedding_space("Loss curves fall.", chunks, sentence_embeddings(texts), presets=["Heads look back."])
    assert "Loss curves fall." in widget._repr_mimebundle_()["text/html"]
    widget.children[0].value = "Ids are integers.\nPassages are found."
    page = widget._repr_mimebundle_()["text/html"]
    assert "2 sentence(s)" in page and "Ids are integers." in page and "Loss curves fall." not in page
