"""Numeric conditions: 营业收入2000万元以上, 从业人员不足300人, 研发投入占比不低于3%, 成立不超过5年.

A condition is a field keyword (from ``data/numeric_fields.json``) followed closely by a
quantity of the field's unit, with a comparison word before the quantity (不低于, 超过,
不超过 …) or after it (以上, 以下, 以内). A quantity with no comparison word is a base,
not a threshold (按营业收入的3%给予), and gives no condition.

Directions follow the Chinese legal reading: 以上/以下/以内 include the number itself
(民法典 art. 1259), 超过/低于/不足/未满 exclude it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from policymatch.translate import formatting
from policymatch.translate.models import Condition, Op
from policymatch.translate.numbers import Quantity, find_quantities
from policymatch.translate.tables import FieldWords, numeric_fields, words
from policymatch.translate.text import Sentence, clause_at

# Comparison words before the number, longest first so 不超过 wins over 超过.
_PRE_OPS: tuple[tuple[str, Op], ...] = (
    ("不得低于", ">="),
    ("不得少于", ">="),
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("不得超过", "<="),
    ("未超过", "<="),
    ("不超过", "<="),
    ("不高于", "<="),
    ("不多于", "<="),
    ("不大于", "<="),
    ("最多", "<="),
    ("超过", ">"),
    ("高于", ">"),
    ("大于", ">"),
    ("多于", ">"),
    ("低于", "<"),
    ("少于", "<"),
    ("小于", "<"),
    ("不足", "<"),
    ("未满", "<"),
    ("不满", "<"),
    ("达到", ">="),
    ("突破", ">="),
    ("达", ">="),
    ("满", ">="),
)
# Comparison words right after the number.
_POST_OPS: tuple[tuple[str, Op], ...] = (
    ("及以上", ">="),
    ("或以上", ">="),
    ("以上", ">="),
    ("及以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
    ("之内", "<="),
    ("内", "<="),
)
_STRICT_NOTE = re.compile(r"^\s?[(（]不含")
_MAX_GAP = 20
_GAP_BREAK = re.compile(r"[,，;；。:：]")
_LIST_JOIN = re.compile(r"^\s?(?:、|和|及|或)\s?$")
_STRICT = {">=": ">", "<=": "<"}
# A figure of another period than the year (月销售额10万元以下, 季度销售额30万元以下) is not the
# annual figure a profile holds; it gives no condition.
_OTHER_PERIOD = re.compile(r"(?:月|季度|季|月均|日均|单月|每月)$")
# Whose figure: a sentence about another party (在孵企业应当成立3年以内…) or a figure that
# describes a person (年带货销售额超过1亿元的主播) sets no bar for the applicant itself, at
# most for one of several applicants; such conditions are soft.
_OTHER_SUBJECT = re.compile(
    r"^\s?(?:其中)?(?:(?:入驻|入孵)的?)?(?:在孵|入孵|入驻|孵化|被投资?)的?企业"
)
_PERSON_AFTER = re.compile(r"^[^,，;；。]{0,8}的(?:主播|人才|个人|员工|职工|学员|毕业生|团队)")
# A sentence that raises the grant for a subset (对成立不超过3年即通过认定的，奖励提高到20万元)
# states a bonus, not an entry bar.
_BONUS = re.compile(r"提高到|提高至|提高为|上浮|增加到|增加至|翻倍|加倍|额外给予|再给予|再奖励")


@dataclass(frozen=True)
class _Hit:
    condition: Condition
    start: int
    end: int


def _pre_op(gap: str) -> Op | None:
    for word, op in _PRE_OPS:
        if word in gap:
            return op
    return None


def _post_op(after: str) -> Op | None:
    """The comparison a word right after the number states; 以上（不含） is strict."""
    head = after.lstrip()
    for word, op in _POST_OPS:
        if head.startswith(word):
            if op in _STRICT and _STRICT_NOTE.match(head[len(word) :]):
                return _STRICT[op]
            return op
    return None


def _field_for(
    keyword_field: FieldWords, gap: str, quantity: Quantity, ratio_fields: tuple[FieldWords, ...]
) -> FieldWords | None:
    """The field a keyword + quantity pair reads: the keyword's own, or its ratio field."""
    if quantity.unit == keyword_field.unit:
        return keyword_field
    for ratio in ratio_fields:
        if (
            quantity.unit == ratio.unit
            and any(k in keyword_field.keywords for k in ratio.keywords)
            and any(w in gap for w in ratio.ratio_words)
        ):
            return ratio
    return None


