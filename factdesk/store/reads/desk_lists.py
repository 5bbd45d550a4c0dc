"""The newsroom's list pages (sources, evidence, quarantine, audit log, tipline, review,
users) as pages of records, one function each, shared by the HTML page and its CSV export;
and the lists the CLI prints (items, quarantine)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factdesk import types
from factdesk.store import models as m
from factdesk.store.reads.common import (
    as_account,
    as_citation,
    as_event,
    as_fact_check,
    as_source,
    like_terms,
)
from factdesk.workflow import State

PAGE_SIZE = 100
EXPORT_LIMIT = 100_000
T = TypeVar("T")


def _page(
    session: Session,
    stmt: Any,
    record: Callable[[Any], T],
    page: int,
    export: bool,
    limit: int = PAGE_SIZE,
) -> types.Page[T]:
    """One page of ``stmt`` (every row up to EXPORT_LIMIT for an export), each result row
    made a record by ``record``, with the count of them all."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    if export:
        limit, offset = EXPORT_LIMIT, 0
    else:
        offset = (max(page, 1) - 1) * limit
    rows = session.execute(stmt.limit(limit).offset(offset))
    return types.Page(tuple(record(row) for row in rows), total, offset, limit)


def sources(session: Session, page: int = 1, export: bool = False) -> types.Page[types.Source]:
    stmt = select(m.Source).order_by(m.Source.id)
    return _page(session, stmt, lambda row: as_source(row[0]), page, export)


def evidence(
    session: Session, q: str = "", page: int = 1, export: bool = False
) -> types.Page[types.EvidenceDocument]:
    d = m.EvidenceDocument
    cited = (
        select(func.count()).where(m.Citation.document_id == d.id).correlate(d).scalar_subquery()
    )
    stmt = select(
        d.id,
        d.url,
        d.title,
        d.publisher,
        d.language,
        d.fetched_at,
        d.content_hash,
        cited.label("citations"),
    ).order_by(d.id.desc())
    if q:
        stmt = stmt.where(*like_terms(session, func.coalesce(d.title, "") + " " + d.text, q))

    def record(row: Any) -> types.EvidenceDocument:
        return types.EvidenceDocument(
            id=row.id,
            url=row.url,
            title=row.title,
            publisher=row.publisher,
            language=row.language,
            fetched_at=row.fetched_at,
            content_hash=row.content_hash,
            citations=row.citations,
        )

    return _page(session, stmt, record, page, export)


def evidence_document(
    session: Session, document_id: int
) -> tuple[types.EvidenceDocument, list[tuple[int, types.Citation]]] | None:
    """An archived document with its text, and the citations that point to it as
    (fact-check id, citation); None when there is no such document."""
    d = m.EvidenceDocument
    row = session.execute(
        select(
            d.id,
            d.url,
            d.title,
            d.publisher,
            d.language,
            d.fetched_at,
            d.content_hash,
            d.text,
            d.raw_type,
            func.length(d.raw).label("raw_size"),
        ).where(d.id == document_id)
    ).first()
    if row is None:
        return None
    document = types.EvidenceDocument(
        id=row.id,
        url=row.url,
        title=row.title,
        publisher=row.publisher,
        language=row.language,
        fetched_at=row.fetched_at,
        content_hash=row.content_hash,
        text=row.text,
        raw_type=row.raw_type,
        raw_size=row.raw_size,
    )
    cited = session.scalars(
        select(m.Citation).where(m.Citation.document_id == document_id).order_by(m.Citation.id)
    )
    return document, [(c.fact_check_id, as_citation(c)) for c in cited]


def archived_bytes(session: Session, document_id: int) -> tuple[bytes, str | None] | None:
    """The bytes of an archived copy exactly as fetched, and their content type."""
    row = session.execute(
        select(m.EvidenceDocument.raw, m.EvidenceDocument.raw_type).where(
            m.EvidenceDocument.id == document_id
        )
    ).first()
    if row is None or row.raw is None:
        return None
    return row.raw, row.raw_type


