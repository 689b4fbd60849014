"""Snippets of item text around what matched, and <mark> highlighting that stays HTML-safe."""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape


def _terms_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    # Longest first so 贷款贴息 wins over 贷款; single characters would mark half the text.
    unique = sorted({t.strip() for t in terms if t and len(t.strip()) >= 2}, key=len, reverse=True)
    if not unique:
        return None
    return re.compile("|".join(re.escape(t) for t in unique))


def snippet(text: str, terms: Iterable[str], width: int = 160) -> str:
    """A window of about ``width`` characters of ``text`` around the first matched term.

    Falls back to the opening of the text when no term occurs. Whitespace runs are collapsed.
    """
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= width:
        return flat
    pattern = _terms_pattern(terms)
    found = pattern.search(flat) if pattern else None
    start = 0 if found is None else max(0, found.start() - width // 4)
    end = min(len(flat), start + width)
    start = max(0, end - width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    return f"{prefix}{flat[start:end]}{suffix}"


def highlight(text: str, terms: Iterable[str]) -> Markup:
    """``text`` escaped for HTML with every occurrence of ``terms`` wrapped in ``<mark>``."""
    pattern = _terms_pattern(terms)
    if pattern is None:
        return Markup(escape(text))
    pieces: list[str] = []
    last = 0
    for found in pattern.finditer(text):
        pieces.append(escape(text[last : found.start()]))
        pieces.append(Markup("<mark>") + escape(found.group(0)) + Markup("</mark>"))
        last = found.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)
