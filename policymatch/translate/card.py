"""Assemble a :class:`PolicyCard` from what the extractors read, with its plain-language lines.

Each part of an item is read where it lives: amounts and support types in the item's own
title and text; beneficiaries, conditions, industries and region also in its headings and
inherited context (conditions stated once above several numbered items); the application
window in the item, then its context, then the document; validity from the document.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from policymatch.corpus.models import PolicyDocument, PolicyItem
from policymatch.reference import qualifications, regions
from policymatch.translate import amounts as amount_reader
from policymatch.translate import formatting
from policymatch.translate.beneficiaries import (
    BeneficiaryHit,
    beneficiary_names,
    find_beneficiaries,
)
from policymatch.translate.conditions import find_numeric_conditions
from policymatch.translate.dates import (
    DateSpan,
    find_apply_window,
    find_item_period,
    find_validity,
    is_apply_heading,
)
from policymatch.translate.department import find_department
from policymatch.translate.industries import IndustryHit, find_industries, industry_codes
from policymatch.translate.measure import is_support_measure
from policymatch.translate.models import Amount, CardLine, Condition, PolicyCard
from policymatch.translate.regions import RegionScope, find_region_scope
from policymatch.translate.support_types import find_support_types
from policymatch.translate.text import Sentence, split_sentences

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentFacts:
    """What every item of one document shares, read once per document.

    Attributes:
        sentences: The document's sentences (origin ``document``).
        validity: Effective date and end of the policy, from metadata or the text.
        apply_window: A window stated once for the whole document, if any.
        year: The document's year, for dates written without one.
    """

    sentences: list[Sentence]
    validity: DateSpan | None
    apply_window: DateSpan | None
    year: int | None


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
    return DocumentFacts(sentences, validity, find_apply_window(sentences, year), year)


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
    required = [h for h in roles.values() if h.qualification and h.role == "requirement"]
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


def short_region(code: str) -> str:
    """济南市历城区 for a county, 济南市 for a city, 山东省 for a province ('' if unknown)."""
    names = list(dict.fromkeys(r.name for r in regions.path(code)))
    if not names:
        return ""
    region = regions.get(code)
    keep = 2 if region is not None and region.level == "county" else 1
    return "".join(names[-keep:])


def _when(
    apply_window: DateSpan | None, valid_from: dt.date | None, valid_until: dt.date | None
) -> tuple[str, str]:
    """The 何时申报 words and the summary's date phrase."""
    if apply_window is not None:
        start = apply_window.start.isoformat() if apply_window.start else ""
        end = apply_window.end.isoformat() if apply_window.end else ""
        if start and end:
            return f"{start}至{end}", f"{end}前申报"
        if end:
            return f"{end}前", f"{end}前申报"
        return f"{start}起", f"{start}起申报"
    if valid_until is not None:
        start = f"{valid_from.isoformat()}起，" if valid_from else ""
        return f"{start}政策有效期至{valid_until.isoformat()}", f"有效期至{valid_until.isoformat()}"
    if valid_from is not None:
        return f"{valid_from.isoformat()}起施行，以申报通知为准", ""
    return "", ""


def _what(
    amounts: list[Amount], support_types: list[str], max_wan: float | None
) -> tuple[str, str]:
    """The 能得到什么 words and the summary's money phrase."""
    described = list(dict.fromkeys(amount_reader.describe(a) for a in amounts))
    words = "、".join(described[:4])
    if support_types:
        words = f"{'、'.join(support_types[:3])}" + (f"：{words}" if words else "")
    if max_wan is not None:
        fixed_only = all(a.kind == "fixed" for a in amounts if a.wan is not None)
        summary = ("" if fixed_only else "最高") + formatting.money(max_wan)
    elif described:
        summary = described[0]
    else:
        summary = "、".join(support_types[:2])
    if support_types and summary and summary not in support_types:
        summary = f"{support_types[0]}{summary}"
    return words, summary


