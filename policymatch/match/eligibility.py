"""Eligibility rules: does an enterprise meet a policy card's conditions, with reasons.

:func:`check_eligibility` evaluates each condition of a card against a profile as met, unmet or
unknown, with one Chinese line a person can verify (营业收入3500万元，满足≥2000万元). The verdict:
不符合 if any hard check is unmet; otherwise 可能符合 if any check is unknown or a soft one is
unmet; otherwise 推荐.

:func:`prefilter` is the push direction's fast path: over many profiles at once it applies the
checks that need only a profile's codes and numbers (region, industry, hard thresholds) and
agrees with :func:`check_eligibility` on which of those are unmet.
"""

from __future__ import annotations

import datetime as dt
import logging
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from policymatch.match.columns import industry_key, split_industry_key
from policymatch.match.results import CheckStatus, ConditionCheck, Eligibility, Verdict
from policymatch.profile.models import EnterpriseProfile
from policymatch.reference import industries, qualifications, regions, sme
from policymatch.translate.models import Condition, PolicyCard

logger = logging.getLogger(__name__)

# Profile fields a numeric condition can read, with the label and unit reasons use.
NUMERIC_FIELDS: dict[str, tuple[str, str]] = {
    "employees": ("从业人员", "人"),
    "revenue": ("营业收入", "万元"),
    "total_assets": ("资产总额", "万元"),
    "age_years": ("成立年限", "年"),
    "rd_ratio": ("研发投入占比", "%"),
    "rd_expense": ("研发投入", "万元"),
    "tax": ("纳税额", "万元"),
    "registered_capital": ("注册资本", "万元"),
    "investment": ("项目投资额", "万元"),
}
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
_OP_SIGNS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
# Kinds prefilter decides; on these it agrees with check_eligibility's hard unmet checks.
PREFILTER_KINDS = frozenset({"region", "industry", "numeric", "validity"})
# 初创企业: met up to this age, unmet beyond the longer one; policies draw the line at 3 or 5 years.
STARTUP_MET_YEARS, STARTUP_UNMET_YEARS = 3.0, 5.0
# 小型微利企业 (企业所得税法实施条例, 财税〔2023〕6号 and after): 从业人数≤300人, 资产总额≤5000万元,
# 年应纳税所得额≤300万元; 营业收入 bounds the taxable income from above.
_SMALL_LOW_PROFIT = {"employees": 300.0, "total_assets": 5000.0, "taxable_income": 300.0}
# 增值税一般纳税人登记管理办法 art. 2: a taxpayer whose annual taxable sales exceed 500万元 must
# register as a general taxpayer, so it cannot be a 小规模纳税人; 营业收入 stands in for sales.
SMALL_SCALE_TAXPAYER = "小规模纳税人"
SMALL_SCALE_TAXPAYER_CEILING = 500.0
_GENERIC_KINDS = frozenset({"企业", "各类企业", "市场主体", "企事业单位", "各类市场主体"})
_COMPANY_WORDS = ("公司", "有限", "股份", "集团", "合伙", "研究院")
# The enterprise says it is applying for a qualification (今年申报省级专精特新中小企业).
_APPLYING = re.compile(r"(?:正在|今年|拟|计划|准备|已)?(?:申报|申请|争创|认定中|冲刺)")
# A title the description says the firm (or its product) already won: 产品被省级认定为首批次新材料.
_WON = re.compile(r"(?:认定为|评为|评定为|获评|列入|纳入|入选|获批)")
_NOT_YET = re.compile(r"计划|准备|拟|争取|力争|希望|想|正在|明年|今年要")


@dataclass(frozen=True, slots=True)
class _Judgement:
    status: CheckStatus
    reason: str


def _number(value: float) -> str:
    """3500.0 -> '3500', 1.25 -> '1.25', 9.04 years -> '9.04'."""
    return f"{round(value, 2):.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------- region
def _place(code: str) -> str:
    """Name from the city level down (济南市历城区), the province for a province."""
    path = regions.path(code)
    names: list[str] = []
    for region in path[1:] if len(path) > 1 else path:
        if not names or names[-1] != region.name:
            names.append(region.name)
    return "".join(names) or code


