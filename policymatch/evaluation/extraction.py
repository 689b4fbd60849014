"""Field-level precision and recall of the policy translator against hand labels.

The labelled set (``eval/extraction/labels.jsonl``) keeps no policy text: each line names a
record of a file under the shared data folder and the character span of one support item
in that record's raw text, with a hash of the span to catch drift, and the labels. The text
is rebuilt here: the record is read and built into a document by the corpus pipeline, the
span is normalised into the item text, and the split item it falls in lends its title,
heading path and inherited context. See ``eval/extraction/GUIDELINE.md`` for how fields
were labelled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from policymatch.corpus.metadata import build_document
from policymatch.corpus.models import PolicyDocument, PolicyItem, RawRecord
from policymatch.corpus.normalize import normalize_text
from policymatch.corpus.readers import read_path
from policymatch.corpus.split import split_document
from policymatch.errors import InputError
from policymatch.translate import translate_items
from policymatch.translate.models import Op, PolicyCard
from policymatch.translate.text import fold_width

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_LABELS = REPO_ROOT / "eval" / "extraction" / "labels.jsonl"
FIELDS = (
    "beneficiaries",
    "region_codes",
    "industries",
    "numeric_conditions",
    "amounts",
    "max_amount_wan",
    "apply_start",
    "apply_end",
    "valid_from",
    "valid_until",
    "is_support_measure",
)
_HASH_CHARS = 12
_MATCH_PROBE = 24


def shared_data_dir() -> Path:
    """``$POLICYMATCH_SHARED_DATA``, else ``../shared/data`` next to the repository."""
    configured = os.environ.get("POLICYMATCH_SHARED_DATA")
    return Path(configured) if configured else (REPO_ROOT / ".." / "shared" / "data").resolve()


class NumericLabel(BaseModel):
    """A numeric condition: field (Condition.field), comparison and value in the field's unit."""

    field: str
    op: Op
    value: float


class AmountLabel(BaseModel):
    """An amount granted: ``value`` in 万元, or a fraction for ``ratio``."""

    kind: Literal["fixed", "max", "ratio", "per_unit"]
    value: float


class ExtractionLabels(BaseModel):
    """What a careful reader finds in one item (see GUIDELINE.md)."""

    beneficiaries: list[str] = Field(default_factory=list)
    region_codes: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    numeric_conditions: list[NumericLabel] = Field(default_factory=list)
    amounts: list[AmountLabel] = Field(default_factory=list)
    max_amount_wan: float | None = None
    apply_start: dt.date | None = None
    apply_end: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    is_support_measure: bool = True


class LabelledItem(BaseModel):
    """One labelled item, located without its text.

    Attributes:
        id: Stable label id.
        source: File under the shared data folder (``policies/…jsonl``).
        record: Record id in that file.
        start: Offset of the item's first character in the record's raw text.
        end: Offset after its last character.
        sha1: First 12 hex digits of the SHA-1 of ``raw_text[start:end]`` (UTF-8).
        split: ``dev`` (the translator was tuned on it) or ``test`` (labelled afterwards and
            only scored).
        labels: The hand labels.
    """

    id: str
    source: str
    record: str
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    sha1: str
    split: Literal["dev", "test"] = "dev"
    labels: ExtractionLabels


