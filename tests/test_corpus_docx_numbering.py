"""Word's automatic list numbering rendered into DOCX text, and the splitter reading it."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml

from policymatch.corpus.docx_numbering import format_number
from policymatch.corpus.metadata import build_document
from policymatch.corpus.readers import read_path
from policymatch.corpus.split import split_document

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _level(ilvl: int, fmt: str, text: str, start: int = 1, extra: str = "") -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>'
    )


def _install_numbering(document, abstracts: dict[int, str], nums: dict[int, str]) -> None:
    """Replace the template's numbering definitions with ``abstracts`` and ``nums``.

    ``abstracts`` maps abstractNumId to its w:lvl elements; ``nums`` maps numId to the inner
    XML of its w:num (w:abstractNumId and any w:lvlOverride).
    """
    root = document.part.part_related_by(RT.NUMBERING).element
    for child in list(root):
        root.remove(child)
    for abstract_id, levels in abstracts.items():
        root.append(
            parse_xml(
                f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{abstract_id}">'
                f"{levels}</w:abstractNum>"
            )
        )
    for num_id, inner in nums.items():
        root.append(parse_xml(f'<w:num xmlns:w="{W_NS}" w:numId="{num_id}">{inner}</w:num>'))


def _numbered(document, text: str, num_id: int, ilvl: int = 0, style: str | None = None):
    paragraph = document.add_paragraph(text, style=style)
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(
        parse_xml(
            f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/>'
            "</w:numPr>"
        )
    )
    return paragraph


OUTLINE = (
    _level(0, "chineseCounting", "%1、")
    + _level(1, "chineseCounting", "（%2）")
    + _level(2, "decimal", "%3.")
)


def _measures_docx(path: Path) -> Path:
    """A 若干措施 notice whose 一、/（一）/1. labels all come from numbering.xml."""
    document = Document()
    document.add_paragraph("关于支持中小企业高质量发展的若干措施")
    document.add_paragraph("各区（市）工业和信息化主管部门：为支持中小企业发展，制定以下措施。")
    _install_numbering(
        document,
        {
            10: OUTLINE,
            11: _level(0, "decimal", "%1."),
        },
        {
            21: '<w:abstractNumId w:val="10"/>',
            22: '<w:abstractNumId w:val="11"/>',
            23: '<w:abstractNumId w:val="11"/>'
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>',
        },
    )
    _numbered(document, "支持科技创新", 21, 0)
    _numbered(
        document,
        "研发费用补助。对上年度研发费用超过200万元的规上工业企业，按研发费用增量的10%给予补助，"
        "单个企业最高100万元。",
        21,
        1,
    )
    _numbered(
        document,
        "高新技术企业奖励。对首次通过认定的高新技术企业，一次性给予20万元奖励；"
        "重新认定的给予10万元奖励。",
        21,
        1,
    )
    _numbered(document, "强化融资支持", 21, 0)
    _numbered(
        document,
        "贷款贴息。对小微企业流动资金贷款，按贷款市场报价利率的50%给予贴息，"
        "单户每年最高20万元。申报材料包括：",
        21,
        1,
    )
    _numbered(document, "贴息申请表；", 22, 0)
    _numbered(document, "贷款合同及付息凭证。", 22, 0)
    _numbered(
        document,
        "融资担保补助。对为中小企业提供融资担保且年化担保费率不高于1%的担保机构，"
        "按担保额的1%给予补助。申报材料包括：",
        21,
        1,
    )
    _numbered(document, "补助申请表；", 23, 0)  # a new list: restarts at 1. (startOverride)
    _numbered(document, "担保合同及代偿记录。", 23, 0)
    path = path / "measures.docx"
    document.save(path)
    return path


def test_outline_labels_are_rendered(tmp_path: Path) -> None:
    (record,) = read_path(_measures_docx(tmp_path))
    lines = record.text.split("\n")
    labels = [line[:4] for line in lines[2:]]
    assert labels == [
        "一、支持",
        "（一）研",
        "（二）高",
        "二、强化",
        "（一）贷",  # a deeper level restarts when a shallower one advances
        "1.贴息",
        "2.贷款",
        "（二）融",
        "1.补助",  # the w:num with a start override restarts the shared list
        "2.担保",
    ]


def test_auto_numbered_docx_splits_into_items(tmp_path: Path) -> None:
    (record,) = read_path(_measures_docx(tmp_path))
    items = split_document(build_document(record))
    assert [item.title for item in items] == [
        "研发费用补助",
        "高新技术企业奖励",
        "贷款贴息",
        "融资担保补助",
    ]
    assert [item.heading_path for item in items] == [
        ["一、支持科技创新"],
        ["一、支持科技创新"],
        ["二、强化融资支持"],
        ["二、强化融资支持"],
    ]
    assert "2.贷款合同及付息凭证" in items[2].text  # the materials list stays in its measure


def test_list_without_override_continues(tmp_path: Path) -> None:
    document = Document()
    _install_numbering(
        document,
        {11: _level(0, "decimal", "%1.")},
        {22: '<w:abstractNumId w:val="11"/>', 23: '<w:abstractNumId w:val="11"/>'},
    )
    for text, num_id in (("甲项", 22), ("乙项", 22), ("丙项", 23)):
        _numbered(document, text, num_id)
    document.save(tmp_path / "c.docx")
    (record,) = read_path(tmp_path / "c.docx")
    assert record.text.split("\n") == ["1.甲项", "2.乙项", "3.丙项"]


def test_numbering_inherited_from_paragraph_style(tmp_path: Path) -> None:
    """第X条 drawn by a paragraph style bound to a list; the style's own numPr has no level."""
    document = Document()
    _install_numbering(
        document,
        {12: _level(0, "chineseCounting", "第%1条", extra='<w:pStyle w:val="PolicyArticle"/>')},
        {24: '<w:abstractNumId w:val="12"/>'},
    )
    style = document.styles.add_style("政策条款", WD_STYLE_TYPE.PARAGRAPH)
    style.element.set(f"{{{W_NS}}}styleId", "PolicyArticle")
    style.element.get_or_add_pPr().append(
        parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:numId w:val="24"/></w:numPr>')
    )
    based = document.styles.add_style("政策条款正文", WD_STYLE_TYPE.PARAGRAPH)
    based.base_style = style  # numbering reaches it through w:basedOn
    document.add_paragraph("关于促进工业互联网发展的若干政策")
    articles = [
        "工业互联网平台奖励。对新入选国家级跨行业跨领域工业互联网平台的企业，给予500万元奖励。",
        "标识解析节点补助。对建设并运营二级节点的企业，按实际投资额的30%给予补助，最高300万元。",
        "企业上云补助。对规上工业企业购买云服务的，按费用的50%给予补助，每家最高20万元。",
    ]
    document.add_paragraph(articles[0], style="政策条款")
    document.add_paragraph(articles[1], style="政策条款正文")
    document.add_paragraph(articles[2], style="政策条款")
    document.add_paragraph("本政策自印发之日起施行。")  # Normal: not numbered
    document.save(tmp_path / "articles.docx")
    (record,) = read_path(tmp_path / "articles.docx")
    lines = record.text.split("\n")
    assert lines[1:] == [
        f"第一条 {articles[0]}",
        f"第二条 {articles[1]}",
        f"第三条 {articles[2]}",
        "本政策自印发之日起施行。",
    ]
    items = split_document(build_document(record))
    assert [item.text.split(" ", 1)[0] for item in items] == ["第一条", "第二条", "第三条"]