def _region_judgement(
    codes: Sequence[str], own: str | None, excluded: Sequence[str] = ()
) -> _Judgement:
    if own:
        inside = [c for c in excluded if regions.contains(c, own)]
        if inside:
            return _Judgement("unmet", f"注册地{_place(own)}，政策适用地区不含{_place(inside[0])}")
        coarser = [c for c in excluded if regions.contains(own, c)]
        if coarser:
            return _Judgement(
                "unknown", f"注册地仅知{_place(own)}，政策不含{_place(coarser[0])}，无法判断"
            )
    wanted = [c for c in codes if not regions.is_nationwide(c)]
    if not wanted:
        return _Judgement("met", "政策不限地区，全国适用")
    places = "、".join(_place(c) for c in wanted)
    if not own:
        return _Judgement("unknown", f"缺少注册地数据，无法判断是否在政策适用地区{places}内")
    if any(regions.contains(code, own) for code in wanted):
        if own in wanted:
            return _Judgement("met", f"注册地{_place(own)}，即政策适用地区")
        return _Judgement("met", f"注册地{_place(own)}，在政策适用地区{places}内")
    if any(regions.contains(own, code) for code in wanted):
        return _Judgement(
            "unknown", f"注册地仅知{_place(own)}，无法判断是否在政策适用地区{places}内"
        )
    return _Judgement("unmet", f"注册地{_place(own)}，不在政策适用地区{places}内")


# -------------------------------------------------------------------------- industry
def _industry_standing(
    codes: Sequence[str], own: str | None, business: Sequence[str] = ()
) -> tuple[str, str | None, str | None] | None:
    """``(names of the valid codes, own industry described or None, "covers"|"inside"|None)``:
    how the enterprise's industry stands to a card's codes; None when no code is GB/T 4754.

    ``business`` are further codes the firm's scope names (``business_industry_codes``); they
    stand beside the registered code, which is tried first."""
    valid = [c for c in (industries.normalize_code(c) for c in codes) if c and industries.get(c)]
    if not valid:
        if codes:
            logger.warning("card industries %s are not GB/T 4754 codes: check skipped", codes)
        return None
    names = "、".join(industries.get(c).name for c in valid)  # type: ignore[union-attr]
    own_industry = industries.get(industries.normalize_code(own))
    if own_industry is None:
        return names, None, None
    described = f"所属行业{own_industry.code}{own_industry.name}"
    stated = [
        (code, f"{described}，经营范围所述{industries.get(code).name}业务")  # type: ignore[union-attr]
        for code in business
    ]
    for wanted in ("covers", "inside"):
        for code, words in [(own_industry.code, described), *stated]:
            if any(industries.relation(c, code) == wanted for c in valid):
                return names, words, wanted
    return names, described, None


def _industry_judgement(
    codes: Sequence[str], own: str | None, business: Sequence[str] = ()
) -> _Judgement | None:
    standing = _industry_standing(codes, own, business)
    if standing is None:
        return None
    wanted, described, relation = standing
    if described is None:
        return _Judgement("unknown", f"缺少行业代码，无法判断是否属于{wanted}")
    if relation == "covers":
        return _Judgement("met", f"{described}，属于政策支持的{wanted}")
    if relation == "inside":
        return _Judgement("unknown", f"{described}较粗，无法确定是否属于{wanted}")
    return _Judgement("unmet", f"{described}，不属于政策支持的{wanted}")


def _excluded_industry_judgement(excluded: Sequence[str], own: str | None) -> _Judgement | None:
    """Met unless the enterprise's industry lies in a sector the item leaves out."""
    standing = _industry_standing(excluded, own)
    if standing is None:
        return None
    left_out, described, relation = standing
    if described is None:
        return _Judgement("unknown", f"缺少行业代码，无法确认是否属于政策不适用的{left_out}")
    if relation == "covers":
        return _Judgement("unmet", f"{described}，属于政策不适用的{left_out}")
    if relation == "inside":
        return _Judgement("unknown", f"{described}较粗，无法确定是否属于政策不适用的{left_out}")
    return _Judgement("met", f"{described}，不在政策不适用的{left_out}之列")


# --------------------------------------------------------------------------- numeric
def _age_years(profile: EnterpriseProfile, as_of: dt.date) -> float | None:
    if profile.founded is not None:
        return max(0.0, (as_of - profile.founded).days / 365.25)
    return profile.age_years


