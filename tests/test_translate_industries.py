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


def test_industrialisation_is_not_the_sector_itself() -> None:
    # 农业产业化龙头企业 are mostly food processors; the phrase does not mean farms only.
    assert codes("对新认定为农业产业化省级重点龙头企业的，给予一次性奖励20万元") == []
    assert codes("对从事农业生产的家庭农场给予补贴") == ["A"]
    assert codes("支持农业产业发展，对农业企业新建冷库给予补助") == ["A"]


def test_trade_enterprises_cover_retail_and_catering() -> None:
    # 商贸企业 in commerce-bureau policies are 批发零售 and 住宿餐饮 alike (限上商贸企业).
    assert set(codes("对年销售额2亿元以下的中小商贸企业给予贷款贴息")) == {"F", "H"}
