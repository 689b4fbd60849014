"""What kind of support an item gives (资金奖励, 补贴, 贷款贴息 …), from ``data/support_types.json``."""

from __future__ import annotations

from dataclasses import dataclass

from policymatch.translate.tables import KindWords, support_types
from policymatch.translate.text import Sentence


@dataclass(frozen=True)
class SupportTypeHit:
    """One support type and the first sentence that named it."""

    name: str
    source: str


def _mask(text: str, phrases: tuple[str, ...]) -> str:
    """Blank out phrases that must not count (奖励 inside 科学技术奖励), keeping offsets."""
    for phrase in phrases:
        text = text.replace(phrase, " " * len(phrase))
    return text


def _named_in(kind: KindWords, folded: str) -> bool:
    masked = _mask(folded, kind.exclude)
    return any(keyword in masked for keyword in kind.keywords)


def find_support_types(sentences: list[Sentence]) -> list[SupportTypeHit]:
    """Support types named in the sentences, in the table's order, each once.

    Args:
        sentences: Title and text sentences of the item (not the inherited context, whose
            wording is shared by every item of the document).

    Returns:
        One hit per support type with the first sentence that names it.
    """
    hits = []
    for kind in support_types():
        source = next((s.text for s in sentences if _named_in(kind, s.folded)), None)
        if source is not None:
            hits.append(SupportTypeHit(kind.name, source))
    return hits