@lru_cache(maxsize=1)
def _keyword_pattern() -> tuple[re.Pattern[str], dict[str, FieldWords]]:
    """One pattern for every field keyword, longest first, so each place takes its longest."""
    fields, _ = numeric_fields()
    owner = {keyword: field for field in fields for keyword in field.keywords}
    alternatives = sorted(owner, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in alternatives)), owner


def _keyword_hits(folded: str) -> list[tuple[int, int, FieldWords]]:
    """Non-overlapping keyword occurrences, longest keyword first at each place."""
    pattern, owner = _keyword_pattern()
    return [(m.start(), m.end(), owner[m.group(0)]) for m in pattern.finditer(folded)]


def _tier(quantities: list[Quantity], first: int, folded: str) -> list[Quantity]:
    """The quantity at ``first`` and the same-unit quantities listed after it (10亿元、5亿元)."""
    tier = [quantities[first]]
    for nxt in quantities[first + 1 :]:
        between = folded[tier[-1].end : nxt.start]
        if nxt.unit != tier[0].unit or not _LIST_JOIN.match(between):
            break
        tier.append(nxt)
    return tier


def _condition_hits(sentence: Sentence) -> list[_Hit]:
    """Numeric conditions of one sentence with the span of folded text each covers."""
    folded = sentence.folded
    fields, ratio_fields = numeric_fields()
    grant_verbs = words("grant_verbs")
    quantities = find_quantities(folded)
    used: set[int] = set()
    hits: list[_Hit] = []
    keyword_hits = _keyword_hits(folded)
    keyword_starts = [(start, field.unit) for start, _, field in keyword_hits]
    for key_start, key_end, field in keyword_hits:
        index = next((i for i, q in enumerate(quantities) if q.start >= key_end), None)
        if index is None or index in used:
            continue
        quantity = quantities[index]
        if _OTHER_PERIOD.search(folded[max(0, key_start - 4) : key_start]):
            continue
        if any(
            key_end <= start < quantity.start and unit == quantity.unit
            for start, unit in keyword_starts
        ):
            continue  # a nearer keyword owns the number (投资于年销售收入不超过2000万元)
        gap = folded[key_end : quantity.start]
        if len(gap) > _MAX_GAP or _GAP_BREAK.search(gap) or any(v in gap for v in grant_verbs):
            continue
        target = _field_for(field, gap, quantity, ratio_fields)
        if target is None:
            continue
        if quantity.low is not None:  # 营业收入在2000万元至2亿元之间: two bounds
            used.add(index)
            hits.extend(
                _Hit(_condition(target, op, value, sentence), key_end, quantity.end)
                for op, value in ((">=", quantity.low), ("<=", quantity.value))
            )
            continue
        tier = _tier(quantities, index, folded)
        after = folded[tier[-1].end :]
        op = _pre_op(gap) or _post_op(after)
        if op is None:
            continue
        values = [q.value for q in tier]
        value = min(values) if op in (">=", ">") else max(values)
        used.update(range(index, index + len(tier)))
        hits.append(_Hit(_condition(target, op, value, sentence), key_end, tier[-1].end))
    _mark_alternatives(hits, folded)
    if _BONUS.search(folded) or _OTHER_SUBJECT.match(folded):
        for hit in hits:
            hit.condition.hard = False
    for hit in hits:
        if _PERSON_AFTER.match(folded[hit.end :]):
            hit.condition.hard = False
    return hits


def _condition(target: FieldWords, op: Op, value: float, sentence: Sentence) -> Condition:
    return Condition(
        kind="numeric",
        field=target.field,
        op=op,
        value=value,
        unit=target.unit,
        text=formatting.comparison(target.label, op, value, target.unit),
        source=sentence.text,
    )