def _field_value(field: str, profile: EnterpriseProfile, as_of: dt.date) -> float | None:
    if field == "age_years":
        return _age_years(profile, as_of)
    value = getattr(profile, field, None)
    return float(value) if isinstance(value, int | float) else None


def _threshold(condition: Condition) -> float | None:
    try:
        return float(condition.value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _numeric_judgement(condition: Condition, value: float | None) -> _Judgement:
    label, unit = NUMERIC_FIELDS.get(condition.field or "", (condition.field or "数值", ""))
    unit = condition.unit or unit
    threshold = _threshold(condition)
    if condition.op not in _OPS or threshold is None:
        return _Judgement("unknown", f"条件“{condition.text}”无法自动核验，需人工确认")
    bound = f"{_OP_SIGNS[condition.op]}{_number(threshold)}{unit}"
    if value is None:
        return _Judgement("unknown", f"缺少{label}数据，无法判断是否{bound}")
    verb = "满足" if _OPS[condition.op](value, threshold) else "不满足"
    return _Judgement(
        "met" if verb == "满足" else "unmet", f"{label}{_number(value)}{unit}，{verb}{bound}"
    )


# ----------------------------------------------------------------------- beneficiary
def _held(profile: EnterpriseProfile) -> set[str]:
    """Canonical qualifications and kinds the enterprise states: its qualifications, its tags
    and titles its description says it won (产品被省级认定为首批次新材料)."""
    stated = list(profile.qualifications)
    for tag in profile.tags:
        stated.extend(qualifications.find_qualifications(tag) or [tag])
    for sentence in re.split(r"[。；;！!？?\n]", profile.description):
        for clause in re.split(r"[，,]", sentence):
            won = _WON.search(clause)
            if won and not _NOT_YET.search(clause[: won.start()]) and not _APPLYING.search(clause):
                stated.extend(qualifications.find_qualifications(clause[won.start() :]))
    return qualifications.expand(stated)


def _kind_judgement(
    kind: str, profile: EnterpriseProfile, held: set[str], as_of: dt.date
) -> _Judgement:
    name = qualifications.canonical_qualification(kind) or kind
    if name in _GENERIC_KINDS:
        return _Judgement("met", "政策面向各类企业")
    entry = qualifications.get(name)
    if name in held:
        if entry is not None and entry.kind == "qualification":
            return _Judgement("met", f"已具备{name}资质")
        return _Judgement("met", f"企业资料载明为{name}")
    if name == SMALL_SCALE_TAXPAYER:
        return _small_scale_taxpayer_judgement(profile)
    if entry is None or entry.kind == "declared":
        return _Judgement("unknown", f"企业资料未显示属于{name}，需核实")
    if entry.kind == "qualification":
        if _applying_for(name, profile):
            return _Judgement("unknown", f"企业资料显示正在申报{name}，获认定后方可享受")
        if profile.qualifications:
            return _Judgement("unmet", f"企业所列资质中没有{name}")
        return _Judgement("unknown", f"企业未填报资质，无法确认是否为{name}")
    if entry.kind == "size":
        return _size_judgement(name, entry.sizes, profile)
    if entry.kind == "startup":
        return _startup_judgement(profile, as_of)
    if entry.kind == "role":
        return _role_judgement(name, entry, profile)
    if entry.kind == "entity":
        if any(word in profile.name for word in _COMPANY_WORDS):
            return _Judgement("unmet", f"企业名称{profile.name}为公司或其他组织，不是{name}")
        return _Judgement("unknown", f"企业资料未显示是否为{name}")
    if entry.kind == "trade":
        if "进出口" in profile.scope or "出口" in profile.scope:
            return _Judgement("met", "经营范围含进出口业务")
        return _Judgement("unknown", f"企业资料未显示进出口业务，无法确认是否为{name}")
    if entry.kind == "industry":
        judgement = _industry_judgement(
            entry.industries, profile.industry_code, profile.business_industry_codes
        )
        if judgement is None:
            return _Judgement("unknown", f"无法判断是否为{name}")
        if judgement.status == "unmet" and not entry.strict:
            return _Judgement("unknown", f"{judgement.reason}，是否属于{name}需核实")
        return judgement
    return _statistical_judgement(name, entry, profile)


def _role_judgement(
    name: str, entry: qualifications.Qualification, profile: EnterpriseProfile
) -> _Judgement:
    """A kind that is another kind of applicant (孵化器 operators, 科研院所, 担保机构, 合作社):
    a firm is one only when its own words say so; the guideline counts the rest as another
    target group."""
    said = [profile.name, profile.scope, profile.description, *profile.tags]
    said += profile.qualifications
    forms = (name, *entry.synonyms)
    if any(form in text for form in forms for text in said if text):
        return _Judgement("met", f"企业资料载明为{name}")
    return _Judgement("unmet", f"政策面向{name}，企业名称、经营范围和简介均未显示是{name}")


def _applying_for(name: str, profile: EnterpriseProfile) -> bool:
    """Whether the profile's description says the enterprise is applying for ``name``."""
    for sentence in re.split(r"[。；;！!？?\n]", profile.description):
        for clause in re.split(r"[，,]", sentence):
            match = _APPLYING.search(clause)
            if match and name in qualifications.find_qualifications(clause[match.start() :]):
                return True
    return False


def _size_judgement(name: str, sizes: tuple[str, ...], profile: EnterpriseProfile) -> _Judgement:
    if not sizes:  # 小型微利企业: a tax category, read from headcount, assets and revenue
        return _small_low_profit_judgement(profile)
    result = sme.classify(
        profile.industry_code, profile.employees, profile.revenue, profile.total_assets
    )
    size, reason = result.size_class, result.reason
    if size is None and profile.size_class is not None:
        size, reason = profile.size_class, f"企业资料载明为{profile.size_class}型企业"
    if size is None:
        return _Judgement("unknown", f"{reason}，无法判断是否属于{name}")
    if size in sizes:
        return _Judgement("met", f"{reason}，属于{name}")
    return _Judgement("unmet", f"{reason}，不属于{name}")


def _small_low_profit_judgement(profile: EnterpriseProfile) -> _Judgement:
    employees, assets, revenue = profile.employees, profile.total_assets, profile.revenue
    if employees is not None and employees > _SMALL_LOW_PROFIT["employees"]:
        return _Judgement("unmet", f"从业人员{employees}人，超过小型微利企业上限300人")
    if assets is not None and assets > _SMALL_LOW_PROFIT["total_assets"]:
        return _Judgement("unmet", f"资产总额{_number(assets)}万元，超过小型微利企业上限5000万元")
    if employees is None or assets is None:
        missing = "、".join(
            n for n, v in (("从业人员", employees), ("资产总额", assets)) if v is None
        )
        return _Judgement("unknown", f"缺少{missing}数据，无法判断是否属于小型微利企业")
    if revenue is not None and revenue <= _SMALL_LOW_PROFIT["taxable_income"]:
        return _Judgement(
            "met",
            f"从业人员{employees}人、资产总额{_number(assets)}万元、营业收入"
            f"{_number(revenue)}万元，属于小型微利企业",
        )
    return _Judgement("unknown", "从业人员和资产总额在小型微利企业标准内，应纳税所得额需核实")


def _small_scale_taxpayer_judgement(profile: EnterpriseProfile) -> _Judgement:
    revenue = profile.revenue
    if revenue is not None and revenue > SMALL_SCALE_TAXPAYER_CEILING:
        return _Judgement(
            "unmet",
            f"营业收入{_number(revenue)}万元，超过500万元，应登记为一般纳税人，不是小规模纳税人",
        )
    return _Judgement("unknown", "企业资料未显示是否为增值税小规模纳税人，需核实")


def _startup_judgement(profile: EnterpriseProfile, as_of: dt.date) -> _Judgement:
    age = _age_years(profile, as_of)
    if age is None:
        return _Judgement("unknown", "缺少成立日期，无法判断是否属于初创企业")
    if age <= STARTUP_MET_YEARS:
        return _Judgement("met", f"成立{_number(age)}年，属于初创企业")
    if age > STARTUP_UNMET_YEARS:
        return _Judgement("unmet", f"成立{_number(age)}年，已不属于初创企业")
    return _Judgement("unknown", f"成立{_number(age)}年，是否属于初创企业视政策口径（3至5年）而定")


def _statistical_judgement(
    name: str, entry: qualifications.Qualification, profile: EnterpriseProfile
) -> _Judgement:
    own = industries.normalize_code(profile.industry_code)
    if own is None or industries.get(own) is None:
        return _Judgement("unknown", f"缺少行业代码，无法判断是否属于{name}")
    rules = [r for r in entry.rules if any(industries.matches(c, own) for c in r.industries)]
    if not rules:
        if any(industries.relation(c, own) == "inside" for r in entry.rules for c in r.industries):
            return _Judgement("unknown", f"行业代码{own}较粗，无法判断是否属于{name}")
        return _Judgement("unmet", f"所属行业{industries.get(own).name}不在{name}统计范围内")  # type: ignore[union-attr]
    floor = min(r.revenue_at_least for r in rules)
    if profile.revenue is None:
        return _Judgement(
            "unknown", f"缺少营业收入数据，无法判断是否达到{name}标准（{_number(floor)}万元）"
        )
    if profile.revenue >= floor:
        return _Judgement(
            "met", f"营业收入{_number(profile.revenue)}万元，达到{name}标准（{_number(floor)}万元）"
        )
    return _Judgement(
        "unmet", f"营业收入{_number(profile.revenue)}万元，未达{name}标准（{_number(floor)}万元）"
    )


def _alternatives(kinds: Iterable[str], profile: EnterpriseProfile, as_of: dt.date) -> _Judgement:
    """Several kinds are alternatives: met if any is met, unknown if none is met but one may be."""
    held = _held(profile)
    judgements = [_kind_judgement(k, profile, held, as_of) for k in kinds]
    for status in ("met", "unknown"):
        chosen = [j.reason for j in judgements if j.status == status]
        if chosen:
            return _Judgement(status, chosen[0] if status == "met" else "；".join(chosen))  # type: ignore[arg-type]
    return _Judgement("unmet", "；".join(j.reason for j in judgements))


def _as_list(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)] if value not in (None, "") else []


