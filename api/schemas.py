"""Request and response bodies, named by role (``MatchRequest``, ``PolicyPublic`` ...).

The library's own models (``PolicyDocument``, ``PolicyCard``, ``ConditionCheck``) are reused
inside responses so the API says exactly what the library computed; the schemas here add
only what a client needs around them (pagination, counts, card summaries).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from policymatch.corpus.models import PolicyDocument, PolicyItem
from policymatch.match.results import ConditionCheck, Verdict
from policymatch.translate.models import PolicyCard

FeedbackLabel = Literal["useful", "not_relevant", "applied", "granted"]
GroupBy = Literal["item", "document"]

EXAMPLE_PROFILE: dict[str, Any] = {
    "id": "sd-0001",
    "name": "济南智元数控科技有限公司",
    "region": "山东省济南市历城区",
    "industry": "专用设备制造业",
    "scope": "数控机床、工业机器人的研发、生产与销售；软件开发；技术服务",
    "description": "为汽车零部件企业提供智能产线改造",
    "employees": 180,
    "revenue": 9500,
    "total_assets": 12000,
    "founded": "2015-06-18",
    "qualifications": ["高新技术企业", "专精特新中小企业"],
    "needs": ["设备更新补贴", "研发费用补助", "贷款贴息"],
    "rd_ratio": 5.2,
    "contact": {"联系人": "王经理", "电话": "0531-88880000"},
}


class EnterpriseIn(BaseModel):
    """An enterprise as a member database holds it (money in 万元, headcount in 人).

    Derived fields (区划 code, GB/T 4754 code, size class, age) are filled on the server.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_PROFILE]})

    id: str | None = Field(None, min_length=1, max_length=128, description="企业编号")
    name: str = Field("", max_length=200, description="企业名称")
    region: str | None = Field(None, description="所在地区，如 山东省济南市历城区 或 6 位区划代码")
    industry: str | None = Field(None, description="所属行业名称")
    industry_code: str | None = Field(None, description="GB/T 4754 行业代码，如 C、35、3511")
    scope: str = Field("", description="经营范围")
    description: str = Field("", description="企业简介")
    employees: int | None = Field(None, ge=0, description="从业人员（人）")
    revenue: float | None = Field(None, ge=0, description="上年营业收入（万元）")
    total_assets: float | None = Field(None, ge=0, description="资产总额（万元）")
    founded: dt.date | None = Field(None, description="成立日期 YYYY-MM-DD")
    qualifications: list[str] = Field(default_factory=list, description="已有资质，如 高新技术企业")
    tags: list[str] = Field(default_factory=list, description="标签")
    needs: list[str] = Field(default_factory=list, description="诉求，如 贷款贴息、设备更新补贴")
    rd_ratio: float | None = Field(None, ge=0, le=100, description="研发投入占营业收入比例（%）")
    contact: dict[str, str] = Field(default_factory=dict, description="联系方式，推送名单原样输出")


class MatchRequest(BaseModel):
    """Who to match: a profile given inline, or the id of a stored enterprise (exactly one)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"profile": EXAMPLE_PROFILE}, {"enterprise_id": "sd-0001"}]
        },
    )

    profile: EnterpriseIn | None = Field(None, description="企业画像（与 enterprise_id 二选一）")
    enterprise_id: str | None = Field(None, description="已入库企业的编号（与 profile 二选一）")

    @model_validator(mode="after")
    def _exactly_one(self) -> MatchRequest:
        if (self.profile is None) == (self.enterprise_id is None):
            raise ValueError(
                "give exactly one of profile or enterprise_id / 请提供 profile 或 enterprise_id 之一"
            )
        return self


class CardSummary(BaseModel):
    """The parts of a policy card a result list shows next to each match."""

    support_types: list[str] = Field(default_factory=list)
    beneficiaries: list[str] = Field(default_factory=list)
    region_names: list[str] = Field(default_factory=list)
    max_amount_wan: float | None = None
    amounts: list[str] = Field(default_factory=list, description="金额原文，如 最高奖励50万元")
    apply_start: dt.date | None = None
    apply_end: dt.date | None = None
    valid_until: dt.date | None = None
    department: str | None = None
    summary: str = ""

    @classmethod
    def from_card(cls, card: PolicyCard) -> CardSummary:
        return cls(
            support_types=card.support_types,
            beneficiaries=card.beneficiaries,
            region_names=card.region_names,
            max_amount_wan=card.max_amount_wan,
            amounts=[amount.text for amount in card.amounts],
            apply_start=card.apply_start,
            apply_end=card.apply_end,
            valid_until=card.valid_until,
            department=card.department,
            summary=card.summary,
        )


class MatchPublic(BaseModel):
    """One ranked policy item for an enterprise, with the reasons for its verdict."""

    rank: int
    item_id: str
    doc_id: str
    title: str
    doc_title: str = ""
    score: float
    verdict: Verdict
    met: int = Field(description="满足的条件数")
    unmet: int = Field(description="不满足的条件数")
    unknown: int = Field(description="无法判断的条件数（画像缺少信息）")
    checks: list[ConditionCheck] = Field(default_factory=list)
    highlights: list[str] = Field(default_factory=list)
    explanations: list[str] = Field(default_factory=list)
    snippet: str = Field("", description="item text around what matched; highlight with highlights")
    card: CardSummary | None = None


class DocumentMatchPublic(BaseModel):
    """A policy document with its matched items, when results are grouped by document."""

    rank: int
    doc_id: str
    title: str
    score: float = Field(description="best item score of the document")
    verdict: Verdict = Field(description="best verdict among its items")
    items: list[MatchPublic]


class MatchResponse(BaseModel):
    enterprise_id: str
    as_of: dt.date
    group_by: GroupBy
    total: int = Field(description="results after filters")
    matches: list[MatchPublic] = Field(default_factory=list, description="group_by=item")
    documents: list[DocumentMatchPublic] = Field(
        default_factory=list, description="group_by=document"
    )


class PolicySummary(BaseModel):
    """One row of the policy library list."""

    id: str
    title: str
    issuer: str | None = None
    region: str | None = None
    doc_number: str | None = None
    publish_date: dt.date | None = None
    valid_until: dt.date | None = None
    expired: bool = False
    items: int = 0
    support_types: list[str] = Field(default_factory=list)
    max_amount_wan: float | None = None


class PolicyPage(BaseModel):
    total: int
    offset: int
    limit: int
    policies: list[PolicySummary]


class PolicyItemPublic(BaseModel):
    """A support item of a document with its card (None until the item has been translated)."""

    item: PolicyItem
    card: PolicyCard | None = None


class PolicyPublic(BaseModel):
    """A document, its support items and their cards; ``item_id`` is set when asked by item."""

    document: PolicyDocument
    items: list[PolicyItemPublic]
    item_id: str | None = Field(None, description="the item asked for, when an item id was given")


class PolicyCreate(BaseModel):
    """A policy document to ingest, as JSON (the same fields a JSONL corpus line holds)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "jn-2024-017",
                    "title": "济南市关于支持企业设备更新的若干措施",
                    "issuer": "济南市工业和信息化局",
                    "region": "山东省济南市",
                    "publish_date": "2024-04-10",
                    "doc_number": "济工信发〔2024〕5号",
                    "text": "一、支持对象\n在济南市注册的工业企业。\n二、支持措施\n"
                    "（一）设备更新补贴。对设备投资额500万元以上的项目，按投资额的10%给予补贴，最高200万元。",
                }
            ]
        },
    )

    id: str | None = Field(None, min_length=1, max_length=200)
    title: str | None = None
    text: str = Field(min_length=1, description="正文")
    issuer: str | None = None
    region: str | None = None
    publish_date: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    doc_number: str | None = None
    url: str | None = None
    format: Literal["text", "html", "md"] = "text"


