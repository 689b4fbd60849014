"""Where the eligibility rules bury relevant policies: relevant pairs judged 不符合, with the cause.

For a labelled set (``items``, ``dev`` or ``dev_items``), every (enterprise, record) pair with a qrels grade
>= 1 whose best item verdict is 不符合 is listed with each failing hard check, the card field
it reads (region, beneficiaries, industries or a condition) and the sentence(s) that field was
read from, tagged by origin (title, heading, text or the document's general ``context``). A
record's verdict is the best over its items, as ranking takes the best item per record.

The opposite error is counted too: grade-0 pairs the rules call 推荐.

Usage::

    PYTHONPATH=. .venv/bin/python scripts/diagnose_eligibility.py --dataset items
    PYTHONPATH=. .venv/bin/python scripts/diagnose_eligibility.py --dataset dev --quiet
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field

from policymatch.corpus.models import PolicyDocument, PolicyItem
from policymatch.evaluation.devset import load_builtin_dataset
from policymatch.evaluation.runner import prepare_corpus
from policymatch.match.eligibility import check_eligibility
from policymatch.match.results import ConditionCheck, Eligibility
from policymatch.translate import translate_items
from policymatch.translate.beneficiaries import find_beneficiaries
from policymatch.translate.card import _item_sentences, _kind_industries
from policymatch.translate.industries import find_industries
from policymatch.translate.models import PolicyCard

_RANK = {"推荐": 2, "可能符合": 1, "不符合": 0}


@dataclass
class FailedCheck:
    """One hard unmet check of the best item, with where its card field was read."""

    item_id: str
    kind: str
    condition: str
    reason: str
    card_field: str
    sources: list[str] = field(default_factory=list)  # "[origin] sentence"


@dataclass
class PairError:
    enterprise_id: str
    record_id: str
    grade: int
    title: str
    failures: list[FailedCheck]


@dataclass
class Diagnosis:
    dataset: str
    relevant_pairs: int
    relevant_unfit: list[PairError]
    irrelevant_pairs: int
    irrelevant_recommended: list[tuple[str, str]]
    failing_kinds: Counter = field(default_factory=Counter)
    irrelevant_verdicts: Counter = field(default_factory=Counter)


def _tagged(sentences: list, wanted: str | None = None) -> list[str]:
    return [f"[{s.origin}] {s.text}" for s in sentences if wanted is None or wanted in s.text]


def _sources(check: ConditionCheck, card: PolicyCard, item: PolicyItem) -> tuple[str, list[str]]:
    """The card field a check reads and the sentences of the item that filled it."""
    parts = _item_sentences(item)
    everything = parts.all
    origin = {s.text: s.origin for s in everything}
    if check.kind == "beneficiary" and check.condition.startswith("申报主体"):
        hits = [h for h in find_beneficiaries(everything) if h.role != "mention"]
        wanted = set(card.beneficiaries)
        found = [
            f"[{origin.get(h.source, '?')}|{h.name}|{h.role}] {h.source}"
            for h in hits
            if h.name in wanted
        ]
        return "beneficiaries", list(dict.fromkeys(found))
    if check.kind == "industry" and check.condition.startswith("所属行业"):
        hits = find_industries(everything) + _kind_industries(find_beneficiaries(everything))
        found = [
            f"[{origin.get(h.source, '?')}|{h.phrase}->{','.join(h.codes)}] {h.source}"
            for h in hits
        ]
        return "industries", list(dict.fromkeys(found))
    if check.kind == "region" and check.condition.startswith("适用地区"):
        return "region_codes", [f"{card.region_codes} {card.region_names}"]
    for condition in card.conditions:
        if condition.text == check.condition:
            return (
                f"conditions[{condition.kind}/{condition.field or condition.role}]",
                [f"[{origin.get(condition.source, '?')}] {condition.source}"],
            )
    return "?", []


def _best(
    items: list[PolicyItem], cards: dict[str, PolicyCard], profile, as_of
) -> tuple[PolicyItem, Eligibility]:
    judged = [
        (item, check_eligibility(cards[item.id], profile, as_of, ignore_validity=True))
        for item in items
    ]
    return max(judged, key=lambda pair: _RANK[pair[1].verdict])


def diagnose(name: str, as_of: dt.date | None = None) -> Diagnosis:
    """Judge every labelled pair of the built-in set ``name`` with the rules.

    Args:
        name: ``items`` or ``dev`` (a folder under eval/datasets).
        as_of: Day for enterprise ages; today when None. Validity is ignored, as labels are.
    """
    dataset = load_builtin_dataset(name)
    as_of = as_of or dt.date.today()
    corpus = prepare_corpus(dataset.records)
    items_by_record: dict[str, list[PolicyItem]] = {}
    for item in corpus.items:
        items_by_record.setdefault(corpus.item_to_record[item.id], []).append(item)
    docs: dict[str, PolicyDocument] = {doc.id: doc for doc in corpus.documents}
    cards: dict[str, PolicyCard] = {}
    by_doc: dict[str, list[PolicyItem]] = {}
    for item in corpus.items:
        by_doc.setdefault(item.doc_id, []).append(item)
    for doc_id, doc_items in by_doc.items():
        for card in translate_items(doc_items, docs[doc_id]):
            cards[card.item_id] = card
    titles = corpus.titles
    profiles = {p.id: p for p in dataset.profiles}

    unfit: list[PairError] = []
    recommended: list[tuple[str, str]] = []
    relevant = irrelevant = 0
    kinds: Counter = Counter()
    irrelevant_verdicts: Counter = Counter()
    for enterprise_id, labels in sorted(dataset.qrels.items()):
        profile = profiles.get(enterprise_id)
        if profile is None:
            continue
        for record_id, grade in sorted(labels.items()):
            record_items = items_by_record.get(record_id)
            if not record_items:
                continue
            item, eligibility = _best(record_items, cards, profile, as_of)
            if grade >= 1:
                relevant += 1
                if eligibility.verdict == "不符合":
                    failures = []
                    for check in eligibility.checks:
                        if check.status == "unmet" and check.hard:
                            card_field, sources = _sources(check, cards[item.id], item)
                            failures.append(
                                FailedCheck(
                                    item.id,
                                    check.kind,
                                    check.condition,
                                    check.reason,
                                    card_field,
                                    sources,
                                )
                            )
                            kinds[card_field] += 1
                    unfit.append(
                        PairError(
                            enterprise_id, record_id, grade, titles.get(record_id, ""), failures
                        )
                    )
            else:
                irrelevant += 1
                irrelevant_verdicts[eligibility.verdict] += 1
                if eligibility.verdict == "推荐":
                    recommended.append((enterprise_id, record_id))
    return Diagnosis(name, relevant, unfit, irrelevant, recommended, kinds, irrelevant_verdicts)


def _print(diagnosis: Diagnosis, quiet: bool) -> None:
    out = sys.stdout
    out.write(
        f"== {diagnosis.dataset}: {len(diagnosis.relevant_unfit)} of {diagnosis.relevant_pairs} "
        f"relevant pairs (grade>=1) judged 不符合; {len(diagnosis.irrelevant_recommended)} of "
        f"{diagnosis.irrelevant_pairs} grade-0 pairs judged 推荐\n"
    )
    out.write(f"   failing card fields: {dict(diagnosis.failing_kinds)}\n")
    out.write(f"   grade-0 verdicts: {dict(diagnosis.irrelevant_verdicts)}\n")
    if quiet:
        return
    for error in diagnosis.relevant_unfit:
        out.write(
            f"\n{error.enterprise_id}  {error.record_id}  grade={error.grade}  {error.title}\n"
        )
        for failure in error.failures:
            out.write(f"  x {failure.card_field}: {failure.condition} -- {failure.reason}\n")
            for source in failure.sources:
                out.write(f"      {source[:220]}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", action="append", choices=["items", "dev", "dev_items"])
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--quiet", action="store_true", help="counts only")
    parser.add_argument("--json", help="also write the errors to this JSON file")
    args = parser.parse_args(argv)
    results = [diagnose(name, args.as_of) for name in args.dataset or ["items", "dev"]]
    for diagnosis in results:
        _print(diagnosis, args.quiet)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(
                [
                    {
                        "dataset": d.dataset,
                        "relevant_pairs": d.relevant_pairs,
                        "relevant_unfit": [asdict(e) for e in d.relevant_unfit],
                        "irrelevant_pairs": d.irrelevant_pairs,
                        "irrelevant_recommended": d.irrelevant_recommended,
                    }
                    for d in results
                ],
                handle,
                ensure_ascii=False,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