# -------------------------------------------------------------------------- validity
def _validity_check(card: PolicyCard, as_of: dt.date) -> ConditionCheck | None:
    end = card.valid_until or card.apply_end
    if end is None:
        return None
    if card.valid_until:
        condition = f"政策有效期至{card.valid_until.isoformat()}"
    elif card.apply_yearly:
        condition = f"每年{end.month}月{end.day}日前申报"
    else:
        condition = f"申报截止{end.isoformat()}"

    def check(status: CheckStatus, reason: str) -> ConditionCheck:
        return ConditionCheck(
            condition=condition, kind="validity", status=status, hard=True, reason=reason
        )

    if card.expired(as_of):
        return check("unmet", f"{condition}，按{as_of.isoformat()}计已过期")
    reason = f"{condition}，尚在有效期内"
    window = card.next_apply_window(as_of)
    if card.apply_yearly and window is None:
        # in force, but its last yearly round is over: only an extension would let a firm apply
        return check("unknown", f"{reason}，但有效期内已无下一轮申报，请留意政策是否延续")
    if window is not None:
        opens, closes = window
        if opens <= as_of:
            reason += f"；正在本年度申报期内，{closes.isoformat()}截止"
        else:
            reason += f"；每年集中申报，下一轮{opens.isoformat()}至{closes.isoformat()}"
    elif card.apply_start and card.apply_start > as_of:
        reason += f"（申报自{card.apply_start.isoformat()}开始）"
    elif card.valid_until and card.apply_end and card.apply_end < as_of:
        # the policy runs on: a firm eligible today applies in a later round, if one is announced
        reason += f"；本轮申报已于{card.apply_end.isoformat()}截止，请留意下一轮申报通知"
    return check("met", reason)


