"""Text normalisation: simplified characters, half-width ASCII, tidy whitespace, no page chrome.

Everything downstream (metadata regexes, splitting, segmentation, hashing) reads the output of
:func:`normalize_text`, so its promises are the corpus contract: simplified Chinese; ASCII
digits, letters and symbols; Chinese punctuation (，。、；：（）〔〕《》“”) kept as is, because
numbering like （一） and 〔2019〕 relies on it; one paragraph per line, no blank lines.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from functools import lru_cache

from opencc import OpenCC
from selectolax.lexbor import LexborHTMLParser

# Full-width forms FF01-FF5E map to ASCII 21-7E, except the punctuation Chinese text keeps.
_KEEP_FULL_WIDTH = set("，（）：；！？")
_HALF_WIDTH = {
    code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if chr(code) not in _KEEP_FULL_WIDTH
}
_HALF_WIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20})
_HALF_WIDTH.update({0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None, 0x00AD: None})

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "，。、；：？！“”‘’（）《》〔〕【】「」『』—…·"
_SPACES = re.compile(r"[ \t\f\v\r]+")
_LONE_CJK = re.compile(f"^[{_CJK}]$")
_CJK_OR_DIGIT = re.compile(f"[{_CJK}0-9]")
_LIST_MARKER = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,4}[）)]|[一二三四五六七八九十]{1,3}、|第[一二三四五六七八九十百]+[章节条])"
)
# t2s over simplified text is not a no-op (坏 -> 坯), so convert only text that is traditional.
_TRADITIONAL_SHARE = 0.02
_MIN_TRADITIONAL_CHARS = 2

_CONVERTER_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    # Built on first use, not at import: the converter loads its dictionaries from disk.
    with _CONVERTER_LOCK:
        return OpenCC("t2s")


def is_traditional(text: str) -> bool:
    """Tell whether ``text`` is written in traditional characters.

    Simplified text has a handful of characters OpenCC would still change (坏, 乾, 諮), far
    below 2% of its Chinese characters; traditional text changes 15-30% of them.
    """
    converted = _t2s().convert(text)
    if len(converted) != len(text):
        return True
    changed = sum(1 for a, b in zip(text, converted, strict=True) if a != b)
    chinese = len(re.findall(f"[{_CJK}]", text)) or 1
    return changed >= _MIN_TRADITIONAL_CHARS and changed / chinese >= _TRADITIONAL_SHARE


def to_simplified(text: str) -> str:
    """Traditional -> simplified with OpenCC ``t2s`` (no check; see :func:`is_traditional`)."""
    return _t2s().convert(text)


def to_half_width(text: str) -> str:
    """Full-width digits, letters, symbols and the ideographic space -> ASCII.

    Chinese punctuation (，（）：；！？ and everything outside the FF01-FF5E block) stays.
    """
    return text.translate(_HALF_WIDTH)


def normalize_text(text: str, *, traditional: bool | None = None) -> str:
    """Normalise one field of a policy.

    Args:
        text: Raw text, any script, any width, any whitespace.
        traditional: Whether to convert traditional -> simplified; ``None`` decides from
            ``text`` itself (pass the document-level decision for short fields like titles).

    Returns:
        Simplified, half-width text with one paragraph per line and single spaces inside lines;
        spaces that only split Chinese words (``解决 方 案``, ``1000 万 元``) removed.
    """
    if not text:
        return ""
    if traditional is None:
        traditional = is_traditional(text)
    if traditional:
        text = to_simplified(text)
    text = to_half_width(text)
    lines = (_tidy_line(line) for line in text.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _tidy_line(line: str) -> str:
    line = _SPACES.sub(" ", line).strip()
    if " " not in line:
        return line
    tokens = line.split(" ")
    out = [tokens[0]]
    for token in tokens[1:]:
        out.append("" if _glue(out[-1], token) else " ")
        out.append(token)
    return "".join(out)


def _glue(left: str, right: str) -> bool:
    """A space between these two tokens splits a Chinese word or hugs Chinese punctuation."""
    if _LIST_MARKER.match(right):
        return (
            False  # "支持方式 （一）支持…": the space is the only boundary left in flattened text
        )
    if left[-1] in _CJK_PUNCT or right[0] in _CJK_PUNCT:
        return True
    if not (_CJK_OR_DIGIT.match(left[-1]) and _CJK_OR_DIGIT.match(right[0])):
        return False
    return bool(_LONE_CJK.match(left) or _LONE_CJK.match(right))


def content_hash(title: str, text: str) -> str:
    """sha256 hex digest of the normalised title and text; equal content, equal hash."""
    return hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Markdown and PDF layout


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.M)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?", re.M)


def strip_markdown(text: str) -> str:
    """Drop markdown syntax (heading hashes, bold, links, quotes), keep the words."""
    text = _MD_HEADING.sub("", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    text = _MD_LINK.sub(r"\1", text)
    return _MD_QUOTE.sub("", text)


_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?)\s*$"
)
_SENTENCE_END = tuple("。！？；：:;!?”」）)")
# A wrapped page has dozens of cut lines, each at least this many characters wide.
_WRAPPED_MIN_LINES = 30
_WRAPPED_MIN_WIDTH = 20
# The width shows once this many cut lines share it; a line of less than this share of it ends
# its paragraph (digits and spaces make full lines a little shorter in characters).
_WIDTH_MIN_LINES = 5
_FULL_LINE_SHARE = 0.75
_BARE_PAGE_NUMBER = re.compile(r"^\d{1,3}$")
_NUMBERED_START = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇\d]+[章节条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]"
    r"|\d+[.、．]|[①-⑳⑴-⒇]|附件|附表)"
)


def _wrap_width(lines: list[str]) -> tuple[int, int, int]:
    """The width most lines cut mid-sentence share, how many have it (give or take two
    characters), and how many lines are cut (end without closing a sentence)."""
    open_lengths = [len(line) for line in lines if not line.endswith(_SENTENCE_END)]
    if not open_lengths:
        return 0, 0, 0
    counts = Counter(open_lengths)
    width, at_width = max(
        ((length, sum(counts[n] for n in range(length - 2, length + 1))) for length in counts),
        key=lambda pair: pair[1],
    )
    return width, at_width, len(open_lengths)


def looks_hard_wrapped(text: str) -> bool:
    """Whether plain text still carries a PDF's line wrapping (lines cut mid-sentence at one
    width), as text copied out of a PDF into a JSON record does.

    Most lines end without closing a sentence, and most of those have nearly the same length:
    headings and list labels (五、生产作业, 9.产线柔性配置) also end open, but at any length.
    """
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    width, at_width, cut = _wrap_width(lines)
    return (
        cut >= _WRAPPED_MIN_LINES
        and cut >= len(lines) / 2
        and width >= _WRAPPED_MIN_WIDTH
        and at_width >= cut / 2
    )


def join_wrapped_lines(text: str) -> str:
    """Undo the hard line wrapping of PDF text: rejoin lines cut mid-sentence, drop page numbers.

    A line is joined to the previous one when the previous one does not end a sentence, the line
    does not open a numbered item or an attachment, and, where the page's wrap width shows, the
    previous line reached it: a short open line is a heading (一、总体要求), not a cut.
    """
    lines = [raw.strip() for raw in text.split("\n")]
    width, at_width, cut = _wrap_width([line for line in lines if line])
    shown = width >= _WRAPPED_MIN_WIDTH and at_width >= max(_WIDTH_MIN_LINES, cut / 2)
    full = width * _FULL_LINE_SHARE if shown else 0
    out: list[str] = []
    previous = ""
    for line in lines:
        if shown and _BARE_PAGE_NUMBER.match(line):
            continue  # a page break inside a paragraph: the cut line goes on after it
        if not line or _PAGE_NUMBER.match(line):
            if out and out[-1]:
                out.append("")
            continue
        if (
            out
            and out[-1]
            and not out[-1].endswith(_SENTENCE_END)
            and not _NUMBERED_START.match(line)
            and len(previous) >= full
        ):
            out[-1] += line
        else:
            out.append(line)
        previous = line
    return "\n".join(line for line in out if line)


# ---------------------------------------------------------------------------------------------
# HTML and page chrome

_DROP_TAGS = (
    "script,style,noscript,nav,header,footer,aside,form,iframe,svg,button,select,input,textarea"
)
_CHROME_ATTR = re.compile(
    r"(^|[-_ ])(nav|navbar|menu|footer|foot|header|head|breadcrumb|crumbs?|share|sidebar|side"
    r"|copyright|toolbar|topbar|top|bottom|login|search|banner|position|location|related"
    r"|fontsize|print)([-_ ]|$)",
    re.I,
)
_MAIN_SELECTORS = (
    "#zoom",
    ".TRS_Editor",
    ".TRS_UEDITOR",
    "#UCAP-CONTENT",
    ".pages_content",
    ".article-content",
    ".article_content",
    ".article-con",
    ".art_con",
    ".zw",
    "#zw",
    ".xxgk_content",
    ".detail-content",
    ".content",
    "#content",
    "article",
    "main",
    ".main",
    "#main",
)
_BLOCK_TAGS = "p,br,div,li,tr,h1,h2,h3,h4,h5,h6,table,section,article,ul,ol,dd,dt,blockquote,pre"
_MIN_MAIN_CJK = 100
_TITLE_SUFFIX = re.compile(
    r"\s*[-_|｜–—]+\s*[^-_|｜–—]*(政府|门户|网站|网|人民政府|办公室)[^-_|｜–—]*$"
)


def clean_html(html: str) -> str:
    """Policy text of a web page: the main content container, without scripts and chrome.

    Returns:
        Text with one block element per line, before :func:`normalize_text` (call that next).
    """
    tree = LexborHTMLParser(html)
    for node in tree.css(_DROP_TAGS):
        node.decompose()
    root = _main_container(tree)
    for node in root.css("*"):
        attrs = f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"
        if attrs.strip() and _CHROME_ATTR.search(attrs) and node is not root:
            node.decompose()
    for node in root.css(_BLOCK_TAGS):
        node.insert_after("\n")
    for node in root.css("td,th"):
        node.insert_after(" ")
    return clean_page_text(root.text(separator=""))


def html_title(html: str) -> str | None:
    """The page's own title: the first ``h1`` inside the content, else ``<title>`` minus the site name."""
    tree = LexborHTMLParser(html)
    for selector in ("h1", ".title", "title"):
        node = tree.css_first(selector)
        if node is not None:
            title = _SPACES.sub(" ", node.text(separator="")).strip()
            if selector == "title":
                title = _TITLE_SUFFIX.sub("", title)
            if title:
                return title
    return None


