"""Persistent store for documents, items, cards, enterprises and feedback (SQLAlchemy 2).

SQLite by default, PostgreSQL by URL: the schema uses portable types only (String, Text, Date,
DateTime, JSON). Pydantic models are stored as JSON (``model_dump(mode="json")``) next to the
few columns that lists and look-ups filter on, so an optional field added to a model needs no
migration. Every write is one transaction: a document and its items (and their cards) are
written together or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from policymatch.corpus.models import PolicyDocument, PolicyItem
from policymatch.profile.models import EnterpriseProfile
from policymatch.translate.models import PolicyCard

logger = logging.getLogger(__name__)

UpsertOutcome = Literal["new", "changed", "unchanged"]
_ID = 512  # ids are file paths plus "#seq" in the worst case


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands timezone-aware columns back naive; they were written in UTC
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the PolicyMatch schema."""

    type_annotation_map = {dict[str, Any]: JSON}


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str | None] = mapped_column(String(255))
    doc_number: Mapped[str | None] = mapped_column(String(255), index=True)
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    publish_date: Mapped[dt.date | None] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ItemRow(Base):
    __tablename__ = "items"

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(_ID), ForeignKey("documents.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]


class CardRow(Base):
    __tablename__ = "cards"

    item_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(_ID), index=True)
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class EnterpriseRow(Base):
    __tablename__ = "enterprises"

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(String(_ID), index=True)
    item_id: Mapped[str] = mapped_column(String(_ID), index=True)
    label: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Feedback(BaseModel):
    """One judgement of an item for an enterprise (e.g. label ``relevant`` / ``irrelevant``)."""

    id: int
    enterprise_id: str
    item_id: str
    label: str
    note: str | None = None
    created_at: dt.datetime


class DocumentSummary(BaseModel):
    """A document as lists show it, without its text."""

    id: str
    title: str
    issuer: str | None = None
    doc_number: str | None = None
    region_code: str | None = None
    publish_date: dt.date | None = None
    item_count: int = 0
    updated_at: dt.datetime


