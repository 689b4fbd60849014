"""Money granted by an item: fixed sums, caps, ratios of a base, sums per unit.

一次性奖励30万元 -> fixed 30; 最高500万元 / 最高不超过 -> max 500; 按投资额的10% -> ratio 0.1;
每人1500元 -> per_unit 0.15. All sums in 万元.

Only sentences that grant something (a grant verb such as 给予/奖励/补贴 or a support noun)
are read, and within them money that is a threshold (营业收入2000万元以上, 达到500万元),
a budget (市财政每年安排5亿元) or a rate being capped (担保费率降至1%以下) is skipped.
"""

from __future__ import annotations

import re

from policymatch.translate import formatting
from policymatch.translate.conditions import condition_spans
from policymatch.translate.models import Amount
from policymatch.translate.numbers import Quantity, find_quantities
from policymatch.translate.tables import words
from policymatch.translate.text import Sentence

_THRESHOLD_AFTER = re.compile(r"^\s?(?:及以上|或以上|以上|及以下|以下|(?:的|之)?(?:规模|以来))")
_THRESHOLD_BEFORE = (
    "达到",
    "达",
    "超过",
    "超",
    "突破",
    "不低于",
    "不少于",
    "低于",
    "高于",
    "累计完成",
)
_RATE_WORDS = (
    "费率",
    "利率",
    "增长",
    "增速",
    "降至",
    "降低",
    "下降",
    "提高",
    "提升",
    "占比",
    "比重",
    "覆盖率",
    "达到",
)
_RATIO_CUES = ("按", "的", "给予", "予以", "比例", "不超过", "最高", "其中")
_PROPORTION = re.compile(
    r"(?:按|按照)?\s?(\d+(?:\.\d+)?)\s?[:：]\s?(\d+(?:\.\d+)?)\s?的?比例\s?(?:予以|给予)?\s?(?=配套|支持|奖励|补助|补贴)"
)
_CLAUSE_BREAK = re.compile(r"[,，;；:：]")
# Between members of one list of amounts: a note in brackets, 、, and at most a short label
# (500万元（国家级）、100万元（省级）; 每名高级工1000元、技师2000元; 前两年100%、后三年50%).
_LIST_JOIN = re.compile(r"^\s?(?:[（(][^）)]{0,8}[）)])?\s?[、和及]\s?[^\s,，;；。:：、]{0,5}$")
_RESTATED = re.compile(r"[（(]含\s?$")
# Bases whose size a 不超过 bounds, as opposed to the sum granted.
_CAPPED_BASES = (
    "贷款额",
    "合同额",
    "投资额",
    "营业额",
    "销售额",
    "总额",
    "收入",
    "面积",
    "规模",
    "贷款",
)
_TEXT_WINDOW = 16
# 每认定1家, 每新增10人, 每吸纳1人: a sum per counted unit.
_PER_COUNT = re.compile(
    r"每(?:认定|新增|引进|吸纳|招用|培育|带动|认证|获得)\s?[\d一二三四五六七八九十]+\s?[家人名个项]"
)


def _clause_prefix(folded: str, start: int, floor: int) -> str:
    """Text from the later of the clause start and ``floor`` up to ``start``."""
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(folded, 0, start)]
    begin = max(breaks[-1] if breaks else 0, floor)
    return folded[begin:start]


def _previous_clause(folded: str, start: int) -> str:
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(folded, 0, start)]
    if not breaks:
        return ""
    earlier = breaks[:-1]
    return folded[(earlier[-1] + 1) if earlier else 0 : breaks[-1]]


