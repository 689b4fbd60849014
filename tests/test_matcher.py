"""The Matcher on a small realistic corpus: right item first, region and rule filters, reasons."""

from __future__ import annotations

import pytest
from test_matcher_corpus import build_corpus, build_profiles

from policymatch.embed import CachedEmbedder
from policymatch.embed.e5 import E5Embedder
from policymatch.match.matcher import METHODS, Matcher

SHANDONG_DOCS = {"lc-zz", "qd-wm"}


@pytest.fixture(scope="module")
def embedder(tmp_path_factory) -> CachedEmbedder:
    return CachedEmbedder(E5Embedder(), tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def matcher(embedder) -> Matcher:
    corpus = build_corpus()
    return Matcher.build(corpus.documents, corpus.items, corpus.cards, embedder)


@pytest.fixture(scope="module")
def profiles():
    return {p.id: p for p in build_profiles()}


def test_the_item_an_enterprise_asks_for_comes_first(matcher, profiles):
    results = matcher.match_many(list(profiles.values()), k=3)
    firsts = {r.query_id: r.matches[0].item_id for r in results}
    assert firsts == {"jn-jx": "lc-zz#0", "hz-rj": "xh-rc#0", "qd-my": "qd-wm#0"}


def test_match_is_match_many_of_one(matcher, profiles):
    single = matcher.match(profiles["qd-my"], k=5)
    batch = matcher.match_many([profiles["hz-rj"], profiles["qd-my"]], k=5)[1]
    assert [m.item_id for m in single.matches] == [m.item_id for m in batch.matches]
    # a batch of queries goes through other float roundings than a single one
    assert [m.score for m in single.matches] == pytest.approx(
        [m.score for m in batch.matches], rel=1e-4
    )


def test_items_of_other_regions_are_left_out(matcher, profiles):
    results = matcher.match(profiles["hz-rj"], k=8)
    assert results.matches
    assert not {m.doc_id for m in results.matches} & SHANDONG_DOCS
    assert all(m.verdict in ("推荐", "可能符合") for m in results.matches)


def test_ineligible_items_never_outrank_eligible_ones(matcher, profiles):
    for profile in profiles.values():
        matches = matcher.match(profile, k=8, verdicts=("推荐", "可能符合", "不符合")).matches
        assert len(matches) == 8
        verdicts = [m.verdict for m in matches]
        assert "不符合" in verdicts
        first_ineligible = verdicts.index("不符合")
        assert set(verdicts[first_ineligible:]) == {"不符合"}
        for match in matches[first_ineligible:]:
            assert any(c.status == "unmet" and c.hard for c in match.checks)


def test_only_the_verdicts_asked_for(matcher, profiles):
    matches = matcher.match(profiles["hz-rj"], k=8, verdicts=("不符合",)).matches
    assert matches and {m.verdict for m in matches} == {"不符合"}
    # the other regions' documents, and the guarantee-fee subsidy paid to guarantee agencies
    assert {m.doc_id for m in matches} == SHANDONG_DOCS | {"gj-rz"}


def test_matches_carry_reasons(matcher, profiles):
    top = matcher.match(profiles["qd-my"], k=1).matches[0]
    assert top.summary and top.title.startswith("青岛市支持外贸企业")
    assert "出口" in top.highlights or "信用" in top.highlights
    assert any("出口" in line for line in top.highlights[:1])  # the matching sentence
    assert any("覆盖" in line for line in top.explanations)  # region covers the enterprise
    assert {"relevance", "dense", "bm25", "need_fit", "unmet_hard"} <= top.features.keys()
    assert any(c.status == "met" for c in top.checks)


def test_group_by_document_keeps_one_item_per_document(matcher, profiles):
    matches = matcher.match(profiles["jn-jx"], k=8, group_by_document=True).matches
    doc_ids = [m.doc_id for m in matches]
    assert len(doc_ids) == len(set(doc_ids)) >= 2


@pytest.mark.parametrize("method", METHODS)
def test_every_method_ranks_the_asked_item_high(matcher, profiles, method):
    results = matcher.rank([profiles["qd-my"], profiles["hz-rj"]], method, k=8)
    ranked = [[m.item_id for m in r.matches] for r in results]
    assert ranked[0][:2].count("qd-wm#0") == 1
    assert "xh-rc#0" in ranked[1][:2]
    if method != "full":  # single retrievers and fusions rank every item, eligible or not
        assert all(len(r) == 8 for r in ranked)
        scores = [m.score for m in results[0].matches]
        assert scores == sorted(scores, reverse=True)


def test_unknown_method_and_bad_k(matcher, profiles):
    with pytest.raises(ValueError, match="unknown method 'bm26'"):
        matcher.rank([profiles["qd-my"]], "bm26", k=3)
    with pytest.raises(ValueError, match="k must be at least 1"):
        matcher.match(profiles["qd-my"], k=0)


def test_enterprises_for_an_item_put_the_fitting_one_first(matcher, profiles):
    pool = list(profiles.values())
    results = matcher.enterprises_for("xh-rc#0", pool, k=10)
    assert results.query_id == "xh-rc#0"
    assert [m.enterprise_id for m in results.matches] == ["hz-rj"]  # the others are elsewhere

    national = matcher.enterprises_for("gj-rz#0", pool, k=10)
    assert len(national.matches) >= 2

    everyone = matcher.enterprises_for(
        "xh-rc#0", pool, k=10, verdicts=("推荐", "可能符合", "不符合")
    )
    assert [m.enterprise_id for m in everyone.matches][0] == "hz-rj"
    assert {m.verdict for m in everyone.matches[1:]} == {"不符合"}


def test_both_directions_give_a_pair_the_same_score(matcher, profiles):
    forward = {m.item_id: m.score for m in matcher.match(profiles["jn-jx"], k=8).matches}
    push = matcher.enterprises_for("lc-zz#0", list(profiles.values()), k=10)
    backward = {m.enterprise_id: m.score for m in push.matches}
    assert backward["jn-jx"] == pytest.approx(forward["lc-zz#0"])


def test_enterprises_come_from_the_store_when_none_are_given(matcher, profiles, policy_store):
    policy_store.upsert_enterprises(profiles.values())
    stored = Matcher(matcher.index, matcher.embedder, store=policy_store)
    results = stored.enterprises_for("qd-wm#0", k=5)
    assert [m.enterprise_id for m in results.matches] == ["qd-my"]


def test_saved_index_loads_into_an_equal_matcher(matcher, embedder, profiles, tmp_path):
    matcher.save(tmp_path / "index")
    loaded = Matcher.load(tmp_path / "index", embedder=embedder)
    assert len(loaded) == len(matcher) == 8
    profile = profiles["jn-jx"]
    assert [(m.item_id, round(m.score, 6)) for m in loaded.match(profile).matches] == [
        (m.item_id, round(m.score, 6)) for m in matcher.match(profile).matches
    ]


def test_matcher_follows_documents_added_to_its_index(embedder, profiles):
    corpus = build_corpus()
    first = corpus.subset({"lc-zz", "gj-rz"})
    matcher = Matcher.build(first.documents, first.items, first.cards, embedder)
    assert matcher.match(profiles["hz-rj"], k=3).matches[0].doc_id == "gj-rz"
    added = corpus.subset({"xh-rc"})
    matcher.index.add_documents(added.documents, added.items, added.cards, embedder)
    assert matcher.match(profiles["hz-rj"], k=3).matches[0].item_id == "xh-rc#0"
    matcher.index.remove_documents({"xh-rc"})
    assert "xh-rc" not in {m.doc_id for m in matcher.match(profiles["hz-rj"], k=8).matches}
