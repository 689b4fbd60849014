"""Readers: record files with real field aliases, encodings, document files, located errors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from policymatch.corpus.readers import read_path, scan_path
from policymatch.errors import InputError

SENTENCE = "对首次认定的国家级专精特新“小巨人”企业，给予一次性奖励50万元。"


def test_jsonl_aliases_of_real_exports(shared_data: Path) -> None:
    records = list(
        read_path(shared_data / "policies" / "xvshiting_digital_policies_central_shandong.jsonl")
    )
    assert len(records) == 221
    first = records[0]
    assert first.id == "xvshiting:central:1"
    assert first.text.startswith("第一章")  # from text_zh
    assert first.publish_date == "2013-08-21"  # from release_date
    assert first.extra["title_en"].startswith("Guiding Opinions")
    xuhui = list(read_path(shared_data / "policies" / "viktorsdb_xuhui_shanghai_policies.jsonl"))
    assert len(xuhui) == 7 and "索引号" in xuhui[0].text  # content, page chrome still in
    assert xuhui[0].issuer.startswith("徐汇区公安分局")  # department; metadata rejects the menu


def test_jsonl_gz_streams_all_laws_and_names_the_empty_ones(shared_data: Path) -> None:
    results = list(scan_path(shared_data / "policies" / "lawrefbook_laws.jsonl.gz"))
    assert len(results) == 3475
    errors = [r for r in results if isinstance(r, InputError)]
    # four laws of the compilation have an empty text field
    assert [(e.line, e.field, e.message) for e in errors] == [
        (956, "text", "text is empty"),
        (1851, "text", "text is empty"),
        (1853, "text", "text is empty"),
        (1856, "text", "text is empty"),
    ]


def test_malformed_jsonl_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    first = json.dumps({"id": "a", "title": "通知", "text": SENTENCE}, ensure_ascii=False)
    third = json.dumps({"id": "c", "title": "通知", "text": SENTENCE}, ensure_ascii=False)
    path.write_text(first + '\n{"id": "b", "text": \n' + third + "\n", encoding="utf-8")
    results = list(scan_path(path))
    assert [r.id for r in results if not isinstance(r, InputError)] == ["a", "c"]
    error = next(r for r in results if isinstance(r, InputError))
    assert error.line == 2 and error.source == str(path)
    assert "bad.jsonl:2" in str(error) and "malformed JSON" in str(error)
    with pytest.raises(InputError, match=r"bad\.jsonl:2"):
        list(read_path(path))


def test_empty_text_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text(json.dumps({"id": "x", "content": "  "}) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(read_path(path))
    assert info.value.line == 1 and info.value.field == "content"


def test_csv_missing_text_column(tmp_path: Path) -> None:
    path = tmp_path / "policies.csv"
    path.write_text("id,title,issuer\n1,关于支持中小企业的通知,济南市人民政府\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(read_path(path))
    assert info.value.line == 1 and info.value.field == "text"
    assert "policies.csv:1 [text]" in str(info.value)


def test_csv_with_chinese_headers_in_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "政策.csv"
    rows = (
        '编号,标题,正文,发文机关,发布日期\nq1,关于支持专精特新企业的通知,"'
        + SENTENCE
        + '",青岛市工业和信息化局,2024-03-01\n'
    )
    path.write_bytes(rows.encode("gb18030"))
    (record,) = read_path(path)
    assert record.id == "q1" and record.text == SENTENCE
    assert record.issuer == "青岛市工业和信息化局" and record.publish_date == "2024-03-01"
    assert record.line == 2


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig", "utf-8"])
def test_text_file_encodings(tmp_path: Path, encoding: str) -> None:
    body = "关于支持专精特新中小企业发展的通知\n" + SENTENCE
    path = tmp_path / f"notice_{encoding}.txt"
    path.write_bytes(body.encode(encoding))
    (record,) = read_path(path)
    assert record.text.strip() == body
    assert record.id == f"notice_{encoding}"


def test_undecodable_bytes_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(b"\x81\x30\xff\xfe\x00\xff\x80\x80" * 4)
    with pytest.raises(InputError, match=r"broken\.txt.*(decode|bad byte)"):
        list(read_path(path))


def test_folder_reads_documents_recursively(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("# 关于支持企业的通知\n\n" + SENTENCE, encoding="utf-8")
    (tmp_path / "b.html").write_text(
        f"<html><body><p>{SENTENCE}</p></body></html>", encoding="utf-8"
    )
    with gzip.open(tmp_path / "c.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "c1", "text": SENTENCE}, ensure_ascii=False) + "\n")
    (tmp_path / "README.md").write_text("这是说明。", encoding="utf-8")
    (tmp_path / "notes.xyz").write_text("ignored", encoding="utf-8")
    records = list(read_path(tmp_path))
    assert sorted(r.id for r in records) == ["b", "c1", "sub/a"]
    assert {r.id: r.format for r in records} == {"b": "html", "c1": "text", "sub/a": "md"}


def test_docx_reader(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_heading("关于支持企业技术改造的若干措施", level=1)
    document.add_paragraph("一、支持技术改造")
    document.add_paragraph(
        "（一）对规上工业企业实施技术改造项目，按设备投资的10%给予补助，最高200万元。"
    )
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "联系电话"
    table.cell(0, 1).text = "0531-12345678"
    path = tmp_path / "measures.docx"
    document.save(path)
    (record,) = read_path(path)
    assert record.title == "关于支持企业技术改造的若干措施"
    assert record.format == "docx"
    assert "（一）对规上工业企业实施技术改造项目" in record.text
    assert "联系电话 0531-12345678" in record.text


def test_pdf_reader_with_cjk_font(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "notice.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("STSong-Light", 12)
    pdf.drawString(72, 760, "关于开展贷款贴息申报工作的通知")
    pdf.drawString(72, 730, "对小微企业贷款给予贴息，贴息比例为50%。")
    pdf.save()
    (record,) = read_path(path)
    assert record.format == "pdf"
    assert "贷款贴息申报工作" in record.text and "贴息比例为50%" in record.text


def test_unreadable_pdf_and_docx(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4 this is not a pdf body")
    (tmp_path / "old.docx").write_bytes(b"PK\x03\x04 not really a zip")
    errors = [r for r in scan_path(tmp_path) if isinstance(r, InputError)]
    assert sorted(Path(e.source).name for e in errors) == ["old.docx", "scan.pdf"]
    assert all(("unreadable PDF" in e.message) or ("unreadable DOCX" in e.message) for e in errors)


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(read_path(tmp_path / "nothing-here"))
