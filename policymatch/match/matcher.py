"""The Matcher: enterprise -> ranked policy items, and item -> ranked enterprises.

Flow for a batch of profiles: query texts -> one embedder call -> dense cosine against every
item and BM25 over every item -> fusion -> (method ``full``) eligibility rules and pair features
for the best candidates -> ranker -> 不符合 below everything else -> top k with reasons.

Methods (:data:`METHODS`): ``tfidf``, ``bm25``, ``dense`` single retrievers; ``rrf`` reciprocal
rank fusion of bm25 and dense; ``hybrid`` a convex combination of their normalised scores;
``full`` hybrid plus eligibility and features. ``match``/``match_many`` use ``full``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from policymatch.corpus.models import PolicyDocument, PolicyItem
from policymatch.embed.base import Embedder
from policymatch.match import explain as explain_mod
from policymatch.match.features import (
    FEATURE_NAMES,
    NEED_BEST,
    PROFILE_VIEWS,
    feature_matrix,
    item_features,
    item_offers,
    pair_features,
    primary_need,
    profile_needs,
    profile_view_texts,
    retrieval_feature_columns,
)
from policymatch.match.fusion import Normalisation, convex, minmax, rrf
from policymatch.match.index import PolicyIndex, Tokenizer, default_tokenizer, passage_text
from policymatch.match.learned import first_stage, linear_weights
from policymatch.match.needs import NeedTaxonomy, load_need_taxonomy
from policymatch.match.ranking import Ranker, default_ranker
from policymatch.match.results import Eligibility, Match, MatchResults, Verdict
from policymatch.profile.models import EnterpriseProfile
from policymatch.settings import Settings
from policymatch.translate.models import PolicyCard

logger = logging.getLogger(__name__)

Method = Literal["tfidf", "bm25", "dense", "rrf", "hybrid", "full"]
METHODS: tuple[Method, ...] = ("tfidf", "bm25", "dense", "rrf", "hybrid", "full")
DEFAULT_VERDICTS: tuple[Verdict, ...] = ("推荐", "可能符合")
INELIGIBLE: Verdict = "不符合"
EligibilityCheck = Callable[..., Eligibility]
# Distinct (region, day) keys whose per-item pre-filter answers a Matcher keeps.
_REGION_MEMO_SIZE = 512


@dataclass
class MatchConfig:
    """Knobs of retrieval and ranking.

    Attributes:
        dense_weight: Weight of the dense score in ``hybrid``/``full`` (BM25 gets the rest).
            0.7 is the best of 0.3-1.0 for ``full`` on the dev set's tune split (nDCG@10 0.848
            against 0.830 at 0.5, 0.832 dense alone).
        norm: Normalisation of each retriever's scores before the convex combination.
        rrf_k: Damping constant of reciprocal rank fusion.
        query_views: ``joint`` embeds the profile's whole query text; ``max``/``mean`` also embed
            needs, description and scope apart and take the best / mean similarity per item.
            On the dev set ``max`` lifts ``dense`` alone (nDCG@10 0.687 -> 0.708) but not
            ``full`` (0.848 -> 0.846) at four times the encoding, so ``joint`` is the default.
        views: ``used`` embeds, besides the joint query, only the profile views and stated
            needs whose features the ranker reads (a linear weight that is not 0, or a tree
            split; every one for other rankers): a model that gives ``dense_description`` no
            weight makes a new description cost one embedding, not two. ``all`` embeds every
            view (to collect features for training).
        candidates: In ``full``, how many items get eligibility and features, best first by
            the first stage's score before the rules (:meth:`Matcher._candidate_scores`); more are
            taken when too few survive the verdict filter; None takes all.
        push_batch: Profiles scored together in :meth:`Matcher.enterprises_for`.
    """

    dense_weight: float = 0.7
    norm: Normalisation = "minmax"
    rrf_k: int = 60
    query_views: Literal["joint", "max", "mean"] = "joint"
    views: Literal["used", "all"] = "used"
    candidates: int | None = 500
    push_batch: int = 256


@dataclass
class Timings:
    """Seconds spent per stage since the matcher was made (for benchmarks)."""

    embedding: float = 0.0
    retrieval: float = 0.0
    rules: float = 0.0
    calls: int = 0

    def reset(self) -> None:
        self.embedding = self.retrieval = self.rules = 0.0
        self.calls = 0


@dataclass
class _Retrieved:
    """Scores of one batch of profiles against every item, ``(n_profiles, n_items)`` each."""

    relevance: np.ndarray  # the method's score
    relevance01: np.ndarray  # the same, min-max normalised per profile
    dense: np.ndarray  # cosine similarity
    bm25: np.ndarray  # min-max normalised per profile
    query_tokens: list[list[str]]
    needs: list[set[str]]  # need categories of each profile
    primary: list[set[str]] = field(default_factory=list)  # categories of the first need
    # ``full`` only: {view: (n_profiles, n_items)} cosine min-max normalised per profile
    views: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class _Pair:
    position: int
    eligibility: Eligibility
    features: dict[str, float]
    score: float = 0.0
    served: set[str] = field(default_factory=set)


class Matcher:
    """Ranks policy items for enterprises and enterprises for items over one :class:`PolicyIndex`.

    Args:
        index: The loaded or built index.
        embedder: Must be the embedder the index was built with.
        tokenize: jieba tokenizer for queries; defaults to the corpus stage's.
        eligibility: ``check(card, profile, as_of=..., ignore_validity=...) -> Eligibility``;
            defaults to :func:`policymatch.match.eligibility.check_eligibility`.
        ranker: Scores pair features in ``full``; defaults to
            :func:`policymatch.match.ranking.default_ranker` (the shipped learned model, or the
            file/``hand`` named by ``settings.ranker`` / ``$POLICYMATCH_RANKER``).
        config: Retrieval and ranking knobs.
        store: Where :meth:`enterprises_for` reads enterprises when none are given
            (a :class:`policymatch.corpus.store.PolicyStore`); opened from settings when needed.
        settings: Used to open the store and for ``match_candidates`` when no ``config`` is given;
            defaults to :func:`policymatch.settings.get_settings`.
        taxonomy: Need taxonomy; defaults to the packaged one.

    Raises:
        IndexMismatchError: ``embedder`` did not build ``index``.
    """

    def __init__(
        self,
        index: PolicyIndex,
        embedder: Embedder,
        *,
        tokenize: Tokenizer | None = None,
        eligibility: EligibilityCheck | None = None,
        ranker: Ranker | None = None,
        config: MatchConfig | None = None,
        store: Any = None,
        settings: Settings | None = None,
        taxonomy: NeedTaxonomy | None = None,
    ) -> None:
        index.check_embedder(embedder)
        self.index = index
        self.embedder = embedder
        self.tokenize = tokenize or default_tokenizer()
        self.check = eligibility or _default_eligibility()
        # the vectorised pre-filter agrees with the default rules only
        self._prefilter_many = None if eligibility else _default_prefilter()
        self.ranker = ranker or default_ranker(settings)
        # candidates are ordered by the additive first stage (a tree model carries one)
        self._linear_weights = _linear_weights_or_none(first_stage(self.ranker))
        self.config = config or _config_of(settings)
        self.timings = Timings()
        self._store = store
        self._settings = settings
        self._taxonomy = taxonomy or load_need_taxonomy()
        self._prepare_items()

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(
        cls, index_dir: str | Path, embedder: Embedder | None = None, **options: Any
    ) -> Matcher:
        """Load the index at ``index_dir`` (a directory or the symlink ``policymatch index`` swaps).

        Args:
            index_dir: Index folder.
            embedder: Defaults to :func:`policymatch.embed.get_embedder` of the settings.
            **options: Passed to :class:`Matcher` (``tokenize``, ``eligibility``, ``store`` …).
        """
        if embedder is None:
            from policymatch.embed import get_embedder
            from policymatch.settings import get_settings

            embedder = get_embedder(options.get("settings") or get_settings())
        return cls(PolicyIndex.load(index_dir, embedder), embedder, **options)

    @classmethod
    def build(
        cls,
        documents: Iterable[PolicyDocument],
        items: Sequence[PolicyItem],
        cards: Iterable[PolicyCard],
        embedder: Embedder,
        **options: Any,
    ) -> Matcher:
        """Index ``items`` in memory and return a matcher over them (no files written).

        Args:
            documents, items, cards, embedder: See :meth:`PolicyIndex.build`.
            **options: Passed to :class:`Matcher`; ``tokenize`` is also used for indexing.
        """
        index = PolicyIndex.build(
            documents, items, cards, embedder, tokenize=options.get("tokenize")
        )
        return cls(index, embedder, **options)

    def save(self, index_dir: str | Path) -> Path:
        """Write the index to ``index_dir`` with an atomic swap; see :meth:`PolicyIndex.save`."""
        return self.index.save(index_dir)

    def __len__(self) -> int:
        return len(self.index)

    def _prepare_items(self) -> None:
        index = self.index
        self._prepared_version = index.version
        self._texts = [passage_text(i, index.documents.get(i.doc_id)) for i in index.items]
        self._offers = [
            item_offers(index.cards[i.id], text, self._taxonomy)
            for i, text in zip(index.items, self._texts, strict=True)
        ]
        self._doc_ids = np.array([i.doc_id for i in index.items], dtype=object)
        self._item_prior = self._prior_scores()
        self._frequency = explain_mod.document_frequency(index.tokens)
        self._common = explain_mod.common_words(index.tokens, frequency=self._frequency)
        # (region code, day, ignore_validity) -> per item: 1 possible, 0 不符合, -1 not judged
        self._region_memo: dict[tuple[str, dt.date, bool], np.ndarray] = {}

    def _follow_index(self) -> None:
        """Re-read per-item data after the index gained or lost documents."""
        if self._prepared_version != self.index.version:
            self._prepare_items()

    # ------------------------------------------------------------------ enterprise -> items
    def match(
        self,
        profile: EnterpriseProfile,
        k: int = 10,
        as_of: dt.date | None = None,
        ignore_validity: bool = False,
        verdicts: Collection[str] | None = None,
        group_by_document: bool = False,
    ) -> MatchResults:
        """The ``k`` best items for one enterprise; see :meth:`match_many`."""
        return self.match_many(
            [profile],
            k=k,
            as_of=as_of,
            ignore_validity=ignore_validity,
            verdicts=verdicts,
            group_by_document=group_by_document,
        )[0]

    def match_many(
        self,
        profiles: Sequence[EnterpriseProfile],
        k: int = 10,
        as_of: dt.date | None = None,
        ignore_validity: bool = False,
        verdicts: Collection[str] | None = None,
        group_by_document: bool = False,
    ) -> list[MatchResults]:
        """Rank items for each enterprise with the ``full`` method, with reasons.

        Args:
            profiles: Normalised enterprise profiles; their queries are embedded in one call.
            k: Matches per enterprise.
            as_of: Day validity and application windows are judged on; None is today.
            ignore_validity: Judge items whatever their dates.
            verdicts: Verdicts to return; None returns 推荐 and 可能符合 (不符合 left out).
            group_by_document: Keep only the best item of each document.

        Returns:
            One :class:`MatchResults` per profile, in order; 不符合 (when asked for) always
            below every eligible item.
        """
        return self._rank(
            profiles,
            "full",
            k,
            as_of=as_of,
            ignore_validity=ignore_validity,
            verdicts=verdicts,
            group_by_document=group_by_document,
            detail=True,
        )

    def rank(
        self,
        profiles: Sequence[EnterpriseProfile],
        method: str,
        k: int,
        *,
        as_of: dt.date | None = None,
        ignore_validity: bool = False,
        verdicts: Collection[str] | None = None,
        detail: bool = False,
    ) -> list[MatchResults]:
        """Rank items with one named method, for evaluation and comparison.

        Args:
            profiles: Enterprises to rank for.
            method: One of :data:`METHODS`.
            k: Items per enterprise.
            as_of, ignore_validity: As in :meth:`match_many`.
            verdicts: Only for ``full``: verdicts kept (default 推荐 and 可能符合); the single
                retrievers and fusions rank every item whatever its verdict.
            detail: Fill highlights and explanations (slower; evaluation does not need them).

        Raises:
            ValueError: an unknown method.
        """
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        return self._rank(
            profiles,
            method,
            k,
            as_of=as_of,
            ignore_validity=ignore_validity,
            verdicts=verdicts,
            group_by_document=False,
            detail=detail,
        )

    def _rank(
        self,
        profiles: Sequence[EnterpriseProfile],
        method: str,
        k: int,
        *,
        as_of: dt.date | None,
        ignore_validity: bool,
        verdicts: Collection[str] | None,
        group_by_document: bool,
        detail: bool,
    ) -> list[MatchResults]:
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        profiles = list(profiles)
        self.timings.calls += 1
        if not profiles:
            return []
        if not len(self.index):
            return [MatchResults(query_id=p.id) for p in profiles]
        self._follow_index()
        retrieved = self._retrieve(profiles, method)
        started = time.perf_counter()
        wanted = set(DEFAULT_VERDICTS if verdicts is None else verdicts)
        results = []
        for row, profile in enumerate(profiles):
            if method == "full":
                pairs = self._full_pairs(
                    profile, row, retrieved, k, as_of, ignore_validity, wanted, group_by_document
                )
            else:
                pairs = self._retrieval_pairs(
                    profile, row, retrieved, k, as_of, ignore_validity, method
                )
            matches = [
                self._to_match(profile, pair, retrieved.query_tokens[row], detail) for pair in pairs
            ]
            results.append(MatchResults(query_id=profile.id, matches=matches))
        self.timings.rules += time.perf_counter() - started
        return results

    # ------------------------------------------------------------------ retrieval
    def _retrieve(self, profiles: Sequence[EnterpriseProfile], method: str) -> _Retrieved:
        started = time.perf_counter()
        embedding_before = self.timings.embedding
        n_items = len(self.index)
        query_tokens = [self.tokenize(p.query_text()) for p in profiles]
        need_dense = method in ("dense", "rrf", "hybrid", "full")
        views: dict[str, np.ndarray] = {}
        if method == "full":
            dense, views = self._dense_and_view_scores(profiles)
        elif need_dense:
            dense = self._dense_scores(profiles)
        else:
            dense = np.zeros((len(profiles), n_items), np.float32)
        bm25 = np.zeros((len(profiles), n_items), dtype=np.float64)
        relevance = np.zeros_like(bm25)
        for row, tokens in enumerate(query_tokens):
            if method == "tfidf":
                relevance[row] = self.index.tfidf.scores(tokens)
                continue
            raw = self.index.bm25.scores(tokens)
            bm25[row] = minmax(raw)
            if method == "bm25":
                relevance[row] = raw
            elif method == "dense":
                relevance[row] = dense[row]
            elif method == "rrf":
                relevance[row] = rrf([raw, dense[row]], k=self.config.rrf_k)
            else:
                weight = self.config.dense_weight
                relevance[row] = convex([raw, dense[row]], [1.0 - weight, weight], self.config.norm)
        relevance01 = np.vstack([minmax(r) for r in relevance])
        needs = [profile_needs(p, self._taxonomy) for p in profiles]
        primary = [primary_need(p, self._taxonomy) for p in profiles]
        elapsed = time.perf_counter() - started
        self.timings.retrieval += elapsed - (self.timings.embedding - embedding_before)
        return _Retrieved(relevance, relevance01, dense, bm25, query_tokens, needs, primary, views)

    def _dense_and_view_scores(
        self, profiles: Sequence[EnterpriseProfile]
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """:meth:`_dense_scores` plus each profile view apart, all in one embedder call.

        Returns:
            ``(n_profiles, n_items)`` dense scores as :meth:`_dense_scores` gives them, and
            ``{view: (n_profiles, n_items)}`` for :data:`PROFILE_VIEWS`, ``joint`` and
            :data:`NEED_BEST` (each stated need alone, the best of them), each row
            min-max normalised over the items (0 where the profile has no such text), so the
            ranker reads how an item stands among the corpus, not e5's narrow cosine band.
        """
        views = [self._views(p) for p in profiles]
        extra = [profile_view_texts(p) for p in profiles]
        single_needs = [[n for n in p.needs if n.strip()] for p in profiles]
        flat = [text for p in profiles for text in self.query_texts(p)]
        started = time.perf_counter()
        vectors = self.embedder.encode_queries(flat)
        self.timings.embedding += time.perf_counter() - started
        similarities = self.index.dense_scores(vectors)
        n_items = len(self.index)
        dense = np.empty((len(profiles), n_items), dtype=np.float32)
        out = {v: np.zeros((len(profiles), n_items)) for v in (*PROFILE_VIEWS, "joint", NEED_BEST)}
        start = 0
        embedded_views, embed_needs = self._embedded_views()
        for row, (texts, named, needs) in enumerate(zip(views, extra, single_needs, strict=True)):
            block = similarities[start : start + len(texts)]
            start += len(texts)
            dense[row] = (
                block.mean(axis=0) if self.config.query_views == "mean" else block.max(axis=0)
            )
            out["joint"][row] = minmax(similarities[start - len(texts)])
            for view in embedded_views:
                if named[view]:
                    out[view][row] = minmax(similarities[start])
                    start += 1
            if needs and embed_needs:
                block = similarities[start : start + len(needs)]
                out[NEED_BEST][row] = np.max([minmax(r) for r in block], axis=0)
                start += len(needs)
        return dense, out

    def query_texts(self, profile: EnterpriseProfile) -> list[str]:
        """Every text :meth:`match` embeds for ``profile``, in the order it embeds them.

        The joint query (or the configured views), then each non-empty view of
        :data:`PROFILE_VIEWS` the ranker reads, then each stated need (when it reads them).
        """
        named = profile_view_texts(profile)
        views, needs = self._embedded_views()
        return [
            *self._views(profile),
            *(named[v] for v in views if named[v]),
            *(n for n in profile.needs if n.strip() and needs),
        ]

    def _embedded_views(self) -> tuple[tuple[str, ...], bool]:
        """The :data:`PROFILE_VIEWS` embedded apart, and whether each stated need is (see
        :attr:`MatchConfig.views`); a view left out reads 0 in its feature, which weighs 0."""
        weight = self._linear_weights
        if self.config.views == "all" or weight is None:
            return PROFILE_VIEWS, True
        read = {name for name, value in weight.items() if value}
        read |= getattr(self.ranker, "used_features", set)()
        views = tuple(v for v in PROFILE_VIEWS if {f"dense_{v}", "dense_views_max"} & read)
        return views, "dense_need_best" in read

    def warm_queries(self, profiles: Sequence[EnterpriseProfile]) -> int:
        """Embed the query texts of ``profiles`` now, so a cached embedder serves them later.

        Returns:
            How many texts were handed to the embedder (cache hits included).
        """
        texts = list(dict.fromkeys(t for p in profiles for t in self.query_texts(p)))
        if texts:
            self.embedder.encode_queries(texts)
        return len(texts)

    def _dense_scores(self, profiles: Sequence[EnterpriseProfile]) -> np.ndarray:
        """Cosine of each profile's query (views aggregated) to every item, ``(n_profiles, n_items)``."""
        views = [self._views(p) for p in profiles]
        flat = [text for texts in views for text in texts]
        started = time.perf_counter()
        vectors = self.embedder.encode_queries(flat)
        self.timings.embedding += time.perf_counter() - started
        similarities = self.index.dense_scores(vectors)
        out = np.empty((len(profiles), len(self.index)), dtype=np.float32)
        start = 0
        for row, texts in enumerate(views):
            block = similarities[start : start + len(texts)]
            start += len(texts)
            out[row] = (
                block.mean(axis=0) if self.config.query_views == "mean" else block.max(axis=0)
            )
        return out

    def _views(self, profile: EnterpriseProfile) -> list[str]:
        joint = profile.query_text() or profile.name or profile.id
        if self.config.query_views == "joint":
            return [joint]
        parts = ["；".join(profile.needs), profile.description, profile.scope]
        return [joint, *(p for p in parts if p and p != joint)]

    # ------------------------------------------------------------------ ranking
    def _retrieval_pairs(
        self,
        profile: EnterpriseProfile,
        row: int,
        retrieved: _Retrieved,
        k: int,
        as_of: dt.date | None,
        ignore_validity: bool,
        method: str,
    ) -> list[_Pair]:
        relevance = retrieved.relevance[row]
        top = _top(relevance, k)
        pairs = [self._pair(profile, row, p, retrieved, as_of, ignore_validity) for p in top]
        for pair in pairs:
            pair.score = float(relevance[pair.position])
        return pairs

    def _full_pairs(
        self,
        profile: EnterpriseProfile,
        row: int,
        retrieved: _Retrieved,
        k: int,
        as_of: dt.date | None,
        ignore_validity: bool,
        wanted: set[str],
        group_by_document: bool,
    ) -> list[_Pair]:
        order = np.argsort(-self._candidate_scores(row, retrieved), kind="stable")
        limit = self.config.candidates or len(order)
        limit = max(limit, 3 * k)
        pairs: list[_Pair] = []
        done = 0
        while True:
            chunk = order[done:limit]
            for position in chunk:
                pair = self._wanted_pair(
                    profile, row, int(position), retrieved, as_of, ignore_validity, wanted
                )
                if pair is not None:
                    pairs.append(pair)
            done = min(limit, len(order))
            kept = self._order(pairs, wanted, group_by_document)
            if len(kept) >= k or done >= len(order):
                return kept[:k]
            limit *= 2  # too few survived the verdict filter: look deeper

    def _candidate_scores(self, row: int, retrieved: _Retrieved) -> np.ndarray:
        """What ``full`` orders candidates by before judging them, ``(n_items,)``.

        With a linear ranker, or a tree model's linear first stage: its score from everything
        known before the rules run (the retrieval features and the item's own), so the items
        the ranker will put first are judged first. Ordered by fused relevance instead, the
        best 300 of the 5,239 real items held only 80 % of the top 10 that judging every item
        gives; ordered by the linear ranker that also scored the pairs, 100 %. The trees
        differ more from their first stage: with the shipped model 300 candidates keep 97.8 %
        of its top-10 items (62 of 74 enterprises get the same top 10), 500 keep 99.9 % (73 of
        74) at 30 ms a match against 18 ms (``bench/candidates.py``, 2026-11-24), hence the
        default of 500. Other rankers: fused relevance.
        """
        if self._linear_weights is None:
            return retrieved.relevance[row]  # type: ignore[no-any-return]
        weight = self._linear_weights
        columns = retrieval_feature_columns(
            retrieved.relevance01[row],
            retrieved.dense[row],
            retrieved.bm25[row],
            {view: scores[row] for view, scores in retrieved.views.items()},
        )
        score = self._item_prior.copy()
        for name, values in columns.items():
            if weight[name]:
                score += weight[name] * values
        return score

    def _prior_scores(self) -> np.ndarray:
        """The linear ranker's weighted item-only features per item, ``(n_items,)`` (0 if none)."""
        prior = np.zeros(len(self.index.items), dtype=np.float64)
        if self._linear_weights is None:
            return prior
        for position, item in enumerate(self.index.items):
            features = item_features(self.index.cards[item.id])
            prior[position] = sum(self._linear_weights[n] * v for n, v in features.items())
        return prior

    def _order(self, pairs: list[_Pair], wanted: set[str], group_by_document: bool) -> list[_Pair]:
        scores = self.ranker.score(feature_matrix(p.features for p in pairs), FEATURE_NAMES)
        for pair, score in zip(pairs, scores, strict=True):
            pair.score = float(score)
        ranked = sorted(
            (p for p in pairs if p.eligibility.verdict in wanted),
            key=lambda p: (p.eligibility.verdict == INELIGIBLE, -p.score),
        )
        if group_by_document:
            seen: set[str] = set()
            ranked = [
                p
                for p in ranked
                if not (self._doc_ids[p.position] in seen or seen.add(self._doc_ids[p.position]))
            ]
        return ranked

    def _wanted_pair(
        self,
        profile: EnterpriseProfile,
        row: int,
        position: int,
        retrieved: _Retrieved,
        as_of: dt.date | None,
        ignore_validity: bool,
        wanted: set[str],
    ) -> _Pair | None:
        """The pair of ``profile`` and the item at ``position``, or None when its verdict is unwanted.

        Most candidates are 不符合 (five in six for the sample enterprises, nearly all for
        another region), and :meth:`_order` drops unwanted verdicts anyway, so their pair
        features are never computed; when 不符合 is unwanted, :meth:`_region_possible` spares
        most of them the rules too. Rankers score each pair on its own, so leaving pairs out
        changes no other pair's score.
        """
        card = self.index.cards[self.index.items[position].id]
        if INELIGIBLE not in wanted and not self._region_possible(
            card, position, profile.region_code, as_of, ignore_validity
        ):
            return None
        eligibility = self.check(card, profile, as_of=as_of, ignore_validity=ignore_validity)
        if eligibility.verdict not in wanted:
            return None
        return self._pair_with(
            profile, row, position, retrieved, eligibility, as_of, ignore_validity
        )

    def _region_possible(
        self,
        card: PolicyCard,
        position: int,
        region_code: str | None,
        as_of: dt.date | None,
        ignore_validity: bool,
    ) -> bool:
        """False when the item is 不符合 for any enterprise registered in ``region_code``.

        The vectorised pre-filter judges a probe profile that has nothing but the region: its
        False means an unmet region or validity check (every other rule is unknown without
        data, never unmet), which any profile of that region shares. The answer depends on the
        item, the region and the day only, so it is kept per (region, day) and item for later
        requests; the pre-filter costs about as much as the rules for a single pair.
        """
        if self._prefilter_many is None:
            return True
        day = as_of or dt.date.today()
        key = (region_code or "", day, ignore_validity)
        known = self._region_memo.get(key)
        if known is None:
            if len(self._region_memo) >= _REGION_MEMO_SIZE:
                self._region_memo.clear()
            known = np.full(len(self.index), -1, dtype=np.int8)  # -1: not judged yet
            self._region_memo[key] = known
        if known[position] < 0:
            probe = EnterpriseProfile(id="region-probe", region_code=region_code)
            possible = self._prefilter_many(
                card, [probe], as_of=day, ignore_validity=ignore_validity
            )
            known[position] = int(bool(possible[0]))
        return bool(known[position])

    def _pair(
        self,
        profile: EnterpriseProfile,
        row: int,
        position: int,
        retrieved: _Retrieved,
        as_of: dt.date | None,
        ignore_validity: bool,
    ) -> _Pair:
        card = self.index.cards[self.index.items[position].id]
        eligibility = self.check(card, profile, as_of=as_of, ignore_validity=ignore_validity)
        return self._pair_with(
            profile, row, position, retrieved, eligibility, as_of, ignore_validity
        )

    def _to_match(
        self, profile: EnterpriseProfile, pair: _Pair, query_tokens: list[str], detail: bool
    ) -> Match:
        item = self.index.items[pair.position]
        card = self.index.cards[item.id]
        highlights: list[str] = []
        reasons: list[str] = []
        if detail:
            highlights = explain_mod.highlights(
                item.text or self._texts[pair.position],
                self.index.tokens[pair.position],
                query_tokens,
                common=self._common,
                frequency=self._frequency,
            )
            contributions = getattr(self.ranker, "contributions", lambda f: {})(pair.features)
            reasons = explain_mod.explanations(
                pair.features,
                contributions,
                card,
                profile,
                pair.eligibility,
                pair.served,
                item_text=self._texts[pair.position],
            )
        return Match(
            item_id=item.id,
            doc_id=item.doc_id,
            enterprise_id=profile.id,
            title=self._title(item),
            score=pair.score,
            verdict=pair.eligibility.verdict,
            checks=pair.eligibility.checks,
            highlights=highlights,
            summary=card.summary,
            explanations=reasons,
            features=pair.features,
        )

    def _title(self, item: PolicyItem) -> str:
        document = self.index.documents.get(item.doc_id)
        label = item.title or (item.heading_path[-1] if item.heading_path else "")
        doc_title = document.title if document else ""
        if label and doc_title and label != doc_title:
            return f"{doc_title} · {label}"
        return label or doc_title or item.id

    # ------------------------------------------------------------------ item -> enterprises
    def enterprises_for(
        self,
        item_id: str,
        profiles: Iterable[EnterpriseProfile] | None = None,
        k: int = 100,
        as_of: dt.date | None = None,
        ignore_validity: bool = False,
        verdicts: Collection[str] | None = None,
    ) -> MatchResults:
        """Rank enterprises for one item (the push direction), best first.

        Each (enterprise, item) pair gets the same score as in :meth:`match_many`, so the two
        directions agree. Eligibility runs first as a cheap filter: only enterprises whose
        verdict is wanted are embedded and scored (their query vectors come from the cache).

        Args:
            item_id: An indexed item.
            profiles: Enterprises to rank; None reads every enterprise in the store.
            k: Enterprises returned.
            as_of, ignore_validity, verdicts: As in :meth:`match_many`.

        Raises:
            KeyError: ``item_id`` is not in the index.
        """
        self._follow_index()
        position = self.index.position(item_id)
        card = self.index.cards[item_id]
        wanted = set(DEFAULT_VERDICTS if verdicts is None else verdicts)
        pool = self._store_profiles() if profiles is None else profiles
        checked = self._prefilter(card, pool, as_of, ignore_validity, wanted)
        scored: list[tuple[EnterpriseProfile, _Pair, list[str]]] = []
        batch = self.config.push_batch
        for start in range(0, len(checked), batch):
            chunk = checked[start : start + batch]
            retrieved = self._retrieve([p for p, _ in chunk], "full")
            started = time.perf_counter()
            for row, (profile, eligibility) in enumerate(chunk):
                pair = self._pair_with(
                    profile, row, position, retrieved, eligibility, as_of, ignore_validity
                )
                scored.append((profile, pair, retrieved.query_tokens[row]))
            self.timings.rules += time.perf_counter() - started
        if scored:
            scores = self.ranker.score(
                feature_matrix(p.features for _, p, _ in scored), FEATURE_NAMES
            )
            for (_, pair, _), score in zip(scored, scores, strict=True):
                pair.score = float(score)
        scored.sort(key=lambda t: (t[1].eligibility.verdict == INELIGIBLE, -t[1].score))
        return MatchResults(
            query_id=item_id,
            matches=[self._to_match(p, pair, tokens, True) for p, pair, tokens in scored[:k]],
        )

    def _prefilter(
        self,
        card: PolicyCard,
        profiles: Iterable[EnterpriseProfile],
        as_of: dt.date | None,
        ignore_validity: bool,
        wanted: set[str],
    ) -> list[tuple[EnterpriseProfile, Eligibility]]:
        started = time.perf_counter()
        profiles = list(profiles)
        if self._prefilter_many is not None and INELIGIBLE not in wanted and profiles:
            possible = self._prefilter_many(
                card, profiles, as_of=as_of, ignore_validity=ignore_validity
            )
            profiles = [p for p, keep in zip(profiles, possible, strict=True) if keep]
        kept = []
        for profile in profiles:
            eligibility = self.check(card, profile, as_of=as_of, ignore_validity=ignore_validity)
            if eligibility.verdict in wanted:
                kept.append((profile, eligibility))
        self.timings.rules += time.perf_counter() - started
        return kept

    def _pair_with(
        self,
        profile: EnterpriseProfile,
        row: int,
        position: int,
        retrieved: _Retrieved,
        eligibility: Eligibility,
        as_of: dt.date | None,
        ignore_validity: bool = False,
    ) -> _Pair:
        card = self.index.cards[self.index.items[position].id]
        needs = retrieved.needs[row]
        offers = self._offers[position]
        views = {view: float(scores[row, position]) for view, scores in retrieved.views.items()}
        features = pair_features(
            card,
            profile,
            eligibility,
            item_text=self._texts[position],
            relevance=float(retrieved.relevance01[row, position]),
            dense=float(retrieved.dense[row, position]),
            bm25=float(retrieved.bm25[row, position]),
            needs=needs,
            offers=offers,
            as_of=as_of,
            ignore_validity=ignore_validity,
            views=views,
            primary=retrieved.primary[row] if retrieved.primary else None,
        )
        return _Pair(position, eligibility, features, served=needs & offers)

    def _store_profiles(self) -> Iterable[EnterpriseProfile]:
        if self._store is None:
            from policymatch.settings import get_settings
            from policymatch.store import PolicyStore

            settings = self._settings or get_settings()
            self._store = PolicyStore(settings.resolved_database_url)
        return self._store.iter_enterprises()


def _top(scores: np.ndarray, k: int) -> list[int]:
    """Positions of the ``k`` largest scores, best first (ties: lower position first)."""
    k = min(k, len(scores))
    if k == len(scores):
        return [int(p) for p in np.argsort(-scores, kind="stable")]
    part = np.argpartition(-scores, k - 1)[:k]
    return [int(p) for p in part[np.lexsort((part, -scores[part]))]]


def _config_of(settings: Settings | None) -> MatchConfig:
    from policymatch.settings import get_settings

    candidates = (settings or get_settings()).match_candidates
    return MatchConfig() if candidates is None else MatchConfig(candidates=candidates)


def _linear_weights_or_none(ranker: Ranker) -> dict[str, float] | None:
    try:
        return linear_weights(ranker)[0]
    except TypeError:  # a non-linear ranker without a linear first stage
        return None


def _default_eligibility() -> EligibilityCheck:
    from policymatch.match.eligibility import check_eligibility

    return check_eligibility


def _default_prefilter() -> Callable[..., np.ndarray]:
    from policymatch.match.eligibility import prefilter

    return prefilter
