"""Assemble a :class:`PolicyCard` from what the extractors read.

Each part of an item is read where it lives: amounts and support types in the item's own
title and text; beneficiaries, conditions, industries and region also in its headings and
inherited context (conditions stated once above several numbered items); the application
window in the item, then its context, then the document; validity from the document.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from policymatch.corpus.models import PolicyDocument, PolicyItem
from policymatch.reference import qualifications, regions
from policymatch.translate import amounts as amount_reader
from policymatch.translate import plain
from policymatch.translate.beneficiaries import (
    BeneficiaryHit,
    beneficiary_names,
    find_beneficiaries,
    listed_together,
)
from policymatch.translate.conditions import (
    find_numeric_conditions,
    rd_spending_condition,
    soften_exclusive_tiers,
)
from policymatch.translate.dates import (
    DateSpan,
    find_apply_window,
    find_item_period,
    find_validity,
    is_apply_heading,
)
from policymatch.translate.department import find_department
from policymatch.translate.findings import Findings
from policymatch.translate.industries import (
    IndustryHit,
    find_excluded_industries,
    find_industries,
    industry_codes,
)
from policymatch.translate.measure import (
    DocumentKind,
    document_kind,
    is_support_measure,
    opening_heading,
)
from policymatch.translate.models import Condition, PolicyCard
from policymatch.translate.regions import document_region, find_region_scope
from policymatch.translate.scope import binds_elsewhere
from policymatch.translate.support_types import find_support_types
from policymatch.translate.text import Sentence, split_sentences

logger = logging.getLogger(__name__)

# An item that states its own R&D threshold needs no implied one.
_RD_FIELDS = frozenset({"rd_ratio", "rd_expense"})


@dataclass(frozen=True)
class DocumentFacts:
    """What every item of one document shares, read once per document.

    Attributes:
        sentences: The document's sentences (origin ``document``).
        validity: Effective date and end of the policy, from metadata or the text.
        apply_window: A window stated once for the whole document, if any.
        year: The document's year, for dates written without one.
        home: The region the issuer governs (None: national or unknown).
        kind: The kind of document its title names (plan, result list …), if any.
    """

    sentences: list[Sentence]
    validity: DateSpan | None
    apply_window: DateSpan | None
    year: int | None
    home: regions.Region | None = None
    kind: DocumentKind | None = None


def read_document(doc: PolicyDocument) -> DocumentFacts:
    """Read the document-level facts shared by its items."""
    sentences = split_sentences(doc.text, "document")
    issued = doc.written_date or doc.publish_date
    validity, _ = find_validity(sentences, issued)
    # The text's own statement wins (it reads the date printed next to 印发); the metadata
    # fills what the text leaves open.
    if doc.valid_from or doc.valid_until:
        validity = DateSpan(
            (validity.start if validity else None) or doc.valid_from,
            (validity.end if validity else None) or doc.valid_until,
            validity.source if validity else "",
        )
    year = issued.year if issued else None
    return DocumentFacts(
        sentences,
        validity,
        find_apply_window(sentences, year),
        year,
        document_region(doc),
        document_kind(doc.title),
    )


@dataclass(frozen=True)
class _ItemSentences:
    title: list[Sentence]
    headings: list[Sentence]
    text: list[Sentence]
    context: list[Sentence]

    @property
    def own(self) -> list[Sentence]:
        return self.title + self.text

    @property
    def all(self) -> list[Sentence]:
        return self.title + self.headings + self.text + self.context


def _item_sentences(item: PolicyItem) -> _ItemSentences:
    headings = [s for h in item.heading_path for s in split_sentences(h, "heading")]
    title = (
        split_sentences(item.title, "title") if item.title and item.title not in item.text else []
    )
    return _ItemSentences(
        title,
        headings,
        split_sentences(item.text, "text"),
        split_sentences(item.context, "context"),
    )


def _binding(parts: _ItemSentences, item: PolicyItem, doc: PolicyDocument) -> _ItemSentences:
    """The item's sentences without those that state a rule for another kind of measure
    (技术改造类项目申报企业须为规上工业企业 read for a 首版次软件 award)."""
    own_title = bool(item.title) and not (doc.title and doc.title in item.title)
    own = parts.text + (parts.title if own_title else [])

    def keep(sentences: list[Sentence]) -> list[Sentence]:
        return [s for s in sentences if not binds_elsewhere(s, own)]

    return _ItemSentences(parts.title, keep(parts.headings), keep(parts.text), keep(parts.context))


def _body(text_sentences: list[Sentence], title: str) -> list[Sentence]:
    """The item's sentences after its numbered title sentence ((六)支持困难企业开展职工在岗培训)."""
    if text_sentences and title and title in text_sentences[0].text:
        return text_sentences[1:]
    return text_sentences


