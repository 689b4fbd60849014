"""When: the application window of an item and the validity of the policy it belongs to.

申报时间2024年3月1日至4月30日 -> apply window; 自2019年1月1日起施行, 自印发之日起施行,
有效期至2025年12月31日, 有效期3年 -> validity. Dates that do not exist (13月, 5355年 in a
garbled source) are ignored rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, replace

from policymatch.translate.numbers import parse_numeral
from policymatch.translate.text import Sentence

logger = logging.getLogger(__name__)

_CN_DIGIT = "〇零一二三四五六七八九十"
# A clock time after a date (2019年7月10日8:00, 4月22日16时) is read past, not kept.
_TIME = r"(?:\s?\d{1,2}\s?(?:[:：]\s?\d{2}|[时点](?:\d{1,2}分)?))?"
_CN_DIGIT_VALUES = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


def _date_pattern(suffix: str) -> str:
    """A date as 2024年3月1日, 3月1日, 二〇二四年三月一日, 2024年3月 or 2024-03-01; groups
    ``y/m/d`` + suffix for the Chinese form, + suffix + ``i`` for the ISO form."""
    y, m, d = f"y{suffix}", f"m{suffix}", f"d{suffix}"
    chinese = (
        rf"(?:(?P<{y}>\d{{4}}|[{_CN_DIGIT}]{{4}})\s?年\s?)?"
        rf"(?P<{m}>\d{{1,2}}|[{_CN_DIGIT}]{{1,2}})\s?月\s?"
        rf"(?:(?P<{d}>\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})\s?[日号])?{_TIME}"
    )
    iso = rf"(?P<{y}i>\d{{4}})[-./](?P<{m}i>\d{{1,2}})[-./](?P<{d}i>\d{{1,2}})"
    return f"(?:{chinese}|{iso})"


_RANGE_SEPARATOR = r"\s?(?:起)?\s?(?:至|到|—|-|－|～|~)\s?"
_RANGE = re.compile(_date_pattern("1") + _RANGE_SEPARATOR + _date_pattern("2") + r"(?:止)?")
# 2019年12月9日至16日16时: the end gives its day only and keeps the start's month.
_RANGE_DAY_ONLY = re.compile(
    _date_pattern("1") + _RANGE_SEPARATOR + r"(?P<dayonly>\d{1,2})\s?[日号]" + _TIME
)
_SINGLE = re.compile(_date_pattern("1"))
_FROM_NOW_UNTIL = re.compile(r"(?:即日起|自即日起|从即日起)\s?(?:至|到)\s?" + _date_pattern("1"))
_DEADLINE_CUES = ("截止", "截至", "前", "之前", "以前", "止")
_APPLY_CUES = (
    "申报时间",
    "申报期限",
    "申请时间",
    "受理时间",
    "申报截止",
    "申请截止",
    "集中申报",
    "受理期限",
    "申报日期",
    "申报工作",
    "网上申报",
    "线上申报",
    "完成申报",
    "提交申报",
    "申报材料",
    "申请材料",
    "报送时间",
    "报送日期",
    "提交日期",
    "提交时间",
    "受理截止",
    "申请书提交",
)
_POLICY_SUBJECT = re.compile(
    r"本(?:政策|办法|规定|细则|措施|意见|通知|方案|条例|规范|实施细则|若干措施|若干政策|政策措施)"
)
_SINCE_ISSUED = re.compile(r"自(?:印发|发布|公布|颁布|下发)之日起(?:施行|实施|执行|生效)")
_SINCE_DATE = re.compile(r"自\s?" + _date_pattern("1") + r"\s?起?(?:施行|实施|执行|生效)")
_VALID_UNTIL = re.compile(r"有效期(?:限)?(?:至|到|截至|截止)\s?" + _date_pattern("1"))
_VALID_YEARS = re.compile(r"有效期(?:限)?(?:为)?\s?(?P<n>\d+|[一二两三四五六七八九十]+)\s?年")
_ISSUED_ON = re.compile(_date_pattern("1") + r"\s?(?:印发|发布|公布)")
_MIN_YEAR, _MAX_YEAR = 1949, 2100


@dataclass(frozen=True)
class DateSpan:
    """A date range read from one sentence; either end may be unknown."""

    start: dt.date | None
    end: dt.date | None
    source: str
    yearly: bool = False  # 每年4月1日至5月31日: the window recurs; its dates carry the text's year


# 每年 with month-day dates and no year of their own: a window that comes round every year.
_EVERY_YEAR = re.compile(r"每年(?:的)?\s?\d{1,2}\s?月")
_WRITTEN_YEAR = re.compile(r"(?:19|20)\d{2}\s?年")


def _number(text: str | None) -> int | None:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if len(text) == 4 and all(c in _CN_DIGIT_VALUES for c in text):  # 二〇二四
        return int("".join(str(_CN_DIGIT_VALUES[c]) for c in text))
    value = parse_numeral(text)
    return int(value) if value is not None else None


def _to_date(
    match: re.Match[str], suffix: str, default_year: int | None, last_day: bool
) -> dt.date | None:
    groups = match.groupdict()
    year = _number(groups.get(f"y{suffix}") or groups.get(f"y{suffix}i"))
    month = _number(groups.get(f"m{suffix}") or groups.get(f"m{suffix}i"))
    day = _number(groups.get(f"d{suffix}") or groups.get(f"d{suffix}i"))
    year = year or default_year
    if year is None or month is None or not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        if day is None:
            if not last_day:
                return dt.date(year, month, 1)
            next_month = dt.date(year + month // 12, month % 12 + 1, 1)
            return next_month - dt.timedelta(days=1)
        return dt.date(year, month, day)
    except ValueError:
        logger.debug("not a date: %r", match.group(0))
        return None


def _year_of(match: re.Match[str], suffix: str) -> int | None:
    groups = match.groupdict()
    return _number(groups.get(f"y{suffix}") or groups.get(f"y{suffix}i"))


_HEADING_CHARS = 14


def is_apply_heading(text: str) -> bool:
    """Whether a short line is a heading about applying (三、申报时间; 申报期限：)."""
    return len(text.strip()) <= _HEADING_CHARS and any(cue in text for cue in _APPLY_CUES)


def find_apply_window(
    sentences: list[Sentence], default_year: int | None = None
) -> DateSpan | None:
    """The first application window stated in sentences that talk about applying.

    Args:
        sentences: Item text first, then context, then document sentences.
        default_year: Year for dates written without one (the document's year).

    Returns:
        The window, or None when no sentence states one.
    """
    previous: Sentence | None = None
    for sentence in sentences:
        folded = sentence.folded
        under_heading = previous is not None and is_apply_heading(previous.folded)
        previous = sentence
        if not under_heading and not any(cue in folded for cue in _APPLY_CUES):
            continue
        span = _range_in(folded, default_year, sentence.text)
        if span is not None:
            yearly = bool(_EVERY_YEAR.search(folded)) and not _WRITTEN_YEAR.search(folded)
            return replace(span, yearly=yearly)
        until = _FROM_NOW_UNTIL.search(folded)
        if until:
            end = _to_date(until, "1", default_year, last_day=True)
            if end:
                return DateSpan(None, end, sentence.text)
        single = _SINGLE.search(folded)
        if single and (under_heading or any(cue in folded for cue in _DEADLINE_CUES)):
            end = _to_date(single, "1", default_year, last_day=True)
            if end:
                return DateSpan(None, end, sentence.text)
    return None


def _range_in(folded: str, default_year: int | None, source: str) -> DateSpan | None:
    match = _RANGE.search(folded)
    if match is None:
        return _day_only_range(folded, default_year, source)
    start = _to_date(match, "1", default_year, last_day=False)
    end_year_default = _year_of(match, "1") or default_year
    end = _to_date(match, "2", end_year_default, last_day=True)
    if start is None and end is None:
        return None
    return DateSpan(start, end, source)


def _day_only_range(folded: str, default_year: int | None, source: str) -> DateSpan | None:
    match = _RANGE_DAY_ONLY.search(folded)
    if match is None:
        return None
    start = _to_date(match, "1", default_year, last_day=False)
    if start is None:
        return None
    try:
        end = start.replace(day=int(match.group("dayonly")))
    except ValueError:
        return None
    return DateSpan(start, end if end >= start else None, source)


def find_validity(
    sentences: list[Sentence], issued: dt.date | None = None
) -> tuple[DateSpan | None, list[str]]:
    """Validity of the policy: when it takes effect and until when.

    Args:
        sentences: Document sentences (the 附则 usually holds them).
        issued: The document's date, used for 自印发之日起施行 when the text itself
            does not print a date next to 印发.

    Returns:
        ``(span, sources)``: the span (None when nothing is stated) and the sentences read.
    """
    start: dt.date | None = None
    end: dt.date | None = None
    years: int | None = None
    sources: list[str] = []
    printed_issue = _printed_issue_date(sentences)
    for sentence in sentences:
        folded = sentence.folded
        about_policy = bool(_POLICY_SUBJECT.search(folded)) or "政策有效期" in folded
        if not about_policy:
            continue
        found = False
        if start is None:
            since = _SINCE_DATE.search(folded)
            if since:
                start = _to_date(since, "1", None, last_day=False)
                found = start is not None
            elif _SINCE_ISSUED.search(folded):
                start = printed_issue or issued
                found = start is not None
        until = _VALID_UNTIL.search(folded)
        if end is None and until:
            end = _to_date(until, "1", None, last_day=True)
            found = found or end is not None
        span_years = _VALID_YEARS.search(folded)
        if years is None and span_years:
            years = _number(span_years.group("n"))
            found = found or years is not None
        if found:
            sources.append(sentence.text)
    if end is None and years and start is not None:
        try:
            end = start.replace(year=start.year + years) - dt.timedelta(days=1)
        except ValueError:  # 29 February
            end = start.replace(year=start.year + years, day=28) - dt.timedelta(days=1)
    if start is None and end is None:
        return None, sources
    return DateSpan(start, end, "；".join(sources)), sources


def _printed_issue_date(sentences: list[Sentence]) -> dt.date | None:
    """The date printed next to 印发 in the document's footer (济南市人民政府办公厅 2019年1月3日印发)."""
    for sentence in reversed(sentences):
        match = _ISSUED_ON.search(sentence.folded)
        if match:
            date = _to_date(match, "1", None, last_day=False)
            if date and _year_of(match, "1"):
                return date
    return None


_PERIOD_OPENING = re.compile(
    r"^\s?(?:从|自)?\s?"
    + _date_pattern("1")
    + r"\s?(?:起)?\s?(?:(?:至|到|—|-|～|~)\s?"
    + _date_pattern("2")
    + r"(?:止)?)?"
)


def find_item_period(sentences: list[Sentence], default_year: int | None = None) -> DateSpan | None:
    """A period that opens an item and so governs all of it (2019年1月1日至12月31日，困难企业可…;
    从2019年1月1日起，实施…).

    Args:
        sentences: The item's body sentences, title sentence removed.
        default_year: Year for dates written without one.

    Returns:
        The period, or None when the item does not open with one. A period stated later in
        the item governs only part of it and is not read here.
    """
    if not sentences:
        return None
    first = sentences[0]
    match = _PERIOD_OPENING.match(first.folded)
    if match is None:
        return None
    has_end = bool(match.group("m2") or match.group("m2i"))
    if not has_end and "起" not in match.group(0):
        return None  # a date that opens a sentence (2019年3月9日，科技部发布…) is no period
    start = _to_date(match, "1", default_year, last_day=False)
    end = _to_date(match, "2", _year_of(match, "1") or default_year, last_day=True)
    if start is None:
        return None
    return DateSpan(start, end, first.text)
