"""Why a pair ranked where it did: matched words and sentence, and features put into words."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence

from policymatch.match.results import Eligibility
from policymatch.profile.models import EnterpriseProfile
from policymatch.translate.models import PolicyCard

_SENTENCE_END = re.compile(r"(?<=[。；;！!？?\n])")
_MAX_SENTENCE_CHARS = 120
_MAX_TERMS = 8


def document_frequency(corpus_tokens: Sequence[Sequence[str]]) -> dict[str, int]:
    """In how many items each word occurs."""
    counts: dict[str, int] = {}
    for tokens in corpus_tokens:
        for token in set(tokens):
            counts[token] = counts.get(token, 0) + 1
    return counts


def common_words(
    corpus_tokens: Sequence[Sequence[str]],
    share: float = 0.2,
    frequency: Mapping[str, int] | None = None,
) -> frozenset[str]:
    """Words found in more than ``share`` of the items (and in more than two)."""
    counts = frequency if frequency is not None else document_frequency(corpus_tokens)
    limit = max(2, share * len(corpus_tokens))
    return frozenset(t for t, n in counts.items() if n > limit)


def sentences(text: str) -> list[str]:
    """Split Chinese text after 。；！？ and line breaks; blank pieces dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def matched_terms(
    item_tokens: Sequence[str],
    query_tokens: Iterable[str],
    limit: int = _MAX_TERMS,
    common: Collection[str] = frozenset(),
    frequency: Mapping[str, int] | None = None,
) -> list[str]:
    """Words the item shares with the query, each once: the rarest in the corpus first (given
    ``frequency``, see :func:`document_frequency`), else in the item's order.

    Single characters and ``common`` words (in a large share of the corpus: 企业, 申请) are left
    out: alone they say little about why an item matched.
    """
    wanted = {t for t in query_tokens if len(t) > 1 and t not in common}
    found = list(dict.fromkeys(t for t in item_tokens if t in wanted))
    if frequency is not None:
        found.sort(key=lambda t: frequency.get(t, 0))  # stable: ties keep the item's order
    return found[:limit]


def best_sentence(text: str, terms: Sequence[str]) -> str | None:
    """The sentence of ``text`` holding the most of ``terms`` (ties: the earlier one).

    Returns:
        The sentence, cut to 120 characters; None when no sentence holds any term.
    """
    best, best_hits = None, 0
    for sentence in sentences(text):
        hits = sum(1 for term in terms if term in sentence)
        if hits > best_hits:
            best, best_hits = sentence, hits
    if best is None:
        return None
    return best if len(best) <= _MAX_SENTENCE_CHARS else best[: _MAX_SENTENCE_CHARS - 1] + "…"


def highlights(
    item_text: str,
    item_tokens: Sequence[str],
    query_tokens: Iterable[str],
    common: Collection[str] = frozenset(),
    frequency: Mapping[str, int] | None = None,
) -> list[str]:
    """The best-matching sentence first (when there is one), then the shared words."""
    terms = matched_terms(item_tokens, query_tokens, common=common, frequency=frequency)
    sentence = best_sentence(item_text, terms)
    return ([sentence] if sentence else []) + terms