def _fragment(sentence: Sentence, quantity: Quantity) -> str:
    """A short piece of the original wording around the quantity (给予每家最高30万元补助):
    from the grant verb before it when there is one in its clause, else a few characters."""
    folded = sentence.folded
    breaks_before = [m.end() for m in _CLAUSE_BREAK.finditer(folded, 0, quantity.start)]
    clause_start = breaks_before[-1] if breaks_before else 0
    verbs = [folded.rfind(v, clause_start, quantity.start) for v in words("grant_verbs")]
    verb_at = max(verbs, default=-1)
    if verb_at >= 0 and quantity.start - verb_at <= 2 * _TEXT_WINDOW:
        begin = verb_at
    else:
        begin = max(clause_start, quantity.start - _TEXT_WINDOW)
    after = _CLAUSE_BREAK.search(folded, quantity.end)
    end = min(after.start() if after else len(folded), quantity.end + _TEXT_WINDOW)
    return sentence.text[begin:end].strip()


def _grants(folded: str) -> bool:
    return any(v in folded for v in words("grant_verbs")) or any(
        n in folded for n in words("support_nouns")
    )


def _is_threshold(folded: str, quantity: Quantity, prefix: str) -> bool:
    """Money that sets a bar (营业收入达到2000万元, 500万元以上) rather than being granted."""
    if _THRESHOLD_AFTER.match(folded[quantity.end :]):
        return True
    tail = prefix[-6:]
    if any(v in tail for v in words("grant_verbs")):
        return False
    return any(w in tail for w in _THRESHOLD_BEFORE)


def _is_cap(folded: str, quantity: Quantity, prefix: str) -> bool:
    """Whether 不超过/以内 before the money caps a grant (补贴金额不超过100万元) rather than
    bounding what qualifies (贷款额不超过1000万元的流动资金贷款)."""
    if "最高" in prefix:
        return True
    before = folded[: quantity.start]
    grant_at = max((before.rfind(v) for v in words("grant_verbs")), default=-1)
    if grant_at < 0:
        return False
    return not any(base in before[grant_at:] for base in _CAPPED_BASES)


def _is_budget(prefix: str) -> bool:
    """Money a government sets aside (市财政每年安排5亿元), not money an applicant gets:
    a budget word with no grant verb after it."""
    ends = [prefix.rfind(w) + len(w) for w in words("budget_words") if w in prefix]
    if not ends:
        return False
    after = prefix[max(ends) :]
    return not any(v in after for v in words("grant_verbs"))


def _money_kind(prefix: str, previous_clause: str, quantity: Quantity) -> str:
    if any(w in prefix for w in words("max_words")) or quantity.low is not None:
        return "max"
    per_unit = words("per_unit_words")
    if any(w in prefix for w in per_unit) or any(w in previous_clause for w in per_unit):
        return "per_unit"
    if _PER_COUNT.search(previous_clause + prefix):
        return "per_unit"
    return "fixed"


def _money(sentence: Sentence, quantity: Quantity, prefix: str) -> Amount | None:
    folded = sentence.folded
    if _is_budget(prefix):
        return None
    kind = _money_kind(prefix, _previous_clause(folded, quantity.start), quantity)
    if quantity.low is not None:  # 给予补贴50—200万元, but not 收入在2000万元至2亿元之间
        if not any(v in prefix for v in words("grant_verbs")):
            return None
    elif kind == "max":
        if not _is_cap(folded, quantity, prefix):
            return None
    elif _is_threshold(folded, quantity, prefix):
        return None
    return Amount(
        kind=kind, wan=quantity.value, text=_fragment(sentence, quantity), source=sentence.text
    )


def _listed_after(folded: str, previous: tuple[Amount, Quantity], quantity: Quantity) -> bool:
    """Whether the quantity continues a list begun by the previous amount (最高500万元（国家级）、
    100万元（省级）; 30%、20%、10%), and so is read like it."""
    if (previous[1].unit == "万元") != (quantity.unit == "万元"):
        return False
    return bool(_LIST_JOIN.match(folded[previous[1].end : quantity.start]))


