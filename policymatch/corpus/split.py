"""Split a policy document into support items along its own numbering.

Chinese policy documents number their parts with a handful of schemes: 第X部分, 第X章,
第X节, 第X条, 一、, （一）/(一), 1./1、, （1）/(1), ⑴, ①, nested in whatever order the
drafter chose. The splitter finds every candidate marker at a line start or after a sentence
boundary, keeps those whose number continues their scheme (a new level starts at 1; a level
may continue its count across parents, as 第X条 across 章 and （十七） across 一、/二、 do),
and builds the tree in the order the schemes appear. Items are the leaves at the deepest
useful level: a node whose children are tiny (a list of conditions) or are the parts of one
measure (申报条件 / 申报材料 / 政策咨询) is kept whole, and a tiny leaf joins its previous
sibling. General sections (适用范围, 支持对象, 申报条件 … at the top levels) become the
document's ``general_text`` and every item's ``context``. The body ends where its
appendices begin (:mod:`~policymatch.corpus.appendix`): an attached policy text is split on
its own, forms and lists go to the document's ``attachment_text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from policymatch.corpus.appendix import find_appendices
from policymatch.corpus.dates import cn_number
from policymatch.corpus.models import PolicyDocument, PolicyItem

MIN_ITEM_CHARS = 30  # a leaf shorter than this is a fragment, not a measure
COLLAPSE_MEAN_CHARS = 50  # children this short on average are a list inside one measure
LONG_INTRO_CHARS = 200  # a parent's own text before its children becomes an item past this
MAX_TITLE_CHARS = 40

_CN = "一二三四五六七八九十百零〇两"
_BOUNDARY = r"(?:^|(?<=[\s。；;：:）)！？!?”]))"
_SCHEMES: tuple[tuple[str, str], ...] = (
    ("part", rf"第([{_CN}\d]{{1,4}})部分"),
    ("chapter", rf"第([{_CN}\d]{{1,4}})章"),
    ("section", rf"第([{_CN}\d]{{1,4}})节"),
    ("article", rf"第([{_CN}\d]{{1,5}})条(?![款项])"),
    ("cn", rf"([{_CN}]{{1,4}})、"),
    ("paren_cn", rf"[（(]([{_CN}]{{1,4}})[）)]"),
    ("arabic", r"(\d{1,3})(?:\.|、)(?![\d.])"),
    ("paren_arabic", r"[（(](\d{1,3})[）)]"),
    ("circled_paren", r"([⑴-⒇])"),
    ("circled", r"([①-⑳])"),
)
_MARKER = re.compile(
    _BOUNDARY + "(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern in _SCHEMES) + r")\s*",
    re.M,
)
# Structural schemes always enclose the list schemes, whatever order a document shows them in.
_LEVEL = {"part": 0, "chapter": 1, "section": 2, "article": 3, "cn": 4}
_LIST_LEVEL = 5

_GENERAL = re.compile(
    r"^(?:适用范围|适用对象|支持对象|扶持对象|申报对象|申报主体|申请主体|申报条件|申请条件|基本条件|资格条件"
    r"|申报要求|基本要求|通用条件|共性条件|支持范围|扶持范围|实施范围|申报范围|适用主体)"
    r"(?:[和与及、](?:适用范围|范围|对象|主体|条件|要求)){0,2}(?:[（(][^）)]*[）)])?[：:]?$"
)
_MEASURE_PARTS = re.compile(
    r"^(申报条件|申请条件|申报材料|申请材料|申报程序|申报流程|办理流程|申报方式|申报时间|政策咨询|咨询电话"
    r"|联系方式|支持标准|补贴标准|奖励标准|扶持标准|支持内容|兑现方式|受理部门|责任单位|评审程序|资金拨付"
    r"|审核程序|实施主体|政策依据)"
)
_CONDITION_LEAD = re.compile(r"(条件|要求|情形|材料)[^。]{0,20}[：:]$")
_SIGNATURE_TAIL = re.compile(
    r"^(?:\d{4}年\d{1,2}月\d{1,2}日.{0,4}|[（(](?:此件|本件)[^）)]*[）)]|抄送[：:].*|.{0,40}(?:印发|印制)"
    r"|国务院|中共中央|.{2,40}(?:人民政府|办公厅|办公室|委员会|局|厅|部)(?:\s+\S{2,20}(?:局|厅|部|委员会|办公室))*)$"
)


@dataclass
class _Marker:
    scheme: str
    number: int
    start: int
    body_start: int  # first character after the marker and its spaces
    depth: int = 0


@dataclass
class _Node:
    marker: _Marker
    end: int = 0  # end of the node's own text (start of the next marker)
    subtree_end: int = 0
    children: list[_Node] = field(default_factory=list)
    heading: str = ""  # short heading without the marker, e.g. 支持建设创新平台
    label: str = ""  # the marker as written, e.g. （一）


def split_document(doc: PolicyDocument) -> list[PolicyItem]:
    """Split a document into its support items; fill ``general_text`` and ``attachment_text``.

    The body ends where its appendices begin (附件1 / 附件： / 附表 …, see
    :mod:`~policymatch.corpus.appendix`): an attached text (实施方案, 申报指南, a forwarded
    通知) is split on its own, its items' heading path starting with its heading; forms, lists
    and the attachment index are no item's text and go to ``doc.attachment_text``.

    Args:
        doc: A normalised document (see :func:`~policymatch.corpus.metadata.build_document`).
            Its ``general_text`` and ``attachment_text`` are set as a side effect.

    Returns:
        Items ``f"{doc.id}#{seq}"`` in document order, seq from 1; a document without
        numbered structure gives the single item ``f"{doc.id}#0"`` holding its body.
    """
    text = doc.text
    appendices = find_appendices(text)
    body = text[: appendices[0].start] if appendices else text
    general: list[str] = []
    drafts = _section_drafts(body, [], general, whole_if_flat=False)
    attachments = []
    for appendix in appendices:
        section = text[appendix.content_start : appendix.end]
        if appendix.is_text:
            drafts += _section_drafts(section, [appendix.heading], general, whole_if_flat=True)
        else:
            attachments.append(_clean(text[appendix.start : appendix.end]))
    doc.general_text = "\n".join(general)
    doc.attachment_text = "\n".join(a for a in attachments if a)
    if not drafts:
        return [
            PolicyItem(id=f"{doc.id}#0", doc_id=doc.id, seq=0, title=doc.title, text=body.strip())
        ]
    return [
        PolicyItem(
            id=f"{doc.id}#{seq}",
            doc_id=doc.id,
            seq=seq,
            heading_path=path,
            title=title,
            text=item_text,
            context=doc.general_text,
        )
        for seq, (path, title, item_text) in enumerate(drafts, start=1)
    ]


def _section_drafts(
    text: str, prefix: list[str], general: list[str], *, whole_if_flat: bool
) -> list[tuple[list[str], str, str]]:
    """(heading path, title, text) of the items of one body or attached text."""
    roots = _build_tree(text)
    pieces: list[tuple[list[str], _Node, bool]] = []  # (heading path, node, whole subtree?)
    for root in roots:
        _emit(root, prefix, text, pieces, general, top=True, base=len(prefix))
    drafts = _drafts(text, pieces)
    if not roots and whole_if_flat and _clean(text):
        # an attached text without numbering is one measure, titled by its heading
        drafts = [
            (prefix, prefix[-1].split(" ", 1)[-1] if prefix else "", _strip_signature(_clean(text)))
        ]
    return drafts


# ---------------------------------------------------------------------------------------------
# markers and tree


def _candidates(text: str) -> list[_Marker]:
    markers = []
    for match in _MARKER.finditer(text):
        scheme = match.lastgroup
        if scheme is None:
            continue
        numeral = re.search(_SCHEMES_BY_NAME[scheme], match.group(scheme))
        number = _number(scheme, numeral.group(1) if numeral else "")
        if number is not None:
            markers.append(_Marker(scheme, number, match.start(scheme), match.end()))
    return markers


_SCHEMES_BY_NAME = dict(_SCHEMES)


@lru_cache(maxsize=512)
def _number(scheme: str, numeral: str) -> int | None:
    if scheme == "circled_paren":
        return ord(numeral) - 0x2474 + 1
    if scheme == "circled":
        return ord(numeral) - 0x2460 + 1
    if numeral.isdigit():
        return int(numeral)
    if "百" in numeral:
        hundreds, _, rest = numeral.partition("百")
        high = cn_number(hundreds) if hundreds else 1
        low = cn_number(rest.lstrip("零〇")) if rest else 0
        return None if high is None or low is None else high * 100 + low
    return cn_number(numeral)


def _accept(candidates: list[_Marker], openings: frozenset[int] = frozenset()) -> list[_Marker]:
    """Keep the markers whose number continues their scheme; set each one's depth.

    Markers on the text's first lines (``openings``: where each of them starts), each line
    opening a part of the one before, may start their scheme at any number: an excerpt such as
    ``二、政策措施 / （二）节能改造补助…`` or ``第二章 支持措施 / 第三条 …`` opens mid-count,
    and its first part is the excerpt's measure, not a preamble to drop.
    """
    stack: list[list] = []  # [scheme, last number] per open level, outermost first
    depth_of: dict[str, int] = {}
    last: dict[str, int] = {}
    accepted = []
    for marker in candidates:
        open_schemes = [level[0] for level in stack]
        if marker.scheme in open_schemes:
            index = open_schemes.index(marker.scheme)
            if marker.number != stack[index][1] + 1:
                continue
            del stack[index + 1 :]
            stack[index][1] = marker.number
            marker.depth = index
        else:
            opens_excerpt = marker.start in openings and all(m.start in openings for m in accepted)
            if (
                marker.number != 1
                and marker.number != last.get(marker.scheme, -2) + 1
                and not opens_excerpt
            ):
                continue
            target = min(depth_of.get(marker.scheme, len(stack)), len(stack))
            level = _LEVEL.get(marker.scheme, _LIST_LEVEL)
            for index, (scheme, _) in enumerate(stack[:target]):
                if _LEVEL.get(scheme, _LIST_LEVEL) > level or (
                    level == _LIST_LEVEL
                    and _LEVEL.get(scheme, _LIST_LEVEL) == _LIST_LEVEL
                    and depth_of.get(scheme, 0) > depth_of.get(marker.scheme, 99)
                ):
                    target = index
                    break
            del stack[target:]
            stack.append([marker.scheme, marker.number])
            depth_of.setdefault(marker.scheme, target)
            marker.depth = target
        last[marker.scheme] = marker.number
        accepted.append(marker)
    return accepted


def _build_tree(text: str) -> list[_Node]:
    markers = _accept(_candidates(text), _opening_lines(text))
    if len(markers) < 2:
        return []
    nodes = [_Node(marker=m) for m in markers]
    for node, nxt in zip(nodes, [*nodes[1:], None], strict=True):
        node.end = nxt.marker.start if nxt else len(text)
        node.label = text[node.marker.start : node.marker.body_start].strip()
        node.heading = _heading(text[node.marker.body_start : node.end])
    roots: list[_Node] = []
    open_path: list[_Node] = []
    for node in nodes:
        while open_path and open_path[-1].marker.depth >= node.marker.depth:
            open_path.pop()
        (open_path[-1].children if open_path else roots).append(node)
        open_path.append(node)
    for root in roots:
        _close(root)
    return roots


def _opening_lines(text: str) -> frozenset[int]:
    """Start offsets of the text's first lines while each begins with a marker."""
    starts = []
    position = len(text) - len(text.lstrip())
    while position < len(text) and _MARKER.match(text, position):
        starts.append(position)
        newline = text.find("\n", position)
        if newline < 0:
            break
        position = newline + 1
    return frozenset(starts)


