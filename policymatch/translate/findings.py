"""Everything read from one item, handed from the extractors to the card and its lines."""

from __future__ import annotations

from dataclasses import dataclass

from policymatch.corpus.models import PolicyItem
from policymatch.translate.beneficiaries import BeneficiaryHit, beneficiary_names
from policymatch.translate.dates import DateSpan
from policymatch.translate.department import Department
from policymatch.translate.industries import IndustryHit
from policymatch.translate.models import Amount, Condition
from policymatch.translate.regions import RegionScope
from policymatch.translate.support_types import SupportTypeHit


@dataclass(frozen=True)
class Findings:
    """What the extractors found in one item, with the sentences they read it from.

    Attributes:
        item: The item translated.
        support: Whether it is something to apply for (see :mod:`.measure`).
        scope: Region codes and names; empty = nationwide.
        beneficiary_hits: Every kind found, with its role (mentions included).
        industry_hits: Sectors that restrict applicants.
        excluded_industry_hits: Sectors the item leaves out.
        support_types: Support types named in the item's own text.
        amounts: Amounts granted (万元 or fractions).
        max_amount_wan: The largest fixed or capped sum, 万元.
        conditions: Qualification and numeric conditions.
        apply_window: Application window, if stated.
        validity: Effective dates (either end may be None) and the sentence that says so.
        department: The office that takes applications, if known.
    """

    item: PolicyItem
    support: bool
    scope: RegionScope
    beneficiary_hits: list[BeneficiaryHit]
    industry_hits: list[IndustryHit]
    excluded_industry_hits: list[IndustryHit]
    support_types: list[SupportTypeHit]
    amounts: list[Amount]
    max_amount_wan: float | None
    conditions: list[Condition]
    apply_window: DateSpan | None
    validity: DateSpan
    department: Department | None

    @property
    def beneficiary_names(self) -> list[str]:
        return beneficiary_names(self.beneficiary_hits)

    @property
    def support_type_names(self) -> list[str]:
        return [t.name for t in self.support_types]