def span_hash(text: str) -> str:
    """The drift check stored with each label: SHA-1 prefix of the raw span."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:_HASH_CHARS]


def read_labels(path: str | Path = DEFAULT_LABELS) -> list[LabelledItem]:
    """Read a labels file.

    Raises:
        InputError: A line is not JSON or does not fit :class:`LabelledItem`, naming the line.
    """
    path = Path(path)
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read labels: {exc.strerror}", source=str(path)) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(LabelledItem.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InputError(first["msg"], source=str(path), line=number, field=where) from exc
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        if item.id in seen:
            raise InputError(
                f"duplicate label id {item.id!r}", source=str(path), line=number, field="id"
            )
        seen.add(item.id)
    return items


def _compact(text: str) -> tuple[str, list[int]]:
    """Width-folded text without whitespace, and where each kept character was."""
    folded = fold_width(text)
    positions = [i for i, ch in enumerate(folded) if not ch.isspace()]
    return "".join(folded[i] for i in positions), positions


def locate_span(raw_text: str, item_text: str) -> tuple[int, int] | None:
    """Where a (normalised) item text sits in the raw record text, ignoring width and spaces.

    Labellers use it to turn an item they read into a text-free locator.

    Returns:
        ``(start, end)`` offsets in ``raw_text``, or None when the item is not found.
    """
    raw_compact, positions = _compact(raw_text)
    item_compact, _ = _compact(item_text)
    if not item_compact:
        return None
    head, tail = item_compact[:_MATCH_PROBE], item_compact[-_MATCH_PROBE:]
    start = raw_compact.find(head)
    if start < 0:
        return None
    end = raw_compact.find(tail, start)
    if end < 0:
        return None
    return positions[start], positions[end + len(tail) - 1] + 1


@dataclass(frozen=True)
class RebuiltItem:
    """A labelled item with its text rebuilt, ready for the translator."""

    label: LabelledItem
    item: PolicyItem
    doc: PolicyDocument


def _overlap(a: str, b: str) -> int:
    grams_a = {a[i : i + 4] for i in range(max(len(a) - 3, 0))}
    return sum(1 for i in range(max(len(b) - 3, 0)) if b[i : i + 4] in grams_a)


def _host_item(items: list[PolicyItem], text: str) -> PolicyItem | None:
    """The split item the labelled text falls in (for its headings and context)."""
    probe = re.sub(r"\s+", "", text)[:_MATCH_PROBE]
    for item in items:
        if probe and probe in re.sub(r"\s+", "", item.text):
            return item
    scored = [(_overlap(item.text, text), item) for item in items]
    best = max(scored, key=lambda pair: pair[0], default=(0, None))
    return best[1] if best[0] > 0 else None


def _records(path: Path, wanted: set[str]) -> dict[str, RawRecord]:
    return {raw.id: raw for raw in read_path(path) if raw.id in wanted}


def rebuild_items(
    labels: Iterable[LabelledItem], shared_dir: Path | None = None
) -> list[RebuiltItem]:
    """Rebuild the text of every labelled item from the shared data.

    Raises:
        InputError: A source file or record is missing, or a span no longer hashes to what
            was labelled (the shared file changed), naming the label.
    """
    shared_dir = shared_dir or shared_data_dir()
    by_source: dict[str, list[LabelledItem]] = defaultdict(list)
    for label in labels:
        by_source[label.source].append(label)
    rebuilt = []
    for source, group in by_source.items():
        path = shared_dir / source
        if not path.exists():
            raise InputError("shared data file not found", source=str(path))
        records = _records(path, {label.record for label in group})
        documents: dict[str, tuple[PolicyDocument, list[PolicyItem]]] = {}
        for label in group:
            raw = records.get(label.record)
            if raw is None:
                raise InputError(
                    f"record {label.record!r} not in {source}", source=label.id, field="record"
                )
            span = raw.text[label.start : label.end]
            if span_hash(span) != label.sha1:
                raise InputError(
                    "span does not hash to the labelled text: the source changed",
                    source=label.id,
                    field="sha1",
                )
            if label.record not in documents:
                doc = build_document(raw)
                documents[label.record] = (doc, split_document(doc))
            doc, split_items = documents[label.record]
            text = normalize_text(span)
            host = _host_item(split_items, text)
            item = PolicyItem(
                id=label.id,
                doc_id=doc.id,
                seq=host.seq if host else 0,
                heading_path=host.heading_path if host else [],
                title=host.title if host else "",
                text=text,
                context=host.context if host else doc.general_text,
            )
            rebuilt.append(RebuiltItem(label, item, doc))
    return rebuilt


# -- scoring -----------------------------------------------------------------------------------


def _round(value: float) -> float:
    return round(float(value), 4)


def predicted_values(card: PolicyCard, name: str) -> set:
    """The card's values for one labelled field, as a set comparable with the labels."""
    if name == "numeric_conditions":
        return {
            (c.field, c.op, _round(c.value))
            for c in card.conditions
            if c.kind == "numeric" and isinstance(c.value, int | float)
        }
    if name == "amounts":
        return {
            (a.kind, _round(a.ratio if a.kind == "ratio" else a.wan))
            for a in card.amounts
            if (a.ratio if a.kind == "ratio" else a.wan) is not None
        }
    if name == "max_amount_wan":
        return {_round(card.max_amount_wan)} if card.max_amount_wan is not None else set()
    if name == "is_support_measure":
        return {True} if card.is_support_measure else set()
    value = getattr(card, name)
    if isinstance(value, list):
        return set(value)
    return {value} if value is not None else set()


