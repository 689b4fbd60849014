"""Named results of a push campaign: targets, listed enterprises, row errors, options."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from policymatch.match.results import ConditionCheck, Verdict

DEFAULT_VERDICTS: tuple[Verdict, ...] = ("推荐", "可能符合")
VERDICT_ORDER: dict[str, int] = {"推荐": 0, "可能符合": 1, "不符合": 2}
Engine = Literal["local", "ray"]


class Target(BaseModel):
    """One policy a campaign ranks enterprises for: a support item, or a document's valid items.

    Attributes:
        policy_id: The id the caller named (an item id ``doc#seq`` or a document id).
        title: Human title for sheet names and the summary.
        item_ids: Items scored for it; an enterprise's best item stands for the document.
    """

    policy_id: str
    title: str = ""
    item_ids: list[str]


class CampaignOptions(BaseModel):
    """What to include and how to run; every field is part of the checkpoint key except ``engine``.

    Attributes:
        top: Enterprises kept per policy (the bounded top-N).
        min_score: Listed only at or above this score (None: no floor).
        verdicts: Verdicts that may be listed.
        as_of: Date validity and age conditions are judged at (None: today).
        chunk_size: Enterprises read, scored and checkpointed together.
    """

    top: int = Field(100, ge=1)
    min_score: float | None = None
    verdicts: tuple[Verdict, ...] = DEFAULT_VERDICTS
    as_of: dt.date | None = None
    chunk_size: int = Field(10_000, ge=1)


class PushEntry(BaseModel):
    """One enterprise on a policy's push list, with what a caller reads out.

    ``score`` is rounded to 6 decimals so that runs that differ only in float noise rank alike;
    ties are broken by ``enterprise_id``.
    """

    enterprise_id: str
    name: str = ""
    item_id: str
    score: float
    verdict: Verdict
    checks: list[ConditionCheck] = Field(default_factory=list)
    reason: str = ""
    contact: dict[str, str] = Field(default_factory=dict)
    province: str = ""  # 区划 name, e.g. 山东省; "" when unknown
    city: str = ""  # e.g. 济南市
    industry_section: str = ""  # GB/T 4754 门类 letter, e.g. "C"

    def sort_key(self) -> tuple[float, str]:
        """Best first: higher score, then smaller enterprise id."""
        return (-self.score, self.enterprise_id)


class RowError(BaseModel):
    """A bad input row, reported in errors.csv while the campaign goes on.

    Attributes:
        row: 1-based row (CSV/XLSX counting the header as row 1) or line (JSONL) or record.
        field: The field at fault, "" for the whole row.
        message: What is wrong.
        skipped: True when the row was left out of the campaign, False when it was kept with
            the field treated as unknown.
    """

    row: int
    field: str = ""
    message: str
    skipped: bool = True
