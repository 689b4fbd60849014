"""Region is a hard rule under the learned ranker: over the whole item-level sets (the sample
corpus's items, and the dev set's items with its real documents), no top 10 of ``full`` holds an
item whose region does not cover the enterprise's, and no 不符合 item ranks above an eligible
one when 不符合 items are asked for too."""

from __future__ import annotations

import pytest

from policymatch.evaluation.devset import load_builtin_dataset
from policymatch.evaluation.ranker import build_ranker
from policymatch.evaluation.runner import prepare_corpus
from policymatch.match.learned import TreeRanker
from policymatch.reference import regions
from policymatch.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["items", "dev_items"])
def setting(request):
    dataset = load_builtin_dataset(request.param)
    corpus = prepare_corpus(dataset.records)
    matcher = build_ranker(corpus, Settings())
    return dataset, matcher


def _outside(card, profile) -> bool:
    """The enterprise's region is known and lies in none of the item's regions, or in a place
    the item leaves out (read here from the reference table, not from the matcher's features)."""
    codes = [c for c in card.region_codes if not regions.is_nationwide(c)]
    own = profile.region_code
    if not codes or not own:
        return False
    if any(regions.contains(code, own) for code in card.excluded_region_codes):
        return True
    return not any(regions.contains(code, own) or regions.contains(own, code) for code in codes)


def test_full_uses_the_learned_ranker_and_never_lists_a_wrong_region(setting):
    dataset, matcher = setting
    assert isinstance(matcher.ranker, TreeRanker)
    results = matcher.rank(dataset.profiles, "full", 10, ignore_validity=True)
    assert len(results) == len(dataset.profiles) == 62
    assert len(matcher.index) >= len(dataset.records)
    wrong = [
        (result.query_id, match.item_id)
        for result, profile in zip(results, dataset.profiles, strict=True)
        for match in result.matches
        if _outside(matcher.index.cards[match.item_id], profile)
    ]
    assert wrong == []
    assert sum(len(r.matches) for r in results) >= 10 * 55  # most enterprises get a full list


def test_ineligible_items_always_rank_below_eligible_ones(setting):
    dataset, matcher = setting
    profiles = dataset.profiles[:12]
    results = matcher.rank(
        profiles,
        "full",
        len(matcher.index),
        ignore_validity=True,
        verdicts=("推荐", "可能符合", "不符合"),
    )
    outscored = 0  # 不符合 pairs the ranker alone would have put above an eligible one
    for result in results:
        verdicts = [m.verdict for m in result.matches]
        first = verdicts.index("不符合")
        assert all(v == "不符合" for v in verdicts[first:]), result.query_id
        lowest_eligible = min(m.score for m in result.matches[:first])
        outscored += sum(m.score > lowest_eligible for m in result.matches[first:])
    assert outscored > 0  # the rule, not the score, keeps them down