def _main_container(tree: LexborHTMLParser):  # noqa: ANN202 - selectolax node type is private
    best, best_cjk = None, 0
    for selector in _MAIN_SELECTORS:
        for node in tree.css(selector):
            cjk = len(re.findall(f"[{_CJK}]", node.text(separator="")))
            if cjk > best_cjk:
                best, best_cjk = node, cjk
        if best is not None and best_cjk >= _MIN_MAIN_CJK:
            return best
    return tree.body or tree.root


_CHROME_SIGNALS = (
    "无障碍",
    "索引号",
    "点击数",
    "浏览次数",
    "关闭窗口",
    "ICP备",
    "网站标识码",
    "当前位置",
    "您的位置",
    "首页 |",
    "繁体",
    "长者版",
    "打印本页",
    "公网安备",
)
# "label : value" pairs of a gov.cn article header; the value is one token or absent.
_CHROME_FIELD = re.compile(
    r"(?:索引号|主题分类|发布机构|发文机关|发文字号|公开属性|公开渠道|公开方式|发布时间|发布日期|成文日期"
    r"|点击数|浏览次数|阅读次数|访问量|流水号|来源|信息来源|字号|文号|有效性|生效日期|废止日期)"
    r"\s*[:：]\s*(?:[^\s：:]{1,40}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)?"
    r"|状态查询[（(][^）)]*[）)]|申请人姓名/法人名称[:：]|\s查询(?=\s)"
)
_FOOTER_MARKERS = (
    "分享：",
    "分享到",
    "收藏 打印",
    "打印 关闭",
    "关闭窗口",
    "【打印】",
    "【关闭】",
    "打印本页",
    "上海市政府及各区网站",
    "相关链接",
    "相关文件",
    "主办单位",
    "网站标识码",
    "ICP备",
    "公网安备",
    "版权所有",
    "扫一扫",
    "Copyright",
)
_PROSE = re.compile(r"[^\s]{20,}?[。；]")
_MENU_LINE = re.compile(
    r"^(?:[^\s|｜。，]{1,8}\s*[|｜/>»]\s*){2,}[^\s|｜。，]{0,8}$|^(?:[^\s。，]{1,6} ){3,}[^\s。，]{1,6}$"
)
_BREADCRUMB = re.compile(
    r"(?:首页|当前位置|您的位置|您现在的位置)\s*[:：]?\s*(?:[>/»]|\S+\s*[>/»])"
)
_SPACED_MENU = re.compile(
    r"(?:[^\s，。；：:！？!?()（）]{1,6} ){5,}[^\s，。；：:！？!?()（）]{1,6}"
)
_MENU_RUN = re.compile(r"(?:\S{1,6}\s*[|｜]\s*){2,}\S{1,6}")
_ERROR_PAGE = re.compile(
    r"页面不存在|页面已删除|页面未找到|找不到(?:该|您访问的)?页面|404 Not Found|Page Not Found",
    re.I,
)


