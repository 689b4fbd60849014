"""Features of one (enterprise, item) pair: the single place matching, push and evaluation read.

Every feature is a float, named in :data:`FEATURE_NAMES`; a ranker (hand-weighted today,
learned later) turns a row of them into a score. Retrieval scores arrive already computed
(dense cosine, BM25 normalised over the corpus); the rest is read from the card, the profile and
the eligibility checks.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np

from policymatch.match.needs import NeedTaxonomy
from policymatch.match.results import Eligibility
from policymatch.profile.models import EnterpriseProfile
from policymatch.reference import qualifications, regions
from policymatch.translate.models import PolicyCard

RegionRelation = Literal["same", "contained", "national", "outside", "unknown"]

FEATURE_NAMES: tuple[str, ...] = (
    "relevance",  # fused retrieval score of the method, in [0, 1]
    "dense",  # cosine similarity of query and passage
    "bm25",  # BM25 min-max normalised over the corpus for this query, [0, 1]
    "region_same",  # the item's region is the enterprise's own 区划
    "region_contained",  # the enterprise lies inside the item's region (a district in a province)
    "region_national",  # the item applies nationwide
    "region_outside",  # the enterprise is outside every region of the item
    "region_unknown",  # the enterprise's region is unknown, or coarser than the item's
    "beneficiary_fit",  # +1 holds a named beneficiary kind, 0 none named, -1 holds none
    "qualification_fit",  # share of the enterprise's qualifications the item's text names
    "industry_fit",  # +1 the item names the enterprise's industry, 0 no industry named, -1 other
    "need_fit",  # share of the enterprise's needs the item serves (need taxonomy)
    "met",  # conditions met
    "unmet_hard",  # hard conditions not met
    "unmet_soft",  # soft conditions not met
    "unknown",  # conditions the profile holds no data for
    "is_support_measure",  # 1 for something to apply for, 0 for plans and notices
    "amount_log",  # log10(1 + largest amount in 万元)
    "expired",  # 1 when the item's validity or application window ended before as_of
    # --- added for the learned ranker (issue 8); the names above stay for the push bound
    "dense_needs",  # cosine of the stated needs alone to the passage, min-max over the corpus
    "dense_description",  # the same for the description
    "dense_scope",  # the same for the business scope (经营范围)
    "dense_views_max",  # the best of the views above and the joint query, min-max
    "dense_need_best",  # each stated need embedded alone: the best one's min-max similarity
    "beneficiary_met",  # the item names specific kinds and the checks show the firm is one
    "beneficiary_unknown",  # the item names specific kinds and the profile cannot tell
    "beneficiary_generic",  # the item names no kind, or only 企业/市场主体 (anyone may apply)
    "qualification_required",  # the item requires a qualification the firm holds
    "award_held",  # the item rewards winning a title the firm already holds (little left to gain)
    "award_new",  # the item rewards winning a title the firm does not hold yet
    "need_count",  # how many of the firm's need categories the item serves (capped at 3)
    "need_primary",  # the item serves the firm's first stated need
    "need_other",  # the firm states needs; the item serves only other ones
    "unknown_share",  # unknown checks / all checks, [0, 1]
)

# Features by what they read, for ablation (each group removed and the ranker retrained).
FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "text": ("relevance", "dense", "bm25"),
    "views": (
        "dense_needs",
        "dense_description",
        "dense_scope",
        "dense_views_max",
        "dense_need_best",
    ),
    "region": (
        "region_same",
        "region_contained",
        "region_national",
        "region_outside",
        "region_unknown",
    ),
    "kind": (
        "beneficiary_fit",
        "qualification_fit",
        "beneficiary_met",
        "beneficiary_unknown",
        "beneficiary_generic",
        "qualification_required",
        "award_held",
        "award_new",
    ),
    "industry": ("industry_fit",),
    "need": ("need_fit", "need_count", "need_primary", "need_other"),
    "conditions": ("met", "unmet_hard", "unmet_soft", "unknown", "unknown_share"),
    "measure": ("is_support_measure", "amount_log", "expired"),
}
# Profile texts embedded apart, each giving a ``dense_<view>`` feature.
PROFILE_VIEWS: tuple[str, ...] = ("needs", "description", "scope")
# View name of the best single stated need (each need embedded alone).
NEED_BEST = "need_best"
_NEED_COUNT_CAP = 3
_GENERIC_KINDS = frozenset({"企业", "各类企业", "市场主体", "企事业单位", "各类市场主体"})

# GB/T 4754-2017: the 门类 letter of each 大类 (two-digit division), by ranges of divisions.
_SECTION_OF_DIVISIONS = (
    ("A", 1, 5),
    ("B", 6, 12),
    ("C", 13, 43),
    ("D", 44, 46),
    ("E", 47, 50),
    ("F", 51, 52),
    ("G", 53, 60),
    ("H", 61, 62),
    ("I", 63, 65),
    ("J", 66, 69),
    ("K", 70, 70),
    ("L", 71, 72),
    ("M", 73, 75),
    ("N", 76, 79),
    ("O", 80, 82),
    ("P", 83, 83),
    ("Q", 84, 85),
    ("R", 86, 90),
    ("S", 91, 96),
    ("T", 97, 97),
)
# Beneficiary kinds an enterprise belongs to by its size class alone.
_KINDS_OF_SIZE: dict[str, frozenset[str]] = {
    "微": frozenset({"小微企业", "中小企业", "微型企业", "小型微利企业"}),
    "小": frozenset({"小微企业", "中小企业", "小型企业", "小型微利企业"}),
    "中": frozenset({"中小企业", "中型企业"}),
    "大": frozenset({"大型企业"}),
}


def region_relation(card: PolicyCard, profile: EnterpriseProfile) -> RegionRelation:
    """How the enterprise's 区划 stands to the item's regions.

    ``same`` the item names the enterprise's own region; ``contained`` the enterprise lies inside
    an item region; ``national`` the item names no region; ``outside`` the enterprise is in none of
    them; ``unknown`` the enterprise's region is unknown or coarser than the item's.
    """
    codes = [c for c in card.region_codes if not regions.is_nationwide(c)]
    if not codes:
        return "national"
    own = profile.region_code
    if not own:
        return "unknown"
    if any(regions.contains(code, own) for code in card.excluded_region_codes):
        return "outside"
    if own in codes:
        return "same"
    if any(regions.contains(code, own) for code in codes):
        return "contained"
    if any(regions.contains(own, code) for code in codes):
        return "unknown"  # enterprise known only as 山东省, item for 济南市: cannot tell
    return "outside"


def industry_section(code: str | None) -> str | None:
    """The GB/T 4754 门类 letter of a code (``"3911"`` -> ``"C"``, ``"C"`` -> ``"C"``)."""
    if not code:
        return None
    code = code.strip().upper()
    if code[:1].isalpha():
        return code[:1]
    if len(code) < 2 or not code[:2].isdigit():
        return None
    division = int(code[:2])
    return next((s for s, low, high in _SECTION_OF_DIVISIONS if low <= division <= high), None)


def industry_fit(card: PolicyCard, profile: EnterpriseProfile) -> float:
    """+1 when an industry of the item covers the enterprise's (its registered code or one its
    scope names), -1 when none does, 0 when the item names no industry or the enterprise's is
    unknown."""
    if not card.industries or not profile.industry_code:
        return 0.0
    own_section = industry_section(profile.industry_code.strip().upper())
    for own in (profile.industry_code, *profile.business_industry_codes):
        own = own.strip().upper()
        for code in card.industries:
            code = code.strip().upper()
            if code[:1].isalpha():
                if code[:1] == own_section:
                    return 1.0
            elif own.startswith(code) or code.startswith(own):
                return 1.0
    return -1.0


def enterprise_kinds(profile: EnterpriseProfile) -> set[str]:
    """Beneficiary kinds the enterprise is: its qualifications plus what its size implies."""
    kinds = set(profile.qualifications)
    if profile.size_class:
        kinds |= _KINDS_OF_SIZE.get(profile.size_class, frozenset())
    return kinds


def beneficiary_fit(card: PolicyCard, profile: EnterpriseProfile) -> float:
    """+1 the enterprise is one of the item's named beneficiary kinds, -1 it is none of them,
    0 the item names none."""
    if not card.beneficiaries:
        return 0.0
    return 1.0 if enterprise_kinds(profile) & set(card.beneficiaries) else -1.0


def qualification_fit(item_text: str, profile: EnterpriseProfile) -> float:
    """Share of the enterprise's qualifications that the item's text mentions, in [0, 1]."""
    if not profile.qualifications:
        return 0.0
    named = sum(1 for q in profile.qualifications if q and q in item_text)
    return named / len(profile.qualifications)


def profile_needs(profile: EnterpriseProfile, taxonomy: NeedTaxonomy) -> set[str]:
    """Need categories the enterprise's own words express (needs first, then description)."""
    return taxonomy.enterprise_needs("\n".join([*profile.needs, profile.description]))


