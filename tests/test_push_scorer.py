"""Push campaigns with the real index, embedder and rules: exactness, prefilter, cache, Ray.

The index is the API tests' session index (three sample documents: 山东 专精特新, 济南历城区
科技创新, 青岛 融资, built with the real pipeline and e5); members are synthetic (bench generator
over the shared reference tables).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from push_helpers import as_triples, write_members
from test_api_support import AS_OF, build_service_dir

from policymatch.errors import InputError
from policymatch.match import eligibility
from policymatch.match.batch import BatchScorer
from policymatch.match.columns import CATEGORICALS
from policymatch.match.features import profile_needs, region_relation
from policymatch.match.learned import first_stage, shipped_ranker
from policymatch.profile import normalize_profile, read_profiles
from policymatch.profile.models import EnterpriseProfile
from policymatch.push.campaign import _entry, run_campaign
from policymatch.push.models import CampaignOptions
from policymatch.push.profile_cache import ProfileCache
from policymatch.push.scoring import IndexScorerFactory
from policymatch.push.sources import open_source
from policymatch.push.targets import resolve_targets
from policymatch.push.topn import merge_top
from policymatch.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ["sa-001", "sa-002", "sb-007#2"]
ROWS = 160


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """(index dir, settings with a query cache of this module, members file)."""
    service = build_service_dir(tmp_path_factory.getbasetemp() / "policymatch-service")
    work = tmp_path_factory.mktemp("push-real")
    settings = Settings(data_dir=work / "data", index_dir=service / "index")
    members = write_members(work / "members.jsonl", ROWS, seed=23)
    return service / "index", settings, members


def _factory(world, **kwargs):
    index_dir, settings, _ = world
    return IndexScorerFactory(index_dir, settings, AS_OF, **kwargs)


@dataclass(frozen=True)
class LearnedScorerFactory:
    """Push with the shipped model's linear first stage (its raw weights bound; the trees
    that re-rank matches have no additive bound)."""

    index_dir: Path
    settings: Settings

    def __call__(self) -> BatchScorer:
        model = shipped_ranker()
        assert model is not None, "policymatch/match/data/ranker.json is shipped"
        return BatchScorer.load(
            self.index_dir, self.settings, as_of=AS_OF, ranker=first_stage(model)
        )


def _profiles(path: Path) -> list:
    profiles = []
    for line in path.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        try:
            if str(raw.get("id") or "").strip():
                profiles.append(normalize_profile(raw, as_of=AS_OF))
        except ValueError:
            continue
    return profiles


@pytest.mark.parametrize("ranker", ["hand", "learned"])
def test_campaign_equals_judging_every_pair_and_bounds_hold(world, tmp_path, ranker):
    factory = _factory(world) if ranker == "hand" else LearnedScorerFactory(*world[:2])
    scorer = factory()
    targets = resolve_targets(scorer.index, POLICIES, as_of=AS_OF)
    assert [t.policy_id for t in targets] == POLICIES
    assert len(targets[0].item_ids) > 1  # a document stands for its valid items
    options = CampaignOptions(top=12, chunk_size=45, as_of=AS_OF)
    result = run_campaign(
        open_source(world[2]), factory, targets, options, tmp_path / "lists.xlsx", scorer=scorer
    )
    profiles = _profiles(world[2])
    reference = factory()
    for target in targets:
        scores = reference.score(profiles, target.item_ids)
        entries = []
        for j, item_id in enumerate(target.item_ids):
            rows = np.flatnonzero(scores.possible[:, j])
            matches = reference.judge(
                item_id, [profiles[r] for r in rows], scores.relevance[rows, j]
            )
            for match, row in zip(matches, rows, strict=True):
                assert match.score <= scores.relevance[row, j]  # the bound the pruning relies on
                entry = _entry(match, profiles[row], options)
                if entry is not None:
                    entries.append(entry)
        expected = merge_top(entries, options.top)
        assert expected, target.policy_id
        assert as_triples(result.lists[target.policy_id]) == as_triples(expected)
        listed = result.lists[target.policy_id]
        assert all(e.verdict in ("推荐", "可能符合") for e in listed)
        assert all(e.reason for e in listed)
    # sb-007 is for 青岛: every listed enterprise is registered there, or where no 区划 says
    # (row 30 of the members, 火星市, is kept with its region unknown)
    cities = {e.city for e in result.lists["sb-007#2"]}
    assert "青岛市" in cities and cities <= {"青岛市", ""}


def test_fast_prefilter_agrees_with_the_rules_module(world):
    scorer = _factory(world)()
    profiles = _profiles(world[2]) + list(
        read_profiles(ROOT / "data/enterprises/sample_enterprises.jsonl")
    )
    item_ids = [item.id for item in scorer.index.items]
    scores = scorer.score(profiles, item_ids)
    for j, item_id in enumerate(item_ids):
        card = scorer.index.cards[item_id]
        expected = eligibility.prefilter(card, profiles, as_of=AS_OF)
        assert np.array_equal(scores.possible[:, j], expected), item_id
        # and every pair it rules out is 不符合 by the full rules
        for row in np.flatnonzero(~expected)[:5]:
            verdict = eligibility.check_eligibility(card, profiles[row], as_of=AS_OF).verdict
            assert verdict == "不符合"


def test_second_campaign_encodes_only_new_or_changed_profiles(world, tmp_path):
    index_dir, settings, members = world
    factory = IndexScorerFactory(index_dir, settings, AS_OF)
    scorer = factory()
    targets = resolve_targets(scorer.index, POLICIES, as_of=AS_OF)
    options = CampaignOptions(top=10, chunk_size=50, as_of=AS_OF)
    run_campaign(open_source(members), factory, targets, options, tmp_path / "a", scorer=scorer)

    lines = members.read_text(encoding="utf-8").splitlines()
    changed = []
    for position in (40, 41, 42):
        record = json.loads(lines[position])
        record["needs"] = [*record["needs"], "申请首台套保险补偿"]
        lines[position] = json.dumps(record, ensure_ascii=False)
        changed.append(record["id"])
    new = json.loads(lines[50])
    new["id"], new["name"] = "m9999999", "青岛新设海洋装备科技有限公司"
    new["description"] = "新设立的海洋装备研发企业"
    lines.append(json.dumps(new, ensure_ascii=False))
    updated = tmp_path / "members-updated.jsonl"
    updated.write_text("\n".join(lines) + "\n", encoding="utf-8")

    second = factory()  # a new process would open the same cache the same way
    run_campaign(open_source(updated), factory, targets, options, tmp_path / "b", scorer=second)
    assert second.embedder.stats.encoded == 4  # three changed, one new
    assert second.embedder.stats.hits >= ROWS - 3 - 4  # every other profile read from the cache


def test_warm_campaign_scores_cached_columns_and_gives_the_uncached_output(world, tmp_path):
    factory = _factory(world)
    targets = resolve_targets(factory().index, POLICIES, as_of=AS_OF)
    options = CampaignOptions(top=12, chunk_size=45, as_of=AS_OF)
    cache_dir = tmp_path / "profiles"
    runs, scorers = {}, {}
    for name, cache in (("plain", None), ("cold", cache_dir), ("warm", cache_dir)):
        scorer = scorers[name] = factory()
        runs[name] = run_campaign(
            open_source(world[2]),
            factory,
            targets,
            options,
            tmp_path / name,
            scorer=scorer,
            profile_cache_dir=cache,
        )
    files = ["sa-001.csv", "sa-002.csv", "sb-007#2.csv", "errors.csv"]
    for name in files:
        plain = (tmp_path / "plain" / name).read_bytes()
        assert (tmp_path / "cold" / name).read_bytes() == plain, name
        assert (tmp_path / "warm" / name).read_bytes() == plain, name
    for key in ("read", "scored", "skipped", "judged", "prefilter_passed"):
        assert getattr(runs["warm"].counters, key) == getattr(runs["plain"].counters, key), key
    # the warm run read every vector from the column cache: the embedder was not asked at all
    warm_stats = scorers["warm"].embedder.stats
    assert warm_stats.hits == warm_stats.encoded == 0
    assert scorers["cold"].embedder.stats.hits + scorers["cold"].embedder.stats.encoded


def test_cached_columns_equal_the_columns_of_the_profiles(world, tmp_path):
    scorer = _factory(world)()
    profiles = _profiles(world[2]) + list(
        read_profiles(ROOT / "data/enterprises/sample_enterprises.jsonl")
    )
    direct = scorer.columns_of(profiles)
    cache = ProfileCache(tmp_path)
    packed = cache.pack_columns(direct)
    cache.close()
    reopened = ProfileCache(tmp_path)  # ids of values come back from the vocab table
    read = reopened.unpack_columns([p.id for p in profiles], packed)
    assert list(read.ids) == [p.id for p in profiles]
    for name in CATEGORICALS:
        assert [read.values[name][c] for c in read.codes[name]] == [
            direct.values[name][c] for c in direct.codes[name]
        ], name
    for name, values in direct.numbers.items():
        assert np.array_equal(read.numbers[name], values, equal_nan=True), name
    assert np.array_equal(read.vectors, direct.vectors)
    assert np.array_equal(read.low, direct.low) and np.array_equal(read.high, direct.high)
    # ages follow the scorer's day, from the founding day where known
    ages = read.numeric("age_years", AS_OF)
    founded = [p for p in profiles if p.founded]
    assert founded and ages[profiles.index(founded[0])] == pytest.approx(
        (AS_OF - founded[0].founded).days / 365.25
    )
    assert np.isnan(read.numeric("founded", AS_OF)).all()  # not a number the rules compare
    reopened.close()


def test_ray_engine_gives_the_single_process_output(world, tmp_path):
    pytest.importorskip("ray", reason="Ray Data not installed: pip install 'policymatch[ray]'")
    factory = _factory(world)
    scorer = factory()
    targets = resolve_targets(scorer.index, POLICIES, as_of=AS_OF)
    options = CampaignOptions(top=15, chunk_size=40, as_of=AS_OF)
    source = open_source(world[2])
    cache_dir = tmp_path / "profiles"  # filled by the local run, read by the actors
    local = run_campaign(
        source,
        factory,
        targets,
        options,
        tmp_path / "local",
        scorer=scorer,
        profile_cache_dir=cache_dir,
    )
    on_ray = run_campaign(
        source,
        factory,
        targets,
        options,
        tmp_path / "ray",
        engine="ray",
        ray_actors=2,
        scorer=scorer,
        profile_cache_dir=cache_dir,
    )
    for target in targets:
        assert as_triples(on_ray.lists[target.policy_id]) == as_triples(
            local.lists[target.policy_id]
        )
    for name in ("sa-001.csv", "sa-002.csv", "sb-007#2.csv", "errors.csv"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    assert on_ray.counters.read == local.counters.read == ROWS


def test_cached_region_relation_is_the_features_region_relation(world):
    scorer = _factory(world)()
    profiles = _profiles(world[2]) + list(
        read_profiles(ROOT / "data/enterprises/sample_enterprises.jsonl")
    )
    # every member's 区划, the provinces and cities above them, a nationwide and a broken code
    codes = {p.region_code for p in profiles} | {None, "", "000000", "12345", "990000"}
    codes |= {c[:2] + "0000" for c in list(codes) if c} | {c[:4] + "00" for c in list(codes) if c}
    seen = set()
    cards = list(scorer.index.cards.values())
    cards.append(cards[0].model_copy(update={"region_codes": ["000000"]}))  # nationwide
    for card in cards:
        for code in codes:
            attributes = EnterpriseProfile.model_construct(id="", region_code=code)
            expected = region_relation(card, attributes)
            assert scorer.masks.region_relation(card.region_codes, code) == expected, (
                card.item_id,
                code,
            )
            seen.add(expected)
    assert seen == {"same", "contained", "national", "outside", "unknown"}


def test_need_matcher_finds_the_needs_the_taxonomy_finds(world):
    scorer = _factory(world)()
    profiles = _profiles(world[2]) + list(
        read_profiles(ROOT / "data/enterprises/sample_enterprises.jsonl")
    )
    for profile in profiles:
        text = "\n".join([*profile.needs, profile.description])
        assert scorer.needs_matcher.needs(text) == profile_needs(profile, scorer.taxonomy)
    assert any(profile_needs(p, scorer.taxonomy) for p in profiles)


def test_policy_filters_resolve_to_valid_items(world):
    index = _factory(world)().index
    issued = resolve_targets(index, issued_since=dt.date(2024, 1, 1), as_of=AS_OF)
    assert [t.policy_id for t in issued] == ["sa-001", "sb-007"]  # sa-002 is from 2023
    every = resolve_targets(index, all_valid=True, as_of=AS_OF)
    assert [t.policy_id for t in every] == ["sa-001", "sa-002", "sb-007"]
    assert all(
        index.cards[i].is_support_measure and not index.cards[i].expired(AS_OF)
        for t in every
        for i in t.item_ids
    )
    # after sa-002's validity (2026-06-30) its items are no longer pushed
    later = resolve_targets(index, all_valid=True, as_of=dt.date(2026, 9, 1))
    assert "sa-002" not in [t.policy_id for t in later]
    with pytest.raises(InputError, match="sa-002"):
        resolve_targets(index, ["sa-002"], as_of=dt.date(2026, 9, 1))
    with pytest.raises(InputError, match="nope"):
        resolve_targets(index, doc_ids=["nope"], as_of=AS_OF)


def test_the_bound_counts_every_check_the_rules_can_make():
    """The push bound adds the most a card's checks can add; the sample corpus's cards (sector
    exclusions, named kinds and industries, conditions) never make more checks than it counts."""
    from policymatch.corpus.metadata import build_document
    from policymatch.corpus.models import RawRecord
    from policymatch.corpus.split import split_document
    from policymatch.match.batch import _max_checks
    from policymatch.translate import translate_items

    profiles = list(read_profiles(ROOT / "data/enterprises/sample_enterprises.jsonl"))
    profiles.append(
        normalize_profile(
            {
                "id": "trade",
                "name": "某贸易有限公司",
                "region": "山东省济南市",
                "industry_code": "51",
            }
        )
    )
    cards = []
    for path in sorted((ROOT / "data/policies").glob("sample_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            doc = build_document(RawRecord(**json.loads(line)))
            cards += translate_items(split_document(doc), doc)
    assert any(card.excluded_industries for card in cards)
    for card in cards:
        most = max(
            len(eligibility.check_eligibility(card, p, as_of=AS_OF).checks) for p in profiles
        )
        assert most <= _max_checks(card), card.item_id
