"""Quantities in policy text: 2000万元, 三十万元, 一亿元, 5千万元, 300人, 3%, 5年.

Numerals are read with cn2an (Arabic, Chinese and mixed such as 5千万); money is
normalised to 万元 whatever the written unit (元, 万元, 亿元).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import cn2an

logger = logging.getLogger(__name__)

_ARABIC = r"\d+(?:\.\d+)?(?:\s?[十百千万亿])*"
_CHINESE = r"[零〇一二两三四五六七八九十百千万亿]+"
NUMERAL = rf"(?:{_ARABIC}|{_CHINESE})"
# Unit words and what they normalise to. Longer alternatives first so 万元 wins over 元.
_UNITS = {
    "元": "万元",
    "人": "人",
    "名": "人",
    "%": "%",
    "‰": "‰",
    "个月": "月",
    "年": "年",
    "倍": "倍",
}
_UNIT_PATTERN = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_RANGE_SEP = r"\s?[-—–~～至到]\s?"
QUANTITY = re.compile(
    rf"(?P<low>{NUMERAL}\s?元?{_RANGE_SEP})?"
    rf"(?P<num>{NUMERAL})\s?(?P<unit>{_UNIT_PATTERN})"
)
# A bare Arabic number in a list whose last member carries the unit: 200、100、50万元.
_LIST_MEMBER = re.compile(r"(\d+(?:\.\d+)?)\s?[、,，]\s?$")


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, located in the (folded) text it was read from.

    Attributes:
        value: In ``unit``; money always in 万元.
        unit: 万元, 人, %, 年, 月, 倍 or ‰.
        start: Offset of the first character.
        end: Offset after the last character.
        low: Lower end when written as a range (50—200万元), in the same unit.
    """

    value: float
    unit: str
    start: int
    end: int
    low: float | None = None

    @property
    def is_money(self) -> bool:
        return self.unit == "万元"


def parse_numeral(numeral: str) -> float | None:
    """Value of an Arabic, Chinese or mixed numeral (2000万, 三十, 5千万, 1.5亿).

    Returns:
        The number, or None when the characters do not form a numeral (万 alone).
    """
    cleaned = numeral.replace(" ", "")
    if not cleaned:
        return None
    try:
        return float(cn2an.cn2an(cleaned, "smart"))
    except (ValueError, KeyError, IndexError):
        logger.debug("not a numeral: %r", numeral)
        return None


def _normalise(value: float, unit_word: str) -> tuple[float, str]:
    unit = _UNITS[unit_word]
    if unit == "万元":
        return value / 10_000, unit
    return value, unit


def _magnitude(numeral: str) -> str:
    """Trailing 万/亿/千… of a numeral (2000万 -> 万), which list members and range ends share."""
    match = re.search(r"[十百千万亿]+$", numeral.replace(" ", ""))
    return match.group(0) if match and re.search(r"\d", numeral) else ""


def _range_low(low_text: str, numeral: str) -> float | None:
    """Lower end of a range; it borrows the upper end's magnitude (50—200万元: 50万)."""
    low_numeral = re.sub(rf"{_RANGE_SEP}$", "", low_text).replace("元", "").strip()
    if not re.search(r"[万亿]", low_numeral):
        low_numeral += _magnitude(numeral)
    return parse_numeral(low_numeral)


def find_quantities(folded: str) -> list[Quantity]:
    """Every quantity in a width-folded sentence, in order.

    A bare number in a 、-list takes the unit of the last member (200、100、50万元 gives
    three amounts). A range (50—200万元) gives one quantity valued at its upper end.

    Args:
        folded: Output of :func:`policymatch.translate.text.fold_width`.

    Returns:
        Quantities sorted by start offset.
    """
    found: list[Quantity] = []
    for match in QUANTITY.finditer(folded):
        numeral = match.group("num")
        unit_word = match.group("unit")
        raw_value = parse_numeral(numeral)
        if raw_value is None:
            continue
        # 一年/十年 after 第 is an ordinal (第一年), not a duration.
        if (
            unit_word == "年"
            and folded[max(0, match.start("num") - 1) : match.start("num")] == "第"
        ):
            continue
        value, unit = _normalise(raw_value, unit_word)
        low = None
        if match.group("low"):
            low_raw = _range_low(match.group("low"), numeral)
            if low_raw is not None:
                low = _normalise(low_raw, unit_word)[0]
        start = match.start("low") if match.group("low") else match.start("num")
        found.append(Quantity(value, unit, start, match.end(), low))
        found.extend(_list_members(folded, start, numeral, unit_word))
    return sorted(found, key=lambda q: q.start)


def _list_members(folded: str, start: int, numeral: str, unit_word: str) -> list[Quantity]:
    """Bare numbers listed before a quantity and sharing its unit and magnitude."""
    magnitude = _magnitude(numeral)
    members = []
    position = start
    while True:
        match = _LIST_MEMBER.search(folded[:position])
        if match is None:
            break
        raw_value = parse_numeral(match.group(1) + magnitude)
        if raw_value is None:
            break
        value, unit = _normalise(raw_value, unit_word)
        members.append(Quantity(value, unit, match.start(1), match.end(1)))
        position = match.start()
    return members
