"""Enterprise profiles: the fields a member database holds, plus what normalisation derives."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

SizeClass = Literal["大", "中", "小", "微"]


class EnterpriseProfile(BaseModel):
    """An enterprise as the rules and retrieval read it.

    Money in 万元, headcount in 人. Derived fields (``region_code``, ``industry_code``,
    ``size_class``, ``age_years``, ``business_industry_codes``) are filled by :func:`policymatch.profile.normalize_profile`
    when the raw fields allow it, and stay None otherwise (unknown is not a failure).
    """

    id: str
    name: str = ""
    region: str | None = None  # free text (山东省济南市历城区) or a 6-digit code
    industry: str | None = None
    industry_code: str | None = None  # GB/T 4754: "C", "39", "3911"
    scope: str = ""  # 经营范围
    description: str = ""
    employees: int | None = Field(None, ge=0)
    revenue: float | None = Field(None, ge=0)  # 万元, last year
    total_assets: float | None = Field(None, ge=0)  # 万元
    founded: dt.date | None = None
    qualifications: list[str] = Field(default_factory=list)  # canonical after normalisation
    tags: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    rd_ratio: float | None = None  # R&D spending as % of revenue
    contact: dict[str, str] = Field(default_factory=dict)  # passed through to push lists

    # derived
    region_code: str | None = None
    region_path: list[str] = Field(default_factory=list)  # codes from province down
    size_class: SizeClass | None = None
    age_years: float | None = None
    # more GB/T 4754 codes the scope and tags name in the registered code's section
    business_industry_codes: list[str] = Field(default_factory=list)

    def query_text(self) -> str:
        """Text that stands for the enterprise in retrieval: needs first, then what it does."""
        parts = [
            " ".join(self.needs),
            self.description,
            self.scope,
            self.industry or "",
            " ".join(self.qualifications),
            " ".join(self.tags),
        ]
        return "\n".join(p for p in parts if p)
