"""Reading the labelled-set files: policies JSONL, TREC qrels, split files; errors name the line."""

from __future__ import annotations

import json

import pytest

from policymatch.errors import InputError
from policymatch.evaluation.datasets import (
    EvalDataset,
    read_enterprises,
    read_policies,
    read_qrels,
    read_split,
    write_qrels,
)


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_policies_keep_metadata_and_ignore_unknown_fields(tmp_path):
    path = write_lines(
        tmp_path / "p.jsonl",
        [
            json.dumps(
                {
                    "id": "jn-1",
                    "title": "济南市关于支持软件产业发展的若干政策",
                    "text": "对首次认定的高新技术企业给予20万元奖励。",
                    "region": "山东省济南市",
                    "valid_until": "2025-12-31",
                    "tags": ["软件"],
                    "publish_year": 2023,
                },
                ensure_ascii=False,
            ),
            "",
            json.dumps({"id": 7, "text": "对小微企业贷款给予贴息。"}, ensure_ascii=False),
        ],
    )
    records = read_policies(path)
    assert [r.id for r in records] == ["jn-1", "7"]
    assert records[0].region == "山东省济南市" and records[0].valid_until == "2025-12-31"
    assert records[1].line == 3 and records[1].source == str(path)


def test_policies_under_other_exports_field_names(tmp_path):
    path = write_lines(
        tmp_path / "p.jsonl",
        [
            json.dumps(
                {
                    "id": "x-1",
                    "标题": "关于支持外贸企业开拓市场的通知",
                    "content": "对参加境外展会的企业给予展位费50%补助。",
                    "发布日期": "2024-03-01",
                    "地区": ["山东省", "河南省"],
                    "有效期至": "2026-12-31",
                },
                ensure_ascii=False,
            ),
            json.dumps(
                {"id": "x-2", "text": "原文", "content": "另一份", "title": "标题甲", "标题": "乙"},
                ensure_ascii=False,
            ),
        ],
    )
    first, second = read_policies(path)
    assert first.title == "关于支持外贸企业开拓市场的通知"
    assert first.text.startswith("对参加境外展会")
    assert (first.publish_date, first.valid_until) == ("2024-03-01", "2026-12-31")
    assert first.region == "山东省、河南省"
    assert (second.text, second.title) == ("原文", "标题甲")  # the stable names win


def test_a_crawled_page_in_the_text_field_is_read_as_html(tmp_path):
    from policymatch.corpus.metadata import build_document

    page = (
        "<!DOCTYPE html><html><head><title>济南市关于支持软件产业发展的若干政策</title></head>"
        '<body><div class="nav"><a href="#">首页</a></div><div class="content">'
        "<p>济南市关于支持软件产业发展的若干政策</p><p>一、对首次认定的高新技术企业给予20万元奖励。</p>"
        "</div></body></html>"
    )
    path = write_lines(tmp_path / "p.jsonl", [json.dumps({"id": "h", "text": page})])
    record = read_policies(path)[0]
    assert record.format == "html"
    doc = build_document(record)
    assert doc.title == "济南市关于支持软件产业发展的若干政策" and doc.region == "济南市"
    assert "<" not in doc.text and "20万元奖励" in doc.text


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('{"id": "a"}', "text"),
        ('{"text": "对企业给予奖励"}', "id"),
        ('{"id": "a", "text": ["x"]}', "text"),
    ],
)
def test_policy_errors_name_file_line_and_field(tmp_path, line, field):
    path = write_lines(tmp_path / "p.jsonl", ['{"id": "ok", "text": "正文"}', line])
    with pytest.raises(InputError) as err:
        read_policies(path)
    assert err.value.line == 2 and err.value.field == field and str(path) in str(err.value)


def test_policy_duplicate_id_and_bad_json(tmp_path):
    dup = write_lines(
        tmp_path / "d.jsonl", ['{"id": "a", "text": "x"}', '{"id": "a", "text": "y"}']
    )
    with pytest.raises(InputError, match="duplicate id") as err:
        read_policies(dup)
    assert err.value.line == 2
    bad = write_lines(tmp_path / "b.jsonl", ['{"id": "a", "text": "x"', ""])
    with pytest.raises(InputError, match="not valid JSON"):
        read_policies(bad)


def test_qrels_round_trip_and_comments(tmp_path):
    path = write_lines(
        tmp_path / "q.txt",
        ["# enterprise 0 policy grade", "e1 0 p1 2", "e1 0 p2 1", "", "e2\t0\tp1\t0", "e1 0 p1 2"],
    )
    qrels = read_qrels(path)
    assert qrels == {"e1": {"p1": 2, "p2": 1}, "e2": {"p1": 0}}
    out = tmp_path / "out.txt"
    write_qrels(qrels, out)
    assert read_qrels(out) == qrels


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("e1 0 p1", "expected 4 fields"),
        ("e1 0 p1 high", "non-negative integer"),
        ("e1 0 p1 -1", "non-negative integer"),
        ("e1 0 p1 1", "graded 2 earlier"),
    ],
)
def test_qrels_bad_lines_name_file_and_line(tmp_path, line, message):
    path = write_lines(tmp_path / "q.txt", ["e1 0 p1 2", "e2 0 p1 1", line])
    with pytest.raises(InputError, match=message) as err:
        read_qrels(path)
    assert err.value.line == 3 and err.value.source == str(path)


def test_split_selects_enterprises_and_their_labels(tmp_path):
    split = read_split(write_lines(tmp_path / "split.tsv", ["# id split", "e1\ttune", "e2 report"]))
    from policymatch.profile.models import EnterpriseProfile

    data = EvalDataset(
        name="t",
        records=[],
        profiles=[EnterpriseProfile(id="e1"), EnterpriseProfile(id="e2")],
        qrels={"e1": {"p1": 2}, "e2": {"p2": 1}},
        split=split,
    )
    report = data.select_split("report")
    assert [p.id for p in report.profiles] == ["e2"] and report.qrels == {"e2": {"p2": 1}}
    assert data.select_split("all") is data
    with pytest.raises(InputError):
        data.select_split("test")
    with pytest.raises(InputError, match="expected"):
        read_split(write_lines(tmp_path / "bad.tsv", ["e1 train"]))


def test_profiles_missing_most_facts_are_warned_about(tmp_path, caplog):
    path = write_lines(
        tmp_path / "e.jsonl",
        [
            json.dumps({"id": "a", "地域": "山东省济南市", "需求": "贷款"}, ensure_ascii=False),
            json.dumps({"id": "b", "地域": "山东省青岛市", "需求": "招聘"}, ensure_ascii=False),
        ],
    )
    with caplog.at_level("WARNING"):
        read_enterprises(path)
    assert "region (2 of 2)" in caplog.text and "needs" not in caplog.text


def test_policies_in_gb18030_and_a_line_separator_inside_a_string(tmp_path):
    lines = [
        json.dumps(
            {"id": "a", "text": "对小微企业贷款给予贴息。\u2028第二段。"}, ensure_ascii=False
        ),
        json.dumps(
            {"id": "b", "title": "關於支持外貿企業的措施", "text": "展會補助。"}, ensure_ascii=False
        ),
        "{not json",
    ]
    path = tmp_path / "p.jsonl"
    path.write_bytes("\n".join(lines[:2]).encode("gb18030"))
    first, second = read_policies(path)
    assert "\u2028" in first.text and second.line == 2
    path.write_bytes("\n".join(lines).encode("utf-8"))
    with pytest.raises(InputError) as error:
        read_policies(path)
    assert error.value.line == 3  # U+2028 in line 1 does not start a new line