def primary_need(profile: EnterpriseProfile, taxonomy: NeedTaxonomy) -> set[str]:
    """Need categories of the first stated need that maps to any (empty when none does).

    Enterprises list their most pressing need first (the intake form asks in that order).
    """
    for need in profile.needs:
        found = taxonomy.enterprise_needs(need)
        if found:
            return found
    return set()


def profile_view_texts(profile: EnterpriseProfile) -> dict[str, str]:
    """The texts of :data:`PROFILE_VIEWS` (blank when the profile has none)."""
    return {
        "needs": "；".join(n for n in profile.needs if n),
        "description": profile.description or "",
        "scope": profile.scope or "",
    }


def kind_features(
    card: PolicyCard, profile: EnterpriseProfile, eligibility: Eligibility | None
) -> dict[str, float]:
    """Who the item is for against who the firm is, read from the card and the checks.

    The eligibility checks decide met/unknown (they know size standards, 初创 by age, 外贸 by
    scope, 个体工商户 by name); this adds what the checks cannot say: whether the item is for
    anyone at all, and whether a title the item rewards is one the firm already holds
    (对首次认定为高新技术企业的给予奖励 does little for a firm recognised years ago).
    """
    specific = [k for k in card.beneficiaries if k not in _GENERIC_KINDS]
    checks = eligibility.checks if eligibility else []
    kind_checks = [c for c in checks if c.kind == "beneficiary"]
    held = qualifications.expand(profile.qualifications)
    awards = [
        name
        for c in card.conditions
        if c.kind in ("qualification", "beneficiary") and c.role == "award"
        for name in _names(c.value)
    ]
    required = [
        name
        for c in card.conditions
        if c.kind == "qualification" and c.role != "award"
        for name in _names(c.value)
    ]
    return {
        "beneficiary_met": float(bool(specific) and any(c.status == "met" for c in kind_checks)),
        "beneficiary_unknown": float(
            bool(specific) and any(c.status == "unknown" for c in kind_checks)
        ),
        "beneficiary_generic": float(not specific),
        "qualification_required": float(any(_canonical(n) in held for n in required)),
        "award_held": float(any(_canonical(n) in held for n in awards)),
        "award_new": float(bool(awards) and not any(_canonical(n) in held for n in awards)),
    }


