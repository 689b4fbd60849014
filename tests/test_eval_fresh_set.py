"""The out-of-sample set ``eval/datasets/fresh``: its labels name items the corpus still has,
and its member-database export reads into complete profiles."""

from __future__ import annotations

from policymatch.evaluation.datasets import read_enterprises, read_qrels
from policymatch.evaluation.devset import DATASETS_DIR, distractor_records

FRESH = DATASETS_DIR / "fresh"


def test_every_label_names_an_item_of_the_regenerated_corpus_and_a_pooled_pair():
    records = distractor_records(items=True)
    ids = {record.id for record in records}
    assert len(ids) == len(records) == 7628
    qrels = read_qrels(FRESH / "qrels.txt")
    labelled = {(e, r) for e, labels in qrels.items() for r in labels}
    assert {r for _, r in labelled} <= ids
    pooled = {
        tuple(line.split("\t")[:2])
        for line in (FRESH / "pool.tsv").read_text(encoding="utf-8").splitlines()[1:]
    }
    assert labelled == pooled


def test_the_csv_export_reads_region_industry_size_and_needs_for_every_enterprise():
    profiles = read_enterprises(FRESH / "enterprises.csv")
    assert len(profiles) == 12
    assert all(p.region_code and p.industry_code and p.needs for p in profiles)
    sizes = [p.size_class for p in profiles]
    assert sizes.count(None) == 1  # 装卸搬运和仓储业: two rows of the standard disagree
    jinan = next(p for p in profiles if p.id == "fresh-e03")
    assert jinan.region_path == ["370000", "370100", "370102"]