def test_bullets_and_explicit_zero_num_id_have_no_label(tmp_path: Path) -> None:
    document = Document()
    _install_numbering(
        document,
        {13: '<w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>'},
        {25: '<w:abstractNumId w:val="13"/>'},
    )
    _numbered(document, "在本市注册", 25)
    _numbered(document, "无失信记录", 0)
    document.save(tmp_path / "b.docx")
    (record,) = read_path(tmp_path / "b.docx")
    assert record.text.split("\n") == ["在本市注册", "无失信记录"]


def test_numbered_paragraphs_in_table_cells(tmp_path: Path) -> None:
    document = Document()
    _install_numbering(
        document, {11: _level(0, "decimal", "%1.")}, {22: '<w:abstractNumId w:val="11"/>'}
    )
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "申报材料"
    cell = table.cell(0, 1)
    cell.paragraphs[0].text = "营业执照"
    cell.paragraphs[0]._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="0"/><w:numId w:val="22"/></w:numPr>')
    )
    second = cell.add_paragraph("财务报表")
    second._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="0"/><w:numId w:val="22"/></w:numPr>')
    )
    document.save(tmp_path / "t.docx")
    (record,) = read_path(tmp_path / "t.docx")
    assert record.text == "申报材料 1.营业执照\n2.财务报表"


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (3, "decimal", "3"),
        (11, "chineseCounting", "十一"),
        (20, "chineseCountingThousand", "二十"),
        (105, "chineseCountingThousand", "一百零五"),
        (10, "japaneseCounting", "十"),
        (12, "japaneseCounting", "十二"),
        (3, "ideographTraditional", "丙"),
        (11, "ideographTraditional", "甲"),
        (2, "lowerLetter", "b"),
        (28, "upperLetter", "BB"),
        (4, "lowerRoman", "iv"),
        (14, "upperRoman", "XIV"),
        (3, "decimalEnclosedCircle", "③"),
        (21, "decimalEnclosedCircle", "21"),
        (12, "decimalFullWidth", "１２"),
        (5, "bullet", ""),
        (5, "none", ""),
    ],
)
def test_format_number(value: int, fmt: str, expected: str) -> None:
    assert format_number(value, fmt) == expected


def test_sample_corpus_docx_files_still_split(tmp_path: Path) -> None:
    """The project's sample .docx files type their numbers; rendering lists changes nothing."""
    folder = Path(__file__).resolve().parents[1] / "data" / "policies" / "files"
    counts = {}
    for path in sorted(folder.glob("*.docx")):
        (record,) = read_path(path)
        counts[path.stem] = len(split_document(build_document(record)))
    assert counts == {
        "sa-020_shandong_hightech_smes": 9,
        "sa-021_qingdao_industrial_internet": 8,
    }
