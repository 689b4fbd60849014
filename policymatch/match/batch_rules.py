"""The eligibility prefilter for long runs: one decision per (card, distinct code), kept across chunks.

:func:`policymatch.match.eligibility.prefilter` decides region and industry once per distinct
code within a call, writing the reason text each time; a push campaign calls it chunk after
chunk with the same few thousand 区划 and industry codes, so that cost repeats. This module
takes the same decisions from the code hierarchies alone (a region check is unmet exactly when
neither the enterprise's 区划 lies inside a wanted one nor the other way round; an industry check
exactly when neither code's chain holds the other) and remembers them per rule and code; hard
numeric thresholds are array comparisons over the chunk's values (unknown never rules out).
``tests/test_push_scorer.py`` checks that the masks equal ``eligibility.prefilter``'s for every
item of the sample index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from policymatch.match.columns import Groups, ProfileColumns, ValueMemo, split_industry_key
from policymatch.match.eligibility import hard_rules
from policymatch.reference import industries, regions
from policymatch.translate.models import Condition, PolicyCard


class RuleMasks:
    """Prefilter masks for chunks of profiles against cards, memoised per card rule and code.

    Items of one document usually share their region and industry rules, so decisions are kept
    per rule (the normalised code sets), not per item: per chunk once per rule, and across
    chunks once per (rule, enterprise code).

    Args:
        as_of: Day validity and ages are judged on.
    """

    def __init__(self, as_of: dt.date, memo: ValueMemo | None = None) -> None:
        self.as_of = as_of
        self.memo = memo or ValueMemo()
        self._region_chain: dict[str | None, tuple[frozenset[str], str | None]] = {}
        self._industry_chain: dict[str, tuple[frozenset[str], str] | None] = {}
        self._decided: dict[tuple[object, ...], bool] = {}
        self._rules: dict[str, tuple[RegionRule, IndustryRule, tuple[Condition, ...]]] = {}

    def possible(
        self,
        card: PolicyCard,
        columns: ProfileColumns,
        region_groups: Groups,
        industry_groups: Groups,
        chunk_masks: dict[tuple[str, object], np.ndarray],
    ) -> np.ndarray:
        """``(len(columns),)`` bool: False exactly where ``eligibility.prefilter`` is False.

        Args:
            card: The item's card.
            columns: The chunk's profiles in columns.
            region_groups: The chunk's distinct ``region_code`` s.
            industry_groups: The chunk's distinct (``industry_code``, ``business_industry_codes``).
            chunk_masks: Masks of this chunk by rule, shared by the chunk's items.
        """
        n = len(columns)
        if card.expired(self.as_of):
            return np.zeros(n, dtype=bool)
        region_rule, industry_rule, numeric = self._rules_of(card)
        mask = self._rule_mask(
            "region",
            region_rule,
            region_groups,
            chunk_masks,
            lambda code: self._region_ok(region_rule, code),
        ).copy()
        excluded = tuple(card.excluded_region_codes)
        if excluded:
            mask &= self._rule_mask(
                "excluded region",
                excluded,
                region_groups,
                chunk_masks,
                lambda code: not self._left_out(excluded, code),
            )
        left_out = tuple(card.excluded_industries)
        if left_out:
            mask &= self._rule_mask(
                "excluded industry",
                left_out,
                industry_groups,
                chunk_masks,
                lambda key: not self._industry_left_out(left_out, split_industry_key(key)[0]),
            )
        if industry_rule:
            mask &= self._rule_mask(
                "industry",
                industry_rule,
                industry_groups,
                chunk_masks,
                lambda key: self._industry_ok(industry_rule, key),
            )
        for condition in numeric:
            field = condition.field or ""
            key = ("numeric", field)
            if key not in chunk_masks:
                chunk_masks[key] = columns.numeric(field, self.as_of)
            values = chunk_masks[key]
            threshold = float(condition.value)  # type: ignore[arg-type]
            passes = np.zeros(n, dtype=bool)
            known = ~np.isnan(values)
            passes[known] = _NUMPY_OPS[condition.op](values[known], threshold)  # type: ignore[index]
            mask &= ~known | passes
        return mask

    def _rule_mask(
        self,
        kind: str,
        rule: object,
        groups: Groups,
        chunk_masks: dict[tuple[str, object], np.ndarray],
        decide: Callable[[Any], bool],
    ) -> np.ndarray:
        key = (kind, rule)
        if key not in chunk_masks:
            ok = self.memo.lookup(("rule", kind, rule), groups, decide) > 0.5
            chunk_masks[key] = ok[groups.inverse] if len(groups.values) else np.ones(0, dtype=bool)
        return chunk_masks[key]

    def _rules_of(self, card: PolicyCard) -> tuple[RegionRule, IndustryRule, tuple[Condition, ...]]:
        if card.item_id not in self._rules:
            rules = hard_rules(card)
            region_rule = tuple(
                tuple(regions.normalize_code(c) for c in codes if not regions.is_nationwide(c))
                for codes in rules.region_sets
            )
            industry_rule = tuple(
                tuple(
                    industries.get(code).code  # type: ignore[union-attr]
                    for code in (industries.normalize_code(c) for c in codes)
                    if code and industries.get(code)
                )
                for codes in rules.industry_sets
            )
            numeric = tuple(c for c in rules.numeric if c.op in _NUMPY_OPS and _is_number(c.value))
            self._rules[card.item_id] = (region_rule, industry_rule, numeric)
        return self._rules[card.item_id]

    # ----------------------------------------------------------------- region
    def _region_ok(self, rule: RegionRule, own: str | None) -> bool:
        key = ("region", rule, own)
        if key not in self._decided:
            self._decided[key] = all(self._region_set_ok(wanted, own) for wanted in rule)
        return self._decided[key]

    def _region_set_ok(self, wanted: tuple[str | None, ...], own: str | None) -> bool:
        if not wanted or not own:
            return True  # nationwide, or unknown enterprise region: not unmet
        own_chain, own_code = self._chain_of_region(own)
        if any(code in own_chain for code in wanted if code):
            return True  # inside a wanted region
        return own_code is not None and any(
            own_code in self._chain_of_region(code)[0] for code in wanted
        )  # the enterprise's region is coarser: unknown, not unmet

    def region_relation(
        self, region_codes: Sequence[str], own: str | None, excluded: Sequence[str] = ()
    ) -> str:
        """:func:`policymatch.match.features.region_relation` of an item's region codes (and the
        places it leaves out) and an enterprise's 区划, from the cached chains (the same answer,
        without a path walk per call).
        """
        codes = [c for c in region_codes if not regions.is_nationwide(c)]
        if not codes:
            return "national"
        if not own:
            return "unknown"
        if self._left_out(excluded, own):
            return "outside"
        if own in codes:
            return "same"
        own_chain = self._chain_of_region(own)[0]
        if any(self._chain_of_region(code)[1] in own_chain for code in codes):
            return "contained"  # an item region encloses the enterprise's
        own_code = self._chain_of_region(own)[1]
        if regions.is_nationwide(own) or (
            own_code is not None
            and any(own_code in self._chain_of_region(code)[0] for code in codes)
        ):
            return "unknown"  # the enterprise's region is coarser than the item's
        return "outside"

    def _left_out(self, excluded: Sequence[str], own: str | None) -> bool:
        """Whether the enterprise's 区划 lies in a place the item leaves out (不含宁波市)."""
        if not excluded or not own:
            return False
        own_chain = self._chain_of_region(own)[0]
        return any(self._chain_of_region(code)[1] in own_chain for code in excluded)

    def _chain_of_region(self, code: str | None) -> tuple[frozenset[str], str | None]:
        if code not in self._region_chain:
            normalized = regions.normalize_code(code) if code else None
            chain = {r.code for r in regions.path(code)} if normalized else set()
            if normalized:
                chain.add(normalized)
            self._region_chain[code] = (frozenset(chain), normalized)
        return self._region_chain[code]

    # --------------------------------------------------------------- industry
    def _industry_ok(self, rule: IndustryRule, industry: str) -> bool:
        """``industry`` is a ``columns.industry_key``: registered code and scope codes."""
        key = ("industry", rule, industry)
        if key not in self._decided:
            own, business = split_industry_key(industry)
            self._decided[key] = all(self._industry_set_ok(valid, own, business) for valid in rule)
        return self._decided[key]

    def _industry_set_ok(
        self, valid: tuple[str, ...], own: str | None, business: list[str]
    ) -> bool:
        """Like ``eligibility._industry_judgement``: a code of the set covers the registered
        code or one the scope names, or one of those is coarser than a code of the set."""
        if not valid:
            return True  # no usable industry code: the rules skip the check
        found = self._chain_of_industry(own)
        if found is None:
            return True  # unknown industry: not unmet
        own_chain, own_code = found
        stated = [chain for chain in map(self._chain_of_industry, business) if chain is not None]
        chains = [own_chain, *(chain for chain, _ in stated)]
        codes = [own_code, *(code for _, code in stated)]
        return any(
            any(code in chain for chain in chains)
            or any(own in self._chain_of_industry(code)[0] for own in codes)  # type: ignore[index]
            for code in valid
        )

    def _industry_left_out(self, excluded: tuple[str, ...], own: str | None) -> bool:
        """Whether the enterprise's industry lies in a sector the item leaves out."""
        found = self._chain_of_industry(own)
        if found is None:
            return False  # unknown industry: not unmet
        own_chain = found[0]
        return any(
            chain is not None and chain[1] in own_chain
            for chain in (self._chain_of_industry(code) for code in excluded)
        )

    def _chain_of_industry(self, code: str | None) -> tuple[frozenset[str], str] | None:
        key = code or ""
        if key not in self._industry_chain:
            industry = industries.get(industries.normalize_code(code)) if code else None
            self._industry_chain[key] = (
                (frozenset(industries.ancestors(industry.code)), industry.code)
                if industry
                else None
            )
        return self._industry_chain[key]


_NUMPY_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "==": np.equal,
}
RegionRule = tuple[tuple[str | None, ...], ...]
IndustryRule = tuple[tuple[str, ...], ...]


def _is_number(value: object) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True
