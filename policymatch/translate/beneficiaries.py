"""Who an item is for: canonical beneficiary kinds, and the role each plays in the item.

Kinds and their synonyms (国高 = 高新技术企业, 中小微企业 = 中小企业 …) come from
:mod:`policymatch.reference.qualifications`; its ``kind`` tells a recognised qualification
(高新技术企业, 专精特新中小企业) from a size class, a group of people or an entity type.

A kind plays one of three roles, read from the clause it sits in:

* ``requirement``: applicants must already be one (对获得认定的高新技术企业给予…);
* ``award``: the item rewards becoming one (对首次认定为高新技术企业的给予奖励), so it
  targets enterprises newly recognised;
* ``mention``: named without being targeted (培育一批高新技术企业, 鼓励高校、科研院所…).

Requirements and awards are the item's beneficiaries; mentions are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from policymatch.reference import qualifications
from policymatch.translate.measure import TAX_RELIEF, is_bare_heading
from policymatch.translate.text import (
    Origin,
    Sentence,
    clause_at,
    split_clauses,
    strip_quotes,
)

Role = Literal["requirement", "award", "mention"]

_AWARD_CUE = re.compile(
    r"(?:首次|(?<!重)新|当年|年度内)(?:被|获得?|通过|成功)?(?:国家|省|市|区|国家级|省级|市级|区级|[、\s])*"
    r"(?:认定|评定|评为|获评|入选|获批|通过|列入|纳入|进入|晋级|升级|创建|确定)"
    r"|达规纳统|小升规|升规|新增规模以上|首次进入|首次突破|成功上市|认定为|评为|创建为|获批为"
)
# Verbs that hand something out; 支持/提供 are left out, they also introduce mere encouragement.
_GRANT = re.compile(
    r"给予|予以|奖励|补贴|补助|资助|贴息|奖补|扶持|减免|免征|减半|享受|可申请|申领|发放|返还"
    rf"|{TAX_RELIEF}|提供.{{0,8}}(?:担保|贷款|授信|场地)"
)
# A clause that names who may apply (申报主体为…, 支持对象…) or a verb that targets its object.
_SCOPE = re.compile(
    r"申报主体|申报单位|申报企业|申报条件|支持对象|适用对象|服务对象|适用于|适用范围|实施对象|扶持对象|聚焦"
)
_NUMBERING = r"(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）.、]\s?)?"
_TARGET_VERB = re.compile(rf"^\s?{_NUMBERING}(?:支持|帮扶|扶持|面向|服务|对|对于|凡)")
# Kinds named as partners, as those served first (服务券优先发放给…专精特新企业),
# as counted units (每认定1家高新技术企业 … 奖励孵化器), as those being attracted, or as those
# a measure does not support.
_MENTION_CUE = re.compile(
    r"鼓励|引导|推动|培育一批|打造一批|争创|力争|带动|吸引|梯度培育|量质齐升|发挥.{0,12}作用|依托|联合|合作(?!社)|协同"
    r"|在孵|汇聚|集聚|不予|优先"
)
# Titles of other documents (《济南市中小微企业创新券实施管理办法》) and of talent programmes
# (泉城产业领军人才支持计划) name nobody; a catalogue a product must be listed in
# (列入《首台（套）重大技术装备推广应用指导目录》的装备) names what the applicant must hold.
_NAMES_NOBODY = re.compile(
    r"(?<!列入)(?<!纳入)(?<!入选)《[^》]{0,60}》"
    r"|(?:领军人才|高层次人才|创新团队)(?:支持|集聚|引进|培育|倍增)?(?:计划|工程)"
    # a quoted loan product (“小巨人信用贷”) is named after the borrowers it was made for, and is
    # one product among others a firm may have taken
    r"|“[^”]{0,16}贷”"
)
# What may stand between two kinds listed as alternatives (龙头企业、家庭农场和农民专业合作社).
_LISTED_BETWEEN = re.compile(r"^(?:[、,，/]|和|及|与|或|以及|或者)$")
# A clause on how or when to apply (…奖励按季度申报, 由企业向区商务局申报) names a measure or a
# step of the procedure, not who qualifies.
_PROCEDURE = re.compile(
    r"按(?:季度|月|月度|年度?|批次)(?:统一)?(?:申报|申领|报送)|(?:申报|受理)截止|截止(?:时间|日期)"
    r"|向[^,，]{1,20}(?:申报|申领|报送|提交)|审核后报|汇总(?:上报|报送)|拨付(?:给|至)"
)
_WITHHOLDING = re.compile(r"不予|不得|不再(?!重复)")
# Just before a kind: it is being created (发起设立新型研发机构), not the applicant.
_OBJECT_BEFORE = re.compile(r"(?:设立|建设|组建|共建|创建(?!为)|打造)[^,，的)）]{0,10}$")
# People an applicant hires or takes in (参保单位招用…高校毕业生, 企业吸纳就业困难人员): the
# employer applies, the people are what it is paid for.
_HIRED_BEFORE = re.compile(r"(?:招用|招聘|吸纳|聘用|录用|雇用|接收|安置)[^,，。；;]{0,40}$")
# Just before a kind: it is where the applicants are housed (入驻科技企业孵化器的企业).
_HOUSED_BEFORE = re.compile(r"(?:入驻|入孵|进驻|落户)$")
# Just after a kind: it describes where people come from (…科研院所的毕业生).
_DESCRIBES_AFTER = re.compile(r"^[^,，]{0,30}的(?:毕业生|学生|人才)")
# A kind whose business is being grown or cut (扩大小微企业融资担保业务规模, 降低…费率): the
# business is meant, not the kind as applicant.
_CHANGED_BEFORE = re.compile(r"(?:扩大|降低|提高|提升|增加)[^,，]{0,8}$")
_BUSINESS_AFTER = re.compile(r"^[^,，的]{0,8}(?:业务|费率)")
# A lender taking up a kind of financing (支持金融机构创新专利权质押贷款产品): the firms that
# borrow are served; a lender paid for loans it made (对金融机构发放的…贷款给予风险补偿) still applies.
_LENDS_AFTER = re.compile(
    r"^[^,，。；;]{0,4}(?:开展|创新|推出|推广)[^,，。；;]{0,20}(?:融资|贷款|信贷|授信|保险)"
)
# The kind is a counted unit (每认定1家高新技术企业…奖励孵化器).
_COUNTED_BEFORE = re.compile(r"每(?:认定|新增|引进|培育)\s?[\d一二三四五六七八九十]*\s?家?$")
# A kind the circle of applicants includes (…等行业企业（含个体工商户）): it widens, not narrows.
_INCLUDED_BEFORE = re.compile(r"\((?:含|包括|包含)$")
# The kind carries out a step (转租的，由出租方确保减免落实到承租人), it does not apply.
_ACTS_BEFORE = re.compile(r"由$")
_ACTS_AFTER = re.compile(r"^(?:负责|确保|承担|落实|组织|统一|按|向)")
# Another kind of applicant listed after enterprises (…餐饮企业及相关会展、商业运营主体) widens
# the circle of applicants; it restricts nobody to it.
_FIRMS_BEFORE = re.compile(r"企业(?:及|和|与|以及|、)(?:相关|其他)?[^,，。；]{0,8}$")
# What may stand inside one compound name between the group served and the kind serving it
# (the 融资（信用） of 中小企业融资（信用）担保机构); a verb between (小微企业向担保机构申请) ends it.
_NAME_JOINT = re.compile(r"^(?:融资|信用|贷款|创业|科技|再|[()（）])*$")
# Plain 企业 as the one a clause is about: 对…的企业， or 企业…的， (then the grant follows).
_ANY_ENTERPRISE = re.compile(
    r"(?:^|[，,；;。:：])\s?(?:\d{1,2}[.、．]\s?)?(?:对|凡)?"
    r"(?:[^，,；;。]{0,40}的(?:各类)?企业[，,]|(?:各类)?企业[^，,；;。]{0,40}的[，,])"
)
# 为 as "for" (为小微企业减免租金), not as "to be" (认定为, 创建为, 作为).
_SERVES = re.compile(r"(?<![定建成评作视列改称选])为")
# 担保机构为中小微企业提供的担保: the service is meant, whoever pays for it may apply.
_SERVICE_NOUN = re.compile(r"^[^,，。；]{0,12}(?:提供|发放|办理)的")
# The operator of a carrier (运营主体, 运营机构) when no kind of carrier is named, and only
# where the sentence names a place it runs (园区, 街区, 集聚区 …): 建设并运营标识解析节点的
# 运营机构 is any firm that does so.
_OPERATOR = "运营主体"
_PLACES = re.compile(r"园区|街区|集聚区|基地|商圈|步行街|载体|孵化器|众创空间|产业园|综合体|市场")
# Plain 企业 as one member of a list of applicants (…的企业、社会团体…以及个体工商户): every
# enterprise may apply, so the other kinds listed widen the circle and restrict nobody.
_LIST_SEPARATORS = ("、", "以及", "和", "及", "与", "或")
_PLAIN_ENTERPRISE = re.compile(r"(?:各类|所有|全部)?企业")
# What may follow the last member of such a list: punctuation, or the verb of the sentence.
_LIST_END = (
    ",",
    "，",
    "(",
    "（",
    "的",
    "等",
    "给予",
    "吸纳",
    "招用",
    "申请",
    "申报",
    "可",
    "均",
    "按",
    "在",
    "依法",
)


@dataclass(frozen=True)
class BeneficiaryHit:
    """One canonical kind found in one clause.

    Attributes:
        name: Canonical kind, e.g. 高新技术企业.
        role: requirement, award or mention.
        qualification: Whether the kind is a recognised qualification (the table's kind
            ``qualification``) rather than a size class, a group of people or an entity type.
        source: The sentence.
        origin: Where the sentence came from (the item's own text, its title, a heading ...).
    """

    name: str
    role: Role
    qualification: bool
    source: str
    origin: Origin = "text"


def _role(clause: str, sentence: Sentence, granting: bool) -> Role:
    if _MENTION_CUE.search(clause) or (_PROCEDURE.search(clause) and not _SCOPE.search(clause)):
        return "mention"
    if _AWARD_CUE.search(clause):
        return "award"
    if sentence.origin == "context" or _SCOPE.search(clause) or _TARGET_VERB.match(clause):
        return "requirement"
    return "requirement" if granting else "mention"


def clause_role_at(folded: str, position: int, sentence: Sentence) -> Role:
    """The role of whatever is named at ``position`` of a folded sentence, read from its clause."""
    clause = clause_at(folded, position)
    return "mention" if clause is None else _role(clause, sentence, bool(_GRANT.search(folded)))


def _forms(name: str) -> list[str]:
    """Every cleaned written form of a canonical kind, longest first."""
    forms = [form for form, canonical in qualifications.synonyms().items() if canonical == name]
    return sorted(forms, key=len, reverse=True)


def _span(name: str, cleaned: str) -> tuple[int, int] | None:
    """Where a kind is first written in a cleaned clause, in any of its forms."""
    found = [(cleaned.find(form), form) for form in _forms(name) if form in cleaned]
    if not found:
        return None
    start, form = min(found)
    return start, start + len(form)


def _kind_role(name: str, cleaned: str, clause_role: Role) -> Role:
    """Narrow a clause's role for one kind by the words right around it (``cleaned``: the
    clause as :func:`qualifications.clean` gives it)."""
    if clause_role == "mention":
        return clause_role
    span = _span(name, cleaned)
    if span is None:
        return clause_role
    before, after = cleaned[: span[0]], cleaned[span[1] :]
    if (
        _OBJECT_BEFORE.search(before)
        or _HIRED_BEFORE.search(before)
        or _HOUSED_BEFORE.search(before)
        or _COUNTED_BEFORE.search(before)
        or (_ACTS_BEFORE.search(before) and _ACTS_AFTER.match(after))
        or _INCLUDED_BEFORE.search(before)
        or _DESCRIBES_AFTER.match(after)
        or (_CHANGED_BEFORE.search(before) and _BUSINESS_AFTER.match(after))
        or (_is_lender(name) and _LENDS_AFTER.match(after))
    ):
        return "mention"
    return clause_role


def lists_any_enterprise(clause: str) -> bool:
    """Whether plain 企业 is one member of a list in the clause (…的企业、社会团体以及个体工商户).

    企业 preceded by a modifier (小微企业, 制造业企业) is a kind of its own, not this.
    """
    for match in _PLAIN_ENTERPRISE.finditer(clause):
        before, after = clause[: match.start()], clause[match.end() :]
        after_separator = after.startswith(_LIST_SEPARATORS)
        before_separator = before.endswith(_LIST_SEPARATORS)
        if not (before == "" or before[-1] in "的对凡,， " or before_separator):
            continue
        if after_separator or (before_separator and (after == "" or after.startswith(_LIST_END))):
            return True
    return False


def _is_lender(name: str) -> bool:
    entry = qualifications.get(name)
    return entry is not None and "J" in (entry.industries or ())


def _is_sector(name: str) -> bool:
    """A kind that is a sector (工业企业, 制造业企业): under 支持对象 it binds every item of
    the document, as the card's industries; other kinds there would only widen an item's own
    list of alternatives, so they stay as the item names them."""
    entry = qualifications.get(name)
    return entry is not None and entry.kind in ("industry", "statistical")


def _named_alone(name: str, cleaned: str) -> bool:
    """Whether a kind is not one of a list of applicants (工业企业、工业互联网平台企业和服务商)."""
    span = _span(name, cleaned)
    if span is None:
        return False
    before, after = cleaned[: span[0]], cleaned[span[1] :]
    return not (before.endswith(_LIST_SEPARATORS) or after.startswith(_LIST_SEPARATORS))


def _is_qualification(name: str) -> bool:
    entry = qualifications.get(name)
    return entry is not None and entry.kind == "qualification"


def find_beneficiaries(sentences: list[Sentence]) -> list[BeneficiaryHit]:
    """Beneficiary kinds in the sentences, each with its role, in reading order.

    Args:
        sentences: The item's title, headings, text and inherited context (tagged by origin).

    Returns:
        Every (kind, clause) hit; see :func:`beneficiary_names` for the item's list.
    """
    hits: list[BeneficiaryHit] = []
    scoped = False  # under a heading line that names the applicants (一、支持对象)
    for sentence in sentences:
        if is_bare_heading(sentence.folded):
            scoped = bool(_SCOPE.search(sentence.folded))
        folded = strip_quotes(_NAMES_NOBODY.sub(lambda m: " " * len(m.group(0)), sentence.folded))
        granting = bool(_GRANT.search(folded))
        withholding = bool(_WITHHOLDING.search(folded))
        for _, clause in split_clauses(folded):
            names = qualifications.find_qualifications(clause)
            if not names:
                continue
            role = "mention" if withholding else _role(clause, sentence, granting)
            if lists_any_enterprise(clause):
                role = "mention"
            cleaned = qualifications.clean(clause)
            roles = {n: _kind_role(n, cleaned, role) for n in names}
            if scoped and not withholding and not _MENTION_CUE.search(clause):
                roles = {
                    n: "requirement" if _is_sector(n) and _named_alone(n, cleaned) else r
                    for n, r in roles.items()
                }
            served = (
                _served_by_role(cleaned, roles)
                | _listed_beside_firms(cleaned, roles)
                | _naming_a_role(cleaned, roles)
            )
            hits.extend(
                BeneficiaryHit(
                    n,
                    "mention" if n in served else roles[n],
                    _is_qualification(n),
                    sentence.text,
                    sentence.origin,
                )
                for n in names
            )
    if any(s.origin in ("text", "context") and grants_any_enterprise(s.folded) for s in sentences):
        hits = [replace(h, role="mention") if qualifications.is_role(h.name) else h for h in hits]
    return _own_kinds_first(hits)


def grants_any_enterprise(sentence: str) -> bool:
    """Whether the sentence hands something to plain enterprises, whatever their kind
    (营业收入不足500万元的企业，每年最高补贴…; 企业发行…产品的，可给予…)."""
    if not _GRANT.search(sentence):
        return False
    for match in _ANY_ENTERPRISE.finditer(sentence):
        if not qualifications.find_qualifications(match.group(0)):
            return True
    return False


def listed_together(source: str, first: str, second: str) -> bool:
    """Whether two kinds are written side by side in a list in ``source``
    (龙头企业、家庭农场和农民专业合作社), not one qualifying the other's object (制造企业为列入
    首台（套）目录的装备投保)."""
    cleaned = qualifications.clean(source)
    spans = sorted(s for s in (_span(first, cleaned), _span(second, cleaned)) if s is not None)
    if len(spans) < 2:
        return False
    between = cleaned[spans[0][1] : spans[1][0]]
    for other in sorted(qualifications.find_qualifications(between), key=len, reverse=True):
        for form in _forms(other):
            between = between.replace(form, "、")
    return all(_LISTED_BETWEEN.match(part) for part in re.split(r"(、)", between) if part)


def _served_by_role(cleaned: str, roles: dict[str, Role]) -> set[str]:
    """Kinds another kind of applicant serves in the clause: they are its clients, not applicants.

    为小微企业和个体工商户减免租金的出租人 and 出租人为承租其房屋的小微企业减免租金 pay the
    lessor; 为中小企业提供担保的担保机构 pays the guarantor.
    """
    spans = {n: span for n in roles if (span := _span(n, cleaned)) is not None}
    served: set[str] = set()
    for applicant, (a_start, a_end) in spans.items():
        if roles[applicant] == "mention" or not qualifications.is_role(applicant):
            continue
        for client, (c_start, c_end) in spans.items():
            if qualifications.is_role(client):
                continue
            client_first = c_start < a_start and _SERVES.search(cleaned[:c_start])
            role_first = (
                a_end <= c_start
                and _SERVES.search(cleaned[a_end:c_start])
                and not _SERVICE_NOUN.search(cleaned[c_end:])
            )
            if (client_first and "的" in cleaned[c_end:a_start]) or role_first:
                served.add(client)
    return served


def _naming_a_role(cleaned: str, roles: dict[str, Role]) -> set[str]:
    """Kinds written as part of another kind of applicant's name (中小企业融资（信用）担保机构,
    小微企业创业孵化基地): they say whom that applicant serves, they apply for nothing."""
    spans = {n: span for n in roles if (span := _span(n, cleaned)) is not None}
    modifiers: set[str] = set()
    for role_kind, (r_start, _) in spans.items():
        if not qualifications.is_role(role_kind):
            continue
        for kind, (_, k_end) in spans.items():
            if kind != role_kind and k_end <= r_start and _NAME_JOINT.match(cleaned[k_end:r_start]):
                modifiers.add(kind)
    return modifiers


def _listed_beside_firms(cleaned: str, roles: dict[str, Role]) -> set[str]:
    """Another kind of applicant named only after plain enterprises (…餐饮企业及相关会展、商业
    运营主体): it widens the circle of applicants and restricts nobody to it."""
    applicants = [n for n, role in roles.items() if role != "mention"]
    if len(applicants) != 1 or not qualifications.is_role(applicants[0]):
        return set()
    span = _span(applicants[0], cleaned)
    if span is None or not _FIRMS_BEFORE.search(cleaned[: span[0]]):
        return set()
    return {applicants[0]}


def _own_kinds_first(hits: list[BeneficiaryHit]) -> list[BeneficiaryHit]:
    """Kinds the document's title names give way to those the item's own text names, and the
    plain operator to the kind of carrier it runs; an operator of no place is no kind at all.

    Under 关于支持小微企业和个体工商户发展有关税费政策的公告, an item on 个体工商户个人所得税减半
    that names 个体工商户 is for them alone; an item that names no kind inherits the title's.
    In 新认定为科技企业孵化器的，给予运营机构奖励 the operator is the incubator's.
    """
    hits = [
        replace(h, role="mention") if h.name == _OPERATOR and not _PLACES.search(h.source) else h
        for h in hits
    ]
    # the plain operator alone does not outweigh the carrier a title names (…孵化器…扶持办法)
    own = {h.name for h in hits if h.origin == "text" and h.role != "mention"} - {_OPERATOR}
    hits = [
        replace(h, role="mention")
        if own and h.origin == "title" and h.role != "mention" and h.name not in own
        else h
        for h in hits
    ]
    carriers = {
        h.name
        for h in hits
        if h.role != "mention" and h.name != _OPERATOR and qualifications.is_role(h.name)
    }
    if not carriers:
        return hits
    return [replace(h, role="mention") if h.name == _OPERATOR else h for h in hits]


def beneficiary_names(hits: list[BeneficiaryHit]) -> list[str]:
    """Kinds the item is for (requirements and awards), each once, in reading order."""
    return list(dict.fromkeys(h.name for h in hits if h.role != "mention"))
