"""Splitting real 若干措施 documents into items; counts and boundaries checked by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policymatch.corpus.metadata import build_document
from policymatch.corpus.models import PolicyDocument, RawRecord
from policymatch.corpus.readers import read_path
from policymatch.corpus.split import split_document


def _doc(shared_data: Path, file: str, doc_id: str) -> PolicyDocument:
    for raw in read_path(shared_data / "policies" / file):
        if raw.id == doc_id:
            return build_document(raw)
    raise LookupError(doc_id)


def test_state_council_fta_measures(shared_data: Path) -> None:
    """国发〔2018〕38号: 53 numbered measures （一）…（五十三） under 一、…四、, then 五、 as a whole."""
    doc = _doc(shared_data, "zhouynf_govcn_state_council_2019snapshot.jsonl", "zhouynf:57")
    items = split_document(doc)
    assert len(items) == 54
    assert [item.id for item in items[:2]] == ["zhouynf:57#1", "zhouynf:57#2"]
    # （一）…（十六） under 一、, numbering continues （十七） under 二、
    assert items[0].heading_path == ["一、营造优良投资环境"]
    assert items[0].text.startswith("（一）借鉴北京市服务业扩大开放综合试点经验")
    assert items[15].text.startswith("（十六）加强顶层设计") and items[15].heading_path == [
        "一、营造优良投资环境"
    ]
    assert items[16].text.startswith("（十七）研究支持对海关特殊监管区域外")
    assert items[16].heading_path == ["二、提升贸易便利化水平"]
    assert items[35].text.startswith("（三十六）") and items[35].heading_path == [
        "三、推动金融创新服务实体经济"
    ]
    assert items[52].text.startswith("（五十三）支持自贸试验区开展非标准就业形式")
    assert items[52].text.endswith("（负责部门：人力资源社会保障部，适用范围：上海自贸试验区）")
    last = items[53]
    assert last.heading_path == [] and last.text.startswith("五、切实做好组织实施\n坚持党的领导。")
    assert not last.text.endswith("国务院")  # signature and date stripped
    assert all(item.doc_id == "zhouynf:57" for item in items)


def test_jinan_advanced_manufacturing_27_measures(shared_data: Path) -> None:
    """济南 先进制造业和数字经济 若干政策措施: 1.…27. (full-width, some run on) under 一、…八、."""
    doc = _doc(
        shared_data, "xvshiting_digital_policies_central_shandong.jsonl", "xvshiting:shandong:7"
    )
    items = split_document(doc)
    assert len(items) == 27
    assert [item.text.split(".", 1)[0] for item in items] == [str(n) for n in range(1, 28)]
    assert items[9].text.startswith("10.大力培育平台型企业和平台经济")  # ran on after item 9's ）
    assert items[9].heading_path == ["三、支持创新发展"]
    assert items[21].title == "鼓励研发和使用首台（套）高端装备"
    assert items[22].heading_path == ["七、优化发展环境"]
    # the 抄送 list and the 印发 line after the last measure are not part of it
    assert items[26].text.endswith("各项奖励补助资金具体管理办法另行制定。")


def test_qingdao_rules_keep_each_article_whole(shared_data: Path) -> None:
    """青岛 人工智能产业园 实施细则: 第X条 with （一）申报条件 （二）申报材料 （三）政策咨询 stays one item."""
    doc = _doc(
        shared_data, "xvshiting_digital_policies_central_shandong.jsonl", "xvshiting:shandong:43"
    )
    items = split_document(doc)
    sixth = next(item for item in items if item.text.startswith("第六条"))
    assert sixth.heading_path == ["第二章 申报事项"]
    assert "（一）申报条件" in sixth.text and "（三）政策咨询" in sixth.text
    assert sixth.text.rstrip().endswith("0532-88999976。")
    assert not any(item.text.startswith(("（一）申报条件", "1.申报主体")) for item in items)
    articles = [item for item in items if item.text.startswith("第")]
    assert len(articles) >= 24


def test_xuhui_page_general_section_and_nested_items(shared_data: Path) -> None:
    doc = _doc(shared_data, "viktorsdb_xuhui_shanghai_policies.jsonl", "viktorsdb:3")
    items = split_document(doc)
    assert len(items) == 9
    assert doc.general_text.startswith("一、支持对象 本意见的适用对象为登记注册在本区的企事业单位")
    assert all(item.context == doc.general_text for item in items)
    assert [item.title for item in items[:2]] == ["增强大模型创新能力", "强化算力和数据供给"]
    assert items[3].heading_path == ["二、支持方式", "（二）推动产业集聚发展"]
    assert items[8].heading_path == ["二、支持方式", "（四）加强综合服务支撑"]
    assert items[8].text.startswith("9.完善金融赋能产业发展")


def test_flattened_measures_page(shared_data: Path) -> None:
    doc = _doc(shared_data, "viktorsdb_xuhui_shanghai_policies.jsonl", "viktorsdb:0")
    items = split_document(doc)
    support = [item for item in items if item.heading_path == ["二、支持方式"]]
    assert [item.text.split("）", 1)[0] + "）" for item in support] == [
        f"（{n}）" for n in "一二三四五六七八九十"
    ]
    assert support[6].title == "支持企业资质申请" and "小巨人" in support[6].text


def test_document_without_structure_is_one_item() -> None:
    doc = build_document(
        RawRecord(
            id="plain",
            title="关于开展贷款贴息申报的通知",
            text="对小微企业贷款给予贴息。请于6月30日前申报。",
        )
    )
    (item,) = split_document(doc)
    assert item.id == "plain#0" and item.seq == 0 and item.text == doc.text


def test_condition_list_is_not_split() -> None:
    text = (
        "一、研发费用补助。对符合下列条件的企业，按研发费用增量的10%给予补助：\n"
        "（一）在本区注册；\n（二）上年度营业收入不低于500万元；\n（三）无严重失信记录。\n"
        "二、贷款贴息。对小微企业流动资金贷款按贷款市场报价利率的50%给予贴息，单户每年最高20万元。"
    )
    items = split_document(build_document(RawRecord(id="c", title="若干措施", text=text)))
    assert [item.title for item in items] == ["研发费用补助", "贷款贴息"]
    assert "（三）无严重失信记录。" in items[0].text


@pytest.mark.parametrize(
    ("text", "title", "heading_path", "general"),
    [
        (  # an excerpt opening mid-count, then the source's 申报要求 as context
            "二、政策措施\n（二）节能降碳技术改造补助。对实施节能改造、年节能量达到1000吨标准煤以上的"
            "项目，按照设备投资额的15%给予补助，单个项目最高不超过500万元。\n三、申报要求\n"
            "（一）申报时间。每年6月1日至7月15日集中申报。\n（二）受理部门。企业向所在设区市"
            "工业和信息化局提交申报材料。",
            "节能降碳技术改造补助",
            ["二、政策措施"],
            "三、申报要求",
        ),
        (  # a chapter and article opening mid-count, the source's 第一章 appended after them
            "第二章 支持措施\n第三条 工业互联网平台奖励。对新认定为省级工业互联网平台的企业，一次性"
            "奖励二百万元。\n第一章 支持对象\n第一条 本政策支持在青岛市注册登记的工业企业。\n"
            "第二条 申报单位近三年无严重失信记录。",
            "工业互联网平台奖励",
            ["第二章 支持措施"],
            "",
        ),
    ],
)
def test_an_excerpt_opening_mid_count_keeps_its_measure(text, title, heading_path, general):
    """A record cut from a policy starts at its own number (二、/（二）, 第二章/第三条), not at 1:
    those opening lines are its structure, so the measure they hold is an item, not a dropped
    preamble."""
    doc = build_document(RawRecord(id="excerpt", title="若干政策（节选）", text=text))
    items = split_document(doc)
    assert items[0].title == title and items[0].heading_path == heading_path
    assert "给予补助" in items[0].text or "奖励二百万元" in items[0].text
    assert general in doc.general_text
    measure_sentence = text.split("\n")[1]
    assert any(measure_sentence in item.text for item in items)


@pytest.mark.slow
def test_real_corpora_split_sanely(shared_data: Path) -> None:
    """Every document of the three policy corpora splits; ids are unique and ordered."""
    files = (
        "zhouynf_govcn_state_council_2019snapshot.jsonl",
        "xvshiting_digital_policies_central_shandong.jsonl",
        "viktorsdb_xuhui_shanghai_policies.jsonl",
    )
    total = 0
    for file in files:
        for raw in read_path(shared_data / "policies" / file):
            doc = build_document(raw)
            items = split_document(doc)
            assert items and len({i.id for i in items}) == len(items)
            assert [i.seq for i in items] == sorted(i.seq for i in items)
            assert all(i.text.strip() for i in items)
            total += len(items)
    assert 2000 < total < 8000


NOTICE_WITH_FORMS = """关于印发《高新区促进中小企业创新发展若干措施》的通知
各有关单位：
现将《高新区促进中小企业创新发展若干措施》印发给你们，请认真贯彻执行。
一、研发投入补助。对上年度研发费用不低于300万元的中小企业，按研发费用增量部分的10%给予补助，单个企业每年最高100万元。
二、首次认定奖励。对首次通过认定的国家高新技术企业给予30万元奖励，对首次入选省级专精特新中小企业的给予20万元奖励。
三、贷款贴息。对中小企业当年新增的流动资金贷款，按实际支付利息的50%给予贴息，单个企业每年最高50万元。申报截止时间为2025年9月30日。
附件：1.高新区中小企业创新发展项目申报表
2.信用承诺书
高新区管理委员会
2025年3月1日
附件1
高新区中小企业创新发展项目申报表
一、企业基本信息
企业名称（盖章）：
统一社会信用代码：
二、申报事项
1.研发投入补助
2.首次认定奖励
附件2
信用承诺书
本单位郑重承诺：
1.所提交的申报材料真实、准确、完整；
2.近三年无严重失信行为。
法定代表人（签字）：
"""


def test_appendix_forms_end_the_last_item() -> None:
    doc = build_document(RawRecord(id="hx", title="若干措施", text=NOTICE_WITH_FORMS))
    items = split_document(doc)
    assert [item.title for item in items] == ["研发投入补助", "首次认定奖励", "贷款贴息"]
    assert items[-1].text.endswith("申报截止时间为2025年9月30日。")
    assert not any("附件" in item.text or "企业名称" in item.text for item in items)
    assert doc.attachment_text.startswith("附件：1.高新区中小企业创新发展项目申报表")
    assert "信用承诺书" in doc.attachment_text and "统一社会信用代码" in doc.attachment_text


FORWARDED_RULES = """关于转发《市级工业互联网发展专项资金管理细则》的通知
各区（市）工业和信息化主管部门：
现将《市级工业互联网发展专项资金管理细则》转发给你们，请结合实际做好组织申报工作。
附件：市级工业互联网发展专项资金管理细则
区工业和信息化局
2024年5月8日
附件
市级工业互联网发展专项资金管理细则
为加快工业互联网创新发展，规范专项资金管理，制定本细则。
一、平台建设奖励。对新获评国家级工业互联网平台的企业给予200万元一次性奖励，对新获评省级平台的给予50万元奖励。
二、企业上云补助。对规模以上工业企业购买云服务的，按实际费用的30%给予补助，单个企业最高20万元。
三、标识解析应用补助。对建设标识解析二级节点并接入国家顶级节点的企业，按设备投资的20%给予补助，最高100万元。
"""


def test_forwarded_rules_in_an_appendix_are_split() -> None:
    doc = build_document(RawRecord(id="zf", title="转发通知", text=FORWARDED_RULES))
    items = split_document(doc)
    assert [item.title for item in items] == ["平台建设奖励", "企业上云补助", "标识解析应用补助"]
    assert all(item.heading_path == ["附件 市级工业互联网发展专项资金管理细则"] for item in items)
    assert [item.id for item in items] == ["zf#1", "zf#2", "zf#3"]
    assert doc.attachment_text.startswith(
        "附件：市级工业互联网发展专项资金管理细则\n区工业和信息化局"
    )


def test_table_of_contents_entries_are_not_appendices() -> None:
    text = (
        "智能制造标准体系建设指南\n目录\n一、总体要求\n二、建设内容\n"
        "附件1：智能制造术语\n附件2：重点标准清单\n"
        "一、总体要求\n到2026年，制修订智能制造国家标准100项以上，建成较为完善的智能制造标准体系。"
        "支持企业牵头或参与制定国际标准、国家标准和行业标准。\n"
        "二、建设内容\n重点围绕智能装备、智能工厂和智能服务三类场景开展基础共性标准、关键技术标准研制，"
        "对主导制定国家标准的企业按每项20万元给予奖励。\n"
        "附件1：\n智能制造术语\n数字孪生：指在数字空间中对物理实体的映射。\n"
    )
    doc = build_document(RawRecord(id="toc", title="建设指南", text=text))
    items = split_document(doc)
    assert [item.title for item in items][-2:] == ["总体要求", "建设内容"]
    assert items[-1].text.endswith("按每项20万元给予奖励。")
    assert doc.attachment_text.startswith("附件1：\n智能制造术语")


_APPENDIX_HEADING_LINE = re.compile(  # a table of contents entry (dot leaders) is no heading
    r"^(?!.*[.．·…]{4})(?:附件|附表)\s*(?:\d{1,2}(?:-\d{1,2})?\s*(?:[：:、.．]|$)|[：:]|$)", re.M
)


@pytest.mark.slow
def test_real_items_hold_no_appendix_heading(shared_data: Path) -> None:
    """Documents with 附件 sections: no item runs on past an appendix heading."""
    files = (
        "zhouynf_govcn_state_council_2019snapshot.jsonl",
        "xvshiting_digital_policies_central_shandong.jsonl",
    )
    with_appendix = 0
    for file in files:
        for raw in read_path(shared_data / "policies" / file):
            doc = build_document(raw)
            items = split_document(doc)
            if doc.attachment_text:
                with_appendix += 1
            for item in items:
                for match in _APPENDIX_HEADING_LINE.finditer(item.text):
                    line = item.text[match.start() :].split("\n", 1)[0]
                    title = re.split(r"[：:]", line, maxsplit=1)[-1].strip()
                    after = doc.text.find(item.text[-50:]) + 50
                    # a 目录 entry: the attachment's title comes again further down
                    assert title and title in doc.text[after:], (item.id, line)
    assert with_appendix >= 25