# ---------------------------------------------------------------------------- checks
def _condition_check(
    condition: Condition, profile: EnterpriseProfile, as_of: dt.date
) -> ConditionCheck | None:
    kind = condition.kind
    if kind == "numeric":
        judgement = _numeric_judgement(
            condition, _field_value(condition.field or "", profile, as_of)
        )
    elif kind in ("beneficiary", "qualification"):
        kinds = _as_list(condition.value)
        if not kinds:
            return None
        judgement = _alternatives(kinds, profile, as_of)
    elif kind == "region":
        judgement = _region_judgement(_as_list(condition.value), profile.region_code)
    elif kind == "industry":
        found = _industry_judgement(
            _as_list(condition.value), profile.industry_code, profile.business_industry_codes
        )
        if found is None:
            return None
        judgement = found
    else:  # validity conditions are read from the card's dates
        return None
    return ConditionCheck(
        condition=condition.text,
        kind=kind,
        status=judgement.status,
        hard=condition.hard,
        reason=judgement.reason,
    )


def _card_checks(
    card: PolicyCard, profile: EnterpriseProfile, as_of: dt.date, ignore_validity: bool
) -> list[ConditionCheck]:
    checks: list[ConditionCheck] = []
    region = _region_judgement(card.region_codes, profile.region_code, card.excluded_region_codes)
    names = "、".join(card.region_names) or "、".join(
        _place(c) for c in card.region_codes if not regions.is_nationwide(c)
    )
    if card.excluded_region_codes:
        names += f"（不含{'、'.join(_place(c) for c in card.excluded_region_codes)}）"
    checks.append(
        ConditionCheck(
            condition=f"适用地区：{names or '全国'}",
            kind="region",
            status=region.status,
            hard=True,
            reason=region.reason,
        )
    )
    if not ignore_validity:
        validity = _validity_check(card, as_of)
        if validity is not None:
            checks.append(validity)
    # A kind the item rewards becoming (对首次认定为高新技术企业的给予奖励) is no entry bar: a firm
    # applying now is the very target. Its soft award condition speaks for it instead.
    awarded = {
        c.value
        for c in card.conditions
        if c.kind == "qualification" and c.role == "award" and isinstance(c.value, str)
    }
    # Nor does another kind of applicant listed beside an award (重点实验室、企业技术中心 … 科研院所):
    # whoever wins the title may apply, the firm among them.
    required_kinds = [
        kind
        for kind in card.beneficiaries
        if kind not in awarded and not (awarded and qualifications.is_role(kind))
    ]
    if required_kinds:
        judgement = _alternatives(required_kinds, profile, as_of)
        checks.append(
            ConditionCheck(
                condition=f"申报主体：{'或'.join(required_kinds)}",
                kind="beneficiary",
                status=judgement.status,
                hard=True,
                reason=judgement.reason,
            )
        )
    # A sector the item leaves out is judged by the registered code alone: a scope that also
    # names it does not make the firm one of that sector.
    supported = partial(_industry_judgement, business=profile.business_industry_codes)
    for heading, codes, judge in (
        ("所属行业", card.industries, supported),
        ("不适用行业", card.excluded_industries, _excluded_industry_judgement),
    ):
        judgement = judge(codes, profile.industry_code)
        if judgement is None:
            continue
        label = "、".join(i.name if (i := industries.get(c)) else c for c in codes)
        checks.append(
            ConditionCheck(
                condition=f"{heading}：{label}",
                kind="industry",
                status=judgement.status,
                hard=True,
                reason=judgement.reason,
            )
        )
    for condition in card.conditions:
        check = _condition_check(condition, profile, as_of)
        if check is not None:
            checks.append(check)
    return checks