def _names(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)] if value not in (None, "") else []


def _canonical(name: str) -> str:
    return qualifications.canonical_qualification(name) or name


def item_offers(card: PolicyCard, item_text: str, taxonomy: NeedTaxonomy) -> set[str]:
    """Need categories an item serves, from its support types and its wording."""
    return taxonomy.item_offers(item_text, card.support_types)


def need_fit(needs: set[str], offers: set[str]) -> float:
    """Share of the enterprise's need categories the item serves; 0 when it states none."""
    if not needs:
        return 0.0
    return len(needs & offers) / len(needs)


def pair_features(
    card: PolicyCard,
    profile: EnterpriseProfile,
    eligibility: Eligibility | None,
    *,
    item_text: str,
    relevance: float,
    dense: float,
    bm25: float,
    needs: set[str],
    offers: set[str],
    as_of: dt.date | None = None,
    ignore_validity: bool = False,
    views: Mapping[str, float] | None = None,
    primary: set[str] | None = None,
) -> dict[str, float]:
    """All features of one pair, keyed by :data:`FEATURE_NAMES`.

    Args:
        card: The item's card.
        profile: The normalised enterprise.
        eligibility: The item's checks for this enterprise; None counts nothing.
        item_text: The item's passage text (headings, text, context).
        relevance: The method's fused retrieval score, in [0, 1].
        dense: Cosine similarity of the enterprise's query and the item's passage.
        bm25: The item's BM25 score min-max normalised over the corpus for this query.
        needs: :func:`profile_needs` of the enterprise.
        offers: :func:`item_offers` of the item.
        as_of: Day the validity is judged on; None is today.
        ignore_validity: Judge the item as if in force (``expired`` is 0).
        views: Min-max normalised similarity of each of :data:`PROFILE_VIEWS`, ``joint`` and
            :data:`NEED_BEST` to the item; None (or a missing view) counts 0.
        primary: :func:`primary_need` of the enterprise; None counts no primary need.
    """
    relation = region_relation(card, profile)
    checks = eligibility.checks if eligibility else []
    as_of = as_of or dt.date.today()
    return {
        "relevance": float(relevance),
        "dense": float(dense),
        "bm25": float(bm25),
        "region_same": float(relation == "same"),
        "region_contained": float(relation == "contained"),
        "region_national": float(relation == "national"),
        "region_outside": float(relation == "outside"),
        "region_unknown": float(relation == "unknown"),
        "beneficiary_fit": beneficiary_fit(card, profile),
        "qualification_fit": qualification_fit(item_text, profile),
        "industry_fit": industry_fit(card, profile),
        "need_fit": need_fit(needs, offers),
        "met": float(sum(c.status == "met" for c in checks)),
        "unmet_hard": float(sum(c.status == "unmet" and c.hard for c in checks)),
        "unmet_soft": float(sum(c.status == "unmet" and not c.hard for c in checks)),
        "unknown": float(sum(c.status == "unknown" for c in checks)),
        **item_features(card),
        "expired": 0.0 if ignore_validity else float(card.expired(as_of)),
        **{
            f"dense_{view}": float(views.get(view, 0.0)) if views else 0.0 for view in PROFILE_VIEWS
        },
        "dense_views_max": (
            max((v for k, v in views.items() if k != NEED_BEST), default=0.0) if views else 0.0
        ),
        "dense_need_best": float(views.get(NEED_BEST, 0.0)) if views else 0.0,
        **kind_features(card, profile, eligibility),
        "need_count": float(min(len(needs & offers), _NEED_COUNT_CAP)),
        "need_primary": float(bool(primary and primary & offers)),
        "need_other": float(bool(needs and offers and not needs & offers)),
        "unknown_share": (
            sum(c.status == "unknown" for c in checks) / len(checks) if checks else 0.0
        ),
    }


