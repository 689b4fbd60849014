"""Raw enterprise record -> :class:`EnterpriseProfile` with 区划 code, GB/T 4754 code, size, age.

A raw record may use the model's field names or the Chinese column names member databases use
(企业名称, 所属地区, 营业收入(万元) …). Missing values stay None (unknown is not a failure);
values that are present but wrong raise :class:`~policymatch.errors.InputError` naming the field
as the record wrote it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from policymatch.errors import InputError
from policymatch.profile import values
from policymatch.profile.models import EnterpriseProfile
from policymatch.reference import industries, qualifications, regions, sme

logger = logging.getLogger(__name__)

# Column name -> profile field, from ``data/columns.json`` (policy translators add the names
# their member databases use there), compared by :func:`_header_key`: units in brackets, case,
# spaces, underscores and hyphens set aside, so ``Employee Count``, ``employee_count`` and
# ``employeeCount`` are one name.
_COLUMNS_FILE = Path(__file__).resolve().parent / "data" / "columns.json"
_KEY_PUNCTUATION = re.compile(r"[\s_\-.·]+")


def _header_key(text: str) -> str:
    return _KEY_PUNCTUATION.sub("", text).lower()


FIELD_ALIASES: dict[str, str] = {
    _header_key(name): field
    for field, names in json.loads(_COLUMNS_FILE.read_text(encoding="utf-8")).items()
    if not field.startswith("_")
    for name in names
}
_UNIT_IN_HEADER = re.compile(r"[(（\[【](?P<unit>[^)）\]】]*)[)）\]】]")
_MONEY_FIELDS = ("revenue", "total_assets")
_SIZE_WORDS = {
    "大": "大",
    "大型": "大",
    "中": "中",
    "中型": "中",
    "小": "小",
    "小型": "小",
    "微": "微",
    "微型": "微",
    "小微": "小",  # the looser of the two: eligible for 小微 measures, not claimed as 微
    "large": "大",
    "medium": "中",
    "small": "小",
    "micro": "微",
}
# a band wider than one class says nothing the rules can use; the size stays unknown
_SIZE_BANDS = ("中小", "中小微", "sme")
_ID_FIELDS = ("id", "credit_code", "name")
# Registration wording every 经营范围 carries since the 2019 business-scope reform: it says
# nothing about the firm, yet it lengthens the query (embedding cost grows with it) and puts
# the same words in every enterprise's BM25 query.
_SCOPE_BOILERPLATE = re.compile(
    r"[（(]\s*(?:除)?依法须经批准的项目[^）)]*[）)]"
    r"|(?:一般|许可)(?:经营)?项目\s*[:：]"
    r"|凭营业执照依法自主开展经营活动"
    r"|具体经营项目以[^。；;]*为准"
)


def resolve_header(header: str) -> tuple[str | None, str | None]:
    """The profile field a column name stands for, and the unit written in it.

    ``'营业收入(万元)'`` -> ``('revenue', '万元')``; ``'备注'`` -> ``(None, None)``.
    """
    text = unicodedata.normalize("NFKC", str(header)).strip()
    unit_match = _UNIT_IN_HEADER.search(text)
    unit = unit_match["unit"].strip() if unit_match else None
    key = _header_key(_UNIT_IN_HEADER.sub("", text))
    return FIELD_ALIASES.get(key) or FIELD_ALIASES.get(_header_key(text)), unit or None


def business_scope_text(scope: str) -> str:
    """经营范围 without its registration boilerplate (一般项目：, （除依法须经批准的项目外…）).

    >>> business_scope_text("一般项目：软件开发；信息系统集成服务。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）")
    '软件开发；信息系统集成服务。'
    """
    cleaned = _SCOPE_BOILERPLATE.sub("", scope)
    cleaned = re.sub(r"[；;，,\s]*([。])[；;，,。\s]*$", r"\1", cleaned.strip())
    return re.sub(r"[；;]{2,}", "；", cleaned).strip(" ；;，,")


# Words with which a description states what the firm wants (今年计划…, 希望减免…, 需要贷款…).
_WANT_CUES = ("需要", "急需", "希望", "想", "计划", "打算", "准备", "拟", "申请", "寻求", "缺")
_CLAUSE_END = re.compile(r"[。；;！!？?\n]")


def needs_in_description(description: str) -> list[str]:
    """The clauses of a description that say what the firm wants, for a record that has no
    needs column: matching reads the needs first, and a firm's words are the best guess of them.

    >>> needs_in_description("做液压件，规上企业。今年计划投600万元改造热处理线；希望招到焊工")
    ['今年计划投600万元改造热处理线', '希望招到焊工']
    """
    clauses = (c.strip(" ，,") for c in _CLAUSE_END.split(description))
    return [c for c in clauses if c and any(cue in c for cue in _WANT_CUES)]


def _error(message: str, key: str) -> InputError:
    return InputError(message, field=key)


def _parse_field(field: str, value: Any, key: str, unit: str | None) -> Any:
    try:
        if field in _MONEY_FIELDS:
            money_unit = unit if unit in ("元", "万元", "亿元") else None
            return values.parse_money_wan(value, default_unit=money_unit)
        if field == "employees":
            return values.parse_count(value)
        if field == "rd_ratio":
            return values.parse_percent(value)
        if field == "founded":
            return values.parse_date(value)
        if field == "age_years":
            return None if values.is_blank(value) else float(value)
        if field in ("qualifications", "tags", "needs", "region_path"):
            return values.parse_list(value)
        if field == "contact":
            if values.is_blank(value):
                return {}
            if isinstance(value, str):
                value = values.parse_pairs(value)
            if not isinstance(value, Mapping):
                raise ValueError("联系人信息应为键值对，如 联系人:王立新;电话:0531-88886666")
            return {
                str(k): values.clean_text(v) for k, v in value.items() if not values.is_blank(v)
            }
    except (ValueError, TypeError) as exc:
        raise _error(str(exc), key) from exc
    return None if values.is_blank(value) else values.clean_text(value)


def _collect(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Parsed values by profile field, and the key each came from (for error messages).

    A nested object whose key is not a field (``{"basic": {...}, "finance": {...}}``) is read
    as more columns. Text in columns no field claims (主要客户, 备注 …) joins the description,
    so retrieval still reads what the member database wrote; numbers and codes there are left.
    """
    fields: dict[str, Any] = {}
    keys: dict[str, str] = {}
    contact: dict[str, str] = {}
    region_parts: dict[str, str] = {}
    unclaimed_text: list[str] = []
    for key, value in _flatten(raw):
        field, unit = resolve_header(key)
        if field is None:
            if _is_free_text(value):
                unclaimed_text.append(values.clean_text(value))
                logger.debug("profile column %r read as description text", key)
            else:
                logger.debug("profile column %r is not used", key)
            continue
        parsed = _parse_field(field, value, str(key), unit)
        if field.startswith("contact."):
            if parsed:
                contact[field.split(".", 1)[1]] = parsed
            continue
        if field.startswith("region_part."):
            if parsed and field not in region_parts:
                region_parts[field] = str(parsed)
                keys.setdefault("region", str(key))
            continue
        if field == "contact":
            contact = {**parsed, **contact}
            continue
        if field in fields and not _empty(fields[field]):
            if field in _JOINED_FIELDS and not _empty(parsed) and parsed not in fields[field]:
                fields[field] = _join(fields[field], parsed)
            elif not _empty(parsed) and parsed != fields[field]:
                logger.debug("column %r repeats field %s; the first one is kept", key, field)
            continue
        fields[field] = parsed
        keys[field] = str(key)
    if contact:
        fields["contact"] = contact
    if region_parts and not fields.get("region"):
        fields["region"] = "".join(region_parts[k] for k in sorted(region_parts))
    if unclaimed_text:
        fields["description"] = "；".join(
            filter(None, [fields.get("description"), *unclaimed_text])
        )
    return fields, keys


