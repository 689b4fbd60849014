"""GB/T 4754-2017 国民经济行业分类: sections (A..T), divisions (2 digits), groups (3), classes (4).

The table is ``data/industries.tsv`` (names only), built by ``scripts/build_reference.py``;
``data/industry_keywords.tsv`` maps the names policies use (工业, 服务业, 软件业 …) to codes and
can be edited by hand.

Example:
    >>> from policymatch.reference import industries
    >>> industries.lookup("通用设备制造").code
    '34'
    >>> industries.ancestors("3911")
    ['C', '39', '391', '3911']
    >>> industries.matches("C", "3911")
    True
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from policymatch.errors import InputError
from policymatch.reference._files import DATA_DIR, read_tsv

logger = logging.getLogger(__name__)

IndustryLevel = Literal["section", "division", "group", "class"]
Relation = Literal["covers", "inside", "disjoint"]

_CODE = re.compile(r"(?P<section>[A-Ta-t])?(?P<digits>\d{2,4})?")
_FUZZY_MIN_SCORE = 0.6  # Dice over character bigrams; below this a name is not the same industry


@dataclass(frozen=True, slots=True)
class Industry:
    """One GB/T 4754-2017 category.

    Attributes:
        code: ``"C"``, ``"39"``, ``"391"`` or ``"3911"``.
        name: e.g. ``"计算机、通信和其他电子设备制造业"``.
        level: ``section`` (门类), ``division`` (大类), ``group`` (中类) or ``class`` (小类).
        parent: Code one level up; None for a section.
    """

    code: str
    name: str
    level: IndustryLevel
    parent: str | None


@lru_cache(maxsize=8192)  # rules ask for the same few codes once per item and enterprise
def normalize_code(code: str | None) -> str | None:
    """Canonical form of a written code: ``"c"`` -> ``"C"``, ``"C3911"`` -> ``"3911"``.

    Returns None when the text is not shaped like a GB/T 4754 code (it may still be unknown).
    """
    if code is None:
        return None
    text = unicodedata.normalize("NFKC", str(code)).strip().replace(" ", "")
    match = _CODE.fullmatch(text)
    if not text or match is None:
        return None
    return match["digits"] or match["section"].upper()


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


class IndustryTable:
    """GB/T 4754-2017 indexed by code and name, plus the policy keyword map.

    Args:
        industries: Every category, parents included.
        keywords: Policy wording -> codes (工业 -> B, C, D).
    """

    def __init__(
        self, industries: Iterable[Industry], keywords: dict[str, tuple[str, ...]]
    ) -> None:
        self._by_code: dict[str, Industry] = {i.code: i for i in industries}
        self._keywords = dict(keywords)
        self._by_name: dict[str, Industry] = {}
        for industry in self._by_code.values():
            known = self._by_name.get(industry.name)
            if known is None or len(industry.code) < len(known.code):  # 019 and 0190 share a name
                self._by_name[industry.name] = industry
        for keyword, codes in self._keywords.items():
            unknown = [c for c in codes if c not in self._by_code]
            if unknown:
                raise InputError(
                    f"keyword {keyword!r} maps to unknown codes {unknown}",
                    source="industry_keywords.tsv",
                    field=keyword,
                )
        self._name_bigrams = {name: _bigrams(name) for name in self._by_name}

    @classmethod
    def load(
        cls,
        path: Path = DATA_DIR / "industries.tsv",
        keywords_path: Path = DATA_DIR / "industry_keywords.tsv",
    ) -> IndustryTable:
        """Read the packaged tables."""
        industries = [
            Industry(
                code=r["code"],
                name=r["name"],
                level=r["level"],  # type: ignore[arg-type]
                parent=r["parent"] or None,
            )
            for r in read_tsv(path)
        ]
        keywords = {
            r["keyword"].strip(): tuple(r["codes"].split()) for r in read_tsv(keywords_path)
        }
        return cls(industries, keywords)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self):
        return iter(self._by_code.values())

    def get(self, code: str | None) -> Industry | None:
        """The category with this code (``C3911`` and ``3911`` alike), or None."""
        normalized = normalize_code(code)
        return self._by_code.get(normalized) if normalized else None

    def _require(self, code: str) -> Industry:
        industry = self.get(code)
        if industry is None:
            raise InputError(f"unknown GB/T 4754-2017 code {code!r}", field="industry_code")
        return industry

    def ancestors(self, code: str) -> list[str]:
        """Codes from the section down to ``code``: ``'3911'`` -> ``['C', '39', '391', '3911']``.

        Raises:
            InputError: ``code`` is not in GB/T 4754-2017.
        """
        chain = [self._require(code)]
        while chain[-1].parent:
            chain.append(self._by_code[chain[-1].parent])
        return [i.code for i in reversed(chain)]

    def section_of(self, code: str) -> str:
        """Section letter of a code: ``'6513'`` -> ``'I'``. Raises InputError for an unknown code."""
        return self.ancestors(code)[0]

    def keyword_codes(self, text: str) -> list[str]:
        """Codes for a policy wording in the keyword map (工业 -> ['B', 'C', 'D']), else []."""
        return list(self._keywords.get(unicodedata.normalize("NFKC", text).strip(), ()))

    def business_codes(self, text: str, code: str) -> list[str]:
        """Codes the keyword map gives for words of ``text`` (a business scope, tags), kept to
        the section of the registered ``code``.

        A firm registered under 6520 whose scope says 人工智能模型训练 also does 6513/6519/6450:
        within its section a scope names its business better than one registered code does,
        while a trader's 化工产品销售 names goods it sells, not an industry it is in (another
        section, dropped).
        """
        own = self.get(code)
        if own is None:
            return []
        section = self.section_of(own.code)
        folded = unicodedata.normalize("NFKC", text)
        found: dict[str, None] = {}
        for keyword, codes in self._keywords.items():
            if keyword in folded:
                found.update(dict.fromkeys(c for c in codes if self.section_of(c) == section))
        return [c for c in found if c != own.code]

    def lookup(self, name_or_code: str | None) -> Industry | None:
        """The category a code or name stands for.

        Tried in order: a code (``3911``, ``C3911``, ``C``); a keyword naming one code
        (软件业 -> 65); the exact name; the name with or without a final 业 (通用设备制造 ->
        34); the shortest name containing the text; the longest name the text contains; the
        closest name by character bigrams if it is close enough. A keyword naming several
        codes (工业) gives None here: use :meth:`lookup_codes`.
        """
        if name_or_code is None:
            return None
        text = unicodedata.normalize("NFKC", str(name_or_code)).strip()
        if not text:
            return None
        if normalize_code(text) is not None:
            return self.get(text)
        codes = self._keywords.get(text)
        if codes:
            return self._by_code[codes[0]] if len(codes) == 1 else None
        for name in (text, text + "业", text.removesuffix("业")):
            if name in self._by_name:
                return self._by_name[name]
        return self._fuzzy(text)

    def lookup_codes(self, name_or_code: str | None) -> list[str]:
        """Every code a wording stands for: keyword map first (工业 -> B, C, D), else lookup."""
        if name_or_code is None:
            return []
        codes = self.keyword_codes(str(name_or_code))
        if codes:
            return codes
        industry = self.lookup(name_or_code)
        return [industry.code] if industry else []

    def _fuzzy(self, text: str) -> Industry | None:
        def rank(industry: Industry) -> tuple[int, int]:
            return (len(industry.name), len(industry.code))

        # a two-character text inside a longer name is often a word across two (化工 in 绿化工程)
        containing = [
            i
            for n, i in self._by_name.items()
            if text in n and (len(text) >= 3 or n.startswith(text))
        ]
        if containing:
            return min(containing, key=rank)
        contained = [i for n, i in self._by_name.items() if len(n) >= 2 and n in text]
        if contained:
            return max(contained, key=lambda i: (len(i.name), -len(i.code)))
        query = _bigrams(text)
        best, best_score = None, 0.0
        for name, grams in self._name_bigrams.items():
            score = 2 * len(query & grams) / (len(query) + len(grams))
            if score > best_score or (
                score == best_score and best and rank(self._by_name[name]) < rank(best)
            ):
                best, best_score = self._by_name[name], score
        if best_score >= _FUZZY_MIN_SCORE:
            return best
        logger.debug("no industry close to %r (best %.2f)", text, best_score)
        return None

    def relation(self, item_code: str, enterprise_code: str) -> Relation:
        """How a policy item's industry relates to an enterprise's.

        Returns:
            ``covers`` when the item's category includes the enterprise's (C covers 3911),
            ``inside`` when the enterprise's code is coarser and includes the item's (the
            enterprise is in 39, the item wants 3911: cannot tell), ``disjoint`` otherwise.

        Raises:
            InputError: either code is not in GB/T 4754-2017.
        """
        item_chain = self.ancestors(item_code)
        enterprise_chain = self.ancestors(enterprise_code)
        if item_chain[-1] in enterprise_chain:
            return "covers"
        if enterprise_chain[-1] in item_chain:
            return "inside"
        return "disjoint"

    def matches(self, item_code: str, enterprise_code: str) -> bool:
        """Whether an item for ``item_code`` covers an enterprise classed ``enterprise_code``."""
        return self.relation(item_code, enterprise_code) == "covers"


@cache
def default_table() -> IndustryTable:
    """The packaged table, read once."""
    return IndustryTable.load()


def get(code: str | None) -> Industry | None:
    """See :meth:`IndustryTable.get`."""
    return default_table().get(code)


def lookup(name_or_code: str | None) -> Industry | None:
    """See :meth:`IndustryTable.lookup`."""
    return default_table().lookup(name_or_code)


def lookup_codes(name_or_code: str | None) -> list[str]:
    """See :meth:`IndustryTable.lookup_codes`."""
    return default_table().lookup_codes(name_or_code)


def keyword_codes(text: str) -> list[str]:
    """See :meth:`IndustryTable.keyword_codes`."""
    return default_table().keyword_codes(text)


def business_codes(text: str, code: str) -> list[str]:
    """See :meth:`IndustryTable.business_codes`."""
    return default_table().business_codes(text, code)


def ancestors(code: str) -> list[str]:
    """See :meth:`IndustryTable.ancestors`."""
    return default_table().ancestors(code)


def section_of(code: str) -> str:
    """See :meth:`IndustryTable.section_of`."""
    return default_table().section_of(code)


@lru_cache(maxsize=8192)
def relation(item_code: str, enterprise_code: str) -> Relation:
    """See :meth:`IndustryTable.relation` (memoised: the packaged table never changes)."""
    return default_table().relation(item_code, enterprise_code)


def matches(item_code: str, enterprise_code: str) -> bool:
    """See :meth:`IndustryTable.matches`."""
    return default_table().matches(item_code, enterprise_code)
