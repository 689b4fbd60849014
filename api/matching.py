"""Run the Matcher for one enterprise and shape its results for clients and the console."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from api.filters import region_overlaps, support_type_matches
from api.highlight import snippet
from api.schemas import CardSummary, DocumentMatchPublic, GroupBy, MatchPublic, MatchResponse
from policymatch.corpus.models import PolicyItem
from policymatch.match.results import Match, Verdict
from policymatch.profile.models import EnterpriseProfile
from policymatch.translate.models import PolicyCard

VERDICT_ORDER: dict[str, int] = {"推荐": 0, "可能符合": 1, "不符合": 2}
# Filters applied after ranking need a deeper pool to still return k results.
_POOL_FACTOR = 5
_POOL_MAX = 500


@dataclass
class MatchQuery:
    """What a client asked for besides the enterprise (all optional but ``k``)."""

    k: int = 10
    as_of: dt.date | None = None
    verdicts: Sequence[Verdict] = ()
    regions: Sequence[str] = ()
    support_types: Sequence[str] = ()
    group_by: GroupBy = "item"
    extra: dict[str, Any] = field(default_factory=dict)


class IndexedLookup:
    """Cards, items and document titles from the Matcher's index, the store as fallback.

    Reading the index the results came from keeps a response consistent (the card shown is
    the card the rules judged) and saves three database reads per result.
    """

    def __init__(self, matcher: Any, store: Any) -> None:
        self._index = matcher.index
        self._store = store

    def card(self, item_id: str) -> PolicyCard | None:
        return self._index.cards.get(item_id) or self._store.get_card(item_id)

    def item(self, item_id: str) -> PolicyItem | None:
        try:
            return self._index.items[self._index.position(item_id)]  # type: ignore[no-any-return]
        except KeyError:
            return self._store.get_item(item_id)  # type: ignore[no-any-return]

    def doc_title(self, doc_id: str) -> str:
        doc = self._index.documents.get(doc_id) or self._store.get_document(doc_id)
        return doc.title if doc is not None else ""


def to_public(match: Match, rank: int, lookup: IndexedLookup) -> MatchPublic:
    """A library :class:`Match` with its card summary, document title and a text snippet."""
    card = lookup.card(match.item_id)
    item = lookup.item(match.item_id)
    statuses = [check.status for check in match.checks]
    return MatchPublic(
        rank=rank,
        item_id=match.item_id,
        doc_id=match.doc_id,
        title=match.title,
        doc_title=lookup.doc_title(match.doc_id),
        score=round(match.score, 6),
        verdict=match.verdict,
        met=statuses.count("met"),
        unmet=statuses.count("unmet"),
        unknown=statuses.count("unknown"),
        checks=match.checks,
        highlights=match.highlights,
        explanations=match.explanations,
        snippet=snippet(item.text, match.highlights) if item is not None else "",
        card=CardSummary.from_card(card) if card is not None else None,
    )


def _keep(match: Match, query: MatchQuery, lookup: IndexedLookup) -> bool:
    if not (query.regions or query.support_types):
        return True
    card = lookup.card(match.item_id)
    if card is None:
        return False
    if query.regions and not any(region_overlaps(card, r) for r in query.regions):
        return False
    return not query.support_types or any(
        support_type_matches(card, s) for s in query.support_types
    )


def group_by_document(matches: list[MatchPublic]) -> list[DocumentMatchPublic]:
    """Matches gathered under their document, documents in the order of their best item."""
    grouped: dict[str, list[MatchPublic]] = {}
    for match in matches:
        grouped.setdefault(match.doc_id, []).append(match)
    documents = []
    for rank, (doc_id, items) in enumerate(grouped.items(), start=1):
        best_verdict = min((m.verdict for m in items), key=VERDICT_ORDER.__getitem__)
        documents.append(
            DocumentMatchPublic(
                rank=rank,
                doc_id=doc_id,
                title=items[0].doc_title or items[0].title,
                score=max(m.score for m in items),
                verdict=best_verdict,
                items=items,
            )
        )
    return documents


def run_match(
    matcher: Any, store: Any, profile: EnterpriseProfile, query: MatchQuery
) -> MatchResponse:
    """Rank policy items for ``profile`` and apply the client's filters.

    Args:
        matcher: The loaded :class:`policymatch.match.matcher.Matcher`.
        store: The policy store, for cards, item text and document titles.
        profile: A normalised enterprise profile.
        query: k, as-of date, wanted verdicts, region and support-type filters, grouping.

    Returns:
        The top ``query.k`` items, or with ``group_by="document"`` the top ``query.k``
        documents with their matched items, after filtering.
    """
    as_of = query.as_of or dt.date.today()
    deeper = query.regions or query.support_types or query.group_by == "document"
    pool = min(_POOL_MAX, query.k * _POOL_FACTOR) if deeper else query.k
    results = matcher.match(
        profile, k=pool, as_of=as_of, verdicts=list(query.verdicts) or None, **query.extra
    )
    lookup = IndexedLookup(matcher, store)
    kept = [m for m in results.matches if _keep(m, query, lookup)]
    response = MatchResponse(
        enterprise_id=profile.id, as_of=as_of, group_by=query.group_by, total=0
    )
    if query.group_by == "document":
        public = [to_public(m, rank, lookup) for rank, m in enumerate(kept, start=1)]
        response.documents = group_by_document(public)[: query.k]
        response.total = len(response.documents)
    else:
        response.matches = [to_public(m, r, lookup) for r, m in enumerate(kept[: query.k], start=1)]
        response.total = len(response.matches)
    return response
