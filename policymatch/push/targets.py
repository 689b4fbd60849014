"""Which policies a campaign is for: item ids, document ids (-> their valid items), or filters.

Resolved against the index (its documents, items and cards), the same snapshot the scorer reads.
An item is *valid* on a day when its card is a support measure (something to apply for) and its
validity or application window has not ended.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from policymatch.errors import InputError
from policymatch.push.models import Target

logger = logging.getLogger(__name__)


def resolve_targets(
    index: Any,
    policy_ids: Sequence[str] = (),
    *,
    doc_ids: Sequence[str] = (),
    issued_since: dt.date | None = None,
    all_valid: bool = False,
    as_of: dt.date | None = None,
) -> list[Target]:
    """Targets for the named policies and filters, in the order named, each policy once.

    Args:
        index: A :class:`~policymatch.match.index.PolicyIndex` (``documents``, ``items``,
            ``cards``).
        policy_ids: Item ids (``doc#seq``: that item, valid or not, since it was asked for by
            name) or document ids (their valid items).
        doc_ids: Document ids (their valid items).
        issued_since: Every document published on or after this day (its valid items).
        all_valid: Every document with at least one valid item.
        as_of: The day validity is judged on; None is today.

    Raises:
        InputError: An id that names neither an indexed item nor a document, a named document
            with no valid item, or no policy at all.
    """
    as_of = as_of or dt.date.today()
    items_of: dict[str, list[Any]] = {}
    item_by_id: dict[str, Any] = {}
    for item in index.items:
        items_of.setdefault(item.doc_id, []).append(item)
        item_by_id[item.id] = item
    targets: dict[str, Target] = {}

    def add_document(doc_id: str, named: bool) -> None:
        document = index.documents.get(doc_id)
        valid = [i.id for i in items_of.get(doc_id, []) if _valid(index.cards.get(i.id), as_of)]
        if not valid:
            if named:
                raise InputError(
                    f"document {doc_id} has no support item valid on {as_of.isoformat()}",
                    field="policy",
                )
            return
        title = document.title if document is not None else doc_id
        targets.setdefault(doc_id, Target(policy_id=doc_id, title=title, item_ids=valid))

    for policy_id in policy_ids:
        if policy_id in item_by_id:
            item = item_by_id[policy_id]
            document = index.documents.get(item.doc_id)
            title = " · ".join(p for p in (document.title if document else "", item.title) if p)
            targets.setdefault(
                policy_id, Target(policy_id=policy_id, title=title, item_ids=[policy_id])
            )
        elif policy_id in index.documents or policy_id in items_of:
            add_document(policy_id, named=True)
        else:
            raise InputError(f"no indexed policy item or document {policy_id!r}", field="policy")
    for doc_id in doc_ids:
        if doc_id not in index.documents and doc_id not in items_of:
            raise InputError(f"no indexed document {doc_id!r}", field="doc")
        add_document(doc_id, named=True)
    if issued_since is not None or all_valid:
        for doc_id in sorted(index.documents):
            published = index.documents[doc_id].publish_date
            if issued_since is not None and (published is None or published < issued_since):
                continue
            add_document(doc_id, named=False)
    if not targets:
        raise InputError(
            "no policy to push: name item or document ids, --doc, --issued-since or --all-valid"
        )
    return list(targets.values())


def _valid(card: Any, as_of: dt.date) -> bool:
    if card is None:
        return True  # no card yet: nothing says it is not a support item
    return bool(card.is_support_measure) and not card.expired(as_of)
