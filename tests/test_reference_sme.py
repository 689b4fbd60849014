"""SME size standard (工信部联企业〔2011〕300号) at its boundaries."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from policymatch.reference import sme

SHARED = Path(
    os.environ.get(
        "POLICYMATCH_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    )
)


@pytest.mark.parametrize(
    ("code", "employees", "revenue", "assets", "expected"),
    [
        # 工业: 中 = 300人及以上且2000万元及以上; 小 = 20人且300万元; 大 = not (1000人以下或40000万元以下)
        ("3911", 300, 2000, None, "中"),
        ("3911", 299, 2000, None, "小"),
        ("3911", 300, 1999, None, "小"),
        ("3911", 20, 300, None, "小"),
        ("3911", 19, 5000, None, "微"),
        ("3911", 20, 299, None, "微"),
        ("3911", 1000, 40000, None, "大"),
        ("3911", 1000, 39999, None, "中"),  # below one upper bound is enough to be 中小微
        ("C", 5000, 30000, None, "中"),
        ("0610", 300, 2000, None, "中"),  # 采矿业 is 工业 too
        ("4411", 19, 100, None, "微"),  # so is 电力
        # 软件和信息技术服务业: 中 100人且1000万元, 小 10人且50万元, upper 300人或10000万元
        ("6513", 100, 1000, None, "中"),
        ("6513", 99, 1000, None, "小"),
        ("6513", 10, 50, None, "小"),
        ("6513", 10, 49, None, "微"),
        ("6513", 300, 10000, None, "大"),
        # 零售业: 中 50人且500万元, 小 10人且100万元
        ("5211", 50, 500, None, "中"),
        ("5211", 9, 100, None, "微"),
        # 批发业: 中 20人且5000万元
        ("5111", 20, 5000, None, "中"),
        ("5111", 200, 40000, None, "大"),
        # 房地产开发经营 reads 营业收入 and 资产总额, not headcount
        ("7010", None, 1000, 5000, "中"),
        ("7010", None, 100, 2000, "小"),
        ("7010", None, 200000, 10000, "大"),
        # 租赁和商务服务业 reads 从业人员 and 资产总额
        ("7212", 100, None, 8000, "中"),
        ("7212", 9, None, 10000, "微"),
        # 农、林、牧、渔业 reads 营业收入 only
        ("0111", None, 500, None, "中"),
        ("0111", None, 49, None, "微"),
        ("0111", None, 20000, None, "大"),
        # 其他未列明行业 reads 从业人员 only
        ("7320", 100, None, None, "中"),
        ("7320", 9, None, None, "微"),
        ("7320", 300, None, None, "大"),
        # 住宿 and 餐饮 share thresholds, so H alone is enough
        ("H", 100, 2000, None, "中"),
    ],
)
def test_size_class(code, employees, revenue, assets, expected):
    assert sme.size_class(code, employees, revenue, assets) == expected


def test_missing_fields_decide_only_when_the_rest_settles_it():
    assert sme.size_class("3911", 400, None, None) is None  # could be 中 or 小 or 微
    assert sme.size_class("3911", 15, None, None) == "微"  # below 20人 is 微 whatever the revenue
    assert sme.size_class("3911", None, None, None) is None
    result = sme.classify("3911", 400, None, None)
    assert result.missing == ("revenue",)
    assert "营业收入" in result.reason


def test_outside_the_standard_or_unknown():
    assert sme.size_class("5310", 10, 10, None) is None  # 铁路运输业 is excluded
    assert sme.size_class("6620", 10, 10, 10) is None  # 金融业 has its own standard
    assert sme.size_class(None, 10, 10, 10) is None
    assert sme.size_class("9999", 10, 10, 10) is None


def test_coarse_code_across_rows_with_different_thresholds():
    # I: 信息传输业 and 软件 share 中 at 100人/1000万元 but not the upper bound
    assert sme.size_class("I", 150, 3000, None) == "中"
    assert sme.size_class("I", 500, 20000, None) is None  # 软件: 大; 信息传输业: 中


def test_required_fields():
    assert sme.required_fields("C") == ("employees", "revenue")
    assert sme.required_fields("7010") == ("revenue", "assets")
    assert sme.required_fields("L") == ("employees", "assets")
    assert sme.required_fields("A") == ("revenue",)


def test_thresholds_agree_with_the_shared_table():
    path = SHARED / "reference" / "sme_classification_2011_gxbl300.csv"
    if not path.exists():
        pytest.skip("shared data not present")
    with path.open(encoding="utf-8") as handle:
        rows = {r["industry"]: r for r in csv.DictReader(handle)}
    for standard in sme.default_standard().standards:
        row = rows[standard.industry]
        for field, bound in standard.medium_at_least.items():
            column = f"{field}_medium_ge" + ("" if field == "employees" else "_wan")
            assert float(row[column]) == bound
        assert standard.rules["small"] == row["small_rule"]