def _close(node: _Node) -> int:
    node.subtree_end = max([node.end, *(_close(child) for child in node.children)])
    return node.subtree_end


def _heading(body: str) -> str:
    """Short heading of a part: its first line or sentence, or the words before a space."""
    segment = re.split(r"[。；;\n]", body, maxsplit=1)[0].strip()
    space = segment.find(" ")
    if 0 < space <= 25 and "，" not in segment[:space]:
        return segment[:space]
    if len(segment) <= MAX_TITLE_CHARS:
        return segment
    return segment[: MAX_TITLE_CHARS - 10] + "…"


# ---------------------------------------------------------------------------------------------
# items


def _emit(
    node: _Node,
    path: list[str],
    text: str,
    pieces: list[tuple[list[str], _Node, bool]],
    general: list[str],
    *,
    top: bool,
    base: int = 0,
) -> None:
    """Add a node's items to ``pieces``; ``base`` is the length of the section's own prefix."""
    if top and _GENERAL.match(node.heading):
        general.append(_clean(text[node.marker.start : node.subtree_end]))
        return
    if not node.children or _is_one_measure(node, text):
        pieces.append((path, node, True))
        return
    intro = text[node.marker.body_start : node.end].strip()
    if len(intro) - len(node.heading) >= LONG_INTRO_CHARS:
        pieces.append((path, node, False))
    separator = " " if node.label[-1:] in "章节条分" else ""
    child_path = [*path, f"{node.label}{separator}{node.heading}"]
    structural = _LEVEL.get(node.marker.scheme, _LIST_LEVEL) <= _LEVEL["cn"]
    for child in node.children:
        _emit(
            child,
            child_path,
            text,
            pieces,
            general,
            top=top and structural and len(path) == base,
            base=base,
        )


