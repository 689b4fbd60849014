"""A small policy corpus written for the index and matcher tests, and checks of what it holds.

Four documents in four places (济南市历城区, 青岛市, 杭州市西湖区, nationwide), two items each,
translated into cards by the real translate stage; three enterprises each with one clear need.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from policymatch.corpus.models import PolicyDocument, PolicyItem
from policymatch.profile import EnterpriseProfile, normalize_profile
from policymatch.translate import translate_items
from policymatch.translate.models import PolicyCard

DOCUMENTS = [
    (
        "lc-zz",
        "历城区支持先进制造业高质量发展的若干措施",
        "济南市历城区人民政府",
        "山东省济南市历城区",
        "370112",
        [
            (
                "技术改造设备补助",
                "对区内规模以上工业企业实施智能化技术改造、购置生产设备投资额在500万元以上的项目，按设备投资额的10%给予补助，单个项目最高200万元。",
            ),
            (
                "高新技术企业认定奖励",
                "对首次通过国家高新技术企业认定的企业，给予一次性奖励20万元；重新认定的，给予奖励5万元。",
            ),
        ],
    ),
    (
        "qd-wm",
        "青岛市支持外贸企业稳订单拓市场的若干措施",
        "青岛市商务局",
        "山东省青岛市",
        "370200",
        [
            (
                "出口信用保险保费补贴",
                "对投保短期出口信用保险的中小外贸企业，按实际缴纳保费的50%给予补贴，每家企业每年最高30万元。",
            ),
            (
                "境外展会补贴",
                "企业参加市商务局确定的境外重点展会，按展位费的70%给予补贴，每个展会最高5万元。",
            ),
        ],
    ),
    (
        "xh-rc",
        "西湖区数字经济人才支持办法",
        "杭州市西湖区人民政府",
        "浙江省杭州市西湖区",
        "330106",
        [
            (
                "人才公寓",
                "区内企业全职引进的博士、硕士研究生，可申请入住区人才公寓，租金按同地段市场价的30%收取，最长3年。",
            ),
            (
                "软件企业研发补助",
                "软件和信息技术服务企业年度研发投入超过500万元的，按研发投入增量部分的10%给予补助，最高100万元。",
            ),
        ],
    ),
    (
        "gj-rz",
        "关于加大小微企业融资支持力度的通知",
        "财政部",
        None,
        None,
        [
            (
                "创业担保贷款贴息",
                "小微企业当年新招用符合条件人员达到现有在职职工人数15%以上的，可申请最高300万元的创业担保贷款，财政按贷款市场报价利率的50%给予贴息。",
            ),
            (
                "融资担保费补贴",
                "政府性融资担保机构为小微企业提供融资担保的，担保费率降至1%以下，财政按担保额的0.5%给予担保费补贴。",
            ),
        ],
    ),
]

ENTERPRISES = [
    {
        "id": "jn-jx",
        "name": "济南历城精工机械有限公司",
        "region": "山东省济南市历城区",
        "industry": "通用设备制造业",
        "employees": 260,
        "revenue": 32000,
        "description": "生产数控机床零部件，计划新上一条智能化生产线，购置加工中心和工业机器人。",
        "needs": ["技术改造设备补助"],
        "qualifications": ["高新技术企业"],
    },
    {
        "id": "hz-rj",
        "name": "杭州西湖云图软件有限公司",
        "region": "浙江省杭州市西湖区",
        "industry": "软件和信息技术服务业",
        "employees": 80,
        "revenue": 5000,
        "description": "开发工业软件，正在引进博士和硕士研究生，员工住房困难。",
        "needs": ["人才公寓", "引进博士"],
    },
    {
        "id": "qd-my",
        "name": "青岛海通进出口有限公司",
        "region": "山东省青岛市市南区",
        "industry": "批发业",
        "employees": 35,
        "revenue": 6000,
        "description": "从事家电出口贸易，主要市场在东南亚。",
        "needs": ["出口信用保险保费补贴"],
        "qualifications": [],
    },
]


@dataclass
class Corpus:
    documents: list[PolicyDocument]
    items: list[PolicyItem]
    cards: list[PolicyCard]

    def subset(self, doc_ids: set[str]) -> Corpus:
        """The documents named, with their items and cards."""
        items = [i for i in self.items if i.doc_id in doc_ids]
        ids = {i.id for i in items}
        return Corpus(
            [d for d in self.documents if d.id in doc_ids],
            items,
            [c for c in self.cards if c.item_id in ids],
        )


def build_corpus() -> Corpus:
    """Documents, items and cards (real translate stage) of :data:`DOCUMENTS`."""
    documents, items, cards = [], [], []
    for doc_id, title, issuer, region, code, parts in DOCUMENTS:
        text = title + "\n" + "\n".join(f"{n}、{h}。{t}" for n, (h, t) in enumerate(parts, 1))
        document = PolicyDocument(
            id=doc_id,
            title=title,
            text=text,
            issuer=issuer,
            region=region,
            region_code=code,
            publish_date=dt.date(2025, 3, 1),
            content_hash=hashlib.sha1(text.encode()).hexdigest(),
        )
        doc_items = [
            PolicyItem(id=f"{doc_id}#{i}", doc_id=doc_id, seq=i, title=h, heading_path=[h], text=t)
            for i, (h, t) in enumerate(parts)
        ]
        documents.append(document)
        items.extend(doc_items)
        cards.extend(translate_items(doc_items, document))
    return Corpus(documents, items, cards)


def build_profiles() -> list[EnterpriseProfile]:
    return [normalize_profile(raw) for raw in ENTERPRISES]


def test_cards_carry_the_regions_the_matcher_tests_rely_on():
    corpus = build_corpus()
    regions = {c.item_id: c.region_codes for c in corpus.cards}
    assert regions["lc-zz#0"] == ["370112"]
    assert regions["qd-wm#0"] == ["370200"]
    assert regions["xh-rc#0"] == ["330106"]
    assert regions["gj-rz#0"] == []  # nationwide
    assert len(corpus.items) == len(corpus.cards) == 8


def test_profiles_normalise_to_region_codes():
    codes = {p.id: p.region_code for p in build_profiles()}
    assert codes == {"jn-jx": "370112", "hz-rj": "330106", "qd-my": "370202"}