def find_amounts(sentence: Sentence) -> list[Amount]:
    """Amounts granted in one sentence.

    Args:
        sentence: A sentence of the item text or title.

    Returns:
        Amounts in reading order: ``wan`` in 万元 for fixed/max/per_unit, ``ratio`` as a
        fraction for ratio; ``text`` is the wording around the number, ``source`` the sentence.
    """
    folded = sentence.folded
    if not _grants(folded):
        return []
    spans = condition_spans(sentence)
    amounts: list[Amount] = []
    previous: tuple[Amount, Quantity] | None = None
    previous_end = 0
    for quantity in find_quantities(folded):
        floor = previous_end
        previous_end = quantity.end
        if quantity.unit not in ("万元", "%", "‰"):
            continue
        if any(start <= quantity.start < end for start, end in spans):
            continue
        if _RESTATED.search(folded[max(0, quantity.start - 3) : quantity.start]):
            continue  # (含50万元): the bound restated, not a second amount
        prefix = _clause_prefix(folded, quantity.start, floor)
        amount: Amount | None
        if previous is not None and _listed_after(folded, previous, quantity):
            amount = previous[0].model_copy(
                update={
                    "wan": quantity.value if quantity.unit == "万元" else None,
                    "ratio": _fraction(quantity) if quantity.unit != "万元" else None,
                    "text": _fragment(sentence, quantity),
                }
            )
        elif quantity.unit == "万元":
            amount = _money(sentence, quantity, prefix)
        elif _is_ratio(folded, quantity, _clause_prefix(folded, quantity.start, 0)):
            amount = Amount(
                kind="ratio",
                ratio=_fraction(quantity),
                text=_fragment(sentence, quantity),
                source=sentence.text,
            )
        else:
            amount = None
        if amount is not None:
            amounts.append(amount)
            previous = (amount, quantity)
    amounts.extend(_proportions(sentence))
    return amounts


def _fraction(quantity: Quantity) -> float:
    return quantity.value / (1000 if quantity.unit == "‰" else 100)


def _is_ratio(folded: str, quantity: Quantity, prefix: str) -> bool:
    if _THRESHOLD_AFTER.match(folded[quantity.end :]):
        return False
    if any(w in prefix for w in _RATE_WORDS):
        return False
    after = folded[quantity.end : quantity.end + 8]
    return any(c in prefix for c in _RATIO_CUES) or any(v in after for v in words("grant_verbs"))


def _proportions(sentence: Sentence) -> list[Amount]:
    """Matching funds written as a proportion: 按照1:1的比例予以配套 -> ratio 1.0."""
    amounts = []
    for match in _PROPORTION.finditer(sentence.folded):
        denominator = float(match.group(2))
        if denominator == 0:
            continue
        fraction = float(match.group(1)) / denominator
        amounts.append(
            Amount(
                kind="ratio",
                ratio=fraction,
                text=sentence.text[match.start() : match.end()],
                source=sentence.text,
            )
        )
    return amounts


def max_amount_wan(amounts: list[Amount]) -> float | None:
    """The largest fixed or capped sum in 万元; None when the item grants only ratios or
    sums per unit (their total depends on the applicant)."""
    sums = [a.wan for a in amounts if a.kind in ("fixed", "max") and a.wan is not None]
    return max(sums) if sums else None


_UNIT_WORD = re.compile(r"每(?:认定\s?\d*\s?)?([人名户证台套年次场张亩吨辆部款项家])")


def describe(amount: Amount) -> str:
    """Plain words for an amount: 最高500万元, 30万元, 按10%, 每人1500元."""
    if amount.kind == "ratio" and amount.ratio is not None:
        return f"按{formatting.ratio(amount.ratio)}"
    if amount.wan is None:
        return amount.text
    money = formatting.money(amount.wan)
    if amount.kind == "per_unit":
        unit = _UNIT_WORD.search(amount.source or amount.text)
        return f"每{unit.group(1) if unit else '单位'}{money}"
    return f"最高{money}" if amount.kind == "max" else money