def item_features(card: PolicyCard) -> dict[str, float]:
    """The features of a pair that depend on the item alone (validity aside: it needs a day)."""
    return {
        "is_support_measure": float(card.is_support_measure),
        "amount_log": math.log10(1.0 + card.max_amount_wan) if card.max_amount_wan else 0.0,
        "beneficiary_generic": float(all(k in _GENERIC_KINDS for k in card.beneficiaries)),
    }


def retrieval_feature_columns(
    relevance: np.ndarray,
    dense: np.ndarray,
    bm25: np.ndarray,
    views: Mapping[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """The retrieval features of :func:`pair_features` for every item at once, ``(n_items,)`` each.

    Args:
        relevance, dense, bm25: As in :func:`pair_features`, one value per item.
        views: Min-max normalised similarity per view (``joint``, :data:`PROFILE_VIEWS`,
            :data:`NEED_BEST`), one value per item; a missing view counts 0.
    """
    zeros = np.zeros_like(dense, dtype=np.float64)
    others = [scores for name, scores in views.items() if name != NEED_BEST]
    return {
        "relevance": relevance,
        "dense": dense,
        "bm25": bm25,
        **{f"dense_{view}": views.get(view, zeros) for view in PROFILE_VIEWS},
        "dense_views_max": np.max(others, axis=0) if others else zeros,
        "dense_need_best": views.get(NEED_BEST, zeros),
    }


def feature_matrix(
    rows: Iterable[dict[str, float]], names: Sequence[str] = FEATURE_NAMES
) -> np.ndarray:
    """Stack feature dicts into ``(n_pairs, len(names))`` float64, a missing feature as 0."""
    return np.array(
        [[row.get(name, 0.0) for name in names] for row in rows], dtype=np.float64
    ).reshape(-1, len(names))
