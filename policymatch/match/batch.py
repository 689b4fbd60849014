"""Batch scoring for push campaigns: many enterprises x a few items at once, then full rules.

:class:`BatchScorer` splits the matcher's pair score in two so a campaign can go through
millions of enterprises:

- :meth:`BatchScorer.score`, per chunk, vectorised: one embedder call for the chunk's query
  texts (served from the embedding cache when seen before), one matrix product against every
  item vector, and every feature that does not need the eligibility checks (region relation,
  beneficiary, industry, qualification and need fit, item constants) computed once per distinct
  value in the chunk and gathered with numpy. Adding the largest contribution the checks can
  still make gives an upper bound of the final score; ``eligibility.prefilter`` masks pairs the
  rules already rule out.
- :meth:`BatchScorer.judge`, for the few pairs a campaign keeps: ``check_eligibility``, the
  shared :func:`~policymatch.match.features.pair_features`, the ranker and the explanation lines,
  exactly as :class:`~policymatch.match.matcher.Matcher` scores a pair.

Relevance here is the ``dense`` method's: cosine similarity min-max scaled over every indexed
item for the enterprise, the same as the matcher's ``dense`` method; BM25 is not computed in
the push direction (per-enterprise BM25 over the corpus costs more than everything else here
together), so its feature is 0 and push scores sit a little below ``match`` scores.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from policymatch.embed.base import Embedder
from policymatch.match import explain as explain_mod
from policymatch.match.batch_rules import RuleMasks
from policymatch.match.columns import (
    Groups,
    ProfileColumns,
    ValueMemo,
    build_columns,
    representative,
)
from policymatch.match.features import (  # the two private tables: the bound must follow them
    _GENERIC_KINDS,
    _NEED_COUNT_CAP,
    FEATURE_NAMES,
    beneficiary_fit,
    feature_matrix,
    industry_fit,
    item_features,
    item_offers,
    kind_features,
    need_fit,
    pair_features,
    qualification_fit,
)
from policymatch.match.index import PolicyIndex, passage_text
from policymatch.match.learned import LinearRanker, linear_weights
from policymatch.match.needs import NeedTaxonomy, load_need_taxonomy
from policymatch.match.ranking import HandWeightedRanker
from policymatch.match.results import Eligibility, Match
from policymatch.profile.models import EnterpriseProfile
from policymatch.settings import Settings
from policymatch.translate.models import PolicyCard

logger = logging.getLogger(__name__)

# Features only the eligibility checks fill in.
_CHECK_FEATURES = ("met", "unmet_hard", "unmet_soft", "unknown")
_BOUND_SLACK = 1e-6  # float32 vs float64 rounding between the bound and the judged score

_RELATIONS = ("same", "contained", "national", "outside", "unknown")
_COLUMN = {name: f for f, name in enumerate(FEATURE_NAMES)}
# Bump when what columns_of derives changes, so cached columns are not read back.
COLUMNS_FORMAT = "1"


class ChunkScores(NamedTuple):
    """Scores of every (enterprise, item) pair of a chunk.

    Attributes:
        relevance: ``(n_enterprises, n_items)`` float64, an upper bound of the judged score.
        possible: ``(n_enterprises, n_items)`` bool, False where a vectorised rule (region,
            industry, size, thresholds) already rules the pair out.
    """

    relevance: np.ndarray
    possible: np.ndarray


class BatchScorer:
    """Scores chunks of enterprises against policy items; see the module docstring.

    Args:
        index: The policy index (items, cards, documents, vectors).
        embedder: The embedder that built ``index`` (wrap it in the embedding cache).
        as_of: Day validity is judged on; None is today.
        ranker: A linear ranker (the bound needs raw per-feature weights): the hand-weighted
            score (default) or a :class:`~policymatch.match.learned.LinearRanker`.
        eligibility: ``check(card, profile, as_of=...) -> Eligibility``; default the rules module.
        prefilter: ``prefilter(card, profiles, as_of=...) -> bool array``; None for the rules
            module's decisions, memoised across chunks (:mod:`policymatch.match.batch_rules`).
        use_prefilter: False keeps every pair possible (for campaigns that list 不符合 too).
        taxonomy: Need taxonomy; default the packaged one.
    """

    def __init__(
        self,
        index: PolicyIndex,
        embedder: Embedder,
        *,
        as_of: dt.date | None = None,
        ranker: HandWeightedRanker | LinearRanker | None = None,
        eligibility: Callable[..., Eligibility] | None = None,
        prefilter: Callable[..., np.ndarray] | None = None,
        use_prefilter: bool = True,
        taxonomy: NeedTaxonomy | None = None,
    ) -> None:
        index.check_embedder(embedder)
        self.index = index
        self.embedder = embedder
        self.as_of = as_of or dt.date.today()
        self.ranker = ranker or HandWeightedRanker()
        self._weight, self._constant = linear_weights(self.ranker)
        self.weights = np.array([self._weight[n] for n in FEATURE_NAMES])
        if eligibility is None:
            from policymatch.match.eligibility import check_eligibility

            eligibility = check_eligibility
        self.check = eligibility
        self.prefilter = prefilter if use_prefilter else None
        self.use_prefilter = use_prefilter
        # per-value features and rule decisions, reused chunk after chunk
        self.memo = ValueMemo()
        self.masks = RuleMasks(self.as_of, self.memo)
        self.taxonomy = taxonomy or load_need_taxonomy()
        self.needs_matcher = NeedMatcher(self.taxonomy)
        self._texts = {
            item.id: passage_text(item, index.documents.get(item.doc_id)) for item in index.items
        }
        self._offers: dict[str, set[str]] = {}
        self._item_matrix: np.ndarray | None = None
        self._item_rows: tuple[tuple[int, ...], np.ndarray] | None = None
        self._last: _ChunkCache | None = None

    @classmethod
    def load(
        cls, index_dir: str | Path, settings: Settings | None = None, **options: Any
    ) -> BatchScorer:
        """Load the index at ``index_dir`` with the settings' (cached) embedder."""
        from policymatch.embed import get_embedder
        from policymatch.settings import get_settings

        embedder = get_embedder(settings or get_settings())
        return cls(PolicyIndex.load(index_dir, embedder), embedder, **options)

    # ------------------------------------------------------------------ ChunkScorer
    def fingerprint(self) -> str:
        """Index content, model, as-of date, ranker weights and prefilter use, hashed."""
        payload = {
            "index": self.index.manifest.model_dump(mode="json", exclude={"built_at"}),
            "model": self.embedder.model_id,
            "as_of": self.as_of.isoformat(),
            "weights": self._weight,
            "constant": self._constant,
            "prefilter": self.use_prefilter,
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha1(blob.encode("utf-8")).hexdigest()

    def known_items(self, item_ids: Sequence[str]) -> list[str]:
        return [i for i in item_ids if i in self.index.cards and i in self._texts]

    def column_fingerprint(self) -> str:
        """What a profile's cached columns depend on besides the record: the model (vectors),
        the index (each vector's lowest and highest cosine to the items) and the need
        taxonomy (need categories), hashed."""
        payload = {
            "format": COLUMNS_FORMAT,
            "index": self.index.manifest.model_dump(mode="json", exclude={"built_at"}),
            "model": self.embedder.model_id,
            "taxonomy": repr(self.taxonomy),
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha1(blob.encode("utf-8")).hexdigest()

    def columns_of(self, profiles: Sequence[EnterpriseProfile]) -> ProfileColumns:
        """The scoring columns of ``profiles``: one embedder call (through its cache), the
        similarity to every item for the min-max range, the need categories."""
        profiles = list(profiles)
        texts = [p.query_text() or p.name or p.id for p in profiles]
        vectors = self.embedder.encode_queries(texts)
        similarities = self.similarities(vectors)  # (n, all items)
        needs_of: dict[tuple[tuple[str, ...], str], frozenset[str]] = {}
        needs = []
        for profile in profiles:
            key = (tuple(profile.needs), profile.description)
            if key not in needs_of:
                needs_of[key] = frozenset(
                    self.needs_matcher.needs("\n".join([*profile.needs, profile.description]))
                )
            needs.append(needs_of[key])
        if similarities.shape[1]:
            low, high = similarities.min(axis=1), similarities.max(axis=1)
        else:
            low = high = np.zeros(len(profiles))
        return build_columns(profiles, needs, vectors, low, high)

    def score(self, profiles: Sequence[EnterpriseProfile], item_ids: Sequence[str]) -> ChunkScores:
        """Upper bounds of the final score and the prefilter mask, ``(n, len(item_ids))`` each."""
        profiles = list(profiles)
        columns = self.columns_of(profiles)
        if self.use_prefilter and self.prefilter is not None:
            return self._score(columns, item_ids, profiles)
        return self.score_columns(columns, item_ids)

    def score_columns(self, columns: ProfileColumns, item_ids: Sequence[str]) -> ChunkScores:
        """:meth:`score` from columns (a warm chunk from the profile cache): no profile objects.

        Raises:
            TypeError: The scorer was given a prefilter callable, which reads profiles.
        """
        if self.use_prefilter and self.prefilter is not None:
            raise TypeError("a custom prefilter reads profiles: call score(profiles, ...)")
        return self._score(columns, item_ids, None)

    def _score(
        self,
        columns: ProfileColumns,
        item_ids: Sequence[str],
        profiles: list[EnterpriseProfile] | None,
    ) -> ChunkScores:
        cache = self._last = _ChunkCache.build(self, columns, item_ids)
        n = len(columns)
        bound = np.empty((n, len(item_ids)), dtype=np.float64)
        possible = np.ones((n, len(item_ids)), dtype=bool)
        for j, item_id in enumerate(item_ids):
            bound[:, j] = self._bound(item_id, j, cache)
            if not self.use_prefilter:
                continue
            card = self.index.cards[item_id]
            if profiles is not None and self.prefilter is not None:
                possible[:, j] = np.asarray(
                    self.prefilter(card, profiles, as_of=self.as_of), dtype=bool
                )
            else:
                possible[:, j] = self.masks.possible(
                    card,
                    columns,
                    cache.group("region"),
                    cache.group("industry"),
                    cache.masks,
                )
        return ChunkScores(relevance=bound, possible=possible)

    def _bound(self, item_id: str, j: int, cache: _ChunkCache) -> np.ndarray:
        """``(n,)`` the weighted sum of every feature the checks do not need, plus for the ones
        they do (met, unmet, unknown) the value that adds most to the score.

        Features that depend on one profile attribute are weighed once per distinct value
        (memoised across chunks) and gathered; features of zero weight are not computed.
        """
        card = self.index.cards[item_id]
        text = self._texts[item_id]
        weight = self._weight
        bound = cache.relevance01[:, j] * weight["relevance"]
        if weight["dense"]:
            bound += cache.dense[:, j] * weight["dense"]
        region_weights = [weight[f"region_{name}"] for name in _RELATIONS]
        excluded = card.excluded_region_codes
        bound += cache.per_group(
            "region",
            ("weighted relation", tuple(card.region_codes), tuple(excluded)),
            lambda v: region_weights[
                _RELATIONS.index(self.masks.region_relation(card.region_codes, v, excluded))
            ],
        )
        if weight["beneficiary_fit"]:
            bound += cache.per_group(
                "kinds",
                ("weighted beneficiary", tuple(card.beneficiaries)),
                lambda v: (
                    weight["beneficiary_fit"] * beneficiary_fit(card, representative("kinds", v))
                ),
            )
        if weight["qualification_fit"]:
            bound += cache.per_group(
                "qualifications",
                ("weighted qualification", item_id),
                lambda v: (
                    weight["qualification_fit"]
                    * qualification_fit(text, representative("qualifications", v))
                ),
            )
        if weight["industry_fit"]:
            bound += cache.per_group(
                "industry",
                ("weighted industry", tuple(card.industries)),
                lambda v: (
                    weight["industry_fit"] * industry_fit(card, representative("industry", v))
                ),
            )
        if weight["need_fit"]:
            offers = frozenset(self._item_offers(item_id))
            bound += cache.per_group(
                "needs",
                ("weighted need", offers),
                lambda v: weight["need_fit"] * need_fit(set(v), offers),
            )
        if weight["need_count"] or weight["need_other"]:
            offers = frozenset(self._item_offers(item_id))
            bound += cache.per_group(
                "needs",
                ("weighted need count and other", offers),
                lambda v: (
                    weight["need_count"] * min(len(set(v) & offers), _NEED_COUNT_CAP)
                    + weight["need_other"] * float(bool(v and offers and not set(v) & offers))
                ),
            )
        if weight["qualification_required"] or weight["award_held"] or weight["award_new"]:
            bound += cache.per_group(
                "qualifications",
                ("weighted awards", item_id),
                lambda v: _weighted_awards(card, v, weight),
            )
        bound += self._item_constant(card) + _BOUND_SLACK
        return bound

    def _item_constant(self, card: PolicyCard) -> float:
        """The part of the bound that depends on the item alone: its constants, and for the
        features the checks decide the most they can add."""
        weight = self._weight
        checks = _max_checks(card)
        specific = bool(set(card.beneficiaries) - _GENERIC_KINDS)
        return (
            self._constant
            + sum(weight[name] * value for name, value in item_features(card).items())
            + weight["expired"] * float(card.expired(self.as_of))
            + sum(weight[name] * checks for name in _CHECK_FEATURES if weight[name] > 0)
            # met / unknown kind checks: only an item naming specific kinds has them
            + (max(weight["beneficiary_met"], 0.0) + max(weight["beneficiary_unknown"], 0.0))
            * float(specific)
            + max(weight["unknown_share"], 0.0)  # a share in [0, 1]
        )

    def judge(
        self, item_id: str, profiles: Sequence[EnterpriseProfile], relevance: np.ndarray
    ) -> list[Match]:
        """Eligibility, features, ranker score and reasons per profile, as the matcher does."""
        profiles = list(profiles)
        cache = self._last
        if (
            cache is None
            or cache.item_ids.get(item_id) is None
            or any(p.id not in cache.rows for p in profiles)
        ):
            cache = _ChunkCache.build(self, self.columns_of(profiles), [item_id])
        j = cache.item_ids[item_id]
        card = self.index.cards[item_id]
        text = self._texts[item_id]
        offers = self._item_offers(item_id)
        item = self.index.items[self.index.position(item_id)]
        title = self._title(item)
        pairs = []
        for profile in profiles:
            row = cache.rows[profile.id]
            eligibility = self.check(card, profile, as_of=self.as_of)
            features = pair_features(
                card,
                profile,
                eligibility,
                item_text=text,
                relevance=float(cache.relevance01[row, j]),
                dense=float(cache.dense[row, j]),
                bm25=0.0,
                needs=cache.needs(row),
                offers=offers,
                as_of=self.as_of,
            )
            pairs.append((profile, eligibility, features, cache.needs(row) & offers))
        scores = self.ranker.score(feature_matrix(f for _, _, f, _ in pairs), FEATURE_NAMES)
        matches = []
        for (profile, eligibility, features, served), score in zip(pairs, scores, strict=True):
            contributions = self.ranker.contributions(features)
            reasons = explain_mod.explanations(
                features, contributions, card, profile, eligibility, served, item_text=text
            )
            matches.append(
                Match(
                    item_id=item_id,
                    doc_id=item.doc_id,
                    enterprise_id=profile.id,
                    title=title,
                    score=float(score),
                    verdict=eligibility.verdict,
                    checks=eligibility.checks,
                    summary=card.summary,
                    explanations=reasons,
                    features=features,
                )
            )
        return matches

    # ------------------------------------------------------------------ helpers
    def similarities(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine of each query to every indexed item, ``(n, n_items)`` float64.

        Float64 on purpose: min-max scaling over the items divides by a spread of a few
        hundredths, which magnifies float32's dependence on how rows are batched (1e-6) into
        score differences that would make the lists depend on the chunk size.
        """
        matrix = self._matrix()
        if matrix is None:  # an IVF index: approximate scores, float32 as FAISS gives them
            return self.index.dense_scores(vectors).astype(np.float64)
        return np.asarray(vectors, dtype=np.float64) @ matrix.T

    def item_similarities(self, vectors: np.ndarray, positions: Sequence[int]) -> np.ndarray:
        """Cosine of each query to the items at ``positions`` (index order), ``(n, m)`` float64."""
        matrix = self._matrix()
        if matrix is None:
            return self.similarities(vectors)[:, list(positions)]
        key = tuple(positions)
        if self._item_rows is None or self._item_rows[0] != key:
            self._item_rows = (key, np.ascontiguousarray(matrix[list(positions)].T))
        return np.asarray(vectors, dtype=np.float64) @ self._item_rows[1]

    def _matrix(self) -> np.ndarray | None:
        """The item vectors as float64 ``(n_items, dim)``; None for an IVF index."""
        if self._item_matrix is None:
            matrix = self.index.dense.matrix()
            if matrix is None:
                return None
            self._item_matrix = np.array(matrix, dtype=np.float64)
        return self._item_matrix

    def _item_offers(self, item_id: str) -> set[str]:
        if item_id not in self._offers:
            card = self.index.cards[item_id]
            self._offers[item_id] = item_offers(card, self._texts[item_id], self.taxonomy)
        return self._offers[item_id]

    def _title(self, item: Any) -> str:
        document = self.index.documents.get(item.doc_id)
        label = item.title or (item.heading_path[-1] if item.heading_path else "")
        doc_title = document.title if document else ""
        if label and doc_title and label != doc_title:
            return f"{doc_title} · {label}"
        return label or doc_title or item.id


class _ChunkCache:
    """Per-chunk arrays score() and judge() share.

    Attributes:
        columns: The chunk's profiles in columns.
        rows: Profile id -> row.
        item_ids: Item id -> column.
        dense: ``(n, m)`` cosine similarity.
        relevance01: ``(n, m)`` cosine min-max scaled over every indexed item per profile.
        masks: Prefilter masks of this chunk by card rule, shared by the chunk's items.
    """

    def __init__(
        self,
        columns: ProfileColumns,
        item_ids: dict[str, int],
        dense: np.ndarray,
        relevance01: np.ndarray,
        memo: ValueMemo,
    ) -> None:
        self.memo = memo
        self.columns = columns
        self.item_ids = item_ids
        self.dense = dense
        self.relevance01 = relevance01
        self._rows: dict[str, int] | None = None
        self._groups: dict[str, Groups] = {}
        self._arrays: dict[tuple[str, Hashable], np.ndarray] = {}
        self.masks: dict[tuple[str, object], np.ndarray] = {}

    @property
    def rows(self) -> dict[str, int]:
        if self._rows is None:
            self._rows = {str(i): r for r, i in enumerate(self.columns.ids.tolist())}
        return self._rows

    def group(self, name: str) -> Groups:
        """The distinct values of categorical ``name`` in the chunk (computed once a chunk)."""
        if name not in self._groups:
            inverse, values = self.columns.distinct(name)
            self._groups[name] = Groups(inverse, values, self.memo.ids(name, values))
        return self._groups[name]

    def needs(self, row: int) -> set[str]:
        """Need categories of the profile at ``row``."""
        code = int(self.columns.codes["needs"][row])
        return set(self.columns.values["needs"][code])  # type: ignore[arg-type]

    def per_group(self, name: str, scope: Hashable, value: Callable[[Any], float]) -> np.ndarray:
        """``value`` of every profile, computed once per distinct value of ``name`` and ``scope``.

        Args:
            name: The categorical (profile attribute) the value depends on.
            scope: What of the item the value depends on (its region codes, its text ...):
                items with equal scopes share values, within the chunk and, via the scorer's
                memo, across chunks.
            value: Computes the value from the attribute's value.

        Returns:
            ``(n,)`` float64.
        """
        ready = self._arrays.get((name, scope))
        if ready is None:
            groups = self.group(name)
            per_value = self.memo.lookup((name, scope), groups, value)
            ready = self._arrays[(name, scope)] = per_value[groups.inverse]
        return ready

    @classmethod
    def build(
        cls, scorer: BatchScorer, columns: ProfileColumns, item_ids: Sequence[str]
    ) -> _ChunkCache:
        positions = [scorer.index.position(i) for i in item_ids]
        dense = scorer.item_similarities(columns.vectors, positions)
        low = columns.low[:, None]
        spread = columns.high[:, None] - low
        # the matcher's minmax: a constant row (no information) maps to zeros
        relevance01 = np.divide(dense - low, spread, out=np.zeros_like(dense), where=spread > 1e-12)
        return cls(
            columns=columns,
            item_ids={i: j for j, i in enumerate(item_ids)},
            dense=dense,
            relevance01=relevance01,
            memo=scorer.memo,
        )


def _weighted_awards(card: PolicyCard, qualifications: Any, weight: dict[str, float]) -> float:
    """Weighted qualification_required, award_held and award_new of a qualification set: they
    read the card and the firm's qualifications alone, not the checks."""
    kinds = kind_features(card, representative("qualifications", qualifications), None)  # type: ignore[arg-type]
    return sum(
        weight[name] * kinds[name] for name in ("qualification_required", "award_held", "award_new")
    )


def _max_checks(card: PolicyCard) -> int:
    """The most checks ``check_eligibility`` can make for ``card``: region and validity always
    (validity only when dated, counted anyway), beneficiary, industry and excluded sectors when
    named, and one per condition."""
    return (
        2
        + bool(card.beneficiaries)
        + bool(card.industries)
        + bool(card.excluded_industries)
        + len(card.conditions)
    )


class NeedMatcher:
    """:meth:`NeedTaxonomy.enterprise_needs` (as :func:`profile_needs` calls it), faster.

    The taxonomy tests every phrase with ``in``; here a phrase is tested only when its first two
    characters occur in the text, which a phrase in the text always satisfies, so the result is
    the same set. About five times faster on member-database descriptions.
    """

    def __init__(self, taxonomy: NeedTaxonomy) -> None:
        self._by_bigram: dict[str, list[tuple[str, str]]] = {}
        self._short: list[tuple[str, str]] = []  # one-character phrases: always tested
        for need in taxonomy.needs:
            for phrase in need.enterprise_phrases:
                if len(phrase) < 2:
                    self._short.append((phrase, need.name))
                else:
                    self._by_bigram.setdefault(phrase[:2], []).append((phrase, need.name))

    def needs(self, text: str) -> set[str]:
        """Need names whose enterprise phrases occur in ``text``."""
        found = {name for phrase, name in self._short if phrase in text}
        for bigram in {text[i : i + 2] for i in range(len(text) - 1)}:
            for phrase, name in self._by_bigram.get(bigram, ()):
                if name not in found and phrase in text:
                    found.add(name)
        return found