def explanations(
    features: Mapping[str, float],
    contributions: Mapping[str, float],
    card: PolicyCard,
    profile: EnterpriseProfile,
    eligibility: Eligibility | None,
    served_needs: Iterable[str] = (),
    item_text: str = "",
) -> list[str]:
    """Features that lifted or sank a pair, in Chinese, the weightiest first.

    Args:
        features: The pair's features (:func:`~policymatch.match.features.pair_features`).
        contributions: Weighted share of each feature in the score (``Ranker.contributions``);
            sorts the lines. Features the ranker does not weigh still explain at weight 0.
        card: The item's card (region names, beneficiaries, amounts).
        profile: The enterprise.
        eligibility: Its checks, for the first unmet condition's reason.
        served_needs: Need categories both the enterprise states and the item serves.
        item_text: The item's passage, to name the qualifications it mentions.
    """
    lines: list[tuple[float, str]] = []

    def say(feature: str, text: str) -> None:
        lines.append((abs(contributions.get(feature, 0.0)), text))

    dense, bm25 = features.get("dense", 0.0), features.get("bm25", 0.0)
    if dense >= 0.85 or bm25 >= 0.5:
        key = max(
            ("relevance", "dense", "bm25", "dense_views_max", "dense_need_best", "dense_needs"),
            key=lambda name: abs(contributions.get(name, 0.0)),
        )
        say(
            key,
            f"条款内容与企业需求和业务相近（语义相似度{dense:.2f}，关键词得分{bm25:.2f}）",
        )
    needs = sorted(served_needs)
    if needs:
        key = max(
            ("need_fit", "need_count", "need_primary"),
            key=lambda name: abs(contributions.get(name, 0.0)),
        )
        first = "（含企业首要需求）" if features.get("need_primary") else ""
        say(key, f"满足企业需求：{'、'.join(needs)}{first}")
    elif features.get("need_other"):
        say("need_other", "条款提供的支持与企业所述需求不同")
    place = profile.region or "企业所在地"
    if features.get("region_same") or features.get("region_contained"):
        say(
            "region_same" if features.get("region_same") else "region_contained",
            f"地区相符：适用地区（{'、'.join(card.region_names) or '本地'}）覆盖{place}",
        )
    elif features.get("region_national"):
        say("region_national", "全国适用，不限地区")
    elif features.get("region_outside"):
        say("region_outside", f"{place}不在适用地区（{'、'.join(card.region_names)}）内")
    elif features.get("region_unknown"):
        say(
            "region_unknown",
            f"适用地区为{'、'.join(card.region_names)}，企业所在地不够具体，需核实",
        )
    fit = features.get("beneficiary_fit", 0.0)
    kinds = "、".join(card.beneficiaries)
    if features.get("beneficiary_met") or fit > 0:
        say(
            "beneficiary_met" if features.get("beneficiary_met") else "beneficiary_fit",
            f"企业属于支持对象（{kinds}）",
        )
    elif fit < 0 and not features.get("beneficiary_unknown"):
        say("beneficiary_fit", f"企业不属于支持对象（{kinds}）")
    elif features.get("beneficiary_unknown"):
        say("beneficiary_unknown", f"支持对象为{kinds}，企业资料未能确认属于其中")
    if features.get("award_held"):
        say("award_held", "条款奖励新获得的资质，企业已持有该资质，可获支持有限")
    elif features.get("award_new"):
        say("award_new", "条款奖励新认定的资质，企业尚未持有，可争取")
    if features.get("qualification_required"):
        say("qualification_required", "企业已具备条款要求的资质")
    named = [q for q in profile.qualifications if q and q in item_text]
    if features.get("qualification_fit") and named:
        say("qualification_fit", f"条款提到企业已有的资质：{'、'.join(named[:3])}")
    industry = features.get("industry_fit", 0.0)
    if industry > 0:
        say("industry_fit", f"面向企业所在行业（{profile.industry or profile.industry_code}）")
    elif industry < 0:
        say("industry_fit", "条款面向其他行业")
    unmet = int(features.get("unmet_hard", 0))
    if unmet:
        first = next((c for c in (eligibility.unmet if eligibility else []) if c.hard), None)
        reason = f"：{first.reason}" if first else ""
        say("unmet_hard", f"{unmet}项硬性条件不满足{reason}")
    unknown = int(features.get("unknown", 0))
    if unknown:
        say("unknown", f"{unknown}项条件缺少企业数据，需人工确认")
    met = int(features.get("met", 0))
    if met:
        say("met", f"已满足{met}项条件")
    if features.get("expired"):
        say("expired", "申报期或有效期已过")
    if not features.get("is_support_measure", 1.0):
        say("is_support_measure", "无申报事项（规划/通知类）")
    if card.max_amount_wan:
        say("amount_log", f"最高支持{card.max_amount_wan:g}万元")
    lines.sort(key=lambda pair: -pair[0])  # stable: equal weights keep the order above
    return [text for _, text in lines]
