"""Sentences that state a rule for one kind of measure only, and whether they bind an item.

A general section (申报条件, 适用范围) binds every item of its document, but a sentence in it
may speak for one kind of measure only: 技术改造类项目申报企业须为规上工业企业, or 申报首台套
奖励的企业须… . Such a sentence binds an item only when the item's own text is about that kind
of measure; read into every item, it shut out a software firm from a 首版次软件 award.
"""

from __future__ import annotations

import re

from policymatch.translate.text import Sentence

_CJK = r"[\u4e00-\u9fff]"
# 技术改造类项目申报企业须…, 其中设备购置类补贴…
_CLASS_OF_MEASURE = re.compile(
    rf"(?:^|[，,])(?:其中)?(?P<scope>{_CJK}{{2,12}}?)类(?:项目|事项|奖励|补贴|补助|资助)"
)
# 申报首台套奖励的企业须…, 申请技术改造补助的单位应…
_APPLYING_FOR = re.compile(
    rf"(?:申报|申请)(?P<scope>{_CJK}{{2,12}}?)(?:项目|奖励|补贴|补助|资助)的(?:企业|单位|主体)"
)
# The sentence states a rule (须为, 应当, 仅限), not a grant (其中设备购置类补贴按10%给予).
_RULE = re.compile(r"须|应当?|必须|需要?|要求|限于|仅限")
# Words that refer to measures in general (各类项目, 上述奖励, 同类补贴), which bind all.
_GENERAL_REFERENCE = re.compile(r"(?:各|此|该|同|本|上述|有关|相关|其他|两|多|下列|以下|以上)类?$")


def measure_scope(sentence: Sentence) -> str | None:
    """The kind of measure a sentence's rule is limited to (技术改造), or None.

    None for a sentence that is general, or that grants rather than requires.

    Args:
        sentence: A sentence of an item, its headings or its inherited context.

    Returns:
        The words naming the measure kind, as written, or None.
    """
    if not _RULE.search(sentence.folded):
        return None
    for pattern in (_CLASS_OF_MEASURE, _APPLYING_FOR):
        for match in pattern.finditer(sentence.folded):
            scope = match.group("scope").removeprefix("申报").removeprefix("申请")
            if len(scope) >= 2 and not _GENERAL_REFERENCE.search(scope):
                return scope
    return None


def binds_elsewhere(sentence: Sentence, own: list[Sentence]) -> bool:
    """Whether ``sentence`` states a rule for a kind of measure the item is not about.

    Args:
        sentence: The candidate sentence.
        own: The item's own sentences (its measure text); ``sentence`` itself is ignored there.

    Returns:
        True when the sentence is limited to a measure kind none of ``own`` names.
    """
    scope = measure_scope(sentence)
    if scope is None:
        return False
    return not any(scope in other.folded for other in own if other.text != sentence.text)
