"""Which sectors an item restricts applicants to, read from realistic policy wording."""

from __future__ import annotations

from policymatch.translate.industries import find_industries, industry_codes
from policymatch.translate.text import split_sentences


def codes(text: str) -> list[str]:
    return industry_codes(find_industries(split_sentences(text, "text")))


def test_a_sector_before_enterprise_restricts_the_applicant() -> None:
    assert codes("对规模以上制造业企业实施的技术改造项目给予补助") == ["C"]
    assert codes("支持集成电路设计企业流片，按流片费用的30%给予补贴") == ["652"]


def test_an_rd_project_is_an_activity_not_the_rd_industry() -> None:
    # Any enterprise runs R&D projects; 研究和试验发展 (73) is not a bar on who applies.
    assert codes("面向入库的科技型中小企业，每年支持一批研发项目，单个项目资助最高80万元") == []
    assert codes("聚焦企业研发领域的关键技术攻关，给予项目经费支持") == []
    # A firm whose business is R&D is still read as that industry.
    assert codes("对研发企业租用办公用房的给予租金补贴") == ["73"]


def test_industrial_internet_is_an_application_not_the_internet_industry() -> None:
    # 工业互联网 projects are run by manufacturers; 互联网和相关服务 (64) bars none of them.
    assert codes("对应用效果明显、具有示范意义的工业互联网应用项目给予资助") == []
    # a platform operator is in the industry: 6431 互联网生产服务平台 covers industrial platforms
    assert codes("对工业互联网平台企业给予奖励") == ["643"]
    assert codes("对互联网企业新设区域总部的给予奖励") == ["64"]


def test_industrialisation_is_not_the_sector_itself() -> None:
    # 农业产业化龙头企业 are mostly food processors; the phrase does not mean farms only.
    assert codes("对新认定为农业产业化省级重点龙头企业的，给予一次性奖励20万元") == []
    assert codes("对从事农业生产的家庭农场给予补贴") == ["A"]
    assert codes("支持农业产业发展，对农业企业新建冷库给予补助") == ["A"]


def test_trade_enterprises_cover_retail_and_catering() -> None:
    # 商贸企业 in commerce-bureau policies are 批发零售 and 住宿餐饮 alike (限上商贸企业).
    assert set(codes("对年销售额2亿元以下的中小商贸企业给予贷款贴息")) == {"F", "H"}


def test_an_open_sector_list_is_a_soft_condition_not_a_bar() -> None:
    from policymatch.corpus.metadata import build_document
    from policymatch.corpus.models import RawRecord
    from policymatch.corpus.split import split_document
    from policymatch.translate import translate_items

    hits = find_industries(
        split_sentences("本措施适用于本市注册的批发、零售企业及相关商业运营主体", "context")
    )
    assert {h.phrase for h in hits} == {"批发", "零售"} and all(h.open for h in hits)
    closed = find_industries(split_sentences("本措施适用于本市注册的批发、零售企业", "context"))
    assert closed and not any(h.open for h in closed)

    text = (
        "某市促进消费若干措施\n一、适用范围\n本措施适用于在本市注册登记的批发、零售企业及相关"
        "会展、商业运营主体。\n二、支持措施\n（一）老字号认定奖励。新认定为“中华老字号”的企业，"
        "一次性奖励30万元；老字号企业在市外新开设直营门店的，每家门店奖励2万元，每家企业最高10万元。"
        "\n（二）商贸企业贷款贴息。对年销售额2亿元以下的中小商贸企业，取得银行流动资金贷款用于商品"
        "采购的，按实际支付利息的50%给予贴息，每家企业每年最高30万元。"
    )
    doc = build_document(RawRecord(id="open-list", text=text, issuer="某市商务局"))
    items = split_document(doc)
    cards = {
        item.title: card for item, card in zip(items, translate_items(items, doc), strict=True)
    }
    award = next(c for t, c in cards.items() if "老字号" in t)
    assert award.industries == []
    [soft] = [c for c in award.conditions if c.kind == "industry"]
    assert not soft.hard and set(soft.value) == {"51", "52"}
    loan = next(c for t, c in cards.items() if "贴息" in t)
    assert set(loan.industries) == {"F", "H"}  # the item's own 商贸企业 still binds
