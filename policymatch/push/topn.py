"""Bounded top-N lists per policy, merged across chunks (and across Ray workers) deterministically."""

from __future__ import annotations

from collections.abc import Iterable

from policymatch.push.models import PushEntry

# Scores are rounded to this many decimals; a candidate whose upper bound is within this of the
# floor may still tie it after rounding, so it is judged rather than dropped.
SCORE_DECIMALS = 6
ROUNDING_SLACK = 10.0**-SCORE_DECIMALS


def merge_top(entries: Iterable[PushEntry], top: int) -> list[PushEntry]:
    """The ``top`` best entries, one per enterprise (its best), best first.

    Order: higher score first, then smaller enterprise id, so equal inputs give equal lists
    whatever order the chunks or workers delivered them in.
    """
    best: dict[str, PushEntry] = {}
    for entry in entries:
        current = best.get(entry.enterprise_id)
        if current is None or _better(entry, current):
            best[entry.enterprise_id] = entry
    return sorted(best.values(), key=PushEntry.sort_key)[:top]


def floor_of(entries: list[PushEntry], top: int) -> float:
    """The score a new entry must reach to possibly enter a full list; -inf while not full.

    ``entries`` is a list as :func:`merge_top` returns it (best first).
    """
    if len(entries) < top:
        return float("-inf")
    return entries[top - 1].score - ROUNDING_SLACK


def _better(a: PushEntry, b: PushEntry) -> bool:
    return (-a.score, a.item_id) < (-b.score, b.item_id)