def _dedupe_conditions(conditions: list[Condition]) -> list[Condition]:
    seen: set[tuple] = set()
    kept = []
    for condition in conditions:
        key = (condition.kind, condition.field, condition.op, str(condition.value))
        if key not in seen:
            seen.add(key)
            kept.append(condition)
    return kept


def _beneficiary_conditions(hits: list[BeneficiaryHit]) -> list[Condition]:
    """Qualifications held (requirement) and qualifications newly won (award).

    Other kinds (中小企业, 高校毕业生 …), the region and the industries are the card's own
    fields, which eligibility reads directly; they are not repeated as conditions.
    """
    roles: dict[str, BeneficiaryHit] = {}
    for hit in hits:
        if hit.role == "mention":
            continue
        known = roles.get(hit.name)
        if known is None or (hit.role == "award" and known.role != "award"):
            roles[hit.name] = hit
    conditions = []
    # A qualification listed beside other kinds of applicant (龙头企业、家庭农场、农民专业合作社)
    # is one alternative of the 申报主体 check, not a condition every applicant must meet.
    others = [h for h in hits if not h.qualification and h.role == "requirement"]
    alternatives = {
        h.name
        for h in hits
        if h.qualification
        and h.role == "requirement"
        and any(o.source == h.source and listed_together(h.source, h.name, o.name) for o in others)
    }
    required = [
        h
        for h in roles.values()
        if h.qualification and h.role == "requirement" and h.name not in alternatives
    ]
    if required:
        names = [h.name for h in required]
        conditions.append(
            Condition(
                kind="qualification",
                value=names if len(names) > 1 else names[0],
                text="须为" + "或".join(names),
                source=required[0].source,
                role="requirement",
            )
        )
    for hit in (h for h in roles.values() if h.qualification and h.role == "award"):
        conditions.append(
            Condition(
                kind="qualification",
                value=hit.name,
                hard=False,
                text=f"新认定为{hit.name}",
                source=hit.source,
                role="award",
            )
        )
    return conditions


def _open_industry_conditions(hits: list[IndustryHit], closed: list[str]) -> list[Condition]:
    """Sectors of an open list (批发、零售企业及相关商业运营主体) as one soft industry condition.

    The list names who is meant first but goes on to related entities, so a firm outside the
    named sectors is not ruled out: checked, its mismatch makes an item 可能符合, not 不符合.
    """
    codes = [c for c in industry_codes([h for h in hits if h.open]) if c not in closed]
    if not codes:
        return []
    source = next(h.source for h in hits if h.open)
    phrases = "、".join(dict.fromkeys(h.phrase for h in hits if h.open))
    return [
        Condition(
            kind="industry",
            value=codes,
            hard=False,
            text=f"所属行业：{phrases}及相关",
            source=source,
        )
    ]


def _kind_industries(hits: list[BeneficiaryHit]) -> list[IndustryHit]:
    """Sectors implied by beneficiary kinds that are industries (工业企业 -> B C D, 文化企业 -> R)."""
    implied = []
    for hit in hits:
        entry = qualifications.get(hit.name)
        if (
            hit.role != "mention"
            and entry is not None
            and entry.kind == "industry"
            and entry.industries
        ):
            implied.append(IndustryHit(hit.name, entry.industries, hit.source, entry.strict))
    return implied


