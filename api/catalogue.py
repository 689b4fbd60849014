"""The policy library view: documents with their cards, searched and filtered in memory.

Listing needs every document's cards (support types, beneficiaries, deadlines); reading them
from the store on each request would cost one query per item, so the catalogue keeps a
snapshot, dropped when this app writes and at most ``ttl`` seconds old otherwise (another
process, such as ``policymatch ingest``, may write to the same store).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from api.filters import beneficiary_matches, region_overlaps, support_type_matches
from api.schemas import PolicyPage, PolicySummary
from policymatch.corpus.models import PolicyDocument
from policymatch.translate.models import PolicyCard

Status = Literal["all", "valid", "expired"]


@dataclass
class CatalogueEntry:
    """A document, the number of its items, and the cards of those items."""

    doc: PolicyDocument
    items: int
    cards: list[PolicyCard] = field(default_factory=list)
    haystack: str = ""  # title, number, issuer and text, for substring search

    def expired(self, as_of: dt.date) -> bool:
        """Past the document's validity, or every item's card is past its deadline."""
        if self.doc.valid_until is not None:
            return self.doc.valid_until < as_of
        return bool(self.cards) and all(card.expired(as_of) for card in self.cards)

    def summary(self, as_of: dt.date) -> PolicySummary:
        kinds = list(dict.fromkeys(kind for card in self.cards for kind in card.support_types))
        amounts = [card.max_amount_wan for card in self.cards if card.max_amount_wan]
        return PolicySummary(
            id=self.doc.id,
            title=self.doc.title,
            issuer=self.doc.issuer,
            region=self.doc.region,
            doc_number=self.doc.doc_number,
            publish_date=self.doc.publish_date,
            valid_until=self.doc.valid_until,
            expired=self.expired(as_of),
            items=self.items,
            support_types=kinds,
            max_amount_wan=max(amounts) if amounts else None,
        )


@dataclass
class Facets:
    """Filter values present in the library, most common first."""

    support_types: list[str]
    beneficiaries: list[str]


class PolicyCatalogue:
    """Search and filter the stored policy documents.

    Args:
        store: The policy store.
        ttl: Seconds a snapshot is reused before the store is read again.
    """

    def __init__(self, store: Any, ttl: float = 30.0) -> None:
        self._store = store
        self._ttl = ttl
        self._entries: list[CatalogueEntry] | None = None
        self._loaded = 0.0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Forget the snapshot; the next read rebuilds it."""
        self._entries = None

    def entries(self) -> list[CatalogueEntry]:
        entries = self._entries
        if entries is not None and time.monotonic() - self._loaded < self._ttl:
            return entries
        with self._lock:
            if self._entries is not None and time.monotonic() - self._loaded < self._ttl:
                return self._entries
            self._entries = self._read_store()
            self._loaded = time.monotonic()
            return self._entries

    def _read_store(self) -> list[CatalogueEntry]:
        entries: dict[str, CatalogueEntry] = {}
        total = self._store.count_documents()
        for summary in self._store.list_documents(limit=max(total, 1)):
            doc = self._store.get_document(summary.id)
            if doc is None:  # deleted since the list was read
                continue
            parts = (doc.title, doc.doc_number, doc.issuer, doc.region, doc.text)
            haystack = "\n".join(part for part in parts if part)
            entries[doc.id] = CatalogueEntry(doc=doc, items=summary.item_count, haystack=haystack)
        for card in self._store.iter_cards():
            entry = entries.get(card.doc_id)
            if entry is not None:
                entry.cards.append(card)
        return list(entries.values())

    def facets(self) -> Facets:
        kinds: Counter[str] = Counter()
        beneficiaries: Counter[str] = Counter()
        for entry in self.entries():
            kinds.update({k for card in entry.cards for k in card.support_types})
            beneficiaries.update({b for card in entry.cards for b in card.beneficiaries})
        return Facets(
            support_types=[k for k, _ in kinds.most_common()],
            beneficiaries=[b for b, _ in beneficiaries.most_common()],
        )

    def search(
        self,
        *,
        q: str | None = None,
        region: str | None = None,
        support_type: str | None = None,
        beneficiary: str | None = None,
        status: Status = "all",
        as_of: dt.date | None = None,
        offset: int = 0,
        limit: int = 20,
    ) -> PolicyPage:
        """Documents that contain every word of ``q`` and pass the filters, newest first.

        Title hits rank above hits only in the text. ``region`` matches the document's
        region or any card's regions (name or 区划 code).
        """
        today = as_of or dt.date.today()
        terms = (q or "").split()
        hits: list[tuple[int, CatalogueEntry]] = []
        for entry in self.entries():
            if terms and not all(term in entry.haystack for term in terms):
                continue
            if region and not self._in_region(entry, region):
                continue
            if support_type and not any(support_type_matches(c, support_type) for c in entry.cards):
                continue
            if beneficiary and not any(beneficiary_matches(c, beneficiary) for c in entry.cards):
                continue
            if status != "all" and entry.expired(today) != (status == "expired"):
                continue
            title_hits = sum(term in entry.doc.title for term in terms)
            hits.append((title_hits, entry))
        hits.sort(key=lambda hit: (-hit[0], -(hit[1].doc.publish_date or dt.date.min).toordinal()))
        page = [entry.summary(today) for _, entry in hits[offset : offset + limit]]
        return PolicyPage(total=len(hits), offset=offset, limit=limit, policies=page)

    @staticmethod
    def _in_region(entry: CatalogueEntry, region: str) -> bool:
        doc = entry.doc
        if doc.region and (region in doc.region or doc.region in region):
            return True
        if doc.region_code and region == doc.region_code:
            return True
        return any(region_overlaps(card, region) for card in entry.cards)
