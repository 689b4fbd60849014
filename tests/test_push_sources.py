"""Chunked enterprise readers: every format, row numbers, resume offsets, bad records."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook
from push_helpers import SHARED_DATA, member_generator

from policymatch.errors import InputError
from policymatch.push.sources import open_source

COLUMNS = ["企业编号", "企业名称", "所属地区", "营业收入(万元)", "从业人数", "需求"]


@pytest.fixture(scope="module")
def records():
    rows = []
    for member in member_generator()(5, SHARED_DATA).rows(23):
        rows.append(
            {
                "企业编号": member["id"],
                "企业名称": member["name"],
                "所属地区": member["region"],
                "营业收入(万元)": str(member["revenue"]),
                "从业人数": str(member["employees"]),
                "需求": "；".join(member["needs"]),
            }
        )
    rows[4]["需求"] = "扩大产能\n需要设备贷款"  # a quoted line break inside a CSV cell
    return rows


def _ids(source, chunk_size, start=0):
    chunks = list(source.chunks(chunk_size, start=start))
    return chunks, [row["企业编号"] for c in chunks for row in c.rows]


def _write(kind, path, records):
    if kind == "csv":
        with path.open("w", encoding="gb18030", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(records)
    elif kind == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(COLUMNS)
        for record in records:
            sheet.append([record[c] for c in COLUMNS])
        workbook.save(path)
    elif kind == "parquet":
        table = pa.Table.from_pylist(records)
        pq.write_table(table, path, row_group_size=5)
    else:
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
        )
    return path


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet", "jsonl"])
def test_every_format_reads_in_chunks_and_resumes_at_an_offset(kind, records, tmp_path):
    path = _write(kind, tmp_path / f"members.{kind}", records)
    source = open_source(path)
    chunks, ids = _ids(source, 5)
    assert ids == [r["企业编号"] for r in records]
    assert [c.offset for c in chunks] == [0, 5, 10, 15, 20]
    assert [c.size for c in chunks] == [5, 5, 5, 5, 3]
    first = 2 if kind in ("csv", "xlsx") else 1  # header is row 1 in a sheet
    assert chunks[0].row_numbers[0] == first
    assert chunks[0].rows[4]["需求"] == "扩大产能\n需要设备贷款"
    assert source.count() is None or source.count() >= 23
    # resuming at record 12 yields exactly the rest, with the same row numbers
    resumed, rest = _ids(source, 5, start=12)
    assert rest == ids[12:]
    assert resumed[0].offset == 12
    all_numbers = [n for c in chunks for n in c.row_numbers]
    assert [n for c in resumed for n in c.row_numbers] == all_numbers[12:]


def test_jsonl_bad_lines_are_reported_with_their_line_and_reading_goes_on(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text(
        '{"id": "a1", "name": "济南甲科技有限公司"}\n'
        "\n"
        '{"id": "a2", "name": "缺右括号"\n'
        '["not", "an", "object"]\n'
        '{"id": "a3", "name": "青岛乙贸易有限公司"}\n',
        encoding="utf-8",
    )
    chunks = list(open_source(path).chunks(10))
    assert [r["id"] for r in chunks[0].rows] == ["a1", "a3"]
    assert chunks[0].row_numbers == [1, 5]
    assert [(e.line, e.message.split(":")[0]) for e in chunks[0].errors] == [
        (3, "bad JSON"),
        (4, "not a JSON object"),
    ]
    assert chunks[0].size == 4


def test_csv_row_with_more_cells_than_the_header_is_an_error(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("id,name\nb1,甲公司\nb2,乙公司,多出来的\nb3,丙公司\n", encoding="utf-8")
    chunk = next(open_source(path).chunks(10))
    assert [r["id"] for r in chunk.rows] == ["b1", "b3"]
    assert chunk.errors[0].line == 3


def test_unknown_suffix_and_missing_file_name_the_file(tmp_path):
    odd = tmp_path / "members.dbf"
    odd.write_bytes(b"x")
    with pytest.raises(InputError, match="members.dbf"):
        open_source(odd)
    with pytest.raises(InputError, match="not found"):
        open_source(tmp_path / "nope.csv")


def test_parquet_record_keys_come_from_the_columns_and_tell_every_change_apart(tmp_path):
    members = list(member_generator()(9, SHARED_DATA).rows(12))
    for member in members:
        member["founded"] = dt.date.fromisoformat(member["founded"])
    members[0]["qualifications"] = ["高新技术企业"]
    changed = [
        {**members[0], "qualifications": []},  # an empty list
        {**members[0], "qualifications": [""]},  # a list of one empty name
        {**members[0], "needs": [*members[0]["needs"][:1], "x\x1fy"]},  # a separator inside
        {**members[0], "needs": [*members[0]["needs"][:1], "x", "y"]},
        {**members[0], "description": None},  # null
        {**members[0], "description": ""},  # empty
        {**members[0], "contact": {"联系电话": None}},
        {**members[0], "revenue": members[0]["revenue"] + 0.1},
        dict(members[0]),  # the same record again
    ]
    path = tmp_path / "members.parquet"
    pq.write_table(pa.Table.from_pylist(members + changed), path, row_group_size=7)
    chunks = list(open_source(path).chunks(5))
    keys = [k for chunk in chunks for k in chunk.record_keys("1|2026-01-15")]
    assert len(keys) == len(members) + len(changed)
    assert keys[-1] == keys[0]  # equal records, equal keys
    assert len(set(keys)) == len(keys) - 1  # every other change gives another key
    # a resumed read (starting inside a row group) gives the same keys and records
    resumed = list(open_source(path).chunks(5, start=8))
    assert [k for c in resumed for k in c.record_keys("1|2026-01-15")] == keys[8:]
    assert [r for c in resumed for r in c.rows] == [r for c in chunks for r in c.rows][8:]
    assert resumed[0].row_numbers[0] == 9 and resumed[0].record(0)["id"] == members[8]["id"]
    # the day is part of the key
    assert chunks[0].record_keys("1|2026-01-16")[0] != keys[0]