def _mark_alternatives(hits: list[_Hit], folded: str) -> None:
    """Conditions joined by 或 (营业收入…或从业人员…) are alternatives, so neither is hard."""
    for left, right in zip(hits, hits[1:], strict=False):
        if "或" in folded[left.end : right.start]:
            left.condition.hard = False
            right.condition.hard = False


def find_numeric_conditions(sentence: Sentence) -> list[Condition]:
    """Numeric conditions stated in one sentence.

    Args:
        sentence: A sentence of the item, its headings or its inherited context.

    Returns:
        Conditions with ``field``, ``op``, ``value`` (in the field's unit: 万元, 人, %, 年),
        ``unit``, a short ``text`` such as 营业收入≥2000万元 and the sentence as ``source``.
        Conditions joined by 或 are alternatives and come back with ``hard=False``.
    """
    return [hit.condition for hit in _condition_hits(sentence)]


def condition_spans(sentence: Sentence) -> list[tuple[int, int]]:
    """Folded-text spans read as thresholds, which therefore are not amounts granted."""
    return [(hit.start, hit.end) for hit in _condition_hits(sentence)]


def soften_exclusive_tiers(conditions: list[Condition]) -> list[Condition]:
    """Make soft the hard numeric conditions of a field that no value can meet all at once.

    Bands read from a schedule (营业收入50亿元以上的…；500万元至2000万元之间的…；500万元以下
    的…) are alternatives, one per tier, not bars that all apply; read as hard they shut out
    every enterprise.

    Args:
        conditions: An item's conditions; changed in place.

    Returns:
        The same list.
    """
    by_field: dict[str, list[Condition]] = {}
    for condition in conditions:
        if condition.kind == "numeric" and condition.hard and condition.field:
            by_field.setdefault(condition.field, []).append(condition)
    for group in by_field.values():
        lows = [c for c in group if c.op in (">=", ">")]
        highs = [c for c in group if c.op in ("<=", "<")]
        if not lows or not highs:
            continue
        low = max(lows, key=lambda c: (float(c.value), c.op == ">"))  # type: ignore[arg-type]
        high = min(highs, key=lambda c: (float(c.value), c.op == "<"))  # type: ignore[arg-type]
        low_value, high_value = float(low.value), float(high.value)  # type: ignore[arg-type]
        if low_value > high_value or (
            low_value == high_value and (low.op == ">" or high.op == "<")
        ):
            for condition in group:
                condition.hard = False
    return conditions


# A benefit reckoned on R&D spending: the super-deduction (研发费用…在税前加计扣除, 委托研发的
# 费用…计入委托方研发费用并计算加计扣除) or a subsidy on it (按上年度研发投入的10%给予补助), not
# on R&D or another base (按实际研发投入或项目总投入的30%给予补助).
_RD_SPENDING = r"(?:研发|研究开发)(?:费用|支出|投入|经费)"
_RD_DEDUCTION = re.compile(r"加计(?:扣除|摊销)")
_RD_SUBSIDY = re.compile(
    rf"(?:按|按照|根据)[^,，;；。或]{{0,12}}{_RD_SPENDING}[^;；。或]{{0,24}}(?:补助|补贴|奖励|资助)"
)


def rd_spending_condition(sentences: list[Sentence]) -> Condition | None:
    """The R&D spending a benefit is reckoned on, as a hard condition (研发投入占比>0%).

    A firm that states no R&D spending (研发投入占比 0) has nothing to deduct or to be
    subsidised on. A deduction named in a list of others (落实进口设备免税、研发费用加计扣除、
    加速折旧等政策) gives no condition: the other benefits need no R&D.

    Args:
        sentences: The item's own title and text (not its inherited context).
    """
    for sentence in sentences:
        folded = sentence.folded
        if not re.search(_RD_SPENDING, folded):
            continue
        deduction = _RD_DEDUCTION.search(folded)
        listed = deduction is not None and "、" in (clause_at(folded, deduction.start()) or "")
        if (deduction is not None and not listed) or _RD_SUBSIDY.search(folded):
            return Condition(
                kind="numeric",
                field="rd_ratio",
                op=">",
                value=0.0,
                unit="%",
                text="有研发投入（研发投入占比>0%）",
                source=sentence.text,
            )
    return None
