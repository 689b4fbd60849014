"""区划: provinces, cities and counties by 6-digit code, and finding them in free text.

The table is ``data/regions.tsv`` (统计用区划代码 2023 without functional zones such as 高新区),
built by ``scripts/build_reference.py``. 直辖市 have a city-level node (110100 for 北京市) between
the province and its districts; counties directly under a province (济源市, 仙桃市, 海南's
县级市) hang from the province code.

Example:
    >>> from policymatch.reference import regions
    >>> regions.lookup("山东省济南市历城区").code
    '370112'
    >>> regions.contains("370100", "370112"), regions.contains("370100", "370212")
    (True, False)
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from policymatch.reference._files import DATA_DIR, read_tsv
from policymatch.reference._words import word_bounds

logger = logging.getLogger(__name__)

RegionLevel = Literal["province", "city", "county"]
LEVEL_RANK: dict[str, int] = {"province": 1, "city": 2, "county": 3}
NATIONWIDE_CODES = frozenset({"", "000000", "100000"})

# Short city names that are everyday words in policy text (朝阳产业, 大同小异, 长治久安, 来宾 ...):
# they count as places only right after their province, or as the whole text.
_WORDLIKE_SHORT_NAMES = frozenset(
    {
        "朝阳",
        "大同",
        "长治",
        "安康",
        "来宾",
        "阿里",
        "白银",
        "大理",
        "北海",
        "和田",
        "哈密",
        "普洱",
        "玉树",
        "红河",
        "中山",
        "东方",
        "海东",
        "海西",
        "黄山",
        "文山",
        "山南",
        "兴安",
        "吉安",
        "永安",
    }
)
# County names that are also common words (老城区棚户区, 新建区的绿地, 沿海城市, 相应城市): read
# only after an enclosing region was mentioned somewhere earlier in the text.
_WORDLIKE_COUNTY_NAMES = frozenset(
    {
        "新建区",
        "老城区",
        "新城区",
        "新市区",
        "海南区",
        "港口区",
        "长安区",
        "新华区",
        "平安区",
        "和平区",
        "城中区",
        "城东区",
        "城西区",
        "城北区",
        "城南区",
        "白云区",
    }
)
# A county name followed by one of these is a word: 县域, 区域, 县级.
_WORD_AFTER_COUNTY = frozenset("域级")
# Functional zones are not divisions of the table; jieba keeps some as one word (苏州工业园区),
# so a city or county name right before one still ends there and the zone resolves to it.
_ZONE_AFTER = re.compile(
    r"高新技术产业开发区|经济技术开发区|经济开发区|高新区|经开区|开发区|工业园区|新区|保税区|自贸区"
)
_CODE = re.compile(r"\d{6}(?:\d{3}(?:\d{3})?)?")
_SEPARATORS = re.compile(r"[\s·•,，、/\\|\-—_()（）\[\]【】:：;；]+")


@dataclass(frozen=True, slots=True)
class Region:
    """One 区划.

    Attributes:
        code: 6-digit code, e.g. ``"370112"``.
        name: Full name, e.g. ``"历城区"``.
        short_name: Name without its administrative suffix, e.g. ``"历城"``.
        level: ``province``, ``city`` or ``county``.
        parent: Code of the enclosing region, None for a province.
        separately_planned: A 计划单列市 (大连, 青岛, 宁波, 厦门, 深圳).
        municipality: A 直辖市 or the city-level node of one.
    """

    code: str
    name: str
    short_name: str
    level: RegionLevel
    parent: str | None
    separately_planned: bool = False
    municipality: bool = False


# How much a name needs before it counts as a place (the whole text always counts).
_FREE, _AFTER_ANY_ANCESTOR, _AFTER_PARENT = 0, 1, 2


@dataclass(frozen=True, slots=True)
class _NameEntry:
    region: Region
    gate: int  # _FREE, _AFTER_ANY_ANCESTOR (mentioned earlier), _AFTER_PARENT (right before)


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    region: Region


def normalize_code(code: str | int | None) -> str | None:
    """A 6-digit code from a 6-, 9- or 12-digit code (``370112000000`` -> ``370112``), else None."""
    if code is None:
        return None
    text = unicodedata.normalize("NFKC", str(code)).strip()
    if not _CODE.fullmatch(text):
        return None
    return text[:6]


class RegionTable:
    """All regions, indexed by code and by name.

    Args:
        regions: Every region; parents must be present for paths to be complete.
    """

    def __init__(self, regions: Iterable[Region]) -> None:
        self._by_code: dict[str, Region] = {r.code: r for r in regions}
        self._by_name: dict[str, tuple[_NameEntry, ...]] = self._index_names()
        # name lengths by first character, longest first: most characters start no name
        lengths: dict[str, set[int]] = {}
        for name in self._by_name:
            lengths.setdefault(name[0], set()).add(len(name))
        self._lengths_from = {c: sorted(n, reverse=True) for c, n in lengths.items()}

    @classmethod
    def load(cls, path: Path = DATA_DIR / "regions.tsv") -> RegionTable:
        """Read the table written by ``scripts/build_reference.py``."""
        regions = []
        for row in read_tsv(path):
            flags = row["flags"]
            regions.append(
                Region(
                    code=row["code"],
                    name=row["name"],
                    short_name=row["short_name"],
                    level=row["level"],  # type: ignore[arg-type]
                    parent=row["parent"] or None,
                    separately_planned=flags == "计划单列市",
                    municipality=flags in ("直辖市", "直辖市辖区"),
                )
            )
        return cls(regions)

    def _index_names(self) -> dict[str, tuple[_NameEntry, ...]]:
        index: dict[str, list[_NameEntry]] = {}

        def add(name: str, region: Region, gate: int) -> None:
            entries = index.setdefault(name, [])
            if all(e.region.code != region.code for e in entries):
                entries.append(_NameEntry(region, gate))

        for region in self._by_code.values():
            parent = self._by_code.get(region.parent or "")
            if region.municipality and region.level == "city":
                continue  # 北京市's city node: the name means the province
            if parent is not None and parent.name == region.name:
                continue  # 嘉峪关市 the county inside 嘉峪关市 the city
            add(region.name, region, self._full_name_gate(region))
            if region.short_name != region.name:
                wordlike = region.level == "county" or region.short_name in _WORDLIKE_SHORT_NAMES
                add(region.short_name, region, _AFTER_PARENT if wordlike else _FREE)
        return {name: tuple(entries) for name, entries in index.items()}

    @staticmethod
    def _full_name_gate(region: Region) -> int:
        if region.level != "county":
            return _FREE
        if len(region.name) <= 2:  # 和县, 范县, 矿区, 城区: parts of 县域, 示范县, 老石旦矿区
            return _AFTER_PARENT
        if region.name in _WORDLIKE_COUNTY_NAMES or region.name.endswith("城市"):
            return _AFTER_ANY_ANCESTOR
        return _FREE

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self):
        return iter(self._by_code.values())

    def get(self, code: str | int | None) -> Region | None:
        """The region with this code (6, 9 or 12 digits), or None if it is not in the table."""
        normalized = normalize_code(code)
        return self._by_code.get(normalized) if normalized else None

    def path(self, code: str | int | None) -> list[Region]:
        """Regions from the province down to ``code`` itself; empty for an unknown code.

        A code missing from the table (an older county, say) still gets the known province
        and city that its digits name.
        """
        normalized = normalize_code(code)
        if normalized is None:
            return []
        region = self._by_code.get(normalized)
        if region is None:
            prefixes = (normalized[:2] + "0000", normalized[:4] + "00")
            return [r for r in dict.fromkeys(self._by_code.get(p) for p in prefixes) if r]
        chain = [region]
        while chain[-1].parent and chain[-1].parent in self._by_code:
            chain.append(self._by_code[chain[-1].parent])
        return chain[::-1]

    def display_name(self, code: str | int | None) -> str:
        """Full name along the path, e.g. ``山东省济南市历城区`` or ``北京市朝阳区``; '' if unknown."""
        names: list[str] = []
        for region in self.path(code):
            if not names or names[-1] != region.name:
                names.append(region.name)
        return "".join(names)

    def contains(self, outer: str | int | None, inner: str | int | None) -> bool:
        """Whether region ``outer`` encloses (or is) region ``inner``.

        Args:
            outer: Code of the enclosing region; None, ``""``, ``"000000"`` or ``"100000"``
                mean nationwide and contain everything.
            inner: Code of the region tested; None (unknown) is contained only nationwide.
        """
        if outer is None or str(outer).strip() in NATIONWIDE_CODES:
            return True
        outer_code = normalize_code(outer)
        if outer_code is None or inner is None:
            return False
        return any(r.code == outer_code for r in self.path(inner)) or outer_code == normalize_code(
            inner
        )

    def find_all(self, text: str) -> list[Region]:
        """Regions mentioned in ``text``, in order of first mention, each once.

        Full names are always read; short names of provinces and cities too (山东, 济南), except
        the few that are everyday words. A short county name (历城) counts only right after an
        enclosing region (济南历城) or as the whole text. A name shared by several regions
        (鼓楼区, 市中区) is resolved by a province or city mentioned earlier in the text and
        dropped when nothing resolves it.
        """
        code_region = self.get(text)
        if code_region is not None:
            return [code_region]
        return list(dict.fromkeys(m.region for m in self._mentions(text)))

    def lookup(self, text: str | int | None) -> Region | None:
        """The most specific region that ``text`` names (a name, short name, code or free text).

        Example: ``lookup("山东省济南市历城区")`` is 历城区 (370112); ``lookup("鼓楼区")`` is None
        (four cities have one) while ``lookup("福建省福州市鼓楼区")`` is 350102.
        """
        if text is None:
            return None
        code_region = self.get(text)
        if code_region is not None:
            return code_region
        best: _Mention | None = None
        for mention in self._mentions(str(text)):
            if best is None or LEVEL_RANK[mention.region.level] > LEVEL_RANK[best.region.level]:
                best = mention
        return best.region if best else None

    def _mentions(self, text: str) -> list[_Mention]:
        cleaned = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
        mentions: list[_Mention] = []
        position = 0
        while position < len(cleaned):
            step = 1
            for length in self._lengths_from.get(cleaned[position], ()):
                key = cleaned[position : position + length]
                entries = self._by_name.get(key) if len(key) == length else None
                if not entries:
                    continue
                whole_text = length == len(cleaned)
                next_char = cleaned[position + length : position + length + 1]
                usable = [
                    e
                    for e in entries
                    if whole_text or self._gate_open(e, mentions, position, next_char)
                ]
                if not usable or not (
                    whole_text or self._stands_alone(cleaned, position, length, mentions)
                ):
                    continue
                if any(e.gate == _FREE for e in usable):  # 天津河北: the province, not 河北区
                    usable = [e for e in usable if e.gate == _FREE]
                region = self._resolve([e.region for e in usable], mentions)
                if region is not None:
                    mentions.append(_Mention(position, position + length, region))
                else:
                    logger.debug("region name %s is ambiguous in %r", key, text[:80])
                step = length
                break
            position += step
        return mentions

    def _stands_alone(self, text: str, start: int, length: int, mentions: list[_Mention]) -> bool:
        """Whether a name is a word of its own, not part of another (医保定点, 江河源头).

        Word boundaries come from jieba, plus the edges of neighbouring region names: jieba
        keeps 上海市浦东新区 as one word, and 上海市 must still count.
        """
        end = start + length
        starts, ends = word_bounds(text, start, length)
        starts = starts or start == 0 or (bool(mentions) and mentions[-1].end == start)
        ends = (
            ends
            or end == len(text)
            or _ZONE_AFTER.match(text, end) is not None
            or any(
                text[end : end + n] in self._by_name
                for n in self._lengths_from.get(text[end : end + 1], ())
            )
        )
        return starts and ends

    def _gate_open(
        self, entry: _NameEntry, mentions: list[_Mention], position: int, next_char: str
    ) -> bool:
        region = entry.region
        if region.level == "county" and next_char in _WORD_AFTER_COUNTY and next_char:
            return False
        if entry.gate == _FREE:
            return True
        ancestors = {r.code for r in self.path(region.code)[:-1]}
        if entry.gate == _AFTER_ANY_ANCESTOR:
            return any(m.region.code in ancestors for m in mentions)
        return (
            bool(mentions)
            and mentions[-1].end == position
            and (mentions[-1].region.code in ancestors)
        )

    def _resolve(self, candidates: list[Region], mentions: list[_Mention]) -> Region | None:
        if len(candidates) == 1:
            return candidates[0]

        def context_key(region: Region) -> tuple[int, int]:
            # deepest enclosing region mentioned earlier, then the latest such mention
            ancestors = {r.code for r in self.path(region.code)[:-1]}
            best = (0, -1)
            for index, mention in enumerate(mentions):
                if mention.region.code in ancestors:
                    best = max(best, (LEVEL_RANK[mention.region.level], index))
            return best

        keyed = [(context_key(c), c) for c in candidates]
        top = max(key for key, _ in keyed)
        chosen = [c for key, c in keyed if key == top]
        if top[0] == 0:  # nothing earlier encloses any of them: a province wins over its namesakes
            highest = min(LEVEL_RANK[c.level] for c in chosen)
            chosen = [c for c in chosen if LEVEL_RANK[c.level] == highest]
        return chosen[0] if len(chosen) == 1 else None


@cache
def default_table() -> RegionTable:
    """The packaged table, read once."""
    return RegionTable.load()


def get(code: str | int | None) -> Region | None:
    """See :meth:`RegionTable.get`."""
    return default_table().get(code)


def path(code: str | int | None) -> list[Region]:
    """See :meth:`RegionTable.path`."""
    return default_table().path(code)


def display_name(code: str | int | None) -> str:
    """See :meth:`RegionTable.display_name`."""
    return default_table().display_name(code)


def contains(outer: str | int | None, inner: str | int | None) -> bool:
    """See :meth:`RegionTable.contains`."""
    return default_table().contains(outer, inner)


def lookup(text: str | int | None) -> Region | None:
    """See :meth:`RegionTable.lookup`."""
    return default_table().lookup(text)


def find_all(text: str) -> list[Region]:
    """See :meth:`RegionTable.find_all`."""
    return default_table().find_all(text)


def is_nationwide(code: str | None) -> bool:
    """Whether a region code stands for the whole country (None, '', 000000, 100000)."""
    return code is None or code.strip() in NATIONWIDE_CODES


@cache
def _english_names() -> dict[str, tuple[str, ...]]:
    """English name -> codes (provinces and prefecture-level cities; Suzhou names two)."""
    names: dict[str, list[str]] = {}
    for row in read_tsv(DATA_DIR / "region_names_en.tsv"):
        names.setdefault(row["name_en"], []).append(row["code"])
    return {name: tuple(codes) for name, codes in names.items()}


def lookup_english(text: str | None) -> Region | None:
    """The region an English text names (an issuer given in English: "Jinan Municipal People's
    Government" -> 济南市, "Shandong Provincial Department of ..." -> 山东省).

    A city wins over its province; a name a province shares with a city (Jilin, Hainan) means
    the province, and a name two cities share (Suzhou, Taizhou) counts only beside its
    province. Several cities of one province give the province; several provinces, nothing.
    """
    if not text:
        return None
    table = default_table()
    provinces: set[str] = set()
    cities: dict[str, tuple[Region, ...]] = {}
    for word in set(re.findall(r"[A-Z][a-z]+(?: Mongolia| Kong)?", re.sub("['’]", "", text))):
        named = [r for code in _english_names().get(word, ()) if (r := table.get(code))]
        if any(r.level == "province" for r in named):
            provinces.update(r.code for r in named if r.level == "province")
        elif named:
            cities[word] = tuple(named)
    chosen = set()
    for named in cities.values():
        beside = [r for r in named if r.parent in provinces]
        if len(named) == 1 or len(beside) == 1:
            chosen.add(named[0] if len(named) == 1 else beside[0])
    parents = {r.parent for r in chosen}
    if provinces and not parents <= provinces:
        return None  # a city of one province and another province named: no guess
    if len(chosen) == 1:
        return next(iter(chosen))
    if len(parents) == 1:
        return table.get(parents.pop())
    return table.get(provinces.pop()) if len(provinces) == 1 and not chosen else None
