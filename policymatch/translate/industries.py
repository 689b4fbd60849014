"""Which industries an item is for, as GB/T 4754-2017 codes (制造业 -> C, 软件和信息技术服务业 -> 65).

A sector counts when it qualifies the applicant: it comes right before 企业/行业/领域/产业
(制造业企业, 人工智能领域) or right after 从事/属于/主营 (从事软件开发). Sectors named
in passing (推动人工智能与制造业深度融合) or in clauses that only encourage (鼓励制造业企业与软件
企业合作) restrict nobody and are not read. Words map to
codes through :mod:`policymatch.reference.industries` (its keyword table, then exact names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from policymatch.reference import industries
from policymatch.translate.beneficiaries import clause_role_at
from policymatch.translate.tables import words
from policymatch.translate.text import Sentence, strip_quotes

# 产业 as part of an organisation or place (产业联盟, 产业园) qualifies nobody, nor does
# 产业化 (农业产业化龙头企业 are mostly food processors, not farms).
_HEAD_NOUN = re.compile(
    r"(?:企业|行业|领域|产业(?!联盟|园|集聚区|基金|投资|大会|论坛|化)|类企业|业态|项目)"
)
# Head nouns that name the applicant's own business; the others name a field or a project.
_STRICT_HEADS = ("企业", "行业", "类企业")
# Words that may stand between a sector and its head noun (人工智能大模型企业, 人工智能相关领域).
_MODIFIERS = ("大模型", "及相关", "相关", "应用", "类", "中小微", "中小", "小微", "运营")
# 包括生产型企业和从事批发零售的贸易型企业: an inclusive list restricts nobody.
_INCLUSIVE = re.compile(r"(?:包括|包含|含)[^,，。；;]*$")
_LEAD_VERB = re.compile(
    r"(?:从事|属于|主营业务为|主营|专注于?|以(?=[^，,。；;]{2,60}为主(?:营业务|业)))"
)
_MAX_PHRASE = 14
_MIN_PHRASE = 2
_LIST_SEPARATORS = re.compile(r"[、和及与]")
_OPEN_AFTER = re.compile(r"^(?:及|以及|和|与|等)(?:其他)?相关")
# Sectors a measure leaves out: 烟草制造业、批发和零售业等行业企业不适用本公告, （房地产业除外）,
# （不含批发零售企业）, 除房地产企业外.
_EXCLUSION = re.compile(
    r"([^。；;：:，,]{2,90}?)(?:等)?(?:(?:行业|领域)(?:的)?(?:企业|纳税人)?|企业|纳税人)"
    r"(?:不适用|不得享受|不享受|不(?:属于|在)(?:本政策|本办法|本公告)?(?:支持|适用)范围)"
    r"|[(（](?:但)?不(?:含|包括|包含)([^)）]{2,40})[)）]"
    r"|([^，。；,;(（]{2,40})(?:行业|企业)?除外"
    r"|除([^，。；,;外]{2,40})(?:以)?外"
)


@dataclass(frozen=True)
class IndustryHit:
    """Codes one phrase of the item names, and the sentence it is in.

    ``strict`` is True when the phrase qualifies the applicant itself (制造业企业, 从事软件开发)
    and False for a field of activity (人工智能领域, 集成电路产业). ``open`` is True when the
    sector list goes on with related entities (餐饮企业及相关商业运营主体), so a firm outside the
    named sectors may still be meant.
    """

    phrase: str
    codes: tuple[str, ...]
    source: str
    strict: bool
    open: bool = False  # the list goes on with 及相关… (批发、零售企业及相关商业运营主体)


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """GB/T 4754 names without a final 业 -> the shortest code bearing that name."""
    index: dict[str, str] = {}
    for industry in industries.default_table():
        key = industry.name.removesuffix("业")
        if key not in index or len(industry.code) < len(index[key]):
            index[key] = industry.code
    return index


def _codes_for(phrase: str) -> tuple[str, ...]:
    """Codes a phrase names exactly: a keyword (软件 -> 65), or a GB/T name (制造业 -> C)."""
    codes = industries.keyword_codes(phrase)
    if codes:
        return tuple(codes)
    code = _names().get(phrase.removesuffix("业"))
    return (code,) if code else ()


def _sector_ending_at(
    text: str, end: int, modifiers: tuple[str, ...] = ()
) -> tuple[str, tuple[str, ...]] | None:
    """The longest sector phrase ending at ``end``, or before one of ``modifiers`` that ends
    there (…制造业|企业 -> 制造业; 人工智能|大模型|企业 -> 人工智能)."""
    stops = [end] + [end - len(m) for m in modifiers if text[:end].endswith(m)]
    for stop in stops:
        for length in range(min(_MAX_PHRASE, stop), _MIN_PHRASE - 1, -1):
            phrase = text[stop - length : stop]
            if phrase in words("not_sectors"):
                return None  # 工业互联网项目: the longest phrase names no sector
            codes = _codes_for(phrase)
            if codes:
                return phrase, codes
    return None


def _sector_starting_at(text: str, start: int) -> tuple[str, tuple[str, ...]] | None:
    for length in range(min(_MAX_PHRASE, len(text) - start), _MIN_PHRASE - 1, -1):
        phrase = text[start : start + length]
        if phrase in words("not_sectors"):
            return None
        codes = _codes_for(phrase)
        if codes:
            return phrase, codes
    return None


def _listed_before(text: str, start: int) -> list[tuple[str, tuple[str, ...]]]:
    """Sectors listed before one that qualifies a noun (软件、集成电路企业 -> both)."""
    found = []
    position = start
    while position > 0 and _LIST_SEPARATORS.match(text[position - 1]):
        hit = _sector_ending_at(text, position - 1)
        if hit is None:
            break
        found.append(hit)
        position = position - 1 - len(hit[0])
    return found


def find_industries(sentences: list[Sentence]) -> list[IndustryHit]:
    """Sectors the item restricts applicants to.

    Args:
        sentences: The item's title, headings, text and inherited context.

    Returns:
        One hit per phrase, in reading order; codes are GB/T 4754-2017 (section letters or
        2-4 digit codes).
    """
    hits: list[IndustryHit] = []
    for sentence in sentences:
        text = strip_quotes(sentence.folded)
        for noun in _HEAD_NOUN.finditer(text):
            if clause_role_at(text, noun.start(), sentence) == "mention":
                continue
            hit = _sector_ending_at(text, noun.start(), _MODIFIERS)
            if hit is None:
                continue
            strict = noun.group(0) in _STRICT_HEADS
            if not strict and hit[0] in words("activity_sectors"):
                continue  # 研发项目: an activity any firm carries out, not a sector it is in
            open_list = bool(_OPEN_AFTER.match(text[noun.end() :]))
            phrase_start = text.rfind(hit[0], 0, noun.start())
            for phrase, codes in [hit, *_listed_before(text, phrase_start)]:
                hits.append(IndustryHit(phrase, tuple(codes), sentence.text, strict, open_list))
        for verb in _LEAD_VERB.finditer(text):
            if clause_role_at(text, verb.start(), sentence) == "mention" or _INCLUSIVE.search(
                text[: verb.start()]
            ):
                continue
            hit = _sector_starting_at(text, verb.end())
            if hit is not None:
                hits.append(IndustryHit(hit[0], tuple(hit[1]), sentence.text, True))
    return hits


def find_excluded_industries(sentences: list[Sentence]) -> list[IndustryHit]:
    """Sectors the item leaves out (…等行业企业不适用本公告, （房地产业除外）), one hit per
    sector named in the excluding phrase; codes are GB/T 4754-2017 as in :func:`find_industries`.
    """
    hits: list[IndustryHit] = []
    for sentence in sentences:
        text = strip_quotes(sentence.folded)
        for match in _EXCLUSION.finditer(text):
            span = next(group for group in match.groups() if group)
            position = 0
            while position < len(span) - 1:
                hit = _sector_starting_at(span, position)
                if hit is None:
                    position += 1
                    continue
                hits.append(IndustryHit(hit[0], tuple(hit[1]), sentence.text, True))
                position += len(hit[0])
    return hits


def industry_codes(hits: list[IndustryHit]) -> list[str]:
    """Distinct codes of the hits in order of first mention, without a code whose more
    specific code is also there (电信 63 and 电信运营企业 631 give 631)."""
    codes = list(dict.fromkeys(code for hit in hits for code in hit.codes))
    ancestors: set[str] = set()
    for code in codes:
        if industries.get(code) is not None:
            ancestors.update(industries.ancestors(code)[:-1])
    return [code for code in codes if code not in ancestors]
