"""Who takes applications: 受理部门 / 责任单位 stated in the item, else the issuer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from policymatch.translate.tables import words
from policymatch.translate.text import Sentence

_TO_OFFICE = re.compile(
    r"向\s?(?P<office>[^\s,，。；;、]{2,30}?(?:局|委|委员会|办公室|办|中心|政府|部门|管委会))\s?(?:提出|提交|进行)?(?:申报|申请)"
)


_LINE_CHARS = 60
_ADDRESS = re.compile(r"[（(,，;；:：]|地址|电话|联系")


@dataclass(frozen=True)
class Department:
    """The office that handles the item and the sentence it was read from ('' for the issuer)."""

    name: str
    source: str


def find_department(
    sentences: list[Sentence],
    issuer: str | None,
    document: list[Sentence] = (),
) -> Department | None:
    """The department named for the item, else the office a document names for all its
    items (受理部门), else the document's issuer.

    Args:
        sentences: Item text, then its context.
        issuer: The document's issuer, used when nobody else is named.
        document: The document's sentences; only 受理部门-type markers are read there, since
            a 责任单位 in the document belongs to another item.

    Returns:
        The department, or None when neither the item nor the document names one.
    """
    found = _named(sentences, words("department_markers"))
    if found is None and document:
        found = _named(list(document), words("office_markers"))
    if found is not None:
        return found
    if issuer and issuer.strip():
        return Department(issuer.strip(), "")
    return None


@lru_cache(maxsize=8)
def _patterns(marker_words: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """``(labelled, heading)``: 受理部门：X in running text, and a 四、受理部门 heading line."""
    markers = "|".join(re.escape(m) for m in marker_words)
    labelled = re.compile(rf"(?:{markers})\s?[:：]\s?(?P<office>[^)）。；;\n]+)")
    heading = re.compile(
        rf"^\s?(?:[一二三四五六七八九十\d]+[、.]|[（(][一二三四五六七八九十\d]+[)）])?\s?(?:{markers})\s?[:：]?\s?$"
    )
    return labelled, heading


def _named(sentences: list[Sentence], marker_words: tuple[str, ...]) -> Department | None:
    labelled, heading = _patterns(marker_words)
    previous: Sentence | None = None
    for sentence in sentences:
        if (
            previous is not None
            and heading.match(previous.folded)
            and len(sentence.folded) <= _LINE_CHARS
        ):
            # 四、受理部门 / 历城区科学技术局高新技术科: the office is the line under the heading
            name = _ADDRESS.split(sentence.text)[0].strip(" ,，、")
            if name:
                return Department(name, sentence.text)
        previous = sentence
        match = labelled.search(sentence.folded)
        if match is None:
            match = _TO_OFFICE.search(sentence.folded)
        if match is not None:
            name = sentence.text[match.start("office") : match.end("office")].strip(" ,，、")
            if name and not re.fullmatch(r"[\d\-\s]+", name):
                return Department(name, sentence.text)
    return None