def _is_one_measure(node: _Node, text: str) -> bool:
    """Children that are parts of one measure (conditions, materials, contacts) or a short list."""
    if any(_MEASURE_PARTS.match(child.heading) for child in node.children):
        return True
    intro = text[node.marker.body_start : node.end].strip()
    if _CONDITION_LEAD.search(intro):
        return True
    lengths = [child.subtree_end - child.marker.start for child in node.children]
    if sum(lengths) / len(lengths) < COLLAPSE_MEAN_CHARS:
        return True
    # clauses of one sentence: 1.…；2.…；3.…。
    endings = [text[: child.subtree_end].rstrip()[-1:] for child in node.children[:-1]]
    return bool(endings) and sum(e in "；;，," for e in endings) * 2 >= len(endings)


def _drafts(
    text: str, pieces: list[tuple[list[str], _Node, bool]]
) -> list[tuple[list[str], str, str]]:
    drafts: list[tuple[list[str], str, str]] = []  # (heading path, title, text)
    for path, node, whole in pieces:
        end = node.subtree_end if whole else node.end
        body = _clean(text[node.marker.start : end])
        if drafts and len(body) < MIN_ITEM_CHARS and drafts[-1][0] == path:
            previous = drafts[-1]
            drafts[-1] = (previous[0], previous[1], f"{previous[2]}\n{body}")
            continue
        drafts.append((path, node.heading, body))
    if drafts:
        path, title, body = drafts[-1]
        drafts[-1] = (path, title, _strip_signature(body))
    return [draft for draft in drafts if draft[2]]


def _clean(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().split("\n") if line.strip())


def _strip_signature(body: str) -> str:
    """Drop the signing body, date, 抄送 and 印发 lines a document ends with."""
    lines = body.split("\n")
    for index in range(len(lines) - 1, max(len(lines) - 8, 0), -1):
        if lines[index].startswith(("抄送", "主送", "分送")):
            del lines[index:]
            break
    while len(lines) > 1 and _SIGNATURE_TAIL.match(lines[-1].strip()):
        lines.pop()
    return "\n".join(lines)
