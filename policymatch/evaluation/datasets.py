"""Evaluation inputs: policy records, enterprise profiles, graded labels (qrels) and the split.

The three files of a labelled set (formats are stable; an external held-out benchmark uses them):

* policies: JSONL, one record per policy or item: ``id``, ``title``, ``text`` and optional
  ``issuer``, ``region``, ``publish_date``, ``valid_from``, ``valid_until``, ``doc_number``,
  ``url``, ``source``; unknown extra fields are ignored.
* enterprises: JSONL or CSV read by :func:`policymatch.profile.read_profiles`.
* qrels: TREC lines ``enterprise_id 0 policy_id grade`` with grade 2 (eligible, push it),
  1 (relevant, partly eligible or uncertain) or 0 (not relevant; the same as absent).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from policymatch.corpus.encoding import decode_lines
from policymatch.corpus.models import RawRecord
from policymatch.corpus.readers import looks_like_html
from policymatch.errors import InputError
from policymatch.profile.models import EnterpriseProfile

logger = logging.getLogger(__name__)

Qrels = dict[str, dict[str, int]]
"""Graded labels, ``{enterprise_id: {policy_id: grade}}``."""

SPLITS = ("tune", "report")
_RECORD_FIELDS = set(RawRecord.model_fields) - {"line", "format"}
# Names other exports give the same fields; the stable name wins when both are present.
_RECORD_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("content", "body", "正文", "内容", "全文"),
    "title": ("标题", "policy_title", "name"),
    "issuer": ("发文机关", "发布机构", "发文单位", "department", "issuing_authority"),
    "region": ("地区", "适用地区", "region_name"),
    "publish_date": ("发布日期", "发布时间", "published", "date", "pub_date"),
    "written_date": ("成文日期",),
    "valid_from": ("生效日期", "start_date", "effective_date"),
    "valid_until": ("有效期至", "失效日期", "end_date", "expiry_date", "expires"),
    "doc_number": ("文号", "发文字号"),
    "url": ("链接", "link"),
}


@dataclass
class EvalDataset:
    """A labelled set ready to run.

    Attributes:
        name: Short label for reports (``dev`` or the policies file stem).
        records: Policy records in file order; their ids are what runs rank.
        profiles: Enterprise profiles, the queries of the match direction.
        qrels: ``{enterprise_id: {policy_id: grade}}``.
        split: ``{enterprise_id: "tune" | "report"}``; empty when the set has no split.
        hashes: sha256 of each input file's bytes (or of the generated records), for the report.
        ignore_validity_by_default: The labels judge content only, not whether a policy is still
            in force; the command then ignores validity unless ``--as-of`` is given.
    """

    name: str
    records: list[RawRecord]
    profiles: list[EnterpriseProfile]
    qrels: Qrels
    split: dict[str, str] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    ignore_validity_by_default: bool = False

    def select_split(self, which: str) -> EvalDataset:
        """Keep the enterprises (and their labels) of one split; ``all`` keeps everything.

        Raises:
            InputError: ``which`` is not tune/report/all, or the set records no split.
        """
        if which == "all":
            return self
        if which not in SPLITS:
            raise InputError(f"unknown split {which!r}; use tune, report or all", field="split")
        if not self.split:
            raise InputError(
                f"--split {which} needs a split file; this set has none", field="split"
            )
        keep = {eid for eid, part in self.split.items() if part == which}
        return EvalDataset(
            name=f"{self.name}:{which}",
            records=self.records,
            profiles=[p for p in self.profiles if p.id in keep],
            qrels={eid: labels for eid, labels in self.qrels.items() if eid in keep},
            split={eid: part for eid, part in self.split.items() if eid in keep},
            hashes=self.hashes,
            ignore_validity_by_default=self.ignore_validity_by_default,
        )


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def records_sha256(records: Iterable[RawRecord]) -> str:
    """Content hash of policy records (id, metadata and text), independent of where they came from."""
    digest = hashlib.sha256()
    for record in records:
        payload = record.model_dump(include=_RECORD_FIELDS, mode="json")
        digest.update(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def policy_record(raw: dict, *, source: str, line: int) -> RawRecord:
    """Turn one decoded policies-JSONL object into a :class:`RawRecord`.

    Raises:
        InputError: ``id`` or ``text`` is missing or empty, or a field has the wrong type.
    """
    if not isinstance(raw, dict):
        raise InputError("expected a JSON object per line", source=source, line=line)
    raw = _with_stable_names(raw)
    for name in ("id", "text"):
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InputError(f"missing {name}", source=source, line=line, field=name)
    known = {}
    for name in _RECORD_FIELDS:
        value = raw.get(name)
        if value is None:
            continue
        if isinstance(value, int | float) and name != "text":
            value = str(value)
        if name == "region" and isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = "、".join(value)  # a measure for several places
        if not isinstance(value, str):
            raise InputError(
                f"expected a string, got {type(value).__name__}",
                source=source,
                line=line,
                field=name,
            )
        known[name] = value
    known["source"] = known.get("source") or source
    # a crawled page's HTML in the text field is read as HTML, as the corpus readers do
    text_format = "html" if looks_like_html(known["text"]) else "text"
    return RawRecord(**known, line=line, format=text_format)


def _with_stable_names(raw: dict) -> dict:
    renamed = dict(raw)
    for name, aliases in _RECORD_ALIASES.items():
        if renamed.get(name) is None:
            alias = next((a for a in aliases if raw.get(a) is not None), None)
            if alias is not None:
                renamed[name] = raw[alias]
    return renamed


def read_policies(path: Path) -> list[RawRecord]:
    """Read the policies JSONL of a labelled set.

    Args:
        path: JSONL file, one policy or item per line; blank lines are skipped.

    Returns:
        Records in file order.

    Raises:
        InputError: A line is not JSON, lacks ``id``/``text``, or repeats an id (file and line).
    """
    source = str(path)
    if not path.is_file():
        raise InputError("policies file not found", source=source)
    records: list[RawRecord] = []
    seen: dict[str, int] = {}
    for number, text in enumerate(decode_lines(path.read_bytes(), source=source), start=1):
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg}", source=source, line=number) from exc
        record = policy_record(raw, source=source, line=number)
        if record.id in seen:
            raise InputError(
                f"duplicate id {record.id!r} (first on line {seen[record.id]})",
                source=source,
                line=number,
                field="id",
            )
        seen[record.id] = number
        records.append(record)
    if not records:
        raise InputError("no policy records", source=source)
    return records


def read_qrels(path: Path) -> Qrels:
    """Read TREC qrels ``enterprise_id 0 policy_id grade``.

    Lines starting with ``#`` and blank lines are skipped. A pair given twice with the same grade
    is accepted; with different grades it is an error.

    Returns:
        ``{enterprise_id: {policy_id: grade}}`` with grade a non-negative integer.

    Raises:
        InputError: A line has the wrong number of fields, a grade that is not a non-negative
            integer, or contradicts an earlier line (file and line).
    """
    source = str(path)
    if not path.is_file():
        raise InputError("qrels file not found", source=source)
    qrels: Qrels = {}
    for number, text in enumerate(decode_lines(path.read_bytes(), source=source), start=1):
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = stripped.split()
        if len(parts) != 4:
            raise InputError(
                f"expected 4 fields 'enterprise_id 0 policy_id grade', got {len(parts)}",
                source=source,
                line=number,
            )
        enterprise_id, _iteration, policy_id, grade_text = parts
        try:
            grade = int(grade_text)
        except ValueError:
            grade = -1
        if grade < 0:
            raise InputError(
                f"grade must be a non-negative integer, got {grade_text!r}",
                source=source,
                line=number,
                field="grade",
            )
        labels = qrels.setdefault(enterprise_id, {})
        if labels.get(policy_id, grade) != grade:
            raise InputError(
                f"{enterprise_id} {policy_id} graded {labels[policy_id]} earlier, now {grade}",
                source=source,
                line=number,
                field="grade",
            )
        labels[policy_id] = grade
    return qrels


def write_qrels(qrels: Qrels, path: Path) -> None:
    """Write qrels as sorted TREC lines (grade-0 judgements kept: they record what was read)."""
    lines = [
        f"{eid} 0 {pid} {grade}"
        for eid in sorted(qrels)
        for pid, grade in sorted(qrels[eid].items())
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_split(path: Path) -> dict[str, str]:
    """Read a split file: ``enterprise_id<TAB or space>tune|report`` per line, ``#`` comments.

    Raises:
        InputError: A line is malformed or names another split (file and line).
    """
    source = str(path)
    split: dict[str, str] = {}
    for number, text in enumerate(decode_lines(path.read_bytes(), source=source), start=1):
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = stripped.split()
        if len(parts) != 2 or parts[1] not in SPLITS:
            raise InputError("expected 'enterprise_id tune|report'", source=source, line=number)
        split[parts[0]] = parts[1]
    return split


def read_enterprises(path: Path) -> list[EnterpriseProfile]:
    """Read and normalise enterprise profiles (JSONL or CSV) with the profile stage's reader.

    Raises:
        InputError: From the reader, naming file, line and field; or on a repeated id.
    """
    from policymatch.profile import read_profiles

    if not path.is_file():
        raise InputError("enterprises file not found", source=str(path))
    profiles = list(read_profiles(path))
    seen: set[str] = set()
    for profile in profiles:
        if profile.id in seen:
            raise InputError(
                f"duplicate enterprise id {profile.id!r}", source=str(path), field="id"
            )
        seen.add(profile.id)
    if not profiles:
        raise InputError("no enterprise profiles", source=str(path))
    _warn_unread_facts(profiles, str(path))
    return profiles


def _warn_unread_facts(profiles: list[EnterpriseProfile], source: str) -> None:
    """Say which facts most profiles lack: a column under a name the reader does not know
    looks the same as a blank one, and region is what every hard rule reads."""
    facts = {
        "region": sum(p.region_code is not None for p in profiles),
        "industry": sum(p.industry_code is not None for p in profiles),
        "size": sum(p.size_class is not None for p in profiles),
        "needs": sum(bool(p.needs) for p in profiles),
    }
    missing = [
        f"{name} ({len(profiles) - known} of {len(profiles)})"
        for name, known in facts.items()
        if known * 2 < len(profiles)
    ]
    if missing:
        logger.warning(
            "%s: most profiles have no %s; policymatch/profile/data/columns.json lists the "
            "column names read",
            source,
            ", ".join(missing),
        )


def load_dataset(
    policies: Path, enterprises: Path, qrels: Path, split_file: Path | None = None
) -> EvalDataset:
    """Load a labelled set from its three files (and an optional split file).

    A split file named ``split.tsv`` beside the qrels is used when ``split_file`` is None.
    """
    if split_file is None and (qrels.parent / "split.tsv").is_file():
        split_file = qrels.parent / "split.tsv"
    return EvalDataset(
        name=policies.stem,
        records=read_policies(policies),
        profiles=read_enterprises(enterprises),
        qrels=read_qrels(qrels),
        split=read_split(split_file) if split_file else {},
        hashes={
            "policies": file_sha256(policies),
            "enterprises": file_sha256(enterprises),
            "qrels": file_sha256(qrels),
        },
    )


def resolve_dataset(
    dataset: str | None,
    policies: Path | None,
    enterprises: Path | None,
    qrels: Path | None,
    split_file: Path | None = None,
) -> EvalDataset:
    """The labelled set a command names: a built-in one (``--dataset``) or three files.

    Raises:
        InputError: Both ways given, or files missing, named by their option.
    """
    if dataset is not None:
        if any(p is not None for p in (policies, enterprises, qrels)):
            raise InputError(
                "give --dataset or --policies/--enterprises/--qrels, not both", field="dataset"
            )
        from policymatch.evaluation.devset import load_builtin_dataset

        return load_builtin_dataset(dataset)
    given = {"--policies": policies, "--enterprises": enterprises, "--qrels": qrels}
    missing = [name for name, value in given.items() if value is None]
    if missing:
        raise InputError(
            f"missing {', '.join(missing)} (or use --dataset dev|items)", field="inputs"
        )
    return load_dataset(policies, enterprises, qrels, split_file)  # type: ignore[arg-type]