# Several columns may describe the firm or list its needs (简介 and 主要产品); all are kept.
_JOINED_FIELDS = ("description", "scope", "needs", "tags", "qualifications")


def _join(first: Any, more: Any) -> Any:
    if isinstance(first, list):
        return first + [item for item in more if item not in first]
    return f"{first}；{more}"


def _flatten(raw: Mapping[str, Any]) -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in raw.items():
        if isinstance(value, Mapping) and resolve_header(str(key))[0] is None:
            items.extend(_flatten(value))
        else:
            items.append((str(key), value))
    return items


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _is_free_text(value: Any) -> bool:
    return isinstance(value, str) and len(_CJK.findall(value)) >= 4


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


def _region(fields: dict[str, Any], keys: dict[str, str]) -> regions.Region | None:
    given_code = fields.get("region_code")
    if given_code:
        region = regions.get(given_code)
        if region is None:
            raise _error(f"区划代码 {given_code} 不存在", keys["region_code"])
        return region
    text = fields.get("region")
    if text:
        if regions.normalize_code(text):
            region = regions.get(text)
            if region is None:
                raise _error(f"区划代码 {text} 不存在", keys["region"])
            return region
        region = regions.lookup(text)
        if region is None:
            logger.info("region %r not recognised: region left unknown", text)
        return region
    return _region_from_name(fields.get("name") or "")


def _region_from_name(name: str) -> regions.Region | None:
    """The region an enterprise name opens with (济南某某科技有限公司 -> 济南市), if any.

    Names are registered as 行政区划 + 字号 + 行业 + 组织形式, so a region at the very start is
    the registration region; one further in (中山大学) is not read.
    """
    if not name:
        return None
    found: regions.Region | None = None
    position = 0
    for region in regions.find_all(name[:12]):
        for written in (region.name, region.short_name):
            if name.startswith(written, position):
                found, position = region, position + len(written)
                break
        else:
            break
    return found


