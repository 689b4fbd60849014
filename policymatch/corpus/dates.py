"""Dates as Chinese policy documents write them: 2019年1月3日, 2019-01-03, 二〇一九年一月三日."""

from __future__ import annotations

import datetime as dt
import re

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUM = r"(?:\d{1,4}|[〇零○一二三四五六七八九十]{1,4})"
DATE_PATTERN = (
    rf"(?P<y>\d{{4}}|[〇零○一二三四五六七八九]{{4}})\s*(?:年|[-/.])\s*(?P<m>{_NUM})\s*(?:月|[-/.])"
    rf"\s*(?P<d>{_NUM})\s*日?"
)
_DATE = re.compile(DATE_PATTERN)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def cn_number(text: str) -> int | None:
    """Small Chinese or Arabic numerals as dates and counts use them: 三 -> 3, 二十三 -> 23."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        high = _CN_DIGITS.get(tens, -1) if tens else 1
        low = _CN_DIGITS.get(ones, -1) if ones else 0
        return high * 10 + low if high >= 0 and low >= 0 else None
    digits = [_CN_DIGITS.get(ch) for ch in text]
    if not digits or any(d is None for d in digits):
        return None
    value = 0
    for digit in digits:
        value = value * 10 + (digit or 0)
    return value


def date_from_match(match: re.Match[str]) -> dt.date | None:
    """A date from a match of :data:`DATE_PATTERN`; None when the numbers make no date."""
    year, month, day = (cn_number(match.group(k)) for k in ("y", "m", "d"))
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str | None) -> dt.date | None:
    """Parse the first date written in ``text`` (ISO, 年月日, slashes, dots, 20190103).

    Returns:
        The date, or None for empty text and text that holds no valid date.
    """
    if not text:
        return None
    text = text.strip()
    compact = _COMPACT.match(text)
    if compact:
        try:
            return dt.date(*(int(g) for g in compact.groups()))
        except ValueError:
            return None
    match = _DATE.search(text)
    return date_from_match(match) if match else None


def add_years(start: dt.date, years: int) -> dt.date:
    """The last day of a term of ``years`` years that starts on ``start`` (2023-01-01 + 2 -> 2024-12-31)."""
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return end - dt.timedelta(days=1)