def looks_like_page_text(text: str) -> bool:
    """Text copied or crawled from a web page, site navigation included (2+ chrome signals)."""
    head_and_tail = text[:3000] + text[-3000:]
    return sum(1 for signal in _CHROME_SIGNALS if signal in head_and_tail) >= 2


def clean_page_text(text: str) -> str:
    """Cut site chrome from page text: header fields and navigation before the body, footer after.

    Works on text with line breaks (from HTML) and on page text flattened onto one line (as
    crawlers store it): the header ends at the last chrome field (索引号, 发布时间, 点击数 …) that
    comes before the first prose sentence; the footer starts at the first footer marker
    (分享, 打印, 关闭窗口, ICP备 …) after the body. Menu and breadcrumb lines are dropped.
    """
    prose = _PROSE.search(text)
    body_start = prose.start() if prose else len(text)
    header_end = 0
    for match in _CHROME_FIELD.finditer(text, 0, body_start):
        header_end = match.end()
    if header_end == 0:
        # no article header: still cut a leading navigation run such as "首页 | 繁体 | 无障碍"
        for match in _MENU_RUN.finditer(text, 0, body_start):
            header_end = match.end()
    body = text[header_end:]
    if header_end == 0 or not prose:
        # no article header: drop the menu runs ("首页 一网通办 政务公开 …") before the body
        body = (
            _SPACED_MENU.sub(" ", text[header_end:body_start]) + text[max(header_end, body_start) :]
        )
    footer = min((i for i in (body.find(m) for m in _FOOTER_MARKERS) if i > 0), default=len(body))
    body = body[:footer]
    lines = []
    for line in body.split("\n"):
        stripped = line.strip()
        if not stripped or _MENU_LINE.match(stripped) or _BREADCRUMB.search(stripped):
            continue
        lines.append(_CHROME_FIELD.sub(" ", stripped) if len(stripped) < 80 else stripped)
    return "\n".join(line.strip() for line in lines if line.strip())


def is_error_page(text: str) -> bool:
    """A "page not found" page rather than a policy (short text that says so)."""
    return len(text) < 1000 and bool(_ERROR_PAGE.search(text))
