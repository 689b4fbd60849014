"""Translate support items into policy cards: who may apply, what they get, by when.

Example:
    >>> from policymatch.translate import translate_item
    >>> card = translate_item(item, doc)  # doctest: +SKIP
    >>> card.summary  # doctest: +SKIP
    '济南市历城区 · 高新技术企业 · 资金奖励30万元 · 2026-06-30前申报'
"""

from __future__ import annotations

from collections.abc import Iterable

from policymatch.corpus.models import PolicyDocument, PolicyItem
from policymatch.translate.card import build_card, read_document
from policymatch.translate.models import Amount, CardLine, Condition, PolicyCard

__all__ = ["Amount", "CardLine", "Condition", "PolicyCard", "translate_item", "translate_items"]


def translate_items(items: Iterable[PolicyItem], doc: PolicyDocument) -> list[PolicyCard]:
    """Translate the items of one document; document-level facts are read once.

    Args:
        items: Items split from ``doc`` (``item.doc_id == doc.id``).
        doc: Their document: issuer, region, dates and full text.

    Returns:
        One card per item, in the same order.
    """
    facts = read_document(doc)
    return [build_card(item, doc, facts) for item in items]


def translate_item(item: PolicyItem, doc: PolicyDocument) -> PolicyCard:
    """Translate one support item of ``doc`` into a :class:`PolicyCard`."""
    return translate_items([item], doc)[0]
