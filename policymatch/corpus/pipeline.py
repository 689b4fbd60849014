"""Ingest: read -> normalise -> metadata -> split -> segment -> (translate) -> store.

One transaction per document, so a failure never loses or half-writes what is stored: the
documents before it are committed, the failing one is not written at all. A document whose
content hash is already stored is skipped before splitting (re-ingesting is cheap).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from policymatch.corpus.metadata import build_document
from policymatch.corpus.models import PolicyDocument, PolicyItem, RawRecord
from policymatch.corpus.normalize import is_error_page
from policymatch.corpus.readers import scan_path
from policymatch.corpus.split import split_document
from policymatch.corpus.tokenize import tokenize
from policymatch.errors import InputError
from policymatch.store import PolicyStore
from policymatch.translate.models import PolicyCard

logger = logging.getLogger(__name__)

Translate = Callable[[PolicyItem, PolicyDocument], PolicyCard]
IngestEvent = Literal["new", "changed", "unchanged", "skipped", "error"]


class IngestProblem(BaseModel):
    """A record that was not stored, and where it is."""

    place: str  # file:line [field]
    message: str


class IngestReport(BaseModel):
    """What one ingest run did. ``read`` counts records, ``items`` the items written."""

    read: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    items: int = 0
    cards: int = 0
    skipped: list[IngestProblem] = Field(
        default_factory=list
    )  # not policies (page-not-found pages)
    errors: list[IngestProblem] = Field(default_factory=list)


def split_and_tokenize(doc: PolicyDocument) -> list[PolicyItem]:
    """Split a document into items and fill each item's ``tokens`` (and ``doc.general_text``)."""
    items = split_document(doc)
    # the inherited context is the same for every item: segment it once per document
    context_tokens = tokenize(doc.general_text) if doc.general_text else []
    for item in items:
        own = "\n".join(part for part in (" ".join(item.heading_path), item.text) if part)
        item.tokens = tokenize(own) + (context_tokens if item.context else [])
    return items


def ingest(
    paths: Iterable[str | Path],
    store: PolicyStore,
    skip_errors: bool = False,
    on_record: Callable[[IngestEvent, str], None] | None = None,
    with_cards: bool = True,
) -> IngestReport:
    """Ingest files and folders into ``store``.

    Args:
        paths: Files (JSONL, JSONL.GZ, CSV, TXT, MD, HTML, DOCX, PDF) or folders of them.
        store: Where documents, items and (when the translate stage is installed) cards go.
        skip_errors: Record bad records in the report and go on; otherwise raise at the first.
        on_record: Called after each record with what happened and the record's id or place
            (for progress display).
        with_cards: Translate new and changed items into cards when
            :func:`policymatch.translate.translate_item` is installed.

    Returns:
        Counts of records read, new, changed and unchanged documents, items and cards written,
        records skipped, and the errors met (only with ``skip_errors``).

    Raises:
        InputError: The first bad record, when ``skip_errors`` is False. Documents stored
            before it stay stored.
    """
    report = IngestReport()
    translate = _translator() if with_cards else None
    notify = on_record or (lambda _event, _name: None)
    for path in paths:
        for result in scan_path(path):
            report.read += 1
            if isinstance(result, InputError):
                _fail(report, result, skip_errors)
                notify("error", str(result))
                continue
            try:
                event = _ingest_one(result, store, report, translate)
            except InputError as exc:
                _fail(report, exc, skip_errors)
                notify("error", str(exc))
                continue
            except Exception as exc:
                if not skip_errors:
                    raise
                logger.exception("%s: failed", _place(result))
                problem = InputError(
                    f"{type(exc).__name__}: {exc}", source=result.source, line=result.line
                )
                _fail(report, problem, skip_errors)
                notify("error", str(problem))
                continue
            notify(event, result.id or _place(result))
    logger.info(
        "ingest: %d read, %d new, %d changed, %d unchanged, %d items, %d errors",
        report.read,
        report.new,
        report.changed,
        report.unchanged,
        report.items,
        len(report.errors),
    )
    return report


def _ingest_one(
    raw: RawRecord, store: PolicyStore, report: IngestReport, translate: Translate | None
) -> IngestEvent:
    doc = build_document(raw)
    if is_error_page(doc.text):
        report.skipped.append(
            IngestProblem(place=_place(raw), message="a 'page not found' page, not a policy")
        )
        logger.warning("%s: skipped, the page says it does not exist", _place(raw))
        return "skipped"
    if store.content_hash(doc.id) == doc.content_hash:
        report.unchanged += 1
        return "unchanged"
    items = split_and_tokenize(doc)
    cards = _cards(items, doc, translate)
    outcome = store.upsert_document(doc, items, cards)
    if outcome == "unchanged":  # stored by someone else since the check
        report.unchanged += 1
        return outcome
    setattr(report, outcome, getattr(report, outcome) + 1)
    report.items += len(items)
    report.cards += len(cards)
    return outcome


def _cards(
    items: list[PolicyItem], doc: PolicyDocument, translate: Translate | None
) -> list[PolicyCard]:
    if translate is None:
        return []
    cards = []
    for item in items:
        try:
            cards.append(translate(item, doc))
        except Exception:  # a translation bug must not block storing the policy text
            logger.exception("translate_item failed for %s; stored without a card", item.id)
    return cards


def _translator() -> Translate | None:
    # The translate stage is optional here: corpus work must run while it is being built.
    try:
        module = import_module("policymatch.translate")
    except ImportError:
        return None
    translate = getattr(module, "translate_item", None)
    if translate is None:
        logger.info("policymatch.translate.translate_item not available: no cards computed")
    return translate


def _fail(report: IngestReport, error: InputError, skip_errors: bool) -> None:
    if not skip_errors:
        raise error
    place = error.source or "<input>"
    if error.line is not None:
        place += f":{error.line}"
    if error.field:
        place += f" [{error.field}]"
    report.errors.append(IngestProblem(place=place, message=error.message))
    logger.warning("%s", error)


def _place(raw: RawRecord) -> str:
    place = raw.source or "<input>"
    return f"{place}:{raw.line}" if raw.line is not None else place
