"""Quantities as policies write them: Arabic, Chinese and mixed numerals; 元, 万元, 亿元."""

from __future__ import annotations

import pytest

from policymatch.translate.numbers import find_quantities, parse_numeral
from policymatch.translate.text import fold_width


def values(text: str) -> list[tuple[float, str]]:
    return [(q.value, q.unit) for q in find_quantities(fold_width(text))]


@pytest.mark.parametrize(
    ("numeral", "expected"),
    [("三十", 30), ("一亿", 1e8), ("5千万", 5e7), ("1.5亿", 1.5e8), ("两百", 200), ("2000万", 2e7)],
)
def test_numerals_read_as_written(numeral: str, expected: float) -> None:
    assert parse_numeral(numeral) == expected


def test_a_lone_magnitude_is_no_numeral() -> None:
    assert parse_numeral("万") is None


def test_money_is_normalised_to_wan_whatever_the_unit() -> None:
    assert values("奖励三十万元") == [(30, "万元")]
    assert values("最高一亿元") == [(10000, "万元")]
    assert values("投资5千万元以上") == [(5000, "万元")]
    assert values("每人1500元") == [(0.15, "万元")]
    assert values("营业收入1.2亿元") == [(12000, "万元")]


def test_full_width_digits_and_split_units_are_read() -> None:
    # 济南 2019 text: full-width digits and a space inside the unit (１０００ 万 元)
    assert values("分别给予 １０００ 万 元、８００万元") == [(1000, "万元"), (800, "万元")]


def test_a_bare_number_in_a_list_takes_the_unit_of_the_last_member() -> None:
    assert values("分别给予200、100、50万元") == [(200, "万元"), (100, "万元"), (50, "万元")]


def test_a_range_is_valued_at_its_top_and_keeps_its_bottom() -> None:
    (quantity,) = find_quantities(fold_width("每个展会给予补贴50—200万元"))
    assert (quantity.value, quantity.low) == (200, 50)
    (ratio,) = find_quantities(fold_width("按照服务合同额的5－10%给予奖励"))
    assert (ratio.value, ratio.low, ratio.unit) == (10, 5, "%")


def test_people_percent_and_years_keep_their_units() -> None:
    assert values("从业人员300人以下") == [(300, "人")]
    assert values("不低于3%") == [(3, "%")]
    assert values("成立不超过五年") == [(5, "年")]


def test_an_ordinal_year_is_no_duration() -> None:
    assert values("第一年给予30万元") == [(30, "万元")]
