"""Whether an item offers something to apply for, or only states goals, tasks or duties.

指导思想, 发展目标, 组织保障, 工作要求 and plans give nothing to apply for: an item is a
support measure when it grants money, or when it hands something out (给予, 奖励, 补贴,
提供…担保 …) together with a support type, and it is not filed under a plan-type heading.
What a sentence withholds (不予支持其获得补助) does not count as handing out, and a step
of the application procedure, supervision or the closing articles (附则) is no measure even
when it quotes the amounts.

The document's kind (文种) read from its title weighs too: a plan (规划, 行动方案) or a
regulation (条例) gives something only where an item states an amount, and a reply letter,
result list or briefing (函, 名单, 通报) gives nothing at all.
"""

from __future__ import annotations

import re
from typing import Literal

from policymatch.translate.models import Amount
from policymatch.translate.tables import words
from policymatch.translate.text import Sentence

# Tax relief is received without a verb of giving (再按实际发生额的100%在税前加计扣除).
TAX_RELIEF = r"加计扣除|税前(?:扣除|摊销)|抵扣|抵减|退还"
# Verbs that show a benefit is handed out (支持/提供 alone are too common to count).
_GRANTS = re.compile(
    r"给予|予以|奖励|补贴|补助|资助|贴息|奖补|减免|免征|减半|减征|享受|兑现|发放|可申请|申领|返还"
    rf"|{TAX_RELIEF}|免费(?:提供|开展|为|诊断|培训)|财政承担"
    r"|提供.{0,12}(?:担保|贷款|授信|场地|补贴|支持|保障|空间|资金)"
)
_PLAIN_SUPPORT = re.compile(r"(?:给予|予以)(?:一定的?|适当的?|重点)?(?:支持|扶持|奖励|补助|补贴)")
_WITHHELD = re.compile(r"(?:不予|不得|不再|不能)[^,，;；。]*")
_BARE_HEADING_CHARS = 16  # 五、有效期, （三）申报办理: a heading line, not a sentence
_SENTENCE = re.compile(r"[，。；,;：:]")
# 关于印发《X》的通知: the kind is X's, not the covering notice's.
_COVERING = re.compile(r"[》”\s]*的?(?:通知|通告|公告)\s*$")
DocumentKind = Literal["plan", "result", "measure"]


def is_bare_heading(line: str) -> bool:
    """Whether a line is a heading on its own (五、有效期, 一、支持对象), not a sentence."""
    line = line.strip()
    return bool(line) and len(line) <= _BARE_HEADING_CHARS and not _SENTENCE.search(line)


def opening_heading(text: str) -> list[str]:
    """The item's first line when it is a bare heading (五、有效期), else nothing: an item cut
    from a policy may carry its heading in its text rather than its heading path."""
    first = text.strip().split("\n", 1)[0].strip()
    return [first] if is_bare_heading(first) else []


def is_plan_heading(headings: list[str], title: str) -> bool:
    """Whether the item sits under (or is) a heading such as 指导思想 or 组织保障."""
    plan_words = words("plan_headings")
    return any(w in h for h in [*headings, title] for w in plan_words)


def document_kind(title: str | None) -> DocumentKind | None:
    """The kind of document a title names, or None when it names none.

    The last kind word decides (a Chinese title ends with its kind: 关于支持规划建设的若干措施
    is 措施), after a covering notice is taken off (关于印发…实施方案的通知 is a plan,
    关于公布…名单的通知 a result list).

    >>> document_kind("某省关于印发制造业技能人才培养实施方案的通知")
    'plan'
    >>> document_kind("关于公布2024年第一批专精特新中小企业名单的通知")
    'result'
    >>> document_kind("关于做好2024年失业保险稳岗返还工作的通知")
    'measure'
    >>> document_kind("某市数字经济园区建设扶持办法（申报主体：未列入黑名单的企业）")
    'measure'
    """
    if not title:
        return None
    title = _without_trailing_note(title)
    return _last_kind(_COVERING.sub("", title)) or _last_kind(title)


def _without_trailing_note(title: str) -> str:
    """The title without what trails it in brackets: (试行), (2024—2026年), or the heading
    an item record appends (…的指导意见（营造发展环境）), which is no kind of document."""
    title = title.rstrip()
    while title.endswith(("）", ")")):
        depth = 0
        for at in range(len(title) - 1, -1, -1):
            depth += title[at] in "）)"
            depth -= title[at] in "（("
            if depth == 0:
                break
        if depth or at == 0:
            return title
        title = title[:at].rstrip()
    return title


def _last_kind(title: str) -> DocumentKind | None:
    last: tuple[int, DocumentKind] | None = None
    for kind in ("plan", "result", "measure"):
        for word in words(f"{kind}_titles"):
            at = title.rfind(word)
            if at >= 0 and (last is None or at + len(word) > last[0]):
                last = (at + len(word), kind)  # type: ignore[assignment]
    return last[1] if last else None


def is_non_measure_section(headings: list[str]) -> bool:
    """Whether the item is a step of applying (申报流程, 提交材料), supervision or the closing
    articles: amounts quoted there belong to a measure stated elsewhere. Headings only: a
    title may name an agency (国家金融监督管理总局) or the document."""
    section_words = words("non_measure_headings")
    return any(w in h for h in headings for w in section_words)


def _granting(sentence: Sentence) -> bool:
    text = _WITHHELD.sub("", sentence.folded)
    return bool(_GRANTS.search(text))


def is_support_measure(
    sentences: list[Sentence],
    amounts: list[Amount],
    support_types: list[str],
    headings: list[str],
    title: str,
    kind: DocumentKind | None = None,
) -> bool:
    """Decide whether the item is something an enterprise can apply for or receive.

    Args:
        sentences: The item's title and text sentences.
        amounts: Amounts found in them.
        support_types: Support types found in them.
        headings: The item's heading path.
        title: The item's title.
        kind: The kind of its document (:func:`document_kind`).

    Returns:
        True for a support measure; False for goals, principles, duties and plans.
    """
    if kind == "result" or is_non_measure_section(headings):
        return False
    if any(a.wan is not None or a.ratio is not None for a in amounts):
        return True
    if kind == "plan" or is_plan_heading(headings, title):
        return False
    granting = [s for s in sentences if _granting(s)]
    if not granting:
        return False
    return bool(support_types) or any(_PLAIN_SUPPORT.search(s.folded) for s in granting)
