"""Filters over policy cards that the API offers on top of the matcher's ranking."""

from __future__ import annotations

import re

from policymatch.translate.models import PolicyCard

_CODE = re.compile(r"\d{6}")


def _code_prefix(code: str) -> str:
    """370100 -> 3701, 370000 -> 37: the significant part of a 区划 code."""
    prefix = code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def region_overlaps(card: PolicyCard, region: str) -> bool:
    """True when one of the card's regions contains ``region`` or lies inside it.

    ``region`` is a 6-digit 区划 code or a place name (济南, 山东省济南市). A nationwide card
    (no regions) does not match a regional filter: the filter asks for local policies.
    """
    wanted = region.strip()
    if not wanted:
        return True
    if _CODE.fullmatch(wanted):
        mine = _code_prefix(wanted)
        return any(
            _code_prefix(code).startswith(mine) or mine.startswith(_code_prefix(code))
            for code in card.region_codes
        )
    return any(wanted in name or name in wanted for name in card.region_names if name)


def support_type_matches(card: PolicyCard, support_type: str) -> bool:
    """True when ``support_type`` (贷款贴息, 补贴 ...) names or is part of one of the card's types."""
    wanted = support_type.strip()
    return not wanted or any(wanted in kind or kind in wanted for kind in card.support_types)


def beneficiary_matches(card: PolicyCard, beneficiary: str) -> bool:
    """True when ``beneficiary`` (高新技术企业, 小微企业 ...) is among the card's beneficiaries."""
    wanted = beneficiary.strip()
    return not wanted or any(wanted in kind or kind in wanted for kind in card.beneficiaries)
