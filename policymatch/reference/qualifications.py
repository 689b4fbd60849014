"""Qualifications and beneficiary kinds: canonical names, the ways people write them, and how
eligibility reads each one.

The table is ``data/qualifications.json``, written by hand and meant to be extended by policy
translators (its ``_about`` says what each key means). Canonical names agree with the card
extractor's beneficiary kinds (中小企业, 小微企业, 个体工商户 …).

Example:
    >>> from policymatch.reference import qualifications
    >>> qualifications.canonical_qualification("国家级高新技术企业")
    '高新技术企业'
    >>> qualifications.find_qualifications("支持国高、科小和专精特新“小巨人”企业")
    ['高新技术企业', '科技型中小企业', '专精特新小巨人']
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from policymatch.errors import InputError
from policymatch.reference._files import DATA_DIR
from policymatch.reference._words import on_word_bounds

logger = logging.getLogger(__name__)

QualificationKind = Literal[
    "qualification",
    "declared",
    "role",
    "size",
    "startup",
    "entity",
    "trade",
    "industry",
    "statistical",
]
KINDS: frozenset[str] = frozenset(QualificationKind.__args__)  # type: ignore[attr-defined]

# Quotes and brackets people put around names (专精特新“小巨人”企业, 《高新技术企业》).
_DECORATION = re.compile(r"[\s\"'“”‘’「」『』《》〈〉]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ABBREVIATION_MAX = 2  # 国高, 高企, 科小: in running text, read only on word boundaries


@dataclass(frozen=True, slots=True)
class StatisticalRule:
    """规上/限上 reading: an enterprise in one of ``industries`` with 营业收入 at least
    ``revenue_at_least`` 万元 counts."""

    industries: tuple[str, ...]
    revenue_at_least: float


@dataclass(frozen=True, slots=True)
class Qualification:
    """One canonical qualification or beneficiary kind.

    Attributes:
        name: Canonical name, e.g. ``高新技术企业``.
        kind: How eligibility reads it (see ``data/qualifications.json``).
        synonyms: Other ways of writing it.
        implies: Canonical names that holding this one also satisfies (小巨人 -> 专精特新).
        exclude: Phrases in which a synonym does not mean this (中小企业公共服务平台).
        industries: GB/T 4754 codes for ``industry`` kinds.
        strict: For ``industry`` kinds: whether another industry rules the enterprise out.
        sizes: For ``size`` kinds: the size classes that qualify (中小企业: 中, 小, 微).
        rules: For ``statistical`` kinds: industry and revenue floors, any of which qualifies.
    """

    name: str
    kind: QualificationKind
    synonyms: tuple[str, ...] = ()
    implies: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    strict: bool = True
    sizes: tuple[str, ...] = ()
    rules: tuple[StatisticalRule, ...] = field(default_factory=tuple)


def clean(text: str) -> str:
    """NFKC, without spaces, quotes and book-title marks: the form names are matched in."""
    return _DECORATION.sub("", unicodedata.normalize("NFKC", text))


class QualificationTable:
    """Canonical names indexed by every way of writing them.

    Args:
        entries: The table rows.
        source: Where they came from, for error messages.

    Raises:
        InputError: A row repeats a name, uses an unknown kind, or implies an unknown name.
    """

    def __init__(self, entries: Iterable[Qualification], source: str = "<table>") -> None:
        self._by_name: dict[str, Qualification] = {}
        self._by_phrase: dict[str, str] = {}
        for entry in entries:
            if entry.kind not in KINDS:
                raise InputError(f"unknown kind {entry.kind!r}", source=source, field=entry.name)
            if entry.name in self._by_name:
                raise InputError("name listed twice", source=source, field=entry.name)
            self._by_name[entry.name] = entry
            for phrase in (entry.name, *entry.synonyms):
                key = clean(phrase)
                known = self._by_phrase.setdefault(key, entry.name)
                if known != entry.name:
                    raise InputError(
                        f"{phrase!r} is already a synonym of {known}",
                        source=source,
                        field=entry.name,
                    )
        for entry in self._by_name.values():
            unknown = [n for n in entry.implies if n not in self._by_name]
            if unknown:
                raise InputError(
                    f"implies unknown names {unknown}", source=source, field=entry.name
                )
        lengths: dict[str, set[int]] = {}
        for phrase in self._by_phrase:
            lengths.setdefault(phrase[0], set()).add(len(phrase))
        self._lengths_from = {c: sorted(n, reverse=True) for c, n in lengths.items()}

    @classmethod
    def load(cls, path: Path = DATA_DIR / "qualifications.json") -> QualificationTable:
        """Read a table in the shape of ``data/qualifications.json``."""
        source = str(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            rows = raw["qualifications"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"cannot read qualification table: {exc}", source=source) from exc
        entries = []
        for index, row in enumerate(rows, start=1):
            try:
                entries.append(
                    Qualification(
                        name=row["name"],
                        kind=row["kind"],
                        synonyms=tuple(row.get("synonyms", ())),
                        implies=tuple(row.get("implies", ())),
                        exclude=tuple(row.get("exclude", ())),
                        industries=tuple(row.get("industries", ())),
                        strict=bool(row.get("strict", True)),
                        sizes=tuple(row.get("sizes", ())),
                        rules=tuple(
                            StatisticalRule(tuple(r["industries"]), float(r["revenue_at_least"]))
                            for r in row.get("rules", ())
                        ),
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise InputError(
                    f"bad entry: {exc}",
                    source=source,
                    line=index,
                    field=str(row.get("name", "")) if isinstance(row, Mapping) else None,
                ) from exc
        return cls(entries, source=source)

    def __iter__(self):
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def get(self, name: str) -> Qualification | None:
        """The entry for a canonical name or any synonym, or None."""
        canonical = self._by_phrase.get(clean(name))
        return self._by_name[canonical] if canonical else None

    def synonyms(self) -> dict[str, str]:
        """Every written form (cleaned) -> canonical name, canonical names included."""
        return dict(self._by_phrase)

    def canonical(self, text: str) -> str | None:
        """Canonical name of one qualification as written (国高 -> 高新技术企业).

        A longer phrase naming exactly one known qualification (``国家级高新技术企业（2021年）``)
        gives that one; text naming none or several gives None.
        """
        key = clean(text)
        if key in self._by_phrase:
            return self._by_phrase[key]
        found = self.find(text)
        return found[0] if len(found) == 1 else None

    def find(self, text: str) -> list[str]:
        """Canonical names mentioned in ``text``, in order of first mention, each once.

        The longest written form wins where forms overlap (专精特新小巨人 over 专精特新, and
        高新技术企业 over the 国高 in 全国高新技术企业).
        """
        cleaned = clean(text)
        found: list[str] = []
        position = 0
        while position < len(cleaned):
            match = self._match_at(cleaned, position)
            if match is None or self._longer_inside(cleaned, position, len(match)):
                position += 1
                continue
            canonical = self._by_phrase[match]
            if not self._excluded(canonical, cleaned, position):
                found.append(canonical)
            position += len(match)
        return list(dict.fromkeys(found))

    def _match_at(self, text: str, position: int) -> str | None:
        for length in self._lengths_from.get(text[position : position + 1], ()):
            phrase = text[position : position + length]
            if len(phrase) < length or phrase not in self._by_phrase:
                continue
            if (
                length <= _ABBREVIATION_MAX
                and self._touches_cjk(text, position, length)
                and not on_word_bounds(text, position, length)
            ):
                continue  # 高企 in 提高企业, 国高 in 全国高校
            return phrase
        return None

    @staticmethod
    def _touches_cjk(text: str, position: int, length: int) -> bool:
        before = text[position - 1] if position > 0 else ""
        after = text[position + length] if position + length < len(text) else ""
        return bool(_CJK.match(before) or _CJK.match(after))

    def _longer_inside(self, text: str, position: int, length: int) -> bool:
        for start in range(position + 1, position + length):
            other = self._match_at(text, start)
            if other is not None and start + len(other) > position + length:
                return True
        return False

    def _excluded(self, canonical: str, text: str, position: int) -> bool:
        entry = self._by_name[canonical]
        for phrase in entry.exclude:
            phrase = clean(phrase)
            start = max(0, position - len(phrase))
            window = text[start : position + len(phrase)]
            index = window.find(phrase)
            if index != -1 and start + index <= position < start + index + len(phrase):
                return True
        return False

    def expand(self, names: Iterable[str]) -> set[str]:
        """Canonical names held, with every name they imply (小巨人 -> 专精特新, 创新型)."""
        held: set[str] = set()
        pending = [self.canonical(n) or n for n in names]
        while pending:
            name = pending.pop()
            if name in held:
                continue
            held.add(name)
            entry = self._by_name.get(name)
            if entry:
                pending.extend(entry.implies)
        return held


@cache
def default_table() -> QualificationTable:
    """The packaged table, read once."""
    return QualificationTable.load()


def get(name: str) -> Qualification | None:
    """See :meth:`QualificationTable.get`."""
    return default_table().get(name)


def canonical_qualification(text: str) -> str | None:
    """See :meth:`QualificationTable.canonical`."""
    return default_table().canonical(text)


def is_role(name: str) -> bool:
    """Whether a kind (canonical or as written) is another kind of applicant (``role``)."""
    entry = get(canonical_qualification(name) or name)
    return entry is not None and entry.kind == "role"


def find_qualifications(text: str) -> list[str]:
    """See :meth:`QualificationTable.find`; a new list the caller may change."""
    return list(_find_packaged(text))


@lru_cache(maxsize=4096)  # a profile's tags are read again for every item judged
def _find_packaged(text: str) -> tuple[str, ...]:
    return tuple(default_table().find(text))


def expand(names: Iterable[str]) -> set[str]:
    """See :meth:`QualificationTable.expand`; a new set the caller may change."""
    return set(_expand_packaged(tuple(names)))


@lru_cache(maxsize=4096)  # eligibility expands the same profile's names once per item
def _expand_packaged(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(default_table().expand(names))


def synonyms() -> dict[str, str]:
    """See :meth:`QualificationTable.synonyms`."""
    return default_table().synonyms()