class PolicyStore:
    """All persistent state of PolicyMatch behind one SQLAlchemy URL.

    Args:
        url: SQLAlchemy URL, e.g. ``sqlite:///var/policymatch.db`` or
            ``postgresql+psycopg://user@host/db``. Tables are created if missing.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        # ensure_ascii=False: Chinese stored as UTF-8, not 6-byte \uXXXX escapes (half the size)
        self.engine: Engine = create_engine(url, json_serializer=_json_dumps)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    # ---------------------------------------------------------------------------- documents

    def content_hash(self, doc_id: str) -> str | None:
        """The stored content hash of a document, or None if it is not stored."""
        with self._sessions() as session:
            return session.scalar(select(DocumentRow.content_hash).where(DocumentRow.id == doc_id))

    def upsert_document(
        self, doc: PolicyDocument, items: list[PolicyItem], cards: Iterable[PolicyCard] = ()
    ) -> UpsertOutcome:
        """Store a document with its items (and optionally their cards) in one transaction.

        Re-storing the same content hash changes nothing. A changed document replaces all its
        items, and the cards of its old items are deleted with them.

        Returns:
            ``"new"``, ``"changed"`` or ``"unchanged"``.
        """
        with self._sessions.begin() as session:
            row = session.get(DocumentRow, doc.id)
            if row is not None and row.content_hash == doc.content_hash:
                return "unchanged"
            outcome: UpsertOutcome = "new" if row is None else "changed"
            if row is not None:
                self._delete_children(session, doc.id)
                session.flush()
            values = _document_columns(doc, len(items))
            if row is None:
                session.add(DocumentRow(**values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)
            session.flush()
            session.add_all(
                ItemRow(id=item.id, doc_id=doc.id, seq=item.seq, data=item.model_dump(mode="json"))
                for item in items
            )
            for card in cards:
                session.merge(_card_row(card))
        return outcome

    def get_document(self, doc_id: str) -> PolicyDocument | None:
        with self._sessions() as session:
            row = session.get(DocumentRow, doc_id)
            return PolicyDocument.model_validate(row.data) if row else None

    def list_documents(
        self, search: str | None = None, offset: int = 0, limit: int = 50
    ) -> list[DocumentSummary]:
        """Documents newest first (by publish date), optionally filtered.

        Args:
            search: Substring of the id, title, issuer or 发文字号 (case-insensitive).
            offset: Rows to skip.
            limit: Rows to return at most.
        """
        query = select(DocumentRow)
        if search:
            pattern = f"%{search.lower()}%"
            query = query.where(
                or_(
                    *(
                        func.lower(column).like(pattern)
                        for column in (
                            DocumentRow.id,
                            DocumentRow.title,
                            DocumentRow.issuer,
                            DocumentRow.doc_number,
                        )
                    )
                )
            )
        query = (
            query.order_by(DocumentRow.publish_date.desc().nulls_last(), DocumentRow.id)
            .offset(offset)
            .limit(limit)
        )
        with self._sessions() as session:
            return [_summary(row) for row in session.scalars(query)]

    def count_documents(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(DocumentRow)) or 0

    def delete_document(self, doc_id: str) -> bool:
        """Delete a document, its items and their cards. Returns whether it existed."""
        with self._sessions.begin() as session:
            row = session.get(DocumentRow, doc_id)
            if row is None:
                return False
            self._delete_children(session, doc_id)
            session.delete(row)
            return True

    @staticmethod
    def _delete_children(session: Session, doc_id: str) -> None:
        session.execute(delete(CardRow).where(CardRow.doc_id == doc_id))
        session.execute(delete(ItemRow).where(ItemRow.doc_id == doc_id))

    # -------------------------------------------------------------------------------- items

    def get_item(self, item_id: str) -> PolicyItem | None:
        with self._sessions() as session:
            row = session.get(ItemRow, item_id)
            return PolicyItem.model_validate(row.data) if row else None

    def items_for(self, doc_id: str) -> list[PolicyItem]:
        """The items of one document in document order."""
        query = select(ItemRow.data).where(ItemRow.doc_id == doc_id).order_by(ItemRow.seq)
        with self._sessions() as session:
            return [PolicyItem.model_validate(data) for data in session.scalars(query)]

    def iter_items(self, batch_size: int = 1000) -> Iterator[PolicyItem]:
        """Every stored item, ordered by document and position, read in batches."""
        last: tuple[str, int] | None = None
        while True:
            query = select(ItemRow.doc_id, ItemRow.seq, ItemRow.data).order_by(
                ItemRow.doc_id, ItemRow.seq
            )
            if last is not None:
                query = query.where(
                    or_(
                        ItemRow.doc_id > last[0],
                        (ItemRow.doc_id == last[0]) & (ItemRow.seq > last[1]),
                    )
                )
            with self._sessions() as session:
                rows = session.execute(query.limit(batch_size)).all()
            if not rows:
                return
            for _, _, data in rows:
                yield PolicyItem.model_validate(data)
            last = (rows[-1][0], rows[-1][1])

    def count_items(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(ItemRow)) or 0

    # -------------------------------------------------------------------------------- cards

    def save_cards(self, cards: Iterable[PolicyCard]) -> int:
        """Insert or replace cards by item id, in one transaction. Returns how many were saved."""
        count = 0
        with self._sessions.begin() as session:
            for card in cards:
                session.merge(_card_row(card))
                count += 1
        return count

    def get_card(self, item_id: str) -> PolicyCard | None:
        with self._sessions() as session:
            row = session.get(CardRow, item_id)
            return PolicyCard.model_validate(row.data) if row else None

    def iter_cards(self) -> Iterator[PolicyCard]:
        with self._sessions() as session:
            for data in session.scalars(select(CardRow.data).order_by(CardRow.item_id)):
                yield PolicyCard.model_validate(data)

    # -------------------------------------------------------------------------- enterprises

    def upsert_enterprises(self, profiles: Iterable[EnterpriseProfile]) -> int:
        """Insert or replace enterprise profiles by id, in one transaction. Returns the count."""
        count = 0
        now = _now()
        with self._sessions.begin() as session:
            for profile in profiles:
                session.merge(
                    EnterpriseRow(
                        id=profile.id, data=profile.model_dump(mode="json"), updated_at=now
                    )
                )
                count += 1
        return count

    def get_enterprise(self, enterprise_id: str) -> EnterpriseProfile | None:
        with self._sessions() as session:
            row = session.get(EnterpriseRow, enterprise_id)
            return EnterpriseProfile.model_validate(row.data) if row else None

    def iter_enterprises(self) -> Iterator[EnterpriseProfile]:
        with self._sessions() as session:
            for data in session.scalars(select(EnterpriseRow.data).order_by(EnterpriseRow.id)):
                yield EnterpriseProfile.model_validate(data)

    # ----------------------------------------------------------------------------- feedback

    def add_feedback(
        self, enterprise_id: str, item_id: str, label: str, note: str | None = None
    ) -> Feedback:
        """Record one judgement of an item for an enterprise."""
        with self._sessions.begin() as session:
            row = FeedbackRow(
                enterprise_id=enterprise_id,
                item_id=item_id,
                label=label,
                note=note,
                created_at=_now(),
            )
            session.add(row)
            session.flush()
            return _feedback(row)

    def iter_feedback(self) -> Iterator[Feedback]:
        with self._sessions() as session:
            for row in session.scalars(select(FeedbackRow).order_by(FeedbackRow.id)):
                yield _feedback(row)


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (API) do not block the ingest writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _document_columns(doc: PolicyDocument, item_count: int) -> dict[str, Any]:
    return {
        "id": doc.id,
        "title": doc.title,
        "issuer": doc.issuer,
        "doc_number": doc.doc_number,
        "region_code": doc.region_code,
        "publish_date": doc.publish_date,
        "content_hash": doc.content_hash,
        "item_count": item_count,
        "data": doc.model_dump(mode="json"),
        "updated_at": _now(),
    }


def _card_row(card: PolicyCard) -> CardRow:
    return CardRow(
        item_id=card.item_id,
        doc_id=card.doc_id,
        data=card.model_dump(mode="json"),
        updated_at=_now(),
    )


def _summary(row: DocumentRow) -> DocumentSummary:
    return DocumentSummary(
        id=row.id,
        title=row.title,
        issuer=row.issuer,
        doc_number=row.doc_number,
        region_code=row.region_code,
        publish_date=row.publish_date,
        item_count=row.item_count,
        updated_at=_utc(row.updated_at),
    )


def _feedback(row: FeedbackRow) -> Feedback:
    return Feedback(
        id=row.id,
        enterprise_id=row.enterprise_id,
        item_id=row.item_id,
        label=row.label,
        note=row.note,
        created_at=_utc(row.created_at),
    )