class IngestResponse(BaseModel):
    """What an upload stored, and what happens to the index next."""

    documents: list[str] = Field(description="ids of the documents stored")
    items: int = Field(description="support items stored")
    replaced: list[str] = Field(default_factory=list, description="ids that replaced older content")
    unchanged: list[str] = Field(default_factory=list, description="ids already stored as sent")
    errors: list[str] = Field(default_factory=list, description="records skipped, with place")
    index: Literal["updated", "rebuilding", "stale"] = Field(
        description="updated: searchable now; rebuilding: a background rebuild is running; "
        "stale: run `policymatch index` or POST /v1/admin/reload after a rebuild"
    )


class EnterprisePublic(BaseModel):
    """A stored enterprise with the fields the server derived (区划 code, size class, age)."""

    id: str
    name: str = ""
    region: str | None = None
    region_code: str | None = None
    industry: str | None = None
    industry_code: str | None = None
    size_class: str | None = None
    scope: str = ""
    description: str = ""
    employees: int | None = None
    revenue: float | None = None
    total_assets: float | None = None
    founded: dt.date | None = None
    age_years: float | None = None
    qualifications: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    rd_ratio: float | None = None
    contact: dict[str, str] = Field(default_factory=dict)
    etag: str = Field(description="send it back in If-Match to update only this version")


class EnterprisePage(BaseModel):
    total: int
    offset: int
    limit: int
    enterprises: list[EnterprisePublic]


class RowError(BaseModel):
    row: int | None = Field(description="row or line number in the file, header = row 1")
    field: str | None = None
    message: str


class BulkLoadReport(BaseModel):
    stored: int
    ids: list[str]
    errors: list[RowError]


class PushRow(BaseModel):
    """One enterprise on a policy's push list."""

    rank: int
    enterprise_id: str
    name: str
    verdict: Verdict
    score: float
    met: int
    unmet: int
    unknown: int
    reason: str = Field(description="the conditions behind the verdict, in one line")
    contact: dict[str, str] = Field(default_factory=dict)


class PushList(BaseModel):
    policy_id: str
    title: str
    items: list[str] = Field(description="item ids the list covers")
    rows: list[PushRow]


class FeedbackCreate(BaseModel):
    """What an enterprise (or the chamber on its behalf) said about one matched item."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "enterprise_id": "sd-0001",
                    "item_id": "jn-2024-017#1",
                    "label": "applied",
                    "note": "已于4月提交申报材料",
                }
            ]
        },
    )

    enterprise_id: str = Field(min_length=1, max_length=128)
    item_id: str = Field(min_length=1, max_length=256)
    label: FeedbackLabel = Field(
        description="useful 有用 / not_relevant 不相关 / applied 已申报 / granted 已获批"
    )
    note: str = Field("", max_length=2000)


class FeedbackPublic(BaseModel):
    id: int | str
    enterprise_id: str
    item_id: str
    label: FeedbackLabel
    note: str | None = None
    created_at: dt.datetime | None = None


class HealthStatus(BaseModel):
    status: str
    index: dict[str, Any] = Field(default_factory=dict)
