"""Find where a policy's body ends and its appendices (附件 / 附表) begin.

A notice typically ends with an index of its attachments (附件：1.…申报表 2.…), the signature,
and then each attachment under its own heading (附件1 / 附件：/ 附表2 …) with numbering that
starts again at 一、 or 1.. The splitter must not fold all of that into the body's last
item. Each attachment is classified: a form or a list (申报表, 申报书, 清单, 名单, 名词解释 …)
or the index itself holds no support items; an attached text (实施方案, 申报指南, a forwarded
通知) does, and is split like a body of its own.

A heading counts when it stands at a line start after some body text, outside a table of
contents (dot leaders, page numbers, a 目录 block).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(
    r"^[ \t]*(?P<label>(?:附件|附表)[ \t]*"
    r"(?:(?:\d{1,2}(?:-\d{1,2})?|[一二三四五六七八九十]{1,3})(?=$|[ \t：:、.．])"
    r"[ \t]*[：:、.．]?|[：:]|(?=$)))[ \t]*(?P<rest>.*)$",
    re.M,
)
_TOC_LEADER = re.compile(r"[.．·…。]{4,}|…{2,}")
_TOC_PAGE = re.compile(r"\S[ \t]+\d{1,3}$")  # 附件2 标准清单 38
_TOC_HEAD = re.compile(r"^\s*目\s*录\s*$")
_TOC_BLOCK_LINES = 40
_TOC_ENTRY_CHARS = 40  # a line longer than this ends a 目录 block
_SENTENCE_END = "。；;，,"
# An attachment with one of these in its title is a form, a table or a list, not policy text.
_FORM_TITLE = re.compile(
    r"表\W*$|表[（(]|申报书|申请书|承诺书|推荐书|任务书|声明|通知书|回执|清单|名单|名录|目录|模板|范本"
    r"|样式|式样|样图|格式|名词解释|术语|缩略语|流程图|坐标|指标|简历|申请材料|申报材料"
    r"|\.(?:docx?|xlsx?|pdf|wps)"
)
# Lines of a form to fill in: blanks, tick boxes, seals and signatures.
_FORM_FIELD = re.compile(r"盖章|签字|签名|□|☐|X{2,}|×{2,}|_{3,}|＿{2,}|填表说明|填报说明")
_FORM_FIELD_LINES = 2
_TITLE_WRAP_CHARS = 30  # a title wrapped onto a second line leaves both lines this short
_MIN_TEXT_CHARS = 100  # an attached text shorter than this is an index entry and signature
_LONG_LINE_CHARS = 60
_PROSE_SHARE = 0.4
_CLAUSE = re.compile(r"[，。；]")  # prose, even when a PDF wrapped it into short lines


@dataclass(frozen=True)
class Appendix:
    """One attachment after the body, as character offsets into the document text."""

    start: int  # the heading line's first character
    end: int  # the next heading or the end of the text
    content_start: int  # after the heading line and the title line
    label: str  # the heading as written, e.g. 附件1 or 附件：
    title: str  # e.g. 智能制造试点示范行动实施方案 ("" when none)
    is_text: bool  # an attached policy text to split into items (not a form, list or index)

    @property
    def heading(self) -> str:
        """``附件1 实施方案``: the attachment's place in an item's heading path."""
        label = self.label.rstrip("：:、.． \t")
        return f"{label} {self.title}".strip()


def find_appendices(text: str) -> list[Appendix]:
    """Attachments after the body of a document, in text order.

    Args:
        text: The document text (normalised, one paragraph per line).

    Returns:
        One :class:`Appendix` per heading; the first one's ``start`` is where the body ends.
        Empty when the document has none.
    """
    starts = [m for m in _HEADING.finditer(text) if _is_heading(text, m)]
    appendices = []
    bounds = [match.start() for match in starts] + [len(text)]
    for index, match in enumerate(starts):
        appendices.append(_appendix(text, match, bounds[index + 1]))
    return appendices


def _is_heading(text: str, match: re.Match[str]) -> bool:
    if not text[: match.start()].strip():
        return False  # nothing before it: no body to end
    line = match.group(0).rstrip()
    if (
        _TOC_LEADER.search(line)
        or _TOC_PAGE.search(match.group("rest"))
        or line[-1:] in _SENTENCE_END
    ):
        return False
    for previous in reversed(text[: match.start()].split("\n")[-_TOC_BLOCK_LINES:]):
        if _TOC_HEAD.match(previous):
            return False
        if len(previous.strip()) > _TOC_ENTRY_CHARS:
            break
    return True


def _appendix(text: str, match: re.Match[str], end: int) -> Appendix:
    label = match.group("label").strip()
    title = match.group("rest").strip()
    content_start = min(match.end() + 1, end)
    if not title:  # 附件1 on its own line, the title on the next
        next_line_end = text.find("\n", content_start)
        next_line_end = end if next_line_end < 0 or next_line_end > end else next_line_end
        title = text[content_start:next_line_end].strip()
        content_start = min(next_line_end + 1, end)
    title = re.sub(r"^\d{1,2}[.．、]\s*", "", title)  # 附件：1.xxx -> xxx
    content = text[content_start:end]
    lines = [line.strip() for line in content.split("\n") if line.strip()]
    titles = [title]
    if lines and len(title) <= _TITLE_WRAP_CHARS and len(lines[0]) <= _TITLE_WRAP_CHARS:
        titles.append(title + lines[0])  # 深圳湾口岸港方口岸区的 / 查验区界址点坐标
    is_form = (
        any(_FORM_TITLE.search(candidate) for candidate in titles)
        or sum(bool(_FORM_FIELD.search(line)) for line in [title, *lines]) >= _FORM_FIELD_LINES
    )
    prose = sum(
        len(line) for line in lines if len(line) >= _LONG_LINE_CHARS or _CLAUSE.search(line)
    )
    total = sum(len(line) for line in lines)
    is_text = (
        not is_form
        and total >= _MIN_TEXT_CHARS
        and prose >= _PROSE_SHARE * total  # not a flattened table of one cell a line
    )
    return Appendix(match.start(), end, content_start, label, title, is_text)
