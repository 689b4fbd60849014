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
    apply_yearly: bool = False  # the window comes round every year (每年4月1日至5月31日)
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    department: str | None = None
    is_support_measure: bool = True  # False for plans and notices with nothing to apply for
    summary: str = ""  # one line
    lines: list[CardLine] = Field(default_factory=list)

    def expired(self, as_of: dt.date) -> bool:
        if self.valid_until is not None:
            return self.valid_until < as_of
        # a yearly window that closed this year opens again next year
        return self.apply_end is not None and not self.apply_yearly and self.apply_end < as_of

    def next_apply_window(self, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
        """The yearly window open on ``as_of`` or the next one to open, if the policy is still
        in force then; None for a window that does not recur."""
        if not self.apply_yearly or self.apply_start is None or self.apply_end is None:
            return None
        for year in (as_of.year - 1, as_of.year, as_of.year + 1):
            start, end = _in_year(self.apply_start, year), _in_year(self.apply_end, year)
            if end < start:  # 每年12月1日至次年1月31日
                end = _in_year(self.apply_end, year + 1)
            if end >= as_of:
                if self.valid_until is not None and start > self.valid_until:
                    return None
                return start, end
        return None


def _in_year(day: dt.date, year: int) -> dt.date:
    """The same month and day in ``year`` (29 February becomes the 28th)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)
