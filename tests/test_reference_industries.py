"""GB/T 4754-2017 table: codes, names, hierarchy and the policy keyword map."""

from __future__ import annotations

import pytest

from policymatch.errors import InputError
from policymatch.reference import industries


def test_table_counts_follow_the_standard():
    levels = [i.level for i in industries.default_table()]
    assert levels.count("section") == 20
    assert levels.count("division") == 97
    assert levels.count("group") == 473


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("3911", "3911"),
        ("C3911", "3911"),
        ("c", "C"),
        ("软件开发", "651"),
        ("通用设备制造", "34"),
        ("通用设备制造业", "34"),
        ("计算机整机制造", "3911"),
        ("制造业", "C"),
        ("软件和信息技术服务业", "65"),
        ("批发和零售业", "F"),
        ("农业", "A"),
        ("信息传输、软件和信息技术服务业", "I"),
        ("住宿和餐饮业", "H"),
        ("文化、体育和娱乐业", "R"),
        ("科学研究和技术服务业", "M"),
        ("汽车零部件制造", "367"),
        ("集成电路设计", "652"),
        ("化工", "26"),
        ("餐饮", "62"),
    ],
)
def test_lookup(query, code):
    assert industries.lookup(query).code == code


def test_lookup_gives_none_for_unknown_or_plural():
    assert industries.lookup("9999") is None
    assert industries.lookup("") is None
    assert industries.lookup("量子纠缠通信哲学") is None
    assert industries.lookup("工业") is None  # three sections: use lookup_codes
    assert industries.lookup_codes("工业") == ["B", "C", "D"]
    assert "I" in industries.lookup_codes("服务业") and "C" not in industries.lookup_codes("服务业")


def test_hierarchy():
    assert industries.ancestors("3911") == ["C", "39", "391", "3911"]
    assert industries.ancestors("C") == ["C"]
    assert industries.section_of("6513") == "I"
    assert industries.section_of("0111") == "A"
    with pytest.raises(InputError):
        industries.section_of("9999")


def test_matches_and_relation():
    assert industries.matches("C", "3911")  # an item for 制造业 covers any manufacturing class
    assert industries.matches("39", "3911")
    assert industries.matches("3911", "3911")
    assert not industries.matches("65", "3911")
    assert not industries.matches("3911", "39")  # the enterprise may be in 3912
    assert industries.relation("3911", "39") == "inside"
    assert industries.relation("65", "C") == "disjoint"
    assert industries.relation("C", "C3911") == "covers"


def test_keyword_map_codes_exist():
    table = industries.default_table()
    for keyword in ("工业", "服务业", "物流", "人工智能", "集成电路"):
        for code in industries.keyword_codes(keyword):
            assert table.get(code) is not None