def verdict_of(checks: Sequence[ConditionCheck]) -> Verdict:
    """不符合 if a hard check is unmet; 可能符合 if a check is unknown or a soft one unmet; else 推荐."""
    if any(c.status == "unmet" and c.hard for c in checks):
        return "不符合"
    if any(c.status != "met" for c in checks):
        return "可能符合"
    return "推荐"


def check_eligibility(
    card: PolicyCard,
    profile: EnterpriseProfile,
    as_of: dt.date | None = None,
    ignore_validity: bool = False,
) -> Eligibility:
    """Evaluate every condition of ``card`` against ``profile``.

    Args:
        card: The policy card (regions, beneficiaries, industries, conditions, dates).
        profile: A normalised profile (region_code, industry_code, size_class filled where known).
        as_of: Day for validity and enterprise age; today when None.
        ignore_validity: Leave out the validity check (to look at expired items anyway).

    Returns:
        Checks in the order region, validity, beneficiary, industry, then the card's
        conditions; each met/unmet/unknown with a Chinese reason; and the verdict.
    """
    as_of = as_of or dt.date.today()
    checks = _card_checks(card, profile, as_of, ignore_validity)
    return Eligibility(verdict=verdict_of(checks), checks=checks)


# ------------------------------------------------------------------------- prefilter
@dataclass(frozen=True, slots=True)
class HardRules:
    """The hard rules of a card that a profile's codes and numbers alone can fail.

    Attributes:
        region_sets: Region code lists; the enterprise must lie in (or above) one of each list.
        industry_sets: GB/T 4754 code lists, the same for the enterprise's industry.
        numeric: Hard numeric conditions (thresholds on revenue, employees, age …).
    """

    region_sets: list[list[str]]
    industry_sets: list[list[str]]
    numeric: list[Condition]
    excluded_regions: list[str] = field(default_factory=list)  # places the item leaves out
    excluded_industries: list[str] = field(default_factory=list)  # sectors it leaves out


