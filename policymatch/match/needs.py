"""Need taxonomy: what an enterprise asks for, mapped to what a policy item gives.

The table lives in ``data/need_taxonomy.json`` so policy translators can extend it without code.
A path in ``POLICYMATCH_NEED_TAXONOMY`` replaces the packaged table.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Need:
    """One need category with the phrases that signal it on each side."""

    name: str
    enterprise_phrases: tuple[str, ...]
    support_types: tuple[str, ...]
    item_phrases: tuple[str, ...]


@dataclass(frozen=True)
class NeedTaxonomy:
    needs: tuple[Need, ...]

    def enterprise_needs(self, text: str) -> set[str]:
        """Need names the enterprise's own words (needs, description) express."""
        return {n.name for n in self.needs if any(p in text for p in n.enterprise_phrases)}

    def item_offers(self, text: str, support_types: list[str] | tuple[str, ...] = ()) -> set[str]:
        """Need names a policy item serves, from its support types and its wording."""
        types = set(support_types)
        return {
            n.name
            for n in self.needs
            if types.intersection(n.support_types) or any(p in text for p in n.item_phrases)
        }


def _parse(raw: dict) -> NeedTaxonomy:
    return NeedTaxonomy(
        tuple(
            Need(
                name=entry["need"],
                enterprise_phrases=tuple(entry.get("enterprise", [])),
                support_types=tuple(entry.get("support_types", [])),
                item_phrases=tuple(entry.get("item", [])),
            )
            for entry in raw["needs"]
        )
    )


@lru_cache(maxsize=4)
def load_need_taxonomy(path: str | None = None) -> NeedTaxonomy:
    """Load the taxonomy from ``path``, ``$POLICYMATCH_NEED_TAXONOMY`` or the packaged file."""
    chosen = path or os.environ.get("POLICYMATCH_NEED_TAXONOMY")
    if chosen:
        return _parse(json.loads(Path(chosen).read_text(encoding="utf-8")))
    packaged = resources.files("policymatch.match").joinpath("data/need_taxonomy.json")
    return _parse(json.loads(packaged.read_text(encoding="utf-8")))
