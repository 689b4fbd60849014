"""Read and delete stored policies by document or item id, and build their push lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from api.errors import not_found
from api.push_list import build_push_list
from api.schemas import PolicyItemPublic, PolicyPublic, PushList
from policymatch.corpus.models import PolicyDocument, PolicyItem


def resolve(store: Any, policy_id: str) -> tuple[PolicyDocument, PolicyItem | None]:
    """The document named by ``policy_id``, and the item when an item id was given.

    Raises:
        ApiError: 404 when neither a document nor an item has that id.
    """
    doc = store.get_document(policy_id)
    if doc is not None:
        return doc, None
    item = store.get_item(policy_id)
    if item is not None:
        doc = store.get_document(item.doc_id)
        if doc is not None:
            return doc, item
    raise not_found("政策或条款", "policy document or item", policy_id)


def items_of(store: Any, doc_id: str) -> list[PolicyItem]:
    """The items of one document in reading order."""
    return list(store.items_for(doc_id))


def load_policy(store: Any, policy_id: str) -> PolicyPublic:
    doc, asked = resolve(store, policy_id)
    items = [
        PolicyItemPublic(item=item, card=store.get_card(item.id))
        for item in items_of(store, doc.id)
    ]
    return PolicyPublic(document=doc, items=items, item_id=asked.id if asked else None)


def delete_policy(store: Any, policy_id: str) -> None:
    if not store.delete_document(policy_id):
        raise not_found("政策", "policy document", policy_id)


def push_list(
    store: Any,
    matcher: Any,
    policy_id: str,
    *,
    k: int,
    verdicts: Sequence[str] = (),
    as_of: dt.date | None = None,
) -> PushList:
    """Enterprises ranked for an item, or for every item of a document (best item each)."""
    doc, item = resolve(store, policy_id)
    item_ids = [item.id] if item is not None else [i.id for i in items_of(store, doc.id)]
    matches = []
    for item_id in item_ids:
        try:
            results = matcher.enterprises_for(
                item_id, k=k, as_of=as_of, verdicts=list(verdicts) or None
            )
        except KeyError:
            continue  # stored but not indexed yet (no card, or the index update is running)
        matches.extend(results.matches)
    title = doc.title if item is None else f"{doc.title} · {item.title or item.id}"
    return build_push_list(policy_id, title, item_ids, matches, store, k)