def _industry_code(fields: dict[str, Any], keys: dict[str, str]) -> str | None:
    given = fields.get("industry_code")
    if given:
        code = industries.normalize_code(given)
        if code is None or industries.get(code) is None:
            raise _error(f"行业代码 {given} 不在 GB/T 4754-2017 中", keys["industry_code"])
        return code
    text = fields.get("industry")
    if not text:
        return None
    if industries.normalize_code(text) is not None:
        if industries.get(text) is None:
            raise _error(f"行业代码 {text} 不在 GB/T 4754-2017 中", keys["industry"])
        return industries.normalize_code(text)
    codes = industries.lookup_codes(text)
    if len(codes) != 1:
        logger.info("industry %r gives %s: industry code left unknown", text, codes or "nothing")
        return None
    return codes[0]


def _canonical_qualifications(items: list[str]) -> list[str]:
    result: list[str] = []
    for item in items:
        canonical = qualifications.canonical_qualification(item)
        names = [canonical] if canonical else qualifications.find_qualifications(item) or [item]
        for name in names:
            if name not in result:
                result.append(name)
    return result


def _age_years(founded: dt.date, as_of: dt.date, key: str) -> float:
    if founded > as_of:
        raise _error(f"成立日期 {founded.isoformat()} 晚于 {as_of.isoformat()}", key)
    return round((as_of - founded).days / 365.25, 2)


def normalize_profile(
    raw: Mapping[str, Any] | EnterpriseProfile, as_of: dt.date | None = None
) -> EnterpriseProfile:
    """Read one enterprise record and derive the fields the rules need.

    Args:
        raw: A mapping with profile field names or Chinese column names, or a profile to
            re-derive. Money in 万元 unless written otherwise (``1.2亿``, ``3500000元``, or a
            column named ``营业收入(元)``); headcount in 人.
        as_of: Date ages are counted to; today when None.

    Returns:
        The profile with ``region_code``/``region_path`` (区划, province first),
        ``industry_code`` (GB/T 4754), canonical ``qualifications``, ``size_class``
        (工信部联企业〔2011〕300号) and ``age_years`` filled where the raw fields allow.

    Raises:
        InputError: A value present but unreadable (``field`` names the key as written), an
            unknown region or industry code, or no id, credit code or name to identify it.
    """
    if isinstance(raw, EnterpriseProfile):
        raw = raw.model_dump()
    fields, keys = _collect(raw)
    as_of = as_of or dt.date.today()

    identifier = next((fields[f] for f in _ID_FIELDS if fields.get(f)), None)
    if identifier is None:
        raise InputError("记录没有 id、统一社会信用代码或企业名称", field="id")
    region = _region(fields, keys)
    industry_code = _industry_code(fields, keys)
    founded = fields.get("founded")
    age = _age_years(founded, as_of, keys["founded"]) if founded else fields.get("age_years")
    size = sme.size_class(
        industry_code, fields.get("employees"), fields.get("revenue"), fields.get("total_assets")
    )
    if size is None and fields.get("size_class"):
        written = str(fields["size_class"]).strip().lower().removesuffix("企业")
        size = _SIZE_WORDS.get(written.removesuffix("enterprise").strip())
        if size is None and written not in _SIZE_BANDS:
            raise _error(
                f"企业规模应为 大/中/小/微, 得到 {fields['size_class']!r}", keys["size_class"]
            )
    scope = business_scope_text(fields.get("scope") or "")
    tags = fields.get("tags") or []
    data = {
        "id": str(identifier),
        "name": fields.get("name") or "",
        "region": fields.get("region"),
        "industry": fields.get("industry"),
        "industry_code": industry_code,
        "scope": scope,
        "description": fields.get("description") or "",
        "employees": fields.get("employees"),
        "revenue": fields.get("revenue"),
        "total_assets": fields.get("total_assets"),
        "founded": founded,
        "qualifications": _canonical_qualifications(fields.get("qualifications") or []),
        "tags": tags,
        "needs": fields.get("needs") or needs_in_description(fields.get("description") or ""),
        "rd_ratio": fields.get("rd_ratio"),
        "contact": fields.get("contact") or {},
        "region_code": region.code if region else None,
        "region_path": [r.code for r in regions.path(region.code)] if region else [],
        "size_class": size,
        "age_years": age,
        "business_industry_codes": (
            industries.business_codes(" ".join([scope, *map(str, tags)]), industry_code)
            if industry_code
            else []
        ),
    }
    try:
        return EnterpriseProfile(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else None
        raise InputError(first["msg"], field=keys.get(field or "", field)) from exc
