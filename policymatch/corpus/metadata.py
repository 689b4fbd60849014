"""Build a :class:`PolicyDocument` from a raw record: clean text, then fill missing metadata.

What a record lacks is read from the text: the title (first heading line), the 发文字号
(国办发〔2019〕6号, brackets normalised to 〔〕), the issuing body (record, page header, 发文字号
prefix, signature line, or the title's "X关于"), the dates (成文 / 发布 / 施行 / 有效期) and the
region the issuer governs. Region codes come from :mod:`policymatch.reference.regions` when that
module is installed.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from functools import lru_cache
from importlib import import_module
from pathlib import Path

from policymatch.corpus.dates import DATE_PATTERN, add_years, cn_number, date_from_match, parse_date
from policymatch.corpus.models import PolicyDocument, RawRecord
from policymatch.corpus.normalize import (
    clean_html,
    clean_page_text,
    content_hash,
    html_title,
    is_traditional,
    join_wrapped_lines,
    looks_hard_wrapped,
    looks_like_page_text,
    normalize_text,
    strip_markdown,
)
from policymatch.errors import InputError

logger = logging.getLogger(__name__)

_DICT_DIR = Path(__file__).with_name("dict")

_DOC_NUMBER = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{1,10})\s*[〔\[［(（【]\s*(?P<year>\d{4})\s*[〕\]］)）】]\s*"
    r"(?P<num>\d{1,5})\s*号"
)
_TITLE_END = re.compile(
    r"(通知|意见|办法|措施|规定|细则|方案|决定|公告|通告|条例|政策|规划|纲要|指南|目录|名单|函|批复|"
    r"报告|计划|规则|标准|要点|公示|清单|若干意见|实施意见|指导意见|行动计划|管理办法)(（[^）]{1,12}）)?$"
)
_NOT_TITLE_START = re.compile(
    r"^(第[一二三四五六七八九十百]+[章节条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、]|各|为|根据|按照)"
)
_ORG_SUFFIX = (
    "国务院",
    "中共中央",
    "政府",
    "办公厅",
    "办公室",
    "委员会",
    "委",
    "局",
    "厅",
    "部",
    "署",
    "院",
    "会",
    "中心",
    "小组",
    "办",
    "处",
    "所",
    "行",
    "总局",
)
_TITLE_ISSUER = re.compile(r"^(?P<who>[\u4e00-\u9fff、\s]{2,60}?)(?:关于|转发|批转|印发|对)")
_REGION_PREFIX = re.compile(
    r"^(?:中共)?(?P<region>(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?(?:[\u4e00-\u9fff]{1,7}?(?:市|自治州|地区|盟))?"
    r"(?:[\u4e00-\u9fff]{1,6}?(?:区|县|旗))?)"
)
_TITLE_SUBJECT = re.compile(r"关于(?:支持|促进|推动|加快推进|加快|推进|进一步支持)?(?P<rest>.+)")
_NOT_REGIONS = {
    "全市",
    "本市",
    "各市",
    "我市",
    "该市",
    "城市",
    "本区",
    "各区",
    "全区",
    "我区",
    "全省",
    "本省",
    "各省",
    "我省",
    "市区",
    "社区",
    "园区",
    "地区",
    "新区",
    "城区",
    "辖区",
    "本县",
    "各县",
}
_DATE = re.compile(DATE_PATTERN)
_DATE_LINE = re.compile(rf"^(?:{DATE_PATTERN})\s*(?:印发|发布|制定)?$")
_PUBLIC_NOTE = re.compile(r"^[（(](此件|本件)[^）)]*[）)]$")
_ISSUED_ON = re.compile(rf"(?:{DATE_PATTERN})\s*印发")
_EFFECTIVE_FROM = re.compile(rf"自\s*(?:{DATE_PATTERN})\s*起(?:施行|实施|执行|生效)")
_EFFECTIVE_ON_ISSUE = re.compile(r"自(?:印发|发布|公布|颁布)之日起(?:施行|实施|执行|生效)")
_VALID_UNTIL_STRICT = re.compile(
    rf"(?:有效期至|有效期到|有效期截至|执行至|实施至)\s*(?:{DATE_PATTERN})"
)
_VALID_RANGE = re.compile(
    rf"(?:有效期|执行期限?|实施期限?|期限)(?:为|是|：|:)?\s*(?:{DATE_PATTERN})\s*(?:至|到|-|—|－)\s*"
    rf"(?P<end>(?:\d{{4}}|[〇零○一二三四五六七八九]{{4}})\s*年\s*[\d一二三四五六七八九十]{{1,3}}\s*月\s*[\d一二三四五六七八九十]{{1,3}}\s*日)"
)
_VALID_YEARS = re.compile(
    r"有效期(?:为|暂定为?|暂定)?\s*(?P<n>\d{1,2}|[一二两三四五六七八九十])\s*年"
)


def build_document(raw: RawRecord) -> PolicyDocument:
    """Normalise one raw record into a :class:`PolicyDocument` and fill its missing metadata.

    Raises:
        InputError: The record has no id, or no text once page chrome is removed.
    """
    if not raw.id:
        raise InputError("record has no id", source=raw.source, line=raw.line, field="id")
    traditional = is_traditional(f"{raw.title or ''}\n{raw.text[:20000]}")
    text, page_fields, page_title = _clean_body(raw, traditional)
    if not text:
        raise InputError("text is empty", source=raw.source, line=raw.line, field="text")

    def norm(value: str | None) -> str | None:
        value = normalize_text(value, traditional=traditional) if value else None
        return value if value and value not in {"-", "无", "/", "——"} else None

    title = norm(raw.title) or norm(page_title) or title_from_text(text)
    title = title or norm(raw.extra.get("title_en")) or _first_sentence(text)
    doc_number = normalize_doc_number(norm(raw.doc_number) or page_fields.get("发文字号") or "")
    doc_number = doc_number or doc_number_from_text(text)
    issuer = _plausible_issuer(norm(raw.issuer)) or _plausible_issuer(page_fields.get("发布机构"))
    issuer = issuer or issuer_from_signature(text) or issuer_from_title(title)
    issuer = issuer or (issuer_from_doc_number(doc_number) if doc_number else None)
    dates = extract_dates(text)
    publish_date = _field_date(raw, "publish_date") or parse_date(page_fields.get("发布时间"))
    publish_date = publish_date or dates.get("publish_date")
    written_date = _field_date(raw, "written_date") or dates.get("written_date")
    valid_from = _field_date(raw, "valid_from") or dates.get("valid_from")
    if valid_from is None and dates.get("from_issue"):
        valid_from = publish_date or written_date
    valid_until = _field_date(raw, "valid_until") or dates.get("valid_until")
    years = dates.get("valid_years")
    if valid_until is None and isinstance(years, int) and (valid_from or publish_date):
        valid_until = add_years(valid_from or publish_date, years)  # type: ignore[arg-type]
    region = norm(raw.region) or region_of(issuer) or region_of(title)
    if region is None and doc_number:
        region = region_from_doc_number(doc_number)
    region = region or region_of_english_issuer(norm(raw.issuer)) or region_in_title(title)
    url = raw.url or (
        raw.extra.get("source") if raw.extra.get("source", "").startswith("http") else None
    )
    return PolicyDocument(
        id=raw.id.strip(),
        title=title,
        text=text,
        issuer=issuer,
        region=region,
        region_code=region_code(region),
        publish_date=publish_date,
        written_date=written_date,
        valid_from=valid_from,
        valid_until=valid_until,
        doc_number=doc_number,
        url=url,
        source=raw.source,
        content_hash=content_hash(title, text),
    )


def _clean_body(raw: RawRecord, traditional: bool) -> tuple[str, dict[str, str], str | None]:
    """Text without markup and page chrome, the page's header fields, and the page's own title."""
    page_title = None
    body = raw.text
    if raw.format == "html":
        page_title = html_title(body)
        body = clean_html(body)
    elif raw.format == "pdf" or (raw.format == "text" and looks_hard_wrapped(body)):
        body = join_wrapped_lines(body)
    if raw.format == "md" or re.search(r"^#{1,6} ", body[:5000], re.M):
        body = strip_markdown(body)
    text = normalize_text(body, traditional=traditional)
    fields: dict[str, str] = {}
    if looks_like_page_text(text):
        fields = page_fields(text)
        text = normalize_text(clean_page_text(text), traditional=False)
    return text, fields, page_title


_PAGE_FIELD = re.compile(
    r"(发布机构|发文机关|发文字号|文号|发布时间|发布日期|成文日期)\s*[:：]\s*(\S+(?:\s+\d{1,2}:\d{2})?)"
)


def page_fields(text: str) -> dict[str, str]:
    """Header fields of a gov.cn article page (发布机构, 发文字号, 发布时间); "-" values dropped."""
    fields: dict[str, str] = {}
    for match in _PAGE_FIELD.finditer(text[:4000]):
        key = {"发文机关": "发布机构", "文号": "发文字号", "发布日期": "发布时间"}.get(
            match.group(1), match.group(1)
        )
        value = match.group(2).strip()
        if value and value not in {"-", "无", "/"} and key not in fields:
            fields[key] = value
    return fields


def title_from_text(text: str) -> str | None:
    """The heading line(s) a document opens with, joined when the title wraps onto a second line."""
    lines = text.split("\n", 4)[:4]
    first = lines[0].strip()
    if not _is_heading_line(first):
        return None
    title = first
    for nxt in lines[1:3]:
        if _TITLE_END.search(title) or not _is_heading_line(nxt) or _DOC_NUMBER.search(nxt):
            break
        if not _TITLE_END.search(nxt) and len(title) > 12:
            break
        title += nxt.strip()
    return title


def _is_heading_line(line: str) -> bool:
    line = line.strip()
    return (
        2 <= len(line) <= 60
        and not re.search(r"[。；：:，]$", line)
        and "。" not in line
        and not _NOT_TITLE_START.match(line)
    )


def _first_sentence(text: str) -> str:
    sentence = re.split(r"[。；\n]", text, maxsplit=1)[0].strip()
    return sentence if len(sentence) <= 30 else sentence[:30] + "…"


def normalize_doc_number(text: str) -> str | None:
    """Canonical 发文字号: 国办发[2019]6号 / 国办发(2019)6号 -> 国办发〔2019〕6号; None if none found."""
    match = _DOC_NUMBER.search(text) if text else None
    if not match:
        return None
    return f"{match.group('prefix')}〔{match.group('year')}〕{int(match.group('num'))}号"


def doc_number_from_text(text: str) -> str | None:
    """The document's own 发文字号: a line of its own among the first lines (not a cited one)."""
    for line in text.split("\n", 12)[:12]:
        line = line.strip()
        match = _DOC_NUMBER.search(line)
        if match and len(line) - len(match.group(0)) <= 4:
            return normalize_doc_number(line)
    return None


