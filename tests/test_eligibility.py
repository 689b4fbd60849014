"""Eligibility checks on hand-built cards: thresholds at their boundaries, regions, validity,
beneficiary kinds, industries, missing data, and the push prefilter's agreement."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from policymatch.match.eligibility import PREFILTER_KINDS, check_eligibility, prefilter
from policymatch.profile import EnterpriseProfile, normalize_profile
from policymatch.translate.models import Condition, PolicyCard

AS_OF = dt.date(2024, 6, 1)


def card(**fields) -> PolicyCard:
    return PolicyCard(item_id="item-1", doc_id="doc-1", **fields)


def profile(**fields) -> EnterpriseProfile:
    return normalize_profile({"id": "e-1", **fields}, as_of=AS_OF)


def numeric(field: str, op: str, value: float, text: str, hard: bool = True) -> Condition:
    return Condition(kind="numeric", field=field, op=op, value=value, text=text, hard=hard)


def only(eligibility, kind):
    [check] = [c for c in eligibility.checks if c.kind == kind]
    return check


JINAN_SOFTWARE = dict(
    name="济南某某软件有限公司",
    region="山东省济南市历城区",
    industry_code="6513",
    employees=120,
    revenue="3500万",
    total_assets=2000,
    founded="2016-03-15",
    qualifications="高新技术企业；科技型中小企业",
)


# The card extractor decides the op from the wording; these pin the comparison for each wording.
@pytest.mark.parametrize(
    ("wording", "op", "revenue", "status"),
    [
        ("营业收入2000万元以上", ">=", 2000, "met"),
        ("营业收入2000万元以上", ">=", 1999.99, "unmet"),
        ("营业收入不低于2000万元", ">=", 2000, "met"),
        ("营业收入超过2000万元", ">", 2000, "unmet"),
        ("营业收入超过2000万元", ">", 2000.5, "met"),
        ("营业收入2000万元以下", "<=", 2000, "met"),
        ("营业收入不足2000万元", "<", 2000, "unmet"),
        ("营业收入不足2000万元", "<", 1500, "met"),
    ],
)
def test_threshold_boundaries(wording, op, revenue, status):
    result = check_eligibility(
        card(conditions=[numeric("revenue", op, 2000, wording)]),
        profile(**{**JINAN_SOFTWARE, "revenue": revenue}),
        as_of=AS_OF,
    )
    check = only(result, "numeric")
    assert check.status == status
    assert check.reason.startswith("营业收入")
    assert ("不满足" in check.reason) == (status == "unmet")
    assert result.verdict == ("推荐" if status == "met" else "不符合")


def test_reason_reads_as_a_person_checks_it():
    result = check_eligibility(
        card(conditions=[numeric("revenue", ">=", 2000, "营业收入≥2000万元")]),
        profile(**JINAN_SOFTWARE),
        as_of=AS_OF,
    )
    assert only(result, "numeric").reason == "营业收入3500万元，满足≥2000万元"


def test_employees_and_age_conditions():
    conditions = [
        numeric("employees", "<=", 300, "从业人员300人以下"),
        numeric("age_years", "<=", 5, "成立不超过5年"),
    ]
    old = check_eligibility(card(conditions=conditions), profile(**JINAN_SOFTWARE), as_of=AS_OF)
    assert [c.status for c in old.checks if c.kind == "numeric"] == ["met", "unmet"]
    assert old.verdict == "不符合"
    # the same firm judged on an earlier day is younger
    young = check_eligibility(
        card(conditions=conditions), profile(**JINAN_SOFTWARE), as_of=dt.date(2020, 1, 1)
    )
    assert young.verdict == "推荐"


def test_region_containment_and_mismatch():
    jinan = card(region_codes=["370100"], region_names=["济南市"])
    inside = check_eligibility(jinan, profile(**JINAN_SOFTWARE), as_of=AS_OF)
    assert only(inside, "region").status == "met"
    assert only(inside, "region").reason == "注册地济南市历城区，在政策适用地区济南市内"
    qingdao = profile(**{**JINAN_SOFTWARE, "region": "青岛市崂山区"})
    outside = check_eligibility(jinan, qingdao, as_of=AS_OF)
    assert only(outside, "region").status == "unmet"
    assert outside.verdict == "不符合"
    assert "青岛市崂山区" in only(outside, "region").reason
    province_only = check_eligibility(
        jinan, profile(**{**JINAN_SOFTWARE, "region": "山东省"}), as_of=AS_OF
    )
    assert only(province_only, "region").status == "unknown"
    assert province_only.verdict == "可能符合"


def test_nationwide_card_and_unknown_region():
    nationwide = check_eligibility(card(), profile(**JINAN_SOFTWARE), as_of=AS_OF)
    assert only(nationwide, "region").status == "met"
    assert nationwide.verdict == "推荐"
    no_region = profile(**{**JINAN_SOFTWARE, "region": None, "name": "某某软件有限公司"})
    assert (
        only(
            check_eligibility(card(region_codes=["370000"]), no_region, as_of=AS_OF), "region"
        ).status
        == "unknown"
    )


def test_expired_items():
    expired = card(apply_end=dt.date(2024, 5, 31))
    result = check_eligibility(expired, profile(**JINAN_SOFTWARE), as_of=AS_OF)
    assert only(result, "validity").status == "unmet"
    assert result.verdict == "不符合"
    assert "已过期" in only(result, "validity").reason
    on_last_day = check_eligibility(card(apply_end=AS_OF), profile(**JINAN_SOFTWARE), as_of=AS_OF)
    assert on_last_day.verdict == "推荐"
    ignored = check_eligibility(
        expired, profile(**JINAN_SOFTWARE), as_of=AS_OF, ignore_validity=True
    )
    assert ignored.verdict == "推荐" and not [c for c in ignored.checks if c.kind == "validity"]


def test_missing_fields_give_maybe_not_failure():
    sparse = profile(name="某某科技有限公司")
    full_card = card(
        region_codes=["370100"],
        beneficiaries=["高新技术企业"],
        industries=["I"],
        conditions=[
            numeric("revenue", ">=", 2000, "营业收入≥2000万元"),
            numeric("employees", ">=", 10, "从业人员10人以上"),
        ],
    )
    result = check_eligibility(full_card, sparse, as_of=AS_OF)
    assert result.verdict == "可能符合"
    assert {c.status for c in result.checks} == {"unknown"}
    assert only(result, "industry").reason.startswith("缺少行业代码")
    assert "缺少营业收入数据" in result.checks[-2].reason
    assert "缺少从业人员数据" in result.checks[-1].reason


def test_required_qualification():
    high_tech = card(beneficiaries=["高新技术企业"])
    holder = check_eligibility(high_tech, profile(**JINAN_SOFTWARE), as_of=AS_OF)
    assert holder.verdict == "推荐"
    others = profile(**{**JINAN_SOFTWARE, "qualifications": "科技型中小企业"})
    assert check_eligibility(high_tech, others, as_of=AS_OF).verdict == "不符合"
    silent = profile(**{**JINAN_SOFTWARE, "qualifications": ""})
    assert check_eligibility(high_tech, silent, as_of=AS_OF).verdict == "可能符合"
    # holding 小巨人 satisfies a 专精特新 requirement
    giant = profile(**{**JINAN_SOFTWARE, "qualifications": "国家级专精特新小巨人企业"})
    assert (
        check_eligibility(card(beneficiaries=["专精特新中小企业"]), giant, as_of=AS_OF).verdict
        == "推荐"
    )


def test_several_kinds_are_alternatives():
    either = card(beneficiaries=["专精特新中小企业", "高新技术企业"])
    assert check_eligibility(either, profile(**JINAN_SOFTWARE), as_of=AS_OF).verdict == "推荐"
    neither = profile(**{**JINAN_SOFTWARE, "qualifications": "瞪羚企业"})
    result = check_eligibility(either, neither, as_of=AS_OF)
    assert only(result, "beneficiary").status == "unmet"


def test_size_kinds():
    sme_card = card(beneficiaries=["中小企业"])
    small_micro = card(beneficiaries=["小微企业"])
    medium = profile(**JINAN_SOFTWARE)  # 软件: 120人, 3500万元 -> 中
    assert check_eligibility(sme_card, medium, as_of=AS_OF).verdict == "推荐"
    assert check_eligibility(small_micro, medium, as_of=AS_OF).verdict == "不符合"
    large = profile(**{**JINAN_SOFTWARE, "employees": 500, "revenue": "2亿"})
    result = check_eligibility(sme_card, large, as_of=AS_OF)
    assert result.verdict == "不符合" and "大型" in only(result, "beneficiary").reason
    no_revenue = profile(**{**JINAN_SOFTWARE, "revenue": None})
    result = check_eligibility(small_micro, no_revenue, as_of=AS_OF)
    assert result.verdict == "可能符合" and "营业收入" in only(result, "beneficiary").reason


def test_small_low_profit_enterprise():
    tax_card = card(beneficiaries=["小型微利企业"])
    tiny = profile(
        name="某某咨询有限公司", industry_code="7241", employees=8, revenue=150, total_assets=300
    )
    assert check_eligibility(tax_card, tiny, as_of=AS_OF).verdict == "推荐"
    big = profile(**{**JINAN_SOFTWARE, "employees": 301})
    assert check_eligibility(tax_card, big, as_of=AS_OF).verdict == "不符合"
    assert check_eligibility(tax_card, profile(**JINAN_SOFTWARE), as_of=AS_OF).verdict == "可能符合"


def test_startup_and_sole_proprietor():
    startup = card(beneficiaries=["初创企业"])
    young = profile(name="某某科技有限公司", founded="2022-09-01")
    assert check_eligibility(startup, young, as_of=AS_OF).verdict == "推荐"
    assert check_eligibility(startup, profile(**JINAN_SOFTWARE), as_of=AS_OF).verdict == "不符合"
    four = profile(name="某某科技有限公司", founded="2020-03-01")
    assert check_eligibility(startup, four, as_of=AS_OF).verdict == "可能符合"
    sole = card(beneficiaries=["个体工商户"])
    assert check_eligibility(sole, profile(**JINAN_SOFTWARE), as_of=AS_OF).verdict == "不符合"
    shop = profile(name="历城区某某小吃店", tags="个体户")
    assert check_eligibility(sole, shop, as_of=AS_OF).verdict == "推荐"


def test_statistical_kinds():
    above_scale = card(beneficiaries=["规上工业企业"])
    factory = profile(name="某某机械有限公司", industry_code="3411", employees=80, revenue="2500万")
    assert check_eligibility(above_scale, factory, as_of=AS_OF).verdict == "推荐"
    small_factory = profile(
        name="某某机械有限公司", industry_code="3411", employees=30, revenue=800
    )
    assert check_eligibility(above_scale, small_factory, as_of=AS_OF).verdict == "不符合"
    assert (
        check_eligibility(above_scale, profile(**JINAN_SOFTWARE), as_of=AS_OF).verdict == "不符合"
    )
    retail = profile(name="某某超市有限公司", industry_code="5211", revenue=600)
    assert (
        check_eligibility(card(beneficiaries=["限上企业"]), retail, as_of=AS_OF).verdict == "推荐"
    )


def test_industries():
    manufacturing = card(industries=["C"])
    result = check_eligibility(manufacturing, profile(**JINAN_SOFTWARE), as_of=AS_OF)
    assert only(result, "industry").status == "unmet" and result.verdict == "不符合"
    machine = profile(name="某某机械有限公司", industry_code="3411")
    assert check_eligibility(manufacturing, machine, as_of=AS_OF).verdict == "推荐"
    coarse = profile(name="某某电子有限公司", industry_code="39")
    assert (
        only(check_eligibility(card(industries=["3911"]), coarse, as_of=AS_OF), "industry").status
        == "unknown"
    )
    factory_kind = card(beneficiaries=["制造业企业"])
    assert check_eligibility(factory_kind, machine, as_of=AS_OF).verdict == "推荐"


def test_soft_condition_unmet_is_only_maybe():
    soft = card(conditions=[numeric("revenue", ">=", 5000, "营业收入5000万元以上优先", hard=False)])
    result = check_eligibility(soft, profile(**JINAN_SOFTWARE), as_of=AS_OF)
    assert only(result, "numeric").status == "unmet"
    assert result.verdict == "可能符合"


def test_qualification_and_region_conditions_in_the_list():
    conditions = [
        Condition(
            kind="qualification", value=["高新技术企业", "科技型中小企业"], text="高企或科小"
        ),
        Condition(kind="region", value=["370112"], text="注册在历城区"),
    ]
    result = check_eligibility(card(conditions=conditions), profile(**JINAN_SOFTWARE), as_of=AS_OF)
    assert result.verdict == "推荐"
    elsewhere = profile(**{**JINAN_SOFTWARE, "region": "济南市历下区"})
    assert (
        check_eligibility(card(conditions=conditions), elsewhere, as_of=AS_OF).verdict == "不符合"
    )


def _random_profiles(count: int, seed: int) -> list[EnterpriseProfile]:
    rng = random.Random(seed)
    places = [
        "山东省济南市历城区",
        "济南市",
        "山东省",
        "青岛市崂山区",
        "北京市朝阳区",
        "广东省深圳市南山区",
        None,
        "江苏南京鼓楼",
    ]
    codes = ["3911", "39", "C", "6513", "65", "5211", "7010", "0111", None, "3411"]
    result = []
    for number in range(count):

        def maybe(value):
            return value if rng.random() > 0.2 else None

        result.append(
            normalize_profile(
                {
                    "id": f"e{number}",
                    "name": f"某某{number}有限公司",
                    "region": rng.choice(places),
                    "industry_code": rng.choice(codes),
                    "employees": maybe(rng.randint(1, 2000)),
                    "revenue": maybe(round(rng.uniform(0, 50000), 1)),
                    "total_assets": maybe(rng.uniform(0, 30000)),
                    "founded": maybe(dt.date(rng.randint(1995, 2024), rng.randint(1, 12), 1)),
                    "rd_ratio": maybe(rng.uniform(0, 12)),
                },
                as_of=dt.date(2025, 1, 1),
            )
        )
    return result


CARDS = [
    card(
        region_codes=["370100"], conditions=[numeric("revenue", ">=", 2000, "营业收入2000万元以上")]
    ),
    card(
        region_codes=["370000", "110000"],
        industries=["C"],
        conditions=[
            numeric("employees", "<", 300, "从业人员不足300人"),
            numeric("age_years", "<=", 5, "成立5年以内"),
        ],
    ),
    card(
        industries=["65", "3911"],
        conditions=[
            numeric("rd_ratio", ">", 3, "研发投入占比超过3%"),
            numeric("total_assets", "<=", 10000, "资产总额1亿元以下", hard=False),
        ],
    ),
    card(region_codes=["370112"], apply_end=dt.date(2024, 12, 31)),
    card(
        region_codes=["440305"],
        beneficiaries=["高新技术企业"],
        conditions=[Condition(kind="industry", value=["I"], text="信息技术企业")],
    ),
]


@pytest.mark.parametrize("which", range(len(CARDS)))
def test_prefilter_agrees_with_the_checks(which):
    profiles = _random_profiles(300, seed=which)
    the_card = CARDS[which]
    for as_of in (dt.date(2024, 6, 1), dt.date(2025, 6, 1)):
        mask = prefilter(the_card, profiles, as_of=as_of)
        assert mask.shape == (300,) and mask.dtype == bool
        for keep, one in zip(mask, profiles, strict=True):
            result = check_eligibility(the_card, one, as_of=as_of)
            ruled_out = any(
                c.status == "unmet" and c.hard and c.kind in PREFILTER_KINDS for c in result.checks
            )
            assert keep == (not ruled_out), (one, result)
            if not keep:
                assert result.verdict == "不符合"
        assert 0 < mask.sum() < 300 or which == 3


def test_prefilter_on_no_profiles():
    assert prefilter(CARDS[0], []).shape == (0,)


def test_an_award_for_becoming_a_kind_does_not_bar_a_firm_that_is_not_one_yet():
    """对首次认定为高新技术企业的给予奖励: a firm applying this year is the target, not excluded."""
    from policymatch.match.eligibility import check_eligibility
    from policymatch.profile import normalize_profile
    from policymatch.translate.models import Condition, PolicyCard

    card = PolicyCard(
        item_id="t#1",
        doc_id="t",
        beneficiaries=["高新技术企业"],
        region_codes=["370100"],
        conditions=[
            Condition(
                kind="qualification",
                value="高新技术企业",
                hard=False,
                role="award",
                text="新认定为高新技术企业",
            )
        ],
    )
    applicant = normalize_profile(
        {"id": "e", "region": "山东省济南市历城区", "qualifications": ["科技型中小企业"]}
    )
    result = check_eligibility(card, applicant)
    assert result.verdict != "不符合"
    assert not [c for c in result.checks if c.kind == "beneficiary"]

    required = card.model_copy(update={"conditions": []})  # the same kind as an entry bar
    assert check_eligibility(required, applicant).verdict == "不符合"


def test_a_small_scale_vat_taxpayer_has_sales_of_at_most_500_wan():
    item = card(beneficiaries=["小规模纳税人"])
    large = check_eligibility(item, profile(name="某商贸有限公司", revenue=1800), AS_OF)
    assert large.verdict == "不符合"
    assert "一般纳税人" in only(large, "beneficiary").reason
    small = check_eligibility(item, profile(name="某商贸有限公司", revenue=320), AS_OF)
    assert only(small, "beneficiary").status == "unknown"
    assert small.verdict == "可能符合"


def test_a_qualification_the_firm_is_applying_for_is_unknown_not_unmet():
    item = card(
        conditions=[
            Condition(
                kind="qualification",
                value="专精特新中小企业",
                text="须为专精特新中小企业",
                role="requirement",
            )
        ]
    )
    applying = profile(
        name="某机器人有限公司",
        qualifications="高新技术企业",
        description="工业机器人集成商，今年申报省级专精特新中小企业，想申请贷款贴息。",
    )
    check = only(check_eligibility(item, applying, AS_OF), "qualification")
    assert check.status == "unknown"
    assert "正在申报" in check.reason
    other_plans = profile(
        name="某机器人有限公司",
        qualifications="高新技术企业",
        description="计划联合高校申报省重点实验室。",
    )
    assert check_eligibility(item, other_plans, AS_OF).verdict == "不符合"


def test_a_closed_round_of_a_policy_in_force_says_so_without_barring_the_firm():
    closed = card(apply_end=dt.date(2024, 5, 31), valid_until=dt.date(2026, 12, 31))
    firm = profile(**JINAN_SOFTWARE)
    later = check_eligibility(closed, firm, as_of=dt.date(2025, 3, 1))
    validity = only(later, "validity")
    assert validity.status == "met" and later.verdict == "推荐"
    assert "本轮申报已于2024-05-31截止" in validity.reason
    in_round = only(check_eligibility(closed, firm, as_of=dt.date(2024, 5, 31)), "validity")
    assert "截止" not in in_round.reason
    assert check_eligibility(closed, firm, as_of=dt.date(2027, 1, 1)).verdict == "不符合"


def test_a_yearly_window_opens_again_until_the_policy_ends():
    yearly = card(
        apply_start=dt.date(2024, 4, 1), apply_end=dt.date(2024, 5, 31), apply_yearly=True
    )
    firm = profile(**JINAN_SOFTWARE)
    next_year = check_eligibility(yearly, firm, as_of=dt.date(2025, 1, 10))
    assert next_year.verdict == "推荐" and not yearly.expired(dt.date(2025, 1, 10))
    validity = only(next_year, "validity")
    assert validity.condition == "每年5月31日前申报"
    assert "下一轮2025-04-01至2025-05-31" in validity.reason
    in_round = only(check_eligibility(yearly, firm, as_of=dt.date(2026, 5, 2)), "validity")
    assert "正在本年度申报期内，2026-05-31截止" in in_round.reason
    ending = yearly.model_copy(update={"valid_until": dt.date(2026, 12, 31)})
    after_last_round = only(check_eligibility(ending, firm, as_of=dt.date(2026, 7, 1)), "validity")
    assert "有效期内已无下一轮申报" in after_last_round.reason
    assert after_last_round.status == "unknown"
    assert check_eligibility(ending, firm, as_of=dt.date(2026, 7, 1)).verdict == "可能符合"
    assert check_eligibility(ending, firm, as_of=dt.date(2027, 1, 1)).verdict == "不符合"
    once = card(apply_start=dt.date(2024, 4, 1), apply_end=dt.date(2024, 5, 31))
    assert check_eligibility(once, firm, as_of=dt.date(2025, 1, 10)).verdict == "不符合"
