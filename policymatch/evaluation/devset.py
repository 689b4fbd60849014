"""The built-in dev set (``eval/datasets/dev``): project sample corpus + real documents by id.

The real documents are not copied into the project: ``corpus.tsv`` lists record ids, and this
module regenerates each record's text from ``../shared/data`` (or ``$POLICYMATCH_SHARED_DATA``)
into the evaluation policies shape at run time. The project's own sample corpus is read from
``data/policies`` with the corpus readers. Labels, profiles and the split are files in the folder.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

from policymatch.corpus.models import RawRecord
from policymatch.errors import InputError
from policymatch.evaluation.datasets import (
    EvalDataset,
    file_sha256,
    read_enterprises,
    read_policies,
    read_qrels,
    read_split,
    records_sha256,
)

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DATASETS_DIR = REPO_ROOT / "eval" / "datasets"
SAMPLE_CORPUS_DIR = REPO_ROOT / "data" / "policies"

# Record-id prefix -> file under ../shared/data/policies.
SHARED_FILES = {
    "xvshiting": "xvshiting_digital_policies_central_shandong.jsonl",
    "zhouynf": "zhouynf_govcn_state_council_2019snapshot.jsonl",
    "viktorsdb": "viktorsdb_xuhui_shanghai_policies.jsonl",
    "lawrefbook": "lawrefbook_laws.jsonl.gz",
}

# English issuer/title words of the Shandong documents -> the region they apply to.
_SHANDONG_CITIES = {
    "Jinan": "山东省济南市",
    "Qingdao": "山东省青岛市",
    "Yantai": "山东省烟台市",
    "Weifang": "山东省潍坊市",
    "Zibo": "山东省淄博市",
}
_CN_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_TITLE_END = ("。", "：", ":", "；", "，")


def shared_data_dir() -> Path:
    """``$POLICYMATCH_SHARED_DATA`` or ``../shared/data`` beside the repository."""
    env = os.environ.get("POLICYMATCH_SHARED_DATA")
    return Path(env) if env else (REPO_ROOT / ".." / "shared" / "data").resolve()


def text_sha(text: str) -> str:
    """First 12 hex of the sha256 of a record's text: detects a changed sample record."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _iso_date(text: str | None) -> str | None:
    if not text:
        return None
    match = _CN_DATE.search(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return f"{year:04d}-{month:02d}-{day:02d}"
    return text


def _chinese_title(text: str) -> str | None:
    # Many xvshiting texts open with their own title line; a body sentence ends in punctuation.
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if 6 <= len(line) <= 60 and not line.endswith(_TITLE_END) and "为" != line[0]:
            return line
        return None
    return None


def _shandong_region(raw: dict) -> str:
    words = f"{raw.get('issuer_en', '')} {raw.get('title_en', '')}"
    for city, region in _SHANDONG_CITIES.items():
        if city in words:
            return region
    return "山东省"


def shared_record(raw: dict) -> RawRecord:
    """One ../shared policy row in the evaluation policies shape (id, title, text, metadata)."""
    record_id = str(raw["id"])
    prefix = record_id.split(":", 1)[0]
    if prefix == "xvshiting":
        text = raw["text_zh"]
        return RawRecord(
            id=record_id,
            title=_chinese_title(text) or raw.get("title_en"),
            text=text,
            issuer=raw.get("issuer_en"),
            region="全国" if raw.get("level") == "central" else _shandong_region(raw),
            publish_date=raw.get("release_date"),
            url=raw.get("source"),
            source="xvshiting",
        )
    if prefix == "zhouynf":
        return RawRecord(
            id=record_id,
            title=raw.get("title"),
            text=raw["text"],
            issuer=raw.get("issuer"),
            region="全国",
            publish_date=_iso_date(raw.get("publish_date")),
            doc_number=raw.get("doc_number"),
            url=raw.get("url"),
            source="zhouynf",
        )
    if prefix == "viktorsdb":
        return RawRecord(
            id=record_id,
            title=raw.get("title"),
            text=raw["content"],
            region="上海市徐汇区",
            publish_date=raw.get("publish_date"),
            url=raw.get("url"),
            source="viktorsdb",
        )
    if prefix == "lawrefbook":
        return RawRecord(
            id=record_id,
            title=raw.get("title"),
            text=raw["text"],
            region=raw.get("region") or None,
            publish_date=raw.get("version_date"),
            source="lawrefbook",
        )
    raise InputError(f"no shared source for record id {record_id!r}", field="id")


def iter_shared_rows(file: Path) -> Iterator[dict]:
    """The raw rows of one ../shared policy file (JSONL, gzipped or not)."""
    opener = gzip.open if file.name.endswith(".gz") else open
    with opener(file, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load_shared_records(ids: list[str], shared_dir: Path | None = None) -> dict[str, RawRecord]:
    """Regenerate the named ../shared records.

    Raises:
        InputError: The shared folder, a source file or an id is missing.
    """
    root = (shared_dir or shared_data_dir()) / "policies"
    wanted: dict[str, set[str]] = {}
    for record_id in ids:
        prefix = record_id.split(":", 1)[0]
        if prefix not in SHARED_FILES:
            raise InputError(f"no shared source for record id {record_id!r}", field="id")
        wanted.setdefault(SHARED_FILES[prefix], set()).add(record_id)
    found: dict[str, RawRecord] = {}
    for name, record_ids in wanted.items():
        file = root / name
        if not file.is_file():
            raise InputError(
                "shared policy file missing (set POLICYMATCH_SHARED_DATA to the shared data "
                "folder)",
                source=str(file),
            )
        for raw in iter_shared_rows(file):
            if str(raw.get("id")) in record_ids:
                found[str(raw["id"])] = shared_record(raw)
    missing = sorted(set(ids) - set(found))
    if missing:
        raise InputError(f"{len(missing)} record ids not in ../shared: {', '.join(missing[:5])}")
    return found


def load_sample_records(
    ids: list[str], corpus_dir: Path = SAMPLE_CORPUS_DIR
) -> dict[str, RawRecord]:
    """Read the project's sample corpus with the corpus readers and keep the named records."""
    from policymatch.corpus.readers import read_path

    wanted = set(ids)
    found = {record.id: record for record in read_path(corpus_dir) if record.id in wanted}
    missing = sorted(wanted - set(found))
    if missing:
        raise InputError(
            f"{len(missing)} sample records gone from {corpus_dir}: {', '.join(missing[:5])}; "
            "rebuild the dev set (scripts/build_devset.py)",
        )
    return found  # type: ignore[return-value]


def read_corpus_list(path: Path) -> list[tuple[str, str, str]]:
    """``corpus.tsv`` rows: ``(record_id, origin, text_sha)`` with origin ``sample`` or ``shared``."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[1] not in ("sample", "shared"):
            raise InputError(
                "expected 'record_id<TAB>sample|shared<TAB>text_sha'", source=str(path), line=number
            )
        rows.append((parts[0], parts[1], parts[2]))
    return rows


def item_records(document: RawRecord) -> list[RawRecord]:
    """Every support item of a document as a record of its own (``DOC#N``, the corpus stage's
    split), titled ``document title（item heading）`` and carrying the document's metadata."""
    from policymatch.corpus.metadata import build_document
    from policymatch.corpus.split import split_document

    doc = build_document(document)
    records = []
    for item in split_document(doc):
        heading = item.title or (item.heading_path[-1] if item.heading_path else "")
        records.append(
            RawRecord(
                id=item.id,
                title=f"{doc.title}（{heading}）" if heading else doc.title,
                text=item.full_text(),
                issuer=doc.issuer,
                region=doc.region,
                publish_date=doc.publish_date.isoformat() if doc.publish_date else None,
                valid_until=doc.valid_until.isoformat() if doc.valid_until else None,
                doc_number=doc.doc_number,
                url=document.url,
                source=document.source,
            )
        )
    return records


def item_record(document: RawRecord, item_id: str) -> RawRecord:
    """Item ``item_id`` of a document as a record of its own (see :func:`item_records`).

    Raises:
        InputError: The document no longer has that item (its text or the splitter changed).
    """
    for record in item_records(document):
        if record.id == item_id:
            return record
    raise InputError(
        f"{document.id} has no item {item_id!r} any more; rebuild the set's corpus list",
        field="id",
    )


def load_corpus(folder: Path, shared_dir: Path | None = None) -> list[RawRecord]:
    """The dev corpus in ``corpus.tsv`` order, regenerated from its sources.

    An id ``DOC#N`` names item N of document DOC as the corpus stage splits it today. A record
    whose text changed since labelling is kept, with a warning: its labels may be stale.
    """
    rows = read_corpus_list(folder / "corpus.tsv")
    documents = {
        origin: sorted({rid.split("#", 1)[0] for rid, o, _ in rows if o == origin})
        for origin in ("sample", "shared")
    }
    sources = {
        "sample": load_sample_records(documents["sample"]),
        "shared": load_shared_records(documents["shared"], shared_dir),
    }
    records = []
    for record_id, origin, sha in rows:
        document_id = record_id.split("#", 1)[0]
        record = sources[origin][document_id]
        if record_id != document_id:
            record = item_record(record, record_id)
        if text_sha(record.text) != sha:
            logger.warning("%s changed since it was labelled; its labels may be stale", record_id)
        records.append(record)
    return records


def distractor_records(laws: int = 40, seed: int = 7, items: bool = False) -> list[RawRecord]:
    """The dev set's documents with every other real policy of ``../shared`` beside them.

    Adds the real documents the dev set left out (plans, guides, reply letters, notices to
    universities) and a seeded sample of ``laws`` laws that mention enterprises: what climbs
    into a top list when a corpus is not only documents someone chose to label. ``items``
    gives one record per support item (:func:`item_records`), the corpus of the ``fresh`` set.
    """
    import random

    records = load_corpus(DATASETS_DIR / "dev")
    taken = {record.id for record in records}
    root = shared_data_dir() / "policies"
    for prefix in ("xvshiting", "zhouynf", "viktorsdb"):
        for raw in iter_shared_rows(root / SHARED_FILES[prefix]):
            if str(raw["id"]) not in taken:
                records.append(shared_record(raw))
    candidates = [
        raw for raw in iter_shared_rows(root / SHARED_FILES["lawrefbook"]) if "企业" in raw["text"]
    ]
    for raw in random.Random(seed).sample(candidates, min(laws, len(candidates))):
        records.append(shared_record(raw))
    if items:
        records = [item for record in records for item in item_records(record)]
    return records


def load_builtin_dataset(name: str, shared_dir: Path | None = None) -> EvalDataset:
    """Load a labelled set kept under ``eval/datasets/<name>`` (``dev``).

    Raises:
        InputError: Unknown name, or a file of the set is missing.
    """
    folder = DATASETS_DIR / name
    if (folder / "corpus.tsv").is_file():
        records = load_corpus(folder, shared_dir)
        corpus_file = folder / "corpus.tsv"
    elif (folder / "policies.jsonl").is_file():  # a set written wholly in the project's own words
        records = read_policies(folder / "policies.jsonl")
        corpus_file = folder / "policies.jsonl"
    else:
        known = sorted(
            p.name
            for p in DATASETS_DIR.glob("*")
            if (p / "corpus.tsv").is_file() or (p / "policies.jsonl").is_file()
        )
        raise InputError(
            f"unknown dataset {name!r}; known: {', '.join(known) or 'none'}", field="dataset"
        )
    return EvalDataset(
        name=name,
        records=records,
        profiles=read_enterprises(folder / "enterprises.jsonl"),
        qrels=read_qrels(folder / "qrels.txt"),
        split=read_split(folder / "split.tsv"),
        hashes={
            corpus_file.name: file_sha256(corpus_file),
            "enterprises": file_sha256(folder / "enterprises.jsonl"),
            "qrels": file_sha256(folder / "qrels.txt"),
            "records": records_sha256(records),
        },
        ignore_validity_by_default=True,
    )


def write_policies_jsonl(records: list[RawRecord], path: Path) -> None:
    """Write records in the evaluation policies JSONL shape (for ``--policies``)."""
    fields = (
        "id",
        "title",
        "text",
        "issuer",
        "region",
        "publish_date",
        "valid_from",
        "valid_until",
        "doc_number",
        "url",
        "source",
    )
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            row = {name: getattr(record, name) for name in fields if getattr(record, name)}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
