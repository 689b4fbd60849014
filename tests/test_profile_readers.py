"""Reading member files (CSV, XLSX, JSONL, JSON) with Chinese headers; bad rows by number."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import Workbook

from policymatch.errors import InputError
from policymatch.profile import iter_profile_rows, read_profiles

AS_OF = dt.date(2024, 6, 1)
HEADER = [
    "企业名称",
    "统一社会信用代码",
    "所属地区",
    "所属行业",
    "行业代码",
    "经营范围",
    "从业人员",
    "营业收入(万元)",
    "资产总额(万元)",
    "成立日期",
    "资质",
    "标签",
    "需求",
    "联系人",
    "联系电话",
]
ROWS = [
    [
        "济南某某软件有限公司",
        "91370112MA3C00001A",
        "山东省济南市历城区",
        "软件开发",
        "6513",
        "软件开发；信息技术咨询服务",
        "120人",
        "3,500",
        "2000",
        "2016-03-15",
        "国高；科小",
        "人工智能",
        "研发补贴,人才引进",
        "王经理",
        "0531-88888888",
    ],
    [
        "青岛某某机械制造有限公司",
        "91370212MA3C00002B",
        "青岛市崂山区",
        "通用设备制造",
        "",
        "机械设备制造、销售",
        "350",
        "1.2亿",
        "8000",
        "2009年5月8日",
        "专精特新“小巨人”企业",
        "",
        "技改贴息",
        "李女士",
        "13900000000",
    ],
    ["某某商行", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
]


def _check(profiles):
    assert [p.id for p in profiles] == ["91370112MA3C00001A", "91370212MA3C00002B", "某某商行"]
    software, machinery, shop = profiles
    assert software.region_code == "370112" and software.industry_code == "6513"
    assert software.revenue == 3500.0 and software.employees == 120
    assert software.size_class == "中"
    assert software.qualifications == ["高新技术企业", "科技型中小企业"]
    assert software.contact == {"name": "王经理", "phone": "0531-88888888"}
    assert machinery.region_code == "370212" and machinery.industry_code == "34"
    assert machinery.revenue == 12000.0 and machinery.size_class == "中"
    assert machinery.qualifications == ["专精特新小巨人"]
    assert machinery.founded == dt.date(2009, 5, 8)
    assert shop.region_code is None and shop.size_class is None and shop.employees is None


def _write_csv(path, rows, encoding="utf-8"):
    import csv

    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv(tmp_path, encoding):
    path = tmp_path / "members.csv"
    _write_csv(path, ROWS, encoding)
    _check(list(read_profiles(path, as_of=AS_OF)))


def test_xlsx(tmp_path):
    path = tmp_path / "members.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["2024年商会会员企业名单"])  # a title line above the header is common
    sheet.append([])
    sheet.append(HEADER)
    for row in ROWS:
        cells = [None if c == "" else c for c in row]
        sheet.append(cells)
    sheet["J4"] = dt.datetime(2016, 3, 15)  # a real Excel date cell
    sheet["G5"] = 350  # a number cell
    sheet["O5"] = 13900000000.0  # a phone number Excel turned into a float
    book.save(path)
    profiles = list(read_profiles(path, as_of=AS_OF))
    _check(profiles)
    assert profiles[1].contact["phone"] == "13900000000"
    assert [r.line for r in iter_profile_rows(path)] == [4, 5, 6]  # rows as Excel numbers them


def test_file_without_a_header(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("\n".join(["甲,1", "乙,2", "丙,3", "丁,4", "戊,5", "己,6"]), encoding="utf-8")
    with pytest.raises(InputError, match="表头"):
        list(read_profiles(path))


def test_jsonl_and_json(tmp_path):
    records = [dict(zip(HEADER, row, strict=True)) for row in ROWS]
    jsonl = tmp_path / "members.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n", encoding="utf-8"
    )
    _check(list(read_profiles(jsonl, as_of=AS_OF)))
    array = tmp_path / "members.json"
    array.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    _check(list(read_profiles(array, as_of=AS_OF)))


def test_bad_rows_name_file_row_and_field(tmp_path):
    path = tmp_path / "members.csv"
    bad_revenue = list(ROWS[0])
    bad_revenue[1], bad_revenue[7] = "X1", "很多"
    bad_code = list(ROWS[1])
    bad_code[1], bad_code[4] = "X2", "9999"
    _write_csv(path, [ROWS[0], bad_revenue, ROWS[1], bad_code, ROWS[2]])
    with pytest.raises(InputError) as caught:
        list(read_profiles(path, as_of=AS_OF))
    assert (caught.value.source, caught.value.line, caught.value.field) == (
        str(path),
        3,
        "营业收入(万元)",
    )
    assert "members.csv:3 [营业收入(万元)]" in str(caught.value)

    errors: list[InputError] = []
    profiles = list(read_profiles(path, as_of=AS_OF, on_error=errors.append))
    _check(profiles)
    assert [(e.line, e.field) for e in errors] == [(3, "营业收入(万元)"), (5, "行业代码")]


def test_duplicate_ids_are_reported(tmp_path):
    path = tmp_path / "members.csv"
    _write_csv(path, [ROWS[0], ROWS[0]])
    errors: list[InputError] = []
    assert len(list(read_profiles(path, on_error=errors.append))) == 1
    assert errors[0].line == 3 and "第 2 行" in errors[0].message


def test_broken_jsonl_line_is_located(tmp_path):
    path = tmp_path / "members.jsonl"
    path.write_text('{"id": "a"}\n{"id": \n["not", "an", "object"]\n', encoding="utf-8")
    rows = iter_profile_rows(path)
    assert next(rows).line == 1
    with pytest.raises(InputError) as caught:
        next(rows)
    assert caught.value.line == 2


def test_a_line_separator_inside_a_jsonl_string_keeps_the_record_whole(tmp_path):
    path = tmp_path / "members.jsonl"
    first = json.dumps({"id": "a", "企业简介": "做液压件\u2028规上企业"}, ensure_ascii=False)
    path.write_text(first + '\n{"id": \n', encoding="utf-8")
    rows = iter_profile_rows(path)
    assert next(rows).raw["企业简介"] == "做液压件\u2028规上企业"
    with pytest.raises(InputError) as caught:
        next(rows)
    assert caught.value.line == 2


def test_unsupported_or_missing_file(tmp_path):
    with pytest.raises(InputError, match="不支持"):
        list(read_profiles(tmp_path / "members.docx"))
    with pytest.raises(InputError, match="不存在"):
        list(read_profiles(tmp_path / "missing.csv"))


def test_csv_row_with_too_many_cells(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("企业名称,从业人员\n甲公司,10,多出来\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(read_profiles(path))
    assert caught.value.line == 2


def test_contact_cell_as_key_value_pairs_is_read_from_the_sample_csv():
    from pathlib import Path

    from policymatch.profile import read_profiles

    sample = Path(__file__).resolve().parents[1] / "data" / "enterprises" / "sample_enterprises.csv"
    profiles = list(read_profiles(sample))
    assert len(profiles) == 12
    first = next(p for p in profiles if p.id == "ent-001")
    assert first.contact.get("联系人") and first.contact.get("电话", "").startswith("0531")


def test_contact_cell_without_key_names_the_column(tmp_path):
    import pytest

    from policymatch.errors import InputError
    from policymatch.profile import read_profiles

    path = tmp_path / "m.csv"
    path.write_text("id,name,contact\ne1,甲公司,王立新\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(read_profiles(path))
    assert "contact" in str(info.value) and ":2" in str(info.value)