def hard_rules(card: PolicyCard) -> HardRules:
    """The card's regions and industries, and its hard region, industry and numeric conditions:
    what :func:`prefilter` and the push masks (:mod:`policymatch.match.batch_rules`) decide."""
    rules = HardRules(
        [list(card.region_codes)],
        [list(card.industries)] if card.industries else [],
        [],
        list(card.excluded_region_codes),
        list(card.excluded_industries),
    )
    for condition in card.conditions:
        if not condition.hard:
            continue
        if condition.kind == "region":
            rules.region_sets.append(_as_list(condition.value))
        elif condition.kind == "industry":
            rules.industry_sets.append(_as_list(condition.value))
        elif condition.kind == "numeric":
            rules.numeric.append(condition)
    return rules


def prefilter(
    card: PolicyCard,
    profiles: Sequence[EnterpriseProfile],
    as_of: dt.date | None = None,
    ignore_validity: bool = False,
) -> np.ndarray:
    """Which profiles the card's region, industry, validity and hard numeric rules leave possible.

    Vectorised over profiles: region and industry checks are decided once per distinct code,
    numeric thresholds as array comparisons. ``result[i]`` is False exactly when
    :func:`check_eligibility` (same ``as_of``) gives ``profiles[i]`` a hard unmet check of kind
    region, industry, numeric or validity, so every False is a 不符合.

    Returns:
        ``(len(profiles),)`` bool array.
    """
    as_of = as_of or dt.date.today()
    count = len(profiles)
    possible = np.ones(count, dtype=bool)
    if count == 0:
        return possible
    if not ignore_validity and card.expired(as_of):
        return np.zeros(count, dtype=bool)

    rules = hard_rules(card)
    own_regions = np.array([p.region_code or "" for p in profiles], dtype=object)
    for codes in rules.region_sets:
        possible &= _per_distinct(
            own_regions, lambda own, c=codes: _region_judgement(c, own or None)
        )
    if rules.excluded_regions:
        possible &= _per_distinct(
            own_regions, lambda own: _region_judgement([], own or None, rules.excluded_regions)
        )
    own_industries = np.array([p.industry_code or "" for p in profiles], dtype=object)
    with_business = np.array(
        [industry_key(p.industry_code, p.business_industry_codes) for p in profiles],
        dtype=object,
    )
    for codes in rules.industry_sets:
        possible &= _per_distinct(
            with_business,
            lambda key, c=codes: _industry_judgement(c, *split_industry_key(key)),
        )
    if rules.excluded_industries:
        possible &= _per_distinct(
            own_industries,
            lambda own: _excluded_industry_judgement(rules.excluded_industries, own or None),
        )
    for condition in rules.numeric:
        threshold = _threshold(condition)
        if condition.op not in _OPS or threshold is None:
            continue
        values = np.array(
            [_as_float(_field_value(condition.field or "", p, as_of)) for p in profiles],
            dtype=np.float64,
        )
        known = ~np.isnan(values)
        passes = np.zeros(count, dtype=bool)
        passes[known] = _OPS[condition.op](values[known], threshold)
        possible &= ~known | passes
    return possible


def _as_float(value: float | None) -> float:
    return np.nan if value is None else float(value)


def _per_distinct(keys: np.ndarray, judge: Callable[[str], _Judgement | None]) -> np.ndarray:
    """Not-unmet mask, judging each distinct key once."""
    distinct, inverse = np.unique(keys.astype(str), return_inverse=True)
    ok = np.array(
        [(j := judge(key)) is None or j.status != "unmet" for key in distinct], dtype=bool
    )
    return ok[inverse]