def labelled_values(labels: ExtractionLabels, name: str) -> set:
    """The labels' values for one field, shaped as :func:`predicted_values` shapes the card's."""
    if name == "numeric_conditions":
        return {(c.field, c.op, _round(c.value)) for c in labels.numeric_conditions}
    if name == "amounts":
        return {(a.kind, _round(a.value)) for a in labels.amounts}
    if name == "max_amount_wan":
        return {_round(labels.max_amount_wan)} if labels.max_amount_wan is not None else set()
    if name == "is_support_measure":
        return {True} if labels.is_support_measure else set()
    value = getattr(labels, name)
    if isinstance(value, list):
        return set(value)
    return {value} if value is not None else set()


class FieldScore(BaseModel):
    """Micro-averaged counts over items for one field."""

    field: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


class ItemError(BaseModel):
    """One field of one item where the card and the labels differ."""

    label_id: str
    field: str
    missing: list[str]  # labelled, not extracted
    extra: list[str]  # extracted, not labelled


class ExtractionReport(BaseModel):
    """Scores per field over the labelled set, and the differences item by item."""

    items: int
    scores: list[FieldScore]
    errors: list[ItemError] = Field(default_factory=list)

    def score(self, name: str) -> FieldScore:
        return next(s for s in self.scores if s.field == name)


def score_cards(pairs: Iterable[tuple[LabelledItem, PolicyCard]]) -> ExtractionReport:
    """Compare cards with labels field by field.

    Args:
        pairs: ``(label, card)`` for each labelled item.

    Returns:
        Micro-averaged true/false positives and false negatives per field (a scalar field
        such as ``valid_until`` counts as a set of zero or one value).
    """
    scores = {name: FieldScore(field=name) for name in FIELDS}
    errors = []
    count = 0
    for label, card in pairs:
        count += 1
        for name in FIELDS:
            gold, predicted = labelled_values(label.labels, name), predicted_values(card, name)
            score = scores[name]
            score.tp += len(gold & predicted)
            score.fp += len(predicted - gold)
            score.fn += len(gold - predicted)
            if gold != predicted:
                errors.append(
                    ItemError(
                        label_id=label.id,
                        field=name,
                        missing=sorted(map(str, gold - predicted)),
                        extra=sorted(map(str, predicted - gold)),
                    )
                )
    return ExtractionReport(items=count, scores=list(scores.values()), errors=errors)


def evaluate_extraction(
    labels_path: str | Path = DEFAULT_LABELS,
    shared_dir: Path | None = None,
    split: str | None = None,
) -> ExtractionReport:
    """Rebuild the labelled items, translate them and score the cards.

    Args:
        labels_path: A labels file (``eval/extraction/labels.jsonl`` by default).
        shared_dir: The shared data folder (``$POLICYMATCH_SHARED_DATA`` or ``../shared/data``).
        split: Score only ``dev`` or ``test`` items; None scores all.

    Returns:
        The field-level report.
    """
    labels = [label for label in read_labels(labels_path) if split is None or label.split == split]
    rebuilt = rebuild_items(labels, shared_dir)
    by_doc: dict[str, list[RebuiltItem]] = defaultdict(list)
    for entry in rebuilt:
        by_doc[entry.doc.id].append(entry)
    pairs = []
    for entries in by_doc.values():
        cards = translate_items([e.item for e in entries], entries[0].doc)
        pairs.extend((e.label, card) for e, card in zip(entries, cards, strict=True))
    return score_cards(pairs)
