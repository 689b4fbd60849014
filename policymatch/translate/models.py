"""The policy card: a support item translated into who / what / when, traceable to sentences."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Op = Literal[">=", ">", "<=", "<", "=="]
ConditionKind = Literal["region", "beneficiary", "industry", "numeric", "qualification", "validity"]
ConditionRole = Literal["requirement", "award"]


class Condition(BaseModel):
    """One checkable condition of an item.

    ``field`` names the profile attribute it reads for numeric conditions:
    ``employees`` (人), ``revenue`` (万元), ``total_assets`` (万元), ``age_years`` (年),
    ``rd_ratio`` (%), ``rd_expense`` (万元), ``tax`` (万元).
    """

    kind: ConditionKind
    field: str | None = None
    op: Op | None = None
    value: float | str | list[str] | None = None
    unit: str | None = None
    hard: bool = True
    text: str  # short human form, e.g. 营业收入≥2000万元
    source: str = ""  # the sentence it came from
    # qualification/beneficiary conditions: "requirement" = applicants must already be one;
    # "award" = the item rewards becoming one (首次认定为高新技术企业), so it targets enterprises
    # newly recognised, not holders from earlier years; None for other kinds
    role: ConditionRole | None = None


class Amount(BaseModel):
    """A money amount granted; ``wan`` in 万元, ``ratio`` as a fraction (0.1 = 10%)."""

    kind: Literal["fixed", "max", "ratio", "per_unit"]
    wan: float | None = None
    ratio: float | None = None
    text: str
    source: str = ""


class CardLine(BaseModel):
    """A line of the plain-language card and the sentence it was read from."""

    label: Literal["谁可以申请", "能得到什么", "需要满足", "何时申报", "受理部门"]
    text: str
    source: str = ""


class PolicyCard(BaseModel):
    """Structured translation of one :class:`~policymatch.corpus.models.PolicyItem`."""

    item_id: str
    doc_id: str
    beneficiaries: list[str] = Field(default_factory=list)  # canonical kinds, e.g. 高新技术企业
    region_codes: list[str] = Field(default_factory=list)  # empty = nationwide
    region_names: list[str] = Field(default_factory=list)
    # places inside the regions left out (在浙江省内（不含宁波市）注册): applicants there may not apply
    excluded_region_codes: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)  # GB/T 4754 codes: "C", "65", "3911"
    # sectors the item leaves out (批发和零售业等行业企业不适用): firms in them may not apply
    excluded_industries: list[str] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    support_types: list[str] = Field(default_factory=list)  # 资金奖励, 补贴, 贷款贴息 ...
    amounts: list[Amount] = Field(default_factory=list)
    max_amount_wan: float | None = None
    apply_start: dt.date | None = None
    apply_end: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    department: str | None = None
    is_support_measure: bool = True  # False for plans and notices with nothing to apply for
    summary: str = ""  # one line
    lines: list[CardLine] = Field(default_factory=list)

    def expired(self, as_of: dt.date) -> bool:
        end = self.valid_until or self.apply_end
        return end is not None and end < as_of
