"""Named results of matching, from library to API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Verdict = Literal["推荐", "可能符合", "不符合"]
CheckStatus = Literal["met", "unmet", "unknown"]


class ConditionCheck(BaseModel):
    """One condition of a card evaluated against one profile."""

    condition: str  # human form, e.g. 营业收入≥2000万元
    kind: str
    status: CheckStatus
    hard: bool = True
    reason: str  # one line in Chinese a person can check


class Eligibility(BaseModel):
    verdict: Verdict
    checks: list[ConditionCheck] = Field(default_factory=list)

    @property
    def met(self) -> list[ConditionCheck]:
        return [c for c in self.checks if c.status == "met"]

    @property
    def unmet(self) -> list[ConditionCheck]:
        return [c for c in self.checks if c.status == "unmet"]

    @property
    def unknown(self) -> list[ConditionCheck]:
        return [c for c in self.checks if c.status == "unknown"]


class Match(BaseModel):
    """One ranked pairing of an enterprise and a policy item."""

    item_id: str
    doc_id: str
    enterprise_id: str
    title: str
    score: float
    verdict: Verdict
    checks: list[ConditionCheck] = Field(default_factory=list)
    highlights: list[str] = Field(default_factory=list)  # words/sentences of the item that matched
    summary: str = ""  # the card's one-line summary
    explanations: list[str] = Field(
        default_factory=list
    )  # features that lifted or sank it, in words
    features: dict[str, float] = Field(default_factory=dict)


class MatchResults(BaseModel):
    """Ranked matches for one query (an enterprise, or an item in the push direction)."""

    query_id: str
    matches: list[Match] = Field(default_factory=list)
