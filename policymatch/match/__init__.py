"""Matching: index -> retrieve -> fuse -> eligibility rules -> features -> rank -> explain.

``Matcher`` (in :mod:`policymatch.match.matcher`) is the entry point; it is imported lazily here
so that reading :mod:`policymatch.match.results` does not load FAISS and the embedder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policymatch.match.index import PolicyIndex
    from policymatch.match.matcher import MatchConfig, Matcher

__all__ = ["MatchConfig", "Matcher", "PolicyIndex"]


def __getattr__(name: str) -> Any:
    if name in ("Matcher", "MatchConfig"):
        from policymatch.match import matcher

        return getattr(matcher, name)
    if name == "PolicyIndex":
        from policymatch.match.index import PolicyIndex

        return PolicyIndex
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
