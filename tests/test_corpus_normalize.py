"""Normalisation: simplified script, half-width ASCII, whitespace, HTML and page chrome."""

from __future__ import annotations

import json
from pathlib import Path

from policymatch.corpus.metadata import build_document
from policymatch.corpus.normalize import (
    clean_html,
    content_hash,
    is_error_page,
    is_traditional,
    normalize_text,
    to_half_width,
)
from policymatch.corpus.readers import read_path


def test_half_width_keeps_chinese_punctuation() -> None:
    assert to_half_width(
        "１．对营业收入达到１０００万元的企业（含）给予ＡＩ补贴，比例１０％。"
    ) == ("1.对营业收入达到1000万元的企业（含）给予AI补贴，比例10%。")
    assert (
        to_half_width("鲁政办字〔２０２２〕１２号、第一条　施行")
        == "鲁政办字〔2022〕12号、第一条 施行"
    )


def test_whitespace_collapsed_paragraphs_kept() -> None:
    raw = "  一、总体要求 \r\n\r\n\n\t为进一步支持中小企业，\u3000\u3000制定本措施。\n\n（一）解决 方 案，给予 １０００ 万 元。"
    assert (
        normalize_text(raw)
        == "一、总体要求\n为进一步支持中小企业，制定本措施。\n（一）解决方案，给予 1000万元。"
    )


def test_list_marker_keeps_its_space_in_flattened_text() -> None:
    # the space is the only boundary left between a heading and its first sub-item
    assert (
        normalize_text("二、支持方式 （一）支持建设创新平台。")
        == "二、支持方式 （一）支持建设创新平台。"
    )


def test_traditional_faq_converted(shared_data: Path) -> None:
    path = shared_data / "benchmarks" / "taipei_city_gov_faq_zh_hant.jsonl"
    rows = [
        json.loads(line) for line, _ in zip(path.open(encoding="utf-8"), range(50), strict=False)
    ]
    texts = [f"{row['question']}\n{row['answer']}" for row in rows]
    assert all(is_traditional(text) for text in texts if len(text) > 20)
    converted = normalize_text(texts[0])
    assert "違規" in texts[0] and "违规" in converted and "違" not in converted


def test_simplified_text_is_not_converted() -> None:
    # OpenCC t2s maps 坏 to 坯: simplified text must not go through it
    text = "对破坏生态环境的行为依法处理，查处违法违规企业。"
    assert not is_traditional(text)
    assert normalize_text(text) == text


def test_traditional_document_becomes_simplified(tmp_path: Path) -> None:
    path = tmp_path / "zh_hant.txt"
    path.write_text(
        "臺北市政府關於支持中小企業數位轉型的補助辦法\n對符合條件的企業給予最高新臺幣五十萬元補助。",
        encoding="utf-8",
    )
    (raw,) = read_path(path)
    doc = build_document(raw)
    assert doc.title == "台北市政府关于支持中小企业数位转型的补助办法"
    assert "对符合条件的企业给予最高新台币五十万元补助" in doc.text


def test_clean_html_prefers_content_and_drops_chrome() -> None:
    html = """<html><head><title>关于支持专精特新企业的通知_济南市人民政府</title>
    <style>.x{color:red}</style><script>var nav = '首页';</script></head><body>
    <div class="top-nav"><a>首页</a> | <a>繁体</a> | <a>无障碍</a></div>
    <div class="breadcrumb">首页 &gt; 政务公开 &gt; 政策文件</div>
    <div id="zoom"><p>各区县人民政府：</p><p>为支持中小企业走<b>专精特新</b>发展道路，现通知如下。</p>
    <p>一、对首次认定的专精特新中小企业给予一次性奖励10万元。</p></div>
    <div class="footer">主办单位：济南市人民政府办公厅 鲁ICP备05012345号</div></body></html>"""
    text = normalize_text(clean_html(html))
    assert text.split("\n") == [
        "各区县人民政府：",
        "为支持中小企业走专精特新发展道路，现通知如下。",
        "一、对首次认定的专精特新中小企业给予一次性奖励10万元。",
    ]


def test_xuhui_page_text_loses_navigation(shared_data: Path) -> None:
    records = list(read_path(shared_data / "policies" / "viktorsdb_xuhui_shanghai_policies.jsonl"))
    noise = (
        "索引号",
        "点击数",
        "繁体",
        "无障碍",
        "一网通办",
        "流水号",
        "ICP备",
        "上海城市精神",
        "关闭窗口",
    )
    for raw in records:
        doc = build_document(raw)
        assert not any(word in doc.text for word in noise), doc.id
    missing = build_document(records[4])
    assert is_error_page(missing.text) and "页面不存在" in missing.text
    first = build_document(records[0])
    assert first.text.startswith(
        "徐汇区关于推动人工智能产业高质量发展 的若干意见（征求意见稿）为深入贯彻"
    )
    assert first.issuer == "徐汇区新型工业化推进办公室"  # from the page header, not the menu field
    names = build_document(records[6])
    assert names.text.endswith("45 上海近屿智能科技有限公司")  # footer links cut after the list


def test_content_hash_depends_on_title_and_text() -> None:
    assert content_hash("通知", "正文") == content_hash("通知", "正文")
    assert content_hash("通知", "正文") != content_hash("通知", "正文。")
    assert content_hash("通知", "正文") != content_hash("通知二", "正文")


def test_pdf_text_in_a_json_record_is_unwrapped(shared_data: Path) -> None:
    """Records of the Shandong set copied out of PDFs keep the page's line breaks mid-sentence
    (a word such as 失信 split over two lines); read as text they are rejoined, while documents
    whose short lines are headings and list labels keep them."""
    from policymatch.corpus.normalize import looks_hard_wrapped
    from policymatch.evaluation.devset import load_shared_records

    records = load_shared_records(
        ["xvshiting:shandong:23", "xvshiting:central:14", "zhouynf:39"],
        shared_dir=shared_data,
    )
    wrapped = records["xvshiting:shandong:23"]
    assert looks_hard_wrapped(wrapped.text)
    assert not looks_hard_wrapped(records["xvshiting:central:14"].text)
    assert not looks_hard_wrapped(records["zhouynf:39"].text)

    document = build_document(wrapped)
    sentence = next(line for line in document.text.split("\n") if "无违法失" in line)
    assert "无违法失信记录" in sentence
    assert len(document.text.split("\n")) < len(wrapped.text.split("\n")) / 2
    headed = build_document(records["xvshiting:central:14"])
    assert "9.产线柔性配置\n" in headed.text


def test_unwrapping_keeps_headings_and_drops_page_numbers(shared_data: Path) -> None:
    """A short open line is a heading, not a cut (一、总体要求 stays a line of its own); a bare
    page number inside a paragraph (a verb split around it) goes, and the paragraph closes."""
    from policymatch.evaluation.devset import load_shared_records

    raw = load_shared_records(["xvshiting:central:8"], shared_dir=shared_data)[
        "xvshiting:central:8"
    ]
    lines = build_document(raw).text.split("\n")
    assert "一、总体要求" in lines
    assert any("检测等装置等开展液体洗涤剂生产线" in line for line in lines)
