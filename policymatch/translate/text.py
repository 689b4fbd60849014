"""Sentences of an item, each tagged with where it came from, for extractors to read.

Extractors never see a bare string: they see :class:`Sentence` objects that carry the
original wording (so a card line can quote it) next to a width-folded copy that regular
expressions read. Folding maps full-width ASCII to half-width one character for one
character, so offsets in the folded copy are offsets in the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Origin = Literal["title", "heading", "text", "context", "document"]

_FULL_WIDTH_OFFSET = 0xFEE0
# Sentence ends: 。；！？ and their half-width forms, and line breaks. A semicolon ends a
# sentence because policies list parallel grants with it (…奖励30万元；…奖励10万元).
_SENTENCE_END = re.compile(r"[。；;！!？?\n]+")
_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")


_FOLD = {code: code - _FULL_WIDTH_OFFSET for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold_width(text: str) -> str:
    """Map full-width ASCII forms (１，（ …) and the ideographic space to half-width.

    Args:
        text: Any string.

    Returns:
        A string of the same length, so offsets carry over unchanged.
    """
    return text.translate(_FOLD)


def strip_quotes(text: str) -> str:
    """Drop quotation marks, which policies put around titles (“专精特新”中小企业)."""
    return text.translate(_QUOTES)


@dataclass(frozen=True)
class Sentence:
    """One sentence of an item.

    Attributes:
        text: The sentence as written (stripped), quoted as a card line's source.
        folded: ``fold_width(text)``: what the extractors' patterns read.
        origin: Which part of the item or document it came from.
    """

    text: str
    folded: str
    origin: Origin


def split_sentences(text: str, origin: Origin) -> list[Sentence]:
    """Split text into sentences at 。；！？ and line breaks.

    Args:
        text: Item text, a heading, the inherited context, or document text.
        origin: Tag copied onto every sentence.

    Returns:
        Non-empty sentences in reading order.
    """
    sentences = []
    for piece in _SENTENCE_END.split(text or ""):
        piece = piece.strip()
        if piece:
            sentences.append(Sentence(piece, fold_width(piece), origin))
    return sentences


_CLAUSE_END = re.compile(r"[,，:：]")


def split_clauses(folded: str) -> list[tuple[int, str]]:
    """Split a folded sentence into comma-separated clauses.

    Returns:
        ``(start_offset, clause)`` pairs; offsets index the folded sentence.
    """
    clauses = []
    start = 0
    for match in _CLAUSE_END.finditer(folded):
        if match.start() > start:
            clauses.append((start, folded[start : match.start()]))
        start = match.end()
    if start < len(folded):
        clauses.append((start, folded[start:]))
    return clauses


def clause_at(folded: str, position: int) -> str | None:
    """The clause of a folded sentence that holds ``position`` (None on a separator)."""
    for start, clause in split_clauses(folded):
        if start <= position < start + len(clause):
            return clause
    return None
