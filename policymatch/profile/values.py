"""Parsing the values member databases hold: money (万元), headcounts (人), dates, lists.

Each parser takes what a spreadsheet cell or JSON field may hold (str, int, float, date, None)
and raises ``ValueError`` with a Chinese message on text it cannot read; callers add the place.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

import cn2an

_BLANK = frozenset(
    {
        "",
        "-",
        "--",
        "—",
        "——",
        "/",
        "无",
        "暂无",
        "不详",
        "未知",
        "n/a",
        "na",
        "none",
        "null",
        "nan",
    }
)
_LIST_SEPARATORS = re.compile(r"[；;,，、|\n\r\t]+")
_PREFIXES = ("人民币", "rmb", "cny", "¥", "￥", "约", "大约", "近", "超过", "逾")
_SUFFIXES = ("左右", "以上", "余", "多")
_MONEY = re.compile(
    r"(?P<number>[0-9.]+|[零〇一二两三四五六七八九十百千点]+)"
    r"(?P<unit>亿元|亿|千万元|千万|百万元|百万|万元|万|千元|元)?"
)
_COUNT = re.compile(r"(?P<number>[0-9.]+|[零〇一二两三四五六七八九十百千万]+)(?:人|名|位)?")
_MONEY_UNITS_WAN = {
    "亿元": 1e4,
    "亿": 1e4,
    "千万元": 1e3,
    "千万": 1e3,
    "百万元": 100.0,
    "百万": 100.0,
    "万元": 1.0,
    "万": 1.0,
    "千元": 0.1,
    "元": 1e-4,
    None: 1.0,
}
_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[ T].*)?"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月?"),
    re.compile(r"(?P<y>\d{4})年?"),
)


def is_blank(value: object) -> bool:
    """None, NaN, or a placeholder such as '', '-', '无', '暂无'."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and clean_text(value).lower() in _BLANK


def clean_text(value: object) -> str:
    """NFKC text without surrounding spaces."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _strip_words(text: str) -> str:
    text = text.replace(",", "").replace(" ", "")
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if text.lower().startswith(prefix):
                text, changed = text[len(prefix) :], True
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
    return text


def _number(text: str) -> float:
    if re.fullmatch(r"[0-9.]+", text):
        return float(text)
    return float(cn2an.cn2an(text, "smart"))


def parse_money_wan(value: object, default_unit: str | None = None) -> float | None:
    """Money in 万元.

    Args:
        value: ``1200``, ``'1,200'``, ``'1200万'``, ``'1200万元'``, ``'1.2亿'`` (12000),
            ``'3500000元'`` (350), ``'约500万元'``; None or a placeholder gives None.
        default_unit: Unit of a bare number (``元``, ``万元``, ``亿元``); 万元 when None.

    Raises:
        ValueError: The text is not an amount, or it is negative or a range.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"不是金额: {value!r}")
    if isinstance(value, int | float):
        amount = float(value) * _MONEY_UNITS_WAN[default_unit]
    else:
        text = _strip_words(clean_text(value))
        match = _MONEY.fullmatch(text)
        if match is None:
            raise ValueError(f"不是金额: {value!r} (应写作 1200、1200万元 或 1.2亿元)")
        try:
            number = _number(match["number"])
        except (ValueError, TypeError) as exc:
            raise ValueError(f"不是金额: {value!r}") from exc
        amount = number * _MONEY_UNITS_WAN[match["unit"] or default_unit]
    if amount < 0:
        raise ValueError(f"金额不能为负: {value!r}")
    return round(amount, 6)


def parse_count(value: object) -> int | None:
    """Headcount in 人: ``300``, ``'300人'``, ``'1,200'``, ``'约300人'``; None for blanks.

    Raises:
        ValueError: Not a whole non-negative number (a band such as ``100-499人`` included).
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"不是人数: {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = _strip_words(clean_text(value))
        match = _COUNT.fullmatch(text)
        if match is None:
            raise ValueError(f"不是人数: {value!r} (应写作一个数, 如 300 或 300人)")
        try:
            number = _number(match["number"])
        except (ValueError, TypeError) as exc:
            raise ValueError(f"不是人数: {value!r}") from exc
    if number < 0 or number != int(number):
        raise ValueError(f"人数应为非负整数: {value!r}")
    return int(number)


def parse_percent(value: object) -> float | None:
    """A percentage as a number of percent: ``'5%'`` and ``5`` both give 5.0."""
    if is_blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = clean_text(value).replace(" ", "").removesuffix("%").removesuffix("％")
    try:
        return float(text)
    except ValueError as exc:
        raise ValueError(f"不是百分比: {value!r}") from exc


def parse_date(value: object) -> dt.date | None:
    """A date from ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYY.MM.DD``, ``YYYY年M月D日``,
    ``YYYYMMDD``, ``YYYY-MM`` or ``YYYY`` (a missing month or day is taken as the 1st).

    Raises:
        ValueError: Text in none of these forms, or an impossible date.
    """
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 1800 <= value <= 2200:
        return dt.date(value, 1, 1)
    text = clean_text(value)
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            parts = match.groupdict()
            try:
                return dt.date(int(parts["y"]), int(parts.get("m") or 1), int(parts.get("d") or 1))
            except ValueError as exc:
                raise ValueError(f"日期不存在: {value!r}") from exc
    raise ValueError(f"不是日期: {value!r} (应写作 2019-03-15、2019年3月15日 或 2019)")


def parse_list(value: object) -> list[str]:
    """Items of a list given as a list, or as text separated by ；;,，、| or new lines."""
    if is_blank(value):
        return []
    items: Iterable[object] = value if isinstance(value, list | tuple | set) else [value]
    result: list[str] = []
    for item in items:
        if is_blank(item):
            continue
        for part in _LIST_SEPARATORS.split(clean_text(item)):
            part = part.strip()
            if part and part not in result:
                result.append(part)
    return result


def parse_pairs(text: str) -> dict[str, str]:
    """``联系人:王立新;电话:0531-88886666`` (or a JSON object) as a dict; a CSV cell can't hold a dict.

    Raises:
        ValueError: A part has no ``key:value`` form.
    """
    text = text.strip()
    if text.startswith("{"):
        import json

        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"联系人信息不是合法的 JSON：{exc.msg}") from exc
        if not isinstance(loaded, dict):
            raise ValueError("联系人信息应为键值对")
        return {str(k): str(v) for k, v in loaded.items()}
    pairs: dict[str, str] = {}
    for part in re.split(r"[;；]", text):
        if not part.strip():
            continue
        key, sep, value = part.replace("：", ":").partition(":")
        if not sep or not key.strip():
            raise ValueError(f"联系人信息“{part.strip()}”应写成 键:值")
        pairs[key.strip()] = value.strip()
    return pairs
