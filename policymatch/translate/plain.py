"""The plain-language side of a card: the one-line summary and the lines people read.

Every line carries the sentence it was read from, so a reader can check it against the text.
"""

from __future__ import annotations

import datetime as dt

from policymatch.reference import regions
from policymatch.translate import amounts as amount_reader
from policymatch.translate import formatting
from policymatch.translate.dates import DateSpan
from policymatch.translate.findings import Findings
from policymatch.translate.models import Amount, CardLine

NOT_A_MEASURE = "非申报类条款"


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
    if apply_window is not None and apply_window.yearly and apply_window.end is not None:
        first, last = apply_window.start, apply_window.end
        opens = f"{first.month}月{first.day}日至" if first else ""
        return f"每年{opens}{last.month}月{last.day}日", f"每年{last.month}月{last.day}日前申报"
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
        return words, "、".join(support_types[:2])
    if support_types:
        summary = f"{support_types[0]}{summary}"
    return words, summary


def summary(found: Findings) -> str:
    """One line: place · who · what · when (济南市历城区 · 高新技术企业 · 资金奖励30万元 · 2026-06-30前申报).

    Items with nothing to apply for read place · title · 非申报类条款.
    """
    place = short_region(found.scope.codes[0]) if found.scope.codes else "全国"
    if not found.support:
        item = found.item
        title = item.title or (item.heading_path[-1] if item.heading_path else "")
        return " · ".join(p for p in (place, title, NOT_A_MEASURE) if p)
    names = found.beneficiary_names
    _, what = _what(found.amounts, found.support_type_names, found.max_amount_wan)
    _, when = _when(found.apply_window, found.validity.start, found.validity.end)
    return " · ".join(p for p in (place, "、".join(names[:2]), what, when) if p)


def card_lines(found: Findings) -> list[CardLine]:
    """谁可以申请 / 能得到什么 / 需要满足 / 何时申报 / 受理部门, each with its source sentence."""
    scope = found.scope
    lines = []
    who = "、".join(found.beneficiary_names) or "符合条件的企业和单位"
    place = "、".join(scope.names) or "全国"
    who_source = next((h.source for h in found.beneficiary_hits if h.role != "mention"), "")
    lines.append(
        CardLine(
            label="谁可以申请",
            text=f"{place}的{who}",
            source=who_source or (scope.sources[0] if scope.sources else ""),
        )
    )
    what_words, _ = _what(found.amounts, found.support_type_names, found.max_amount_wan)
    if what_words:
        types = found.support_types
        source = found.amounts[0].source if found.amounts else (types[0].source if types else "")
        lines.append(CardLine(label="能得到什么", text=what_words, source=source))
    needs = _needs(found)
    if needs:
        lines.append(
            CardLine(label="需要满足", text="；".join(t for t, _ in needs), source=needs[0][1])
        )
    when_words, _ = _when(found.apply_window, found.validity.start, found.validity.end)
    if when_words:
        source = found.apply_window.source if found.apply_window else found.validity.source
        lines.append(CardLine(label="何时申报", text=when_words, source=source))
    if found.department is not None:
        lines.append(
            CardLine(label="受理部门", text=found.department.name, source=found.department.source)
        )
    return lines


def _needs(found: Findings) -> list[tuple[str, str]]:
    """What an applicant must meet, as (words, source sentence) pairs."""
    needs = [(c.text, c.source) for c in found.conditions]
    kinds = [h for h in found.beneficiary_hits if h.role == "requirement" and not h.qualification]
    if kinds:
        names = "或".join(dict.fromkeys(h.name for h in kinds))
        needs.append((f"属于{names}", kinds[0].source))
    if found.industry_hits:
        phrases = "、".join(dict.fromkeys(h.phrase for h in found.industry_hits))
        needs.append((f"所属行业：{phrases}", found.industry_hits[0].source))
    if found.excluded_industry_hits:
        phrases = "、".join(dict.fromkeys(h.phrase for h in found.excluded_industry_hits))
        needs.append((f"不属于{phrases}", found.excluded_industry_hits[0].source))
    return needs
