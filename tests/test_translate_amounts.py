"""Amounts granted: fixed, capped, ratios, per unit; thresholds and budgets are not amounts."""

from __future__ import annotations

from policymatch.translate.amounts import find_amounts, max_amount_wan
from policymatch.translate.text import split_sentences


def amounts(text: str) -> list[tuple[str, float]]:
    found = [a for s in split_sentences(text, "text") for a in find_amounts(s)]
    return [(a.kind, a.ratio if a.kind == "ratio" else a.wan) for a in found]


def test_the_four_kinds() -> None:
    assert amounts("对首次认定的企业给予一次性奖励30万元") == [("fixed", 30)]
    assert amounts("给予最高500万元的一次性奖励") == [("max", 500)]
    assert amounts("按项目实际投资额的10%给予补助，最高补助100万元") == [
        ("ratio", 0.1),
        ("max", 100),
    ]
    assert amounts("按每人1500元的标准给予培训补贴") == [("per_unit", 0.15)]


def test_chinese_numerals_and_yi_yuan() -> None:
    assert amounts("给予三十万元奖励") == [("fixed", 30)]
    assert amounts("给予最高1亿元的综合资助") == [("max", 10000)]


def test_a_list_after_fenbie_keeps_the_kind_of_its_first_member() -> None:
    assert amounts("分别给予最高500万元（国家级）、100万元（省级）的支持") == [
        ("max", 500),
        ("max", 100),
    ]
    assert amounts("对经国家级、省级新认定的平台分别给予实际投资额30%、20%的财政补助") == [
        ("ratio", 0.3),
        ("ratio", 0.2),
    ]
    assert amounts("按照每名高级工1000元、技师2000元的标准给予企业一次性补贴") == [
        ("per_unit", 0.1),
        ("per_unit", 0.2),
    ]


def test_thresholds_are_not_amounts() -> None:
    text = "对实际完成投资额达500万元以上的，按照10%给予补助，最高补助100万元"
    assert amounts(text) == [("ratio", 0.1), ("max", 100)]
    # a goal of output (产值超…) is a bar to reach, not a sum handed out
    assert amounts("支持企业兼并重组，培育产值超10亿元的行业龙头企业") == []
    assert amounts("对年营业收入首次超5亿元的企业，给予一次性奖励100万元") == [("fixed", 100)]


def test_a_bound_on_the_loan_is_no_cap_on_the_grant() -> None:
    text = (
        "年单笔贷款额不低于50万元(含50万元)，且不超过1000万元（含1000万元）的流动资金贷款，"
        "可按年度实际支付利息的40%申请融资费用补贴，每个企业年补贴额最高不超过30万元"
    )
    assert amounts(text) == [("ratio", 0.4), ("max", 30)]


def test_a_cap_written_with_buchaoguo_after_a_grant() -> None:
    text = "按照上级到位资金的30%给予奖励，每家企业不超过50万元"
    assert amounts(text) == [("ratio", 0.3), ("max", 50)]


def test_budgets_are_not_amounts() -> None:
    assert amounts("设立专项资金，市财政每年安排5亿元，用于支持先进制造业发展") == []
    text = "对其运营服务给予补助，所需补助资金由市、区两级按照1:1比例负担，其中市级补助资金每年不超过1000万元"
    assert amounts(text) == []


def test_matching_funds_written_as_a_proportion() -> None:
    assert amounts("对取得市级及以上专项资金支持的项目，最高可按照1:1的比例予以配套支持") == [
        ("ratio", 1.0)
    ]


def test_per_mille_and_counted_units() -> None:
    assert amounts("对发行公司债券的，按实际融资额的2‰给予补助") == [("ratio", 0.002)]
    text = "其在孵企业被认定为高新技术企业的，每认定1家高新技术企业，一次性奖励孵化器10万元"
    assert amounts(text) == [("per_unit", 10)]


def test_max_amount_ignores_ratios_and_per_unit_sums() -> None:
    found = [
        a
        for s in split_sentences(
            "按每人1500元给予补贴；按投资额10%给予补助，最高200万元；另奖励50万元", "text"
        )
        for a in find_amounts(s)
    ]
    assert max_amount_wan(found) == 200
    assert max_amount_wan([a for a in found if a.kind in ("ratio", "per_unit")]) is None


def test_a_range_of_revenue_is_no_amount_but_a_range_of_subsidy_is() -> None:
    text = "对上年度主营业务收入在2000万元至2亿元之间的中小企业，按照设备投资额的8%给予补助，最高200万元"
    assert amounts(text) == [("ratio", 0.08), ("max", 200)]
    assert amounts("每个展会给予补贴50—200万元") == [("max", 200)]