def _item_validity(item: PolicyItem, parts: _ItemSentences, facts: DocumentFacts) -> DateSpan:
    """The document's validity, narrowed by the item's own 有效期至 or by a period that opens it."""
    start = facts.validity.start if facts.validity else None
    end = facts.validity.end if facts.validity else None
    source = facts.validity.source if facts.validity else ""
    own, _ = find_validity(parts.text, None)
    if own is not None and own.end is not None:
        end, source = own.end, own.source
    if not is_apply_heading(item.title):  # under 申报时间 a date range is the window, not a period
        period = find_item_period(_body(parts.text, item.title), facts.year)
        if period is not None:
            return DateSpan(period.start, period.end or end, period.source)
    return DateSpan(start, end, source)


def build_card(item: PolicyItem, doc: PolicyDocument, facts: DocumentFacts) -> PolicyCard:
    """Translate one item of ``doc`` into a card (see :func:`policymatch.translate.translate_item`)."""
    parts = _item_sentences(item)
    own = parts.own
    found_amounts = [a for s in own for a in amount_reader.find_amounts(s)]
    if not found_amounts:
        found_amounts = [a for s in parts.headings[::-1] for a in amount_reader.find_amounts(s)]
    types = find_support_types(own)
    support_names = [t.name for t in types]
    # Who may apply is read without rules stated for another kind of measure.
    binding = _binding(parts, item, doc).all
    beneficiary_hits = find_beneficiaries(binding)
    industry_hits = find_industries(binding)
    excluded_industry_hits = find_excluded_industries(binding)
    scope = find_region_scope(binding, doc, facts.home)
    numeric = [c for s in binding for c in find_numeric_conditions(s)]
    apply_window = find_apply_window(parts.text + parts.context, facts.year) or facts.apply_window
    validity = _item_validity(item, parts, facts)
    department = find_department(parts.text + parts.context, doc.issuer, facts.sentences)
    max_wan = amount_reader.max_amount_wan(found_amounts)
    headings = [*item.heading_path, *opening_heading(item.text)]
    support = is_support_measure(
        own, found_amounts, support_names, headings, item.title, facts.kind
    )
    if not support:
        # Goals and plans target nobody: sectors and kinds they name are mentions.
        industry_hits = []
        beneficiary_hits = [h for h in beneficiary_hits if h.role == "mention"]
        excluded_industry_hits = []
    elif not any(c.field in _RD_FIELDS for c in numeric) and (
        spending := rd_spending_condition(parts.text + parts.title)
    ):
        numeric.append(spending)
    excluded_industries = industry_codes(excluded_industry_hits)
    # A sector named in the exclusion (不含批发零售企业) restricts nobody to it.
    industry_hits = [
        h
        for h in industry_hits + _kind_industries(beneficiary_hits)
        if not set(h.codes) <= set(excluded_industries)
    ]
    closed_industries = industry_codes([h for h in industry_hits if not h.open])
    beneficiaries = beneficiary_names(beneficiary_hits)
    found = Findings(
        item=item,
        support=support,
        scope=scope,
        beneficiary_hits=beneficiary_hits,
        industry_hits=industry_hits,
        excluded_industry_hits=excluded_industry_hits,
        support_types=types,
        amounts=found_amounts,
        max_amount_wan=max_wan,
        conditions=soften_exclusive_tiers(
            _dedupe_conditions(_beneficiary_conditions(beneficiary_hits) + numeric)
        )
        + _open_industry_conditions(industry_hits, closed_industries),
        apply_window=apply_window,
        validity=validity,
        department=department,
    )
    return PolicyCard(
        item_id=item.id,
        doc_id=item.doc_id,
        beneficiaries=beneficiaries,
        region_codes=scope.codes,
        region_names=scope.names,
        excluded_region_codes=scope.excluded,
        industries=closed_industries,
        excluded_industries=excluded_industries,
        conditions=found.conditions,
        support_types=[t.name for t in types],
        amounts=found_amounts,
        max_amount_wan=max_wan,
        apply_start=apply_window.start if apply_window else None,
        apply_end=apply_window.end if apply_window else None,
        apply_yearly=bool(apply_window and apply_window.yearly),
        valid_from=validity.start,
        valid_until=validity.end,
        department=department.name if department else None,
        is_support_measure=support,
        summary=plain.summary(found),
        lines=plain.card_lines(found),
    )