def _quarantined(row: Any) -> types.Quarantined:
    q = row[0]
    return types.Quarantined(
        q.id, q.at, q.kind, q.origin, q.location, q.reason, q.raw, source_id=q.source_id
    )


def quarantine(
    session: Session,
    page: int = 1,
    export: bool = False,
    *,
    origin: str = "",
    limit: int = PAGE_SIZE,
) -> types.Page[types.Quarantined]:
    """Quarantined input, newest first (``origin``: only from this file or URL)."""
    stmt = select(m.QuarantineRecord).order_by(m.QuarantineRecord.id.desc())
    if origin:
        stmt = stmt.where(m.QuarantineRecord.origin == origin)
    return _page(session, stmt, _quarantined, page, export, limit)


def audit(
    session: Session,
    *,
    entity_type: str = "",
    action: str = "",
    actor: str = "",
    page: int = 1,
    export: bool = False,
) -> types.Page[types.AuditEvent]:
    a = m.AuditEvent
    stmt = select(a).order_by(a.id.desc())
    if entity_type:
        stmt = stmt.where(a.entity_type == entity_type)
    if action:
        stmt = stmt.where(a.action == action)
    if actor:
        stmt = stmt.where(a.actor == actor)
    return _page(session, stmt, lambda row: as_event(row[0]), page, export)


def submissions(
    session: Session, page: int = 1, export: bool = False
) -> types.Page[types.Submission]:
    s = m.Submission

    def record(row: Any) -> types.Submission:
        t = row[0]
        return types.Submission(t.id, t.created_at, t.text, t.url, t.contact, t.language, t.item_id)

    return _page(session, select(s).order_by(s.id.desc()), record, page, export)


def review(session: Session, page: int = 1, export: bool = False) -> types.Page[types.InReview]:
    """Our fact-checks waiting for their second review, the longest waiting first."""
    fc, u = m.FactCheck, m.User
    stmt = (
        select(fc, u.username)
        .outerjoin(u, u.id == fc.author_id)
        .where(fc.origin == "local", fc.status == State.IN_REVIEW.value)
        .order_by(fc.updated_at)
    )

    def record(row: Any) -> types.InReview:
        return types.InReview(as_fact_check(row[0]), row[1], row[0].reviewer_id is not None)

    return _page(session, stmt, record, page, export)


def users(session: Session, page: int = 1, export: bool = False) -> types.Page[types.Account]:
    stmt = select(m.User).order_by(m.User.username)
    return _page(session, stmt, lambda row: as_account(row[0]), page, export)


# --- what the CLI lists --------------------------------------------------------------------


def _stored(row: m.Item) -> types.StoredItem:
    item = types.Item(
        text=row.text,
        url=row.url,
        title=row.title,
        language=row.language,
        published_at=row.published_at,
        platform=row.platform,
        external_id=row.external_id,
        content_hash=row.content_hash,
    )
    return types.StoredItem(
        row.id, item, row.source_id, row.dedupe_key, row.ingested_at, row.detected_at
    )


def items(
    session: Session, *, limit: int = 50, language: str = "", source: int | None = None
) -> types.Page[types.StoredItem]:
    """The newest ingested items (``language``, ``source``: only these); ``total`` counts
    every stored item."""
    stmt = select(m.Item).order_by(m.Item.id.desc()).limit(limit)
    if language:
        stmt = stmt.where(m.Item.language == language)
    if source:
        stmt = stmt.where(m.Item.source_id == source)
    total = session.scalar(select(func.count()).select_from(m.Item)) or 0
    return types.Page(tuple(_stored(row) for row in session.scalars(stmt)), total, 0, limit)


def item(session: Session, item_id: int) -> types.StoredItem | None:
    row = session.get(m.Item, item_id)
    return None if row is None else _stored(row)
