"""The newsroom's list pages (sources, evidence, quarantine, audit log, tipline, review,
users) as plain rows, one function each, shared by the HTML page and its CSV export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factdesk.store import models as m
from factdesk.store.reads.common import like_terms
from factdesk.store.reads.desk import Row
from factdesk.workflow import State

PAGE_SIZE = 100
EXPORT_LIMIT = 100_000


@dataclass
class Listing:
    """One page of a list, the columns a CSV export writes, and the total count."""

    columns: list[str]
    rows: list[Row]
    total: int
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _page(session: Session, stmt: Any, columns: list[str], page: int, export: bool) -> Listing:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    if export:
        stmt = stmt.limit(EXPORT_LIMIT)
    else:
        stmt = stmt.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    rows = [Row(r) for r in session.execute(stmt).mappings()]
    return Listing(columns, rows, total, max(page, 1))


def sources(session: Session, page: int = 1, export: bool = False) -> Listing:
    s = m.Source
    stmt = select(
        s.id,
        s.kind,
        s.name,
        s.location,
        s.language,
        s.active,
        s.item_count,
        s.last_fetched_at,
        s.last_status,
        s.last_error,
    ).order_by(s.id)
    return _page(
        session,
        stmt,
        [
            "id",
            "kind",
            "name",
            "location",
            "language",
            "active",
            "item_count",
            "last_fetched_at",
            "last_status",
            "last_error",
        ],
        page,
        export,
    )


def evidence(session: Session, q: str = "", page: int = 1, export: bool = False) -> Listing:
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
    return _page(
        session,
        stmt,
        ["id", "url", "title", "publisher", "language", "fetched_at", "content_hash", "citations"],
        page,
        export,
    )


def quarantine(session: Session, page: int = 1, export: bool = False) -> Listing:
    qr = m.QuarantineRecord
    stmt = select(qr.id, qr.at, qr.kind, qr.origin, qr.location, qr.reason, qr.raw).order_by(
        qr.id.desc()
    )
    return _page(
        session, stmt, ["id", "at", "kind", "origin", "location", "reason", "raw"], page, export
    )


def audit(
    session: Session,
    *,
    entity_type: str = "",
    action: str = "",
    actor: str = "",
    page: int = 1,
    export: bool = False,
) -> Listing:
    a = m.AuditEvent
    stmt = select(
        a.id, a.at, a.actor, a.action, a.entity_type, a.entity_id, a.before, a.after
    ).order_by(a.id.desc())
    if entity_type:
        stmt = stmt.where(a.entity_type == entity_type)
    if action:
        stmt = stmt.where(a.action == action)
    if actor:
        stmt = stmt.where(a.actor == actor)
    return _page(
        session,
        stmt,
        ["id", "at", "actor", "action", "entity_type", "entity_id", "before", "after"],
        page,
        export,
    )


def submissions(session: Session, page: int = 1, export: bool = False) -> Listing:
    s = m.Submission
    stmt = select(s.id, s.created_at, s.text, s.url, s.contact, s.language, s.item_id).order_by(
        s.id.desc()
    )
    return _page(
        session,
        stmt,
        ["id", "created_at", "text", "url", "contact", "language", "item_id"],
        page,
        export,
    )


def review(session: Session, page: int = 1, export: bool = False) -> Listing:
    fc, u = m.FactCheck, m.User
    stmt = (
        select(
            fc.id,
            fc.claim_id,
            fc.claim_reviewed,
            fc.rating_label,
            fc.summary,
            fc.version,
            fc.updated_at,
            u.username.label("author"),
            fc.reviewer_id.is_not(None).label("approved"),
        )
        .outerjoin(u, u.id == fc.author_id)
        .where(fc.origin == "local", fc.status == State.IN_REVIEW.value)
        .order_by(fc.updated_at)
    )
    return _page(
        session,
        stmt,
        [
            "id",
            "claim_id",
            "claim_reviewed",
            "rating_label",
            "summary",
            "version",
            "updated_at",
            "author",
            "approved",
        ],
        page,
        export,
    )


def users(session: Session, page: int = 1, export: bool = False) -> Listing:
    u = m.User
    stmt = select(u.id, u.username, u.role, u.active, u.created_at).order_by(u.username)
    return _page(session, stmt, ["id", "username", "role", "active", "created_at"], page, export)
