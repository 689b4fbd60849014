"""Bring the index on disk in line with the store after the API changed some documents.

An existing index is updated incrementally (only the added or changed documents' items are
embedded; deleted ones are dropped) and saved with the index's own atomic symlink swap, so
the holder picks it up like any rebuild. Without an index yet, one is built from the whole
store. Items without a card cannot be indexed (the rules read the card) and are left out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from policymatch.corpus.models import PolicyDocument, PolicyItem
from policymatch.errors import IndexMismatchError
from policymatch.match.index import PolicyIndex
from policymatch.translate.models import PolicyCard

logger = logging.getLogger(__name__)


def _documents_with_items(
    store: Any, doc_ids: Iterable[str]
) -> tuple[list[PolicyDocument], list[PolicyItem], list[PolicyCard]]:
    documents, items, cards = [], [], []
    for doc_id in doc_ids:
        doc = store.get_document(doc_id)
        if doc is None:
            continue
        carded = []
        for item in store.items_for(doc_id):
            card = store.get_card(item.id)
            if card is None:
                logger.warning("item %s has no card; left out of the index", item.id)
                continue
            carded.append(item)
            cards.append(card)
        if carded:
            documents.append(doc)
            items.extend(carded)
    return documents, items, cards


def stored_document_ids(store: Any) -> list[str]:
    """Every document id in the store."""
    total = store.count_documents()
    return [summary.id for summary in store.list_documents(limit=max(total, 1))]


def build_index(store: Any, embedder: Any, index_dir: Path) -> Path:
    """Index every stored document with a card and swap it in at ``index_dir``.

    Returns:
        The versioned directory now behind ``index_dir``.
    """
    documents, items, cards = _documents_with_items(store, stored_document_ids(store))
    return PolicyIndex.build(documents, items, cards, embedder).save(index_dir)


def update_index(store: Any, embedder: Any, index_dir: Path, doc_ids: set[str]) -> Path:
    """Re-index ``doc_ids`` (added, changed or deleted in the store) and swap the result in.

    Falls back to :func:`build_index` when there is no usable index at ``index_dir``.
    """
    try:
        index = PolicyIndex.load(index_dir, embedder)
    except IndexMismatchError as exc:
        logger.info("no usable index to update (%s); building one from the store", exc)
        return build_index(store, embedder, index_dir)
    index.remove_documents(doc_ids)
    documents, items, cards = _documents_with_items(store, sorted(doc_ids))
    if documents:
        index.add_documents(documents, items, cards, embedder)
    return index.save(index_dir)