def build_card(item: PolicyItem, doc: PolicyDocument, facts: DocumentFacts) -> PolicyCard:
    """Translate one item of ``doc`` into a card (see :func:`policymatch.translate.translate_item`)."""
    parts = _item_sentences(item)
    own = parts.own
    found_amounts = [a for s in own for a in amount_reader.find_amounts(s)]
    if not found_amounts:
        found_amounts = [a for s in parts.headings[::-1] for a in amount_reader.find_amounts(s)]
    types = find_support_types(own)
    support_names = [t.name for t in types]
    beneficiary_hits = find_beneficiaries(parts.all)
    industry_hits = find_industries(parts.all)
    scope = find_region_scope(parts.all, doc)
    numeric = [c for s in parts.all for c in find_numeric_conditions(s)]
    apply_window = find_apply_window(parts.text + parts.context, facts.year) or facts.apply_window
    item_validity, _ = find_validity(parts.text, None)
    valid_from = facts.validity.start if facts.validity else None
    valid_until = facts.validity.end if facts.validity else None
    if item_validity is not None and item_validity.end is not None:
        valid_until = item_validity.end
    period = (
        None
        if is_apply_heading(item.title)
        else find_item_period(_body(parts.text, item.title), facts.year)
    )
    if period is not None:
        valid_from, valid_until = period.start, period.end or valid_until
    department = find_department(parts.text + parts.context, doc.issuer, facts.sentences)
    max_wan = amount_reader.max_amount_wan(found_amounts)
    support = is_support_measure(own, found_amounts, support_names, item.heading_path, item.title)
    if not support:
        # Goals and plans target nobody: sectors and kinds they name are mentions.
        industry_hits = []
        beneficiary_hits = [h for h in beneficiary_hits if h.role == "mention"]
    industry_hits = industry_hits + _kind_industries(beneficiary_hits)
    beneficiaries = beneficiary_names(beneficiary_hits)
    conditions = _dedupe_conditions(_beneficiary_conditions(beneficiary_hits) + numeric)

    when_words, when_summary = _when(apply_window, valid_from, valid_until)
    what_words, what_summary = _what(found_amounts, support_names, max_wan)
    lines = _lines(
        scope,
        industry_hits,
        beneficiary_hits,
        beneficiaries,
        found_amounts,
        types,
        what_words,
        conditions,
        apply_window,
        facts,
        when_words,
        department,
    )
    place = short_region(scope.codes[0]) if scope.codes else "全国"
    if support:
        pieces = [place, "、".join(beneficiaries[:2]), what_summary, when_summary]
    else:
        pieces = [
            place,
            item.title or (item.heading_path[-1] if item.heading_path else ""),
            "非申报类条款",
        ]
    return PolicyCard(
        item_id=item.id,
        doc_id=item.doc_id,
        beneficiaries=beneficiaries,
        region_codes=scope.codes,
        region_names=scope.names,
        industries=industry_codes(industry_hits),
        conditions=conditions,
        support_types=support_names,
        amounts=found_amounts,
        max_amount_wan=max_wan,
        apply_start=apply_window.start if apply_window else None,
        apply_end=apply_window.end if apply_window else None,
        valid_from=valid_from,
        valid_until=valid_until,
        department=department.name if department else None,
        is_support_measure=support,
        summary=" · ".join(p for p in pieces if p),
        lines=lines,
    )


def _lines(
    scope: RegionScope,
    industry_hits: list[IndustryHit],
    beneficiary_hits: list[BeneficiaryHit],
    beneficiaries: list[str],
    found_amounts: list[Amount],
    types: list,
    what_words: str,
    conditions: list[Condition],
    apply_window: DateSpan | None,
    facts: DocumentFacts,
    when_words: str,
    department,
) -> list[CardLine]:
    lines = []
    who = "、".join(beneficiaries) or "符合条件的企业和单位"
    place = "、".join(scope.names) or "全国"
    who_source = next((h.source for h in beneficiary_hits if h.role != "mention"), "")
    lines.append(
        CardLine(
            label="谁可以申请",
            text=f"{place}的{who}",
            source=who_source or (scope.sources[0] if scope.sources else ""),
        )
    )
    if what_words:
        source = found_amounts[0].source if found_amounts else (types[0].source if types else "")
        lines.append(CardLine(label="能得到什么", text=what_words, source=source))
    needs = [(c.text, c.source) for c in conditions]
    kinds = [h for h in beneficiary_hits if h.role == "requirement" and not h.qualification]
    if kinds:
        names = "或".join(dict.fromkeys(h.name for h in kinds))
        needs.append((f"属于{names}", kinds[0].source))
    if industry_hits:
        phrases = "、".join(dict.fromkeys(h.phrase for h in industry_hits))
        needs.append((f"所属行业：{phrases}", industry_hits[0].source))
    if needs:
        lines.append(
            CardLine(label="需要满足", text="；".join(t for t, _ in needs), source=needs[0][1])
        )
    if when_words:
        source = (
            apply_window.source
            if apply_window
            else (facts.validity.source if facts.validity else "")
        )
        lines.append(CardLine(label="何时申报", text=when_words, source=source))
    if department is not None:
        lines.append(CardLine(label="受理部门", text=department.name, source=department.source))
    return lines
