"""Who takes applications: 受理部门 / 责任单位 stated in the item, else the issuer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policymatch.translate.tables import words
from policymatch.translate.text import Sentence

_TO_OFFICE = re.compile(
    r"向\s?(?P<office>[^\s,，。；;、]{2,30}?(?:局|委|委员会|办公室|办|中心|政府|部门|管委会))\s?(?:提出|提交|进行)?(?:申报|申请)"
)


@dataclass(frozen=True)
class Department:
    """The office that handles the item and the sentence it was read from ('' for the issuer)."""

    name: str
    source: str


def find_department(sentences: list[Sentence], issuer: str | None) -> Department | None:
    """The department named for the item, or the document's issuer.

    Args:
        sentences: Item text, then its context.
        issuer: The document's issuer, used when the item names nobody.

    Returns:
        The department, or None when neither the item nor the document names one.
    """
    markers = "|".join(re.escape(m) for m in words("department_markers"))
    labelled = re.compile(rf"(?:{markers})\s?[:：]\s?(?P<office>[^)）。；;\n]+)")
    for sentence in sentences:
        match = labelled.search(sentence.folded)
        if match is None:
            match = _TO_OFFICE.search(sentence.folded)
        if match is not None:
            name = sentence.text[match.start("office") : match.end("office")].strip(" ,，、")
            if name and not re.fullmatch(r"[\d\-\s]+", name):
                return Department(name, sentence.text)
    if issuer and issuer.strip():
        return Department(issuer.strip(), "")
    return None
