"""The request fast path of ``Matcher.match`` ranks exactly as judging every candidate would.

``match`` skips pair features for unwanted verdicts and, when 不符合 is unwanted, skips items
whose region rules out the enterprise (a per-region memo of the pre-filter). These tests
compare it with two plain rankings of the same corpus: every item judged and ranked with all
verdicts kept, then filtered; and a matcher with no pre-filter (an explicit rules function).
"""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from test_matcher_corpus import build_corpus, build_profiles

from policymatch.embed import CachedEmbedder
from policymatch.embed.e5 import E5Embedder
from policymatch.match.eligibility import check_eligibility
from policymatch.match.features import item_features, retrieval_feature_columns
from policymatch.match.learned import (
    LinearRanker,
    first_stage,
    linear_weights,
    shipped_ranker,
)
from policymatch.match.matcher import MatchConfig, Matcher
from policymatch.match.results import MatchResults
from policymatch.profile import normalize_profile
from policymatch.settings import Settings

ALL_VERDICTS = ("推荐", "可能符合", "不符合")


@pytest.fixture(scope="module")
def corpus():
    return build_corpus()


@pytest.fixture(scope="module")
def embedder(tmp_path_factory) -> CachedEmbedder:
    return CachedEmbedder(E5Embedder(), tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def profiles():
    """The corpus's three enterprises, one with no region, and one far from every policy."""
    extra = [
        {"id": "no-region", "name": "某科技有限公司", "needs": ["高新技术企业认定奖励"]},
        {
            "id": "gz-far",
            "name": "广州市某贸易有限公司",
            "region": "广东省广州市天河区",
            "needs": ["出口信用保险保费补贴", "人才补贴"],
            "employees": 30,
        },
    ]
    return [*build_profiles(), *(normalize_profile(p) for p in extra)]


def _every_candidate(corpus, embedder) -> Matcher:
    return Matcher.build(
        corpus.documents,
        corpus.items,
        corpus.cards,
        embedder,
        config=MatchConfig(candidates=None),
    )


def _shape(results: MatchResults) -> list[tuple]:
    return [
        (m.item_id, m.score, m.verdict, [c.model_dump() for c in m.checks], m.explanations)
        for m in results.matches
    ]


@pytest.mark.parametrize("as_of", [dt.date(2024, 6, 1), dt.date(2031, 1, 1)])
@pytest.mark.parametrize("verdicts", [None, ("推荐",), ("可能符合", "不符合"), ALL_VERDICTS])
def test_fast_path_equals_judging_every_item(corpus, embedder, profiles, as_of, verdicts):
    matcher = _every_candidate(corpus, embedder)
    wanted = set(verdicts or ("推荐", "可能符合"))
    every = len(corpus.items)
    for profile in profiles:
        judged = matcher.match(profile, k=every, as_of=as_of, verdicts=ALL_VERDICTS)
        expected = [m for m in judged.matches if m.verdict in wanted]
        for k in (1, 3, every):
            fast = matcher.match(profile, k=k, as_of=as_of, verdicts=verdicts)
            assert _shape(fast) == _shape(MatchResults(query_id=profile.id, matches=expected[:k]))


def test_region_memo_agrees_with_no_prefilter(corpus, embedder, profiles):
    fast = Matcher.build(corpus.documents, corpus.items, corpus.cards, embedder)
    plain = Matcher(fast.index, embedder, eligibility=check_eligibility)
    as_of = dt.date(2024, 6, 1)
    for _ in range(2):  # the second round reads the memo the first one filled
        for profile in profiles:
            assert _shape(fast.match(profile, k=5, as_of=as_of)) == _shape(
                plain.match(profile, k=5, as_of=as_of)
            )
    far = next(p for p in profiles if p.id == "gz-far")
    results = fast.match(far, k=5, as_of=as_of, verdicts=ALL_VERDICTS)
    # the memo rules out the regional items for 广州, the nationwide one stays possible
    assert {m.verdict for m in results.matches if not m.item_id.startswith("gj")} == {"不符合"}


def test_candidates_are_judged_in_the_rankers_order_before_the_rules(corpus, embedder, profiles):
    """``full`` judges first the items the shipped trees' linear first stage puts first: each
    item's candidate score is exactly its weighted sum of the features known before the rules
    run (retrieval and the item's own), as :func:`pair_features` computes them for the pair."""
    matcher = _every_candidate(corpus, embedder)
    weight, _ = linear_weights(first_stage(matcher.ranker))
    as_of = dt.date(2024, 6, 1)
    for profile in profiles:
        retrieved = matcher._retrieve([profile], "full")
        before_rules = matcher._candidate_scores(0, retrieved)
        assert before_rules.shape == (len(corpus.items),)
        for position, item in enumerate(corpus.items):
            card = corpus.cards[position]
            assert card.item_id == item.id
            eligibility = check_eligibility(card, profile, as_of=as_of)
            pair = matcher._pair_with(profile, 0, position, retrieved, eligibility, as_of)
            known = set(item_features(card)) | set(
                retrieval_feature_columns(
                    retrieved.relevance01[0], retrieved.dense[0], retrieved.bm25[0], {}
                )
            )
            expected = sum(weight[name] * pair.features[name] for name in known)
            assert before_rules[position] == pytest.approx(expected, abs=1e-6)  # float32 scores


def test_match_candidates_setting_sets_how_many_items_full_judges(corpus, embedder):
    def built(settings: Settings) -> Matcher:
        return Matcher.build(
            corpus.documents, corpus.items, corpus.cards, embedder, settings=settings
        )

    assert built(Settings(match_candidates=40)).config.candidates == 40
    assert built(Settings()).config.candidates == MatchConfig().candidates
    with pytest.raises(ValidationError, match="match_candidates"):
        Settings(match_candidates=3)


def test_only_the_views_the_ranker_weighs_are_embedded_and_rankings_do_not_change(
    corpus, embedder, profiles
):
    """A linear model that gives the description view no weight (the shipped first stage with
    those weights zeroed): a profile's description is embedded only inside its joint query,
    and the ranking is what embedding every view gives."""
    shipped = first_stage(shipped_ranker())
    unread = {"dense_description", "dense_views_max"}
    linear = LinearRanker(
        shipped.names,
        shipped.means,
        shipped.scales,
        [
            0.0 if n in unread else c
            for n, c in zip(shipped.names, shipped.coefficients, strict=True)
        ],
        shipped.intercept,
    )
    weight, _ = linear_weights(linear)
    assert weight["dense_description"] == 0 and weight["dense_views_max"] == 0

    def built(views: str, ranker=linear) -> Matcher:
        return Matcher.build(
            corpus.documents,
            corpus.items,
            corpus.cards,
            embedder,
            ranker=ranker,
            config=MatchConfig(candidates=None, views=views),
        )

    used, every = built(MatchConfig().views), built("all")
    trees = built(MatchConfig().views, shipped_ranker())  # they embed what any split reads
    reads_description = "dense_description" in trees.ranker.used_features()
    assert all(
        (p.description in trees.query_texts(p)) == reads_description
        for p in profiles
        if p.description
    )
    described = [p for p in profiles if p.description]
    assert described
    for profile in described:
        assert profile.description not in used.query_texts(profile)
        assert profile.description in every.query_texts(profile)
        assert len(used.query_texts(profile)) < len(every.query_texts(profile))
    as_of, k = dt.date(2024, 6, 1), len(corpus.items)
    for profile in profiles:
        fast = used.match(profile, k=k, as_of=as_of, verdicts=ALL_VERDICTS)
        full = every.match(profile, k=k, as_of=as_of, verdicts=ALL_VERDICTS)
        assert [(m.item_id, m.score, m.verdict) for m in fast.matches] == [
            (m.item_id, m.score, m.verdict) for m in full.matches
        ]
