"""Where an item applies, as 区划 codes; an empty list means nationwide.

The document's own region (its metadata, else its issuer, title or signature) is the
default: 本市/本区/辖区内/我市 point back to it. An item narrows it when it ties
applicants to a place inside it (注册地在历城区, 在高新区内). National issuers (国务院,
部委) give an empty list unless the item itself names such a place.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from policymatch.corpus.models import PolicyDocument
from policymatch.reference import regions
from policymatch.translate.text import Sentence, fold_width

logger = logging.getLogger(__name__)

_NATIONAL_ISSUER = re.compile(
    r"^(?:国务院|中共中央|全国人大|国家|中华人民共和国|工业和信息化部|财政部|科技部|科学技术部|"
    r"人力资源社会保障部|人力资源和社会保障部|商务部|教育部|农业农村部|发展改革委|国家发展改革委|"
    r"税务总局|市场监管总局|中国人民银行|人民银行|银保监会|证监会|交通运输部|住房城乡建设部|"
    r"生态环境部|自然资源部|文化和旅游部|民政部|公安部|司法部|水利部|卫生健康委|应急管理部|"
    r"退役军人事务部|国资委|海关总署|知识产权局)"
)
_SELF_REFERENCE = re.compile(r"(?:本|我|全)(?:市|区|县|省|镇)|辖区")
# A place an applicant must be in: 注册地在X, 在X注册, 落户X, 位于X, X范围内.
_LOCATIVE_BEFORE = re.compile(
    r"(?:注册地(?:在|为|位于)?|登记注册在|注册在|落户(?:在|于)?|位于|坐落于|入驻|迁入)\s?$"
)
_LOCATIVE_AFTER = re.compile(
    r"^\s?(?:内|范围内|辖区内|境内|区域内)?\s?(?:注册|登记注册|设立|落户|纳税)"
)
_LOCATIVE_CUE = re.compile(
    r"注册|登记|落户|位于|坐落|入驻|迁入|设立|纳税|范围内|辖区内|境内|区域内"
)
_SCOPE_AFTER = re.compile(r"^\s?(?:范围内|辖区内|境内|区域内)")
# Places a scope leaves out: （不含宁波市）, （宁波市除外）, 除宁波市外, 深圳市按其有关规定执行.
_EXCLUSION = re.compile(
    r"[(（](?:但)?不(?:含|包括|包含)([^)）]{2,30})[)）]|[(（]([^)）]{2,30})除外[)）]|除([^，。；,;外]{2,20})外"
    r"|([^，。；,;、]{2,12})(?:按其|按照其|按)(?:有关|自身|本地)?(?:规定|政策)执行"
)
_SIGNATURE_CHARS = 400
_SIGNATURE_ORG = re.compile(
    r"([^\s，。；、,(（]{2,20}?(?:人民政府办公厅|人民政府办公室|人民政府|委员会|局|办公室))"
    r"\s*(?:\d{4}|[〇零一二三四五六七八九]{4})\s?年"
)


@dataclass(frozen=True)
class RegionScope:
    """Region codes an item applies to, their display names, and the sentences that said so."""

    codes: list[str]
    names: list[str]
    sources: list[str]
    excluded: list[str] = field(default_factory=list)  # codes of places inside left out


def is_national_issuer(issuer: str | None) -> bool:
    """Whether a (Chinese) issuer is a central organ: 国务院, 国务院办公厅, a ministry."""
    return bool(issuer) and bool(_NATIONAL_ISSUER.match(issuer.strip()))


def document_region(doc: PolicyDocument) -> regions.Region | None:
    """The region a document's issuer governs, None for national or unknown documents.

    Reads, in order: the metadata's ``region_code``, its free-text ``region``, the issuer,
    a title that starts with a place, then the issuing office in the signature when the
    text speaks of 本市/我区.
    """
    if doc.region_code:
        found = regions.get(doc.region_code)
        if found is not None:
            return found
    if doc.region:
        found = regions.lookup(doc.region)
        if found is not None:
            return found
    if doc.issuer and is_national_issuer(doc.issuer):
        return None
    if doc.issuer:
        found = regions.lookup(doc.issuer)
        if found is not None:
            return found
    title_regions = regions.find_all(doc.title[:12]) if doc.title else []
    if title_regions and doc.title.startswith(title_regions[0].name[:2]):
        return title_regions[-1]
    if _SELF_REFERENCE.search(doc.text or ""):
        return _signature_region(doc.text)
    return None


def _signature_region(text: str) -> regions.Region | None:
    """The place of the office that signed the document (济南市人民政府办公厅 2019年1月3日印发),
    else the first place the opening paragraph names, else the first place named at all."""
    tail = fold_width(text[-_SIGNATURE_CHARS:])
    for org in reversed(_SIGNATURE_ORG.findall(tail)):
        found = regions.lookup(org)
        if found is not None:
            return found
    for part in (text[:_SIGNATURE_CHARS], text):
        mentioned = regions.find_all(fold_width(part))
        if mentioned:
            return mentioned[0]
    return None


def _exclusions(sentences: list[Sentence], scope: list[str]) -> list[str]:
    """Codes of the places inside ``scope`` that the sentences leave out (不含宁波市)."""
    excluded: list[str] = []
    for sentence in sentences:
        for match in _EXCLUSION.finditer(sentence.folded):
            span = next(group for group in match.groups() if group)
            for region in regions.find_all(span):
                inside = any(regions.contains(c, region.code) and c != region.code for c in scope)
                if inside and region.code not in excluded:
                    excluded.append(region.code)
    return excluded


def _excluded_spans(folded: str) -> list[tuple[int, int]]:
    return [match.span() for match in _EXCLUSION.finditer(folded)]


def _name_spans(folded: str, region: regions.Region) -> list[tuple[int, int]]:
    spans = []
    for name in dict.fromkeys((region.name, region.short_name)):
        if len(name) < 2:
            continue
        spans.extend((m.start(), m.end()) for m in re.finditer(re.escape(name), folded))
    return spans


def _restrictions(sentence: Sentence) -> list[regions.Region]:
    """Places the sentence ties applicants to (注册地在历城区), not places it merely names."""
    folded = sentence.folded
    if not _LOCATIVE_CUE.search(folded):
        return []
    found = []
    left_out = _excluded_spans(folded)
    for region in regions.find_all(folded):
        for start, end in _name_spans(folded, region):
            if any(low <= start < high for low, high in left_out):
                continue
            before, after = folded[max(0, start - 8) : start], folded[end : end + 8]
            if (
                _LOCATIVE_BEFORE.search(before)
                or _LOCATIVE_AFTER.match(after)
                or _SCOPE_AFTER.match(after)
            ):
                found.append(region)
                break
    return found


def find_region_scope(
    sentences: list[Sentence], doc: PolicyDocument, home: regions.Region | None = None
) -> RegionScope:
    """Region codes an item applies to.

    Args:
        sentences: The item's title, headings, text and inherited context.
        doc: Its document, for the issuer's region.
        home: The document's region when already read (:func:`document_region`), to read it
            once per document rather than once per item.

    Returns:
        Codes (6 digits) and display names (山东省济南市历城区), both empty = nationwide; and
        the codes of places inside them that the item leaves out (（不含宁波市）, 除宁波市外).
    """
    home = home if home is not None else document_region(doc)
    scope = _scope(sentences, home)
    excluded = _exclusions(sentences, scope.codes or ([home.code] if home else []))
    return RegionScope(scope.codes, scope.names, scope.sources, excluded)


def _scope(sentences: list[Sentence], home: regions.Region | None) -> RegionScope:
    narrowed: list[regions.Region] = []
    sources: list[str] = []
    for sentence in sentences:
        for region in _restrictions(sentence):
            if home is None or regions.contains(home.code, region.code):
                if region not in narrowed:
                    narrowed.append(region)
                    sources.append(sentence.text)
    if narrowed:
        # A county inside a named city: keep the most specific places only.
        specific = [
            r
            for r in narrowed
            if not any(o is not r and regions.contains(r.code, o.code) for o in narrowed)
        ]
        return RegionScope(
            [r.code for r in specific], [regions.display_name(r.code) for r in specific], sources
        )
    if home is None:
        return RegionScope([], [], [])
    self_refs = [s.text for s in sentences if _SELF_REFERENCE.search(s.folded)]
    return RegionScope([home.code], [regions.display_name(home.code)], self_refs[:1])