def _plausible_issuer(value: str | None) -> str | None:
    # Crawled "department" fields sometimes hold a whole navigation menu.
    if not value or "\n" in value or len(value) > 60:
        return None
    return value.strip() or None


def issuer_from_signature(text: str) -> str | None:
    """The signing body: the short line above the closing date (济南市人民政府 / 2019年1月3日)."""
    lines = [line.strip() for line in text.rsplit("\n", 8)[-8:]]
    for i in range(len(lines) - 1, 0, -1):
        if _DATE_LINE.match(lines[i]):
            above = lines[i - 1]
            if len(above) <= 60 and "。" not in above and above.endswith(_ORG_SUFFIX):
                return above
            return None
        if not _PUBLIC_NOTE.match(lines[i]) and len(lines[i]) > 40:
            return None
    return None


def issuer_from_title(title: str) -> str | None:
    """X of a title "X关于…" / "X转发…" / "X对…", when X names a body (国务院办公厅关于… -> 国务院办公厅)."""
    match = _TITLE_ISSUER.match(title)
    if not match:
        return None
    who = re.sub(r"\s+", "", match.group("who"))
    return who if who.endswith(_ORG_SUFFIX) else None


@lru_cache(maxsize=1)
def _prefix_places() -> dict[str, str]:
    places: dict[str, str] = {}
    for line in (_DICT_DIR / "doc_number_places.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            abbr, place = line.split("\t")[:2]
            places[abbr] = place
    return places


_NATIONAL_PREFIXES = {
    "国发": "国务院",
    "国函": "国务院",
    "国办发": "国务院办公厅",
    "国办函": "国务院办公厅",
    "中发": "中共中央",
    "中办发": "中共中央办公厅",
    "工信部": "工业和信息化部",
    "工信厅": "工业和信息化部办公厅",
    "财税": "财政部",
    "财建": "财政部",
    "财企": "财政部",
    "财金": "财政部",
    "发改": "国家发展改革委",
    "国科发": "科技部",
    "人社部": "人力资源社会保障部",
    "商务部": "商务部",
    "教": "教育部",
}
_ORGAN_SUFFIXES = (
    ("政办发", "人民政府办公厅"),
    ("政办字", "人民政府办公厅"),
    ("政办函", "人民政府办公厅"),
    ("政发", "人民政府"),
    ("政字", "人民政府"),
    ("政函", "人民政府"),
    ("办发", "委办公厅"),
    ("发", "委"),
)


def issuer_from_doc_number(doc_number: str) -> str | None:
    """Issuing body a 发文字号 prefix stands for (国办发 -> 国务院办公厅, 鲁政办字 -> 山东省人民政府办公厅)."""
    prefix = doc_number.split("〔", 1)[0]
    for key in sorted(_NATIONAL_PREFIXES, key=len, reverse=True):
        if prefix.startswith(key):
            return _NATIONAL_PREFIXES[key]
    place = _prefix_places().get(prefix[:1])
    if not place:
        return None
    for suffix, organ in _ORGAN_SUFFIXES:
        if prefix[1:] == suffix:
            if organ.startswith("委"):  # party committee: 鲁发 -> 中共山东省委
                return f"中共{place}{organ}"
            return f"{place}{organ}"
    return None


def region_from_doc_number(doc_number: str) -> str | None:
    """The province or city a local 发文字号 prefix names (鲁 -> 山东省); None for national ones."""
    prefix = doc_number.split("〔", 1)[0]
    if any(prefix.startswith(key) for key in _NATIONAL_PREFIXES):
        return None
    return _prefix_places().get(prefix[:1])


def region_of(name: str | None) -> str | None:
    """The region a body or title names at its start: 济南市人民政府 -> 济南市, 上海市徐汇区… -> 上海市徐汇区."""
    if not name:
        return None
    match = _REGION_PREFIX.match(name.strip().split("关于", 1)[0])
    region = match.group("region") if match else ""
    if len(region) < 2 or region in _NOT_REGIONS or re.search(r"[的在和与及对为]", region):
        return None
    # 主城区, 高新区 are no 区划, while 历城区 and 浦东新区 end the same way and are
    if region.endswith(tuple(_NOT_REGIONS)) and region_code(region) is None:
        return None
    return region


def region_of_english_issuer(issuer: str | None) -> str | None:
    """The region an issuer written in English governs: Jinan Municipal People's Government ->
    济南市 (a compiled corpus may carry only an English issuer; English titles are left alone,
    they name places as subjects and venues)."""
    if not issuer or re.search(r"[\u4e00-\u9fff]", issuer):
        return None
    from policymatch.reference import regions

    found = regions.lookup_english(issuer)
    return found.name if found else None


def region_in_title(title: str | None) -> str | None:
    """The region a title's subject names when nothing names the issuer's:
    关于支持上海市生成式人工智能创新生态先导区的若干措施 -> 上海市 (a known 区划 only)."""
    match = _TITLE_SUBJECT.search(title or "")
    region = region_of(match.group("rest")) if match else None
    return region if region and region_code(region) else None


def region_code(region: str | None) -> str | None:
    """6-digit 区划 code of a region name, when :mod:`policymatch.reference.regions` is installed."""
    lookup = _region_lookup()
    if not region or lookup is None:
        return None
    try:
        found = lookup(region)
    except Exception:  # the reference tables are built in parallel; a failure must not stop ingest
        logger.warning("region lookup failed for %r", region, exc_info=True)
        return None
    return getattr(found, "code", None) if found is not None else None


@lru_cache(maxsize=1)
def _region_lookup() -> Callable[[str], object] | None:
    try:
        module = import_module("policymatch.reference.regions")
    except ImportError:
        logger.info("policymatch.reference.regions not available: region codes left empty")
        return None
    return getattr(module, "lookup", None)


def extract_dates(text: str) -> dict[str, object]:
    """Dates written in a document's text.

    Returns:
        Keys present only when found: ``written_date`` (closing date under the signature),
        ``publish_date`` (…印发), ``valid_from`` (自…起施行), ``from_issue`` (True for
        自印发之日起施行), ``valid_until`` (有效期至…), ``valid_years`` (有效期X年, int).
    """
    found: dict[str, object] = {}
    tail = text[-3000:]
    for line in reversed(tail.split("\n")[-8:]):
        match = _DATE_LINE.match(line.strip())
        if match:
            found["written_date"] = date_from_match(match)
            break
    issued = list(_ISSUED_ON.finditer(tail))
    if issued:
        found["publish_date"] = date_from_match(issued[-1])
    effective = list(_EFFECTIVE_FROM.finditer(text))
    if effective:
        found["valid_from"] = date_from_match(effective[-1])
    elif _EFFECTIVE_ON_ISSUE.search(text):
        found["from_issue"] = True
    ranged = list(_VALID_RANGE.finditer(text))
    if ranged:
        found.setdefault("valid_from", date_from_match(ranged[-1]))
        found["valid_until"] = parse_date(ranged[-1].group("end"))
    else:
        until = list(_VALID_UNTIL_STRICT.finditer(text))
        if until:
            found["valid_until"] = date_from_match(until[-1])
    years = list(_VALID_YEARS.finditer(text))
    if years:
        found["valid_years"] = cn_number(years[-1].group("n"))
    return {key: value for key, value in found.items() if value is not None}


def _field_date(raw: RawRecord, field: str) -> dt.date | None:
    value = getattr(raw, field)
    if not value:
        return None
    parsed = parse_date(value)
    if parsed is None:
        logger.warning("%s: %s %r is not a date; ignored", _place(raw), field, value)
    return parsed


def _place(raw: RawRecord) -> str:
    return (
        f"{raw.source or '<input>'}:{raw.line}"
        if raw.line is not None
        else (raw.source or "<input>")
    )
