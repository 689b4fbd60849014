"""Numeric conditions: field, direction at the boundary, units, alternatives."""

from __future__ import annotations

import pytest

from policymatch.translate.conditions import find_numeric_conditions
from policymatch.translate.text import split_sentences


def conditions(text: str) -> list[tuple[str, str, float, bool]]:
    return [
        (c.field, c.op, c.value, c.hard)
        for s in split_sentences(text, "text")
        for c in find_numeric_conditions(s)
    ]


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("上年度营业收入2000万元以上的企业", ">="),
        ("上年度营业收入2000万元及以上的企业", ">="),
        ("营业收入不低于2000万元", ">="),
        ("营业收入达到2000万元", ">="),
        ("营业收入超过2000万元", ">"),
        ("营业收入2000万元以上（不含）", ">"),
        ("营业收入2000万元以下", "<="),
        ("营业收入不超过2000万元", "<="),
        ("营业收入低于2000万元", "<"),
        ("营业收入不足2000万元", "<"),
    ],
)
def test_boundary_words_set_the_direction(text: str, op: str) -> None:
    assert conditions(text) == [("revenue", op, 2000, True)]


def test_yi_yuan_and_yuan_are_converted_to_wan() -> None:
    assert conditions("年营业收入超过一亿元的企业") == [("revenue", ">", 10000, True)]
    assert conditions("资产总额不超过5000万元") == [("total_assets", "<=", 5000, True)]
    assert conditions("年纳税额达到500000元以上") == [("tax", ">=", 50, True)]


def test_headcount_rd_share_and_age() -> None:
    assert conditions("从业人员不足300人") == [("employees", "<", 300, True)]
    assert conditions("研发投入占营业收入比例不低于3%") == [("rd_ratio", ">=", 3, True)]
    assert conditions("成立不超过5年的科技型企业") == [("age_years", "<=", 5, True)]
    assert conditions("注册成立未满三年") == [("age_years", "<", 3, True)]


def test_a_tier_list_gives_its_lowest_bar() -> None:
    text = "对主营业务收入首次突破1000亿元、500亿元、10 亿元的法人企业，分别给予1000万元、800万元、50万元的奖励"
    assert conditions(text) == [("revenue", ">=", 100000, True)]


def test_alternatives_joined_by_or_are_not_hard() -> None:
    text = "对年营业收入达到2000万元以上或年纳税额达到200万元以上的企业，给予五年100%房租补贴"
    assert conditions(text) == [("revenue", ">=", 2000, False), ("tax", ">=", 200, False)]


def test_a_base_of_a_grant_is_no_condition() -> None:
    assert conditions("可给予不超过其年度营业收入的3%，给予最高3000万元的经营奖励") == []
    assert conditions("可按不超过年度研发投入30%的，给予单个创新主体年度最高5000万元的支持") == []


def test_the_nearer_keyword_owns_the_number() -> None:
    text = "对创业投资机构投资于年销售收入不超过2000万元的初创期科技型中小企业的投资项目"
    assert conditions(text) == [("revenue", "<=", 2000, True)]


def test_condition_text_is_short_and_human() -> None:
    (sentence,) = split_sentences("营业收入1亿元以上", "text")
    (condition,) = find_numeric_conditions(sentence)
    assert condition.text == "营业收入≥1亿元"
    assert condition.source == "营业收入1亿元以上"


def test_a_range_between_two_bounds_gives_both() -> None:
    text = "对上年度主营业务收入在2000万元至2亿元之间的中小企业，按照设备投资额的8%给予补助"
    assert conditions(text) == [("revenue", ">=", 2000, True), ("revenue", "<=", 20000, True)]


def test_a_monthly_or_quarterly_figure_is_not_annual_revenue() -> None:
    text = "对月销售额15万元以下（以1个季度为1个纳税期的，季度销售额45万元以下）的纳税人免征增值税"
    assert conditions(text) == []
    assert conditions("年销售额500万元以下的商户给予贴息") == [("revenue", "<=", 500, True)]


def test_figures_of_another_party_set_no_hard_bar() -> None:
    # The incubator applies; these bars are its tenants'.
    assert conditions("入驻的在孵企业须成立不超过2年，从业人员不超过30人") == [
        ("age_years", "<=", 2, False),
        ("employees", "<=", 30, False),
    ]
    # A streamer's sales, rewarded to the agency that signed the streamer.
    assert conditions("年带货销售额超过5000万元的主播，每人奖励所在机构3万元") == [
        ("revenue", ">", 5000, False)
    ]


def test_a_raised_grant_for_a_subset_is_a_bonus_not_a_bar() -> None:
    assert conditions("其中成立不满5年即获认定的，奖励提高至30万元") == [
        ("age_years", "<", 5, False)
    ]


def test_bands_of_a_schedule_are_alternatives() -> None:
    from policymatch.translate.conditions import soften_exclusive_tiers

    found = [
        c
        for s in split_sentences(
            "对上年度营业收入1亿元以上的企业，补贴上限为每年80万元；"
            "对上年度营业收入在2000万元至1亿元之间的企业，补贴上限为每年40万元；"
            "对上年度营业收入2000万元以下的企业，补贴上限为每年10万元",
            "context",
        )
        for c in find_numeric_conditions(s)
    ]
    assert [c.hard for c in soften_exclusive_tiers(found)] == [False] * 4
    # Bars that can all be met together stay hard.
    stacked = [
        c
        for s in split_sentences("营业收入2000万元以上；营业收入不超过4亿元", "context")
        for c in find_numeric_conditions(s)
    ]
    assert [c.hard for c in soften_exclusive_tiers(stacked)] == [True, True]
