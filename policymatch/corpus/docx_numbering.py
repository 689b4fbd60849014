"""Render the labels Word generates for numbered paragraphs ("一、", "（一）", "1.").

python-docx gives a paragraph's typed text only; a label that Word's list feature draws comes
from the numbering part (``word/numbering.xml``) and never appears in ``paragraph.text``. A
policy numbered that way would reach the splitter without its numbers. This module follows the
chain Word follows: the paragraph's ``w:numPr`` (or its style's, through ``w:basedOn``) names
a ``w:num`` and a level; the ``w:num`` names a ``w:abstractNum`` and may override a level's
start (``w:lvlOverride/w:startOverride``); the ``w:lvl`` gives ``w:start``, ``w:numFmt`` and
``w:lvlText`` with ``%1`` … ``%9`` placeholders. Counters run per abstract list and level, in
document order; a level restarts when a shallower level of its list advances (or as
``w:lvlRestart`` says), and a ``w:num`` with a start override restarts its level on first use.

Not covered: ``w:numStyleLink`` lists defined through a numbering style, and numbering of
paragraphs in text boxes, headers and footnotes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import cn2an

logger = logging.getLogger(__name__)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RT_NUMBERING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
_MAX_LEVELS = 9
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)
_PLACEHOLDER = re.compile(r"%([1-9])")


@dataclass(frozen=True)
class Level:
    """One level of a list definition (``w:lvl``)."""

    start: int = 1
    fmt: str = "decimal"  # w:numFmt, e.g. chineseCounting
    text: str = "%1."  # w:lvlText
    restart_after: int | None = None  # w:lvlRestart (1-based level; 0 = never); None = default
    legal: bool = False  # w:isLgl: every placeholder in decimal
    suffix: str = "tab"  # w:suff: tab | space | nothing
    style_id: str | None = None  # w:pStyle: the paragraph style bound to this level


@dataclass(frozen=True)
class _Instance:
    abstract_id: str
    start_overrides: dict[int, int]
    level_overrides: dict[int, Level]


@dataclass
class ListNumbering:
    """Labels of numbered paragraphs of one document, counted in document order.

    Build it with :meth:`from_document` and call :meth:`label` once per paragraph, in the
    order the paragraphs appear: the counters advance with each call.
    """

    abstracts: dict[str, dict[int, Level]] = field(default_factory=dict)
    instances: dict[str, _Instance] = field(default_factory=dict)
    style_numbering: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    default_style: str = "Normal"
    counters: dict[str, list[int | None]] = field(default_factory=dict)
    used_instances: set[str] = field(default_factory=set)

    @classmethod
    def from_document(cls, document: Any) -> ListNumbering:
        """Read the numbering part and the paragraph styles of a python-docx ``Document``.

        A document without a numbering part gives an instance that labels nothing.
        """
        numbering = cls()
        part = document.part
        numbering_part = next(
            (rel.target_part for rel in part.rels.values() if rel.reltype == _RT_NUMBERING),
            None,
        )
        if numbering_part is not None:
            numbering._read_numbering(numbering_part.element)
        try:
            styles = part.styles.element
        except (KeyError, NotImplementedError):
            styles = None
        if styles is not None:
            numbering._read_styles(styles)
        return numbering

    def label(self, paragraph: Any) -> str:
        """The label Word draws before a paragraph, or "" (not numbered, bullet or none).

        Args:
            paragraph: A python-docx ``Paragraph`` (or anything with a ``_p`` / ``_element``
                ``w:p`` element and a ``style``).
        """
        p = getattr(paragraph, "_p", None)
        if p is None:
            p = paragraph._element
        num_id, ilvl = _own_num_pr(p)
        if num_id is None:
            style_element = p.find(f"{_W}pPr/{_W}pStyle")
            style_id = (
                _val(style_element) if style_element is not None else None
            ) or self.default_style
            inherited = self.style_numbering.get(style_id)
            if inherited is None:
                return ""
            num_id, style_level = inherited
            ilvl = ilvl if ilvl is not None else style_level
            if ilvl is None:
                ilvl = self._level_of_style(num_id, style_id)
        if num_id in (None, "0") or num_id not in self.instances:
            return ""
        return self._advance(num_id, ilvl or 0)

    # -- counting -----------------------------------------------------------------------------

    def _advance(self, num_id: str, ilvl: int) -> str:
        instance = self.instances[num_id]
        levels = self.abstracts.get(instance.abstract_id)
        if not levels:
            return ""
        ilvl = max(0, min(ilvl, _MAX_LEVELS - 1))
        counters = self.counters.setdefault(instance.abstract_id, [None] * _MAX_LEVELS)
        if num_id not in self.used_instances:
            self.used_instances.add(num_id)
            for level_index, start in instance.start_overrides.items():
                counters[level_index] = start - 1  # the next use of the level shows `start`
        level = self._level(instance, ilvl)
        current = counters[ilvl]
        counters[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, _MAX_LEVELS):
            restart = self._level(instance, deeper).restart_after
            if restart is None or (restart != 0 and ilvl < restart):
                counters[deeper] = None
        if level.fmt in ("bullet", "none"):
            return ""

        def render(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            shown = self._level(instance, index)
            value = counters[index]
            if value is None:
                value = shown.start
            fmt = "decimal" if level.legal and index != ilvl else shown.fmt
            return format_number(value, fmt)

        label = _PLACEHOLDER.sub(render, level.text).strip()
        if label and level.suffix != "nothing" and (label[-1].isalnum()):
            label += " "  # 第一条 / Article 1: the label ends in a word, keep them apart
        return label

    def _level(self, instance: _Instance, ilvl: int) -> Level:
        if ilvl in instance.level_overrides:
            return instance.level_overrides[ilvl]
        return self.abstracts.get(instance.abstract_id, {}).get(ilvl, Level())

    def _level_of_style(self, num_id: str, style_id: str) -> int:
        instance = self.instances.get(num_id)
        if instance is None:
            return 0
        for ilvl, level in self.abstracts.get(instance.abstract_id, {}).items():
            if level.style_id == style_id:
                return ilvl
        return 0

    # -- reading ------------------------------------------------------------------------------

    def _read_numbering(self, root: Any) -> None:
        for abstract in root.iterfind(f"{_W}abstractNum"):
            abstract_id = abstract.get(f"{_W}abstractNumId")
            if abstract_id is None:
                continue
            self.abstracts[abstract_id] = {
                int(lvl.get(f"{_W}ilvl", "0")): _read_level(lvl)
                for lvl in abstract.iterfind(f"{_W}lvl")
            }
        for num in root.iterfind(f"{_W}num"):
            num_id = num.get(f"{_W}numId")
            abstract_ref = num.find(f"{_W}abstractNumId")
            if num_id is None or abstract_ref is None:
                continue
            starts: dict[int, int] = {}
            overrides: dict[int, Level] = {}
            for override in num.iterfind(f"{_W}lvlOverride"):
                ilvl = int(override.get(f"{_W}ilvl", "0"))
                start = override.find(f"{_W}startOverride")
                if start is not None:
                    starts[ilvl] = _int(_val(start), 1)
                lvl = override.find(f"{_W}lvl")
                if lvl is not None:
                    overrides[ilvl] = _read_level(lvl)
            self.instances[num_id] = _Instance(_val(abstract_ref) or "", starts, overrides)

    def _read_styles(self, root: Any) -> None:
        own: dict[str, tuple[str | None, int | None]] = {}
        based_on: dict[str, str] = {}
        for style in root.iterfind(f"{_W}style"):
            if style.get(f"{_W}type") != "paragraph":
                continue
            style_id = style.get(f"{_W}styleId")
            if style_id is None:
                continue
            if style.get(f"{_W}default") in ("1", "true"):
                self.default_style = style_id
            parent = style.find(f"{_W}basedOn")
            if parent is not None:
                based_on[style_id] = _val(parent) or ""
            num_pr = style.find(f"{_W}pPr/{_W}numPr")
            if num_pr is not None:
                own[style_id] = _num_pr_values(num_pr)
        for style_id in {*own, *based_on}:
            seen: set[str] = set()
            current: str | None = style_id
            while current and current not in seen:
                seen.add(current)
                if current in own:
                    num_id, ilvl = own[current]
                    if num_id and num_id != "0":
                        self.style_numbering[style_id] = (num_id, ilvl)
                    break
                current = based_on.get(current)


def format_number(value: int, fmt: str) -> str:
    """One counter value in a ``w:numFmt`` format, e.g. ``(3, "chineseCounting") -> "三"``.

    Unknown formats fall back to decimal, as Word does for formats it cannot draw.
    """
    if fmt in ("bullet", "none"):
        return ""
    if value <= 0 and fmt != "decimal":
        return str(value)
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting"):
        return cn2an.an2cn(value)
    if fmt == "japaneseCounting":
        return re.sub(r"^一(?=[十百千])", "", cn2an.an2cn(value))
    if fmt in ("chineseLegalSimplified", "ideographLegalTraditional"):
        return cn2an.an2cn(value, "up")
    if fmt in ("ideographDigital", "taiwaneseDigital"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(value))
    if fmt in ("ideographTraditional", "ideographZodiac"):
        cycle = _HEAVENLY_STEMS if fmt == "ideographTraditional" else _EARTHLY_BRANCHES
        return cycle[(value - 1) % len(cycle)]
    if fmt in ("lowerLetter", "upperLetter"):
        # Word repeats the letter: a … z, aa … zz
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman if fmt == "lowerRoman" else roman.upper()
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and value <= 20:
        return chr(0x2460 + value - 1)
    if fmt == "decimalEnclosedParen" and value <= 20:
        return chr(0x2474 + value - 1)
    if fmt == "decimalEnclosedFullstop" and value <= 20:
        return chr(0x2488 + value - 1)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(d)) for d in str(value))
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _roman(value: int) -> str:
    out = []
    for amount, symbol in _ROMAN:
        count, value = divmod(value, amount)
        out.append(symbol * count)
    return "".join(out)


def _read_level(lvl: Any) -> Level:
    def child(tag: str) -> str | None:
        element = lvl.find(f"{_W}{tag}")
        return None if element is None else _val(element)

    restart = child("lvlRestart")
    legal = lvl.find(f"{_W}isLgl")
    return Level(
        start=_int(child("start"), 1),
        fmt=child("numFmt") or "decimal",
        text=child("lvlText") or "",
        restart_after=None if restart is None else _int(restart, 0),
        legal=legal is not None and (_val(legal) or "1") not in ("0", "false"),
        suffix=child("suff") or "tab",
        style_id=child("pStyle"),
    )


def _own_num_pr(p: Any) -> tuple[str | None, int | None]:
    num_pr = p.find(f"{_W}pPr/{_W}numPr")
    if num_pr is None:
        return None, None
    num_id, ilvl = _num_pr_values(num_pr)
    if num_id is None:  # only a level: the list comes from the style
        return None, ilvl
    return num_id, ilvl


def _num_pr_values(num_pr: Any) -> tuple[str | None, int | None]:
    num_id = num_pr.find(f"{_W}numId")
    ilvl = num_pr.find(f"{_W}ilvl")
    return (
        None if num_id is None else _val(num_id),
        None if ilvl is None else _int(_val(ilvl), 0),
    )


def _val(element: Any) -> str | None:
    return element.get(f"{_W}val")


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default
