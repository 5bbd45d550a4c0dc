"""The reads behind the newsroom pages: dashboard, queue, claim page.

Views stay thin by asking one function here per page. Every query is bounded (LIMIT, a
date window, or an index), so pages stay fast with 100k items and 10k claims; the
dashboard's aggregates are also cached for a few seconds per process by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from factdesk.services.editorial import DeskSettings
from factdesk.store import models as m
from factdesk.store.reads.common import day_counts, like_terms
from factdesk.workflow import ACTIVE_STATES, State

PAGE_SIZE = 50


class Row(dict[str, Any]):
    """A result row for templates: ``row.text`` as well as ``row["text"]``. Jinja looks an
    attribute up before an item, so plain dicts cost it a caught exception per field."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


# --- dashboard -----------------------------------------------------------------------------


def dashboard(session: Session, desk: DeskSettings, days: int = 30) -> dict[str, Any]:
    now = datetime.now(UTC)
    worth = case(
        (m.Claim.score >= desk.worthiness_high, 2),
        (m.Claim.score >= desk.worthiness_low, 1),
        else_=0,
    )
    spread = case(
        (m.Claim.mention_count >= desk.spread_high, 2),
        (m.Claim.mention_count >= desk.spread_low, 1),
        else_=0,
    )
    new = and_(m.Claim.status == State.NEW.value, m.Claim.merged_into_id.is_(None))
    grid = [[0, 0, 0] for _ in range(3)]
    for w, s, n in session.execute(
        select(worth, spread, func.count()).where(new).group_by(worth, spread)
    ):
        grid[2 - int(w)][int(s)] = n
    top = (
        session.execute(
            select(
                m.Claim.id,
                m.Claim.text,
                m.Claim.language,
                m.Claim.score,
                m.Claim.mention_count,
                m.Claim.last_seen_at,
            )
            .where(new, m.Claim.score >= desk.worthiness_low)
            .order_by(m.Claim.score.desc(), m.Claim.mention_count.desc())
            .limit(10)
        )
        .mappings()
        .all()
    )
    by_status = dict(
        session.execute(
            select(m.FactCheck.status, func.count())
            .where(m.FactCheck.origin == "local")
            .group_by(m.FactCheck.status)
        ).all()
    )
    return {
        "grid": grid,
        "top": [Row(r) for r in top],
        "wip": work_in_progress(session),
        "alerts": alerts(session),
        "mentions": day_counts(session, [], now - timedelta(days=days)),
        "by_status": by_status,
        "new_count": sum(sum(row) for row in grid),
    }


def work_in_progress(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    author = m.User.__table__.alias("author")
    rows = (
        session.execute(
            select(
                m.FactCheck.id,
                m.FactCheck.status,
                m.FactCheck.updated_at,
                m.FactCheck.claim_id,
                m.FactCheck.claim_reviewed,
                author.c.username.label("author"),
            )
            .outerjoin(author, author.c.id == m.FactCheck.author_id)
            .where(
                m.FactCheck.origin == "local",
                m.FactCheck.status.in_([s.value for s in ACTIVE_STATES]),
            )
            .order_by(m.FactCheck.updated_at.desc())
            .limit(limit)
        )
        .mappings()
        .all()
    )
    return [Row(r) for r in rows]


def alerts(session: Session, limit: int = 10) -> list[dict[str, Any]]:
    """Recent resurgence alerts from detection (table ``alerts``), when that stage exists."""
    model = getattr(m, "Alert", None)
    if model is None:
        return []
    table = model.__table__
    stmt = select(table).order_by(table.c.id.desc()).limit(limit)
    if "acknowledged_at" in table.c:  # only what nobody has dealt with yet
        stmt = stmt.where(table.c.acknowledged_at.is_(None))
    out = []
    for row in session.execute(stmt).mappings():
        text = next(
            (row[k] for k in ("message", "reason", "detail", "kind") if k in row and row[k]), ""
        )
        at = next((row[k] for k in ("created_at", "at", "detected_at") if k in row), None)
        out.append({"claim_id": row.get("claim_id"), "text": str(text), "at": at})
    return out


# --- queue ---------------------------------------------------------------------------------


@dataclass
class QueueFilter:
    """The queue's filters, read leniently from a query string (bad values are dropped
    and reported in ``problems`` rather than failing the page)."""

    q: str = ""
    language: str = ""
    source: int | None = None
    min_score: float | None = None
    min_mentions: int | None = None
    status: str = ""
    since: date | None = None
    until: date | None = None
    sort: str = "score"
    page: int = 1
    problems: list[str] = field(default_factory=list)

    SORTS = ("score", "recent", "spread")

    @classmethod
    def from_params(cls, params: Any) -> QueueFilter:
        f = cls(
            q=str(params.get("q", "")).strip()[:200],
            language=str(params.get("language", "")).strip()[:8],
            status=str(params.get("status", "")).strip(),
        )
        if f.status and f.status not in {s.value for s in State}:
            f.problems.append("status")
            f.status = ""
        sort = str(params.get("sort", "score"))
        f.sort = sort if sort in cls.SORTS else "score"
        for name, kind in (
            ("source", int),
            ("min_score", float),
            ("min_mentions", int),
            ("page", int),
        ):
            raw = str(params.get(name, "")).strip()
            if raw:
                try:
                    setattr(f, name, kind(raw))
                except ValueError:
                    f.problems.append(name)
        for name in ("since", "until"):
            raw = str(params.get(name, "")).strip()
            if raw:
                try:
                    setattr(f, name, date.fromisoformat(raw))
                except ValueError:
                    f.problems.append(name)
        f.page = max(1, min(f.page, 10_000))
        return f

    def query_string(self, **changes: Any) -> str:
        from urllib.parse import urlencode

        values = {
            "q": self.q,
            "language": self.language,
            "source": self.source,
            "min_score": self.min_score,
            "min_mentions": self.min_mentions,
            "status": self.status,
            "since": self.since,
            "until": self.until,
            "sort": self.sort,
            "page": self.page,
        } | changes
        return urlencode(
            {
                k: v
                for k, v in values.items()
                if v is not None and v != "" and not (k == "page" and v == 1)
            }
        )


QUEUE_COLUMNS = (
    m.Claim.id,
    m.Claim.text,
    m.Claim.language,
    m.Claim.score,
    m.Claim.status,
    m.Claim.mention_count,
    m.Claim.first_seen_at,
    m.Claim.last_seen_at,
)


def _queue_conditions(session: Session, f: QueueFilter) -> list[Any]:
    conditions: list[Any] = [m.Claim.merged_into_id.is_(None)]
    if f.q:
        conditions += like_terms(session, m.Claim.text, f.q)
    if f.language:
        conditions.append(m.Claim.language == f.language)
    if f.status:
        conditions.append(m.Claim.status == f.status)
    if f.min_score is not None:
        conditions.append(m.Claim.score >= f.min_score)
    if f.min_mentions is not None:
        conditions.append(m.Claim.mention_count >= f.min_mentions)
    if f.since:
        conditions.append(
            m.Claim.last_seen_at >= datetime.combine(f.since, datetime.min.time(), UTC)
        )
    if f.until:
        end = datetime.combine(f.until + timedelta(days=1), datetime.min.time(), UTC)
        conditions.append(or_(m.Claim.first_seen_at < end, m.Claim.first_seen_at.is_(None)))
    if f.source is not None:
        conditions.append(
            m.Claim.id.in_(
                select(m.Mention.claim_id)
                .join(m.Item, m.Item.id == m.Mention.item_id)
                .where(m.Item.source_id == f.source)
            )
        )
    return conditions


def queue_total(session: Session, f: QueueFilter) -> int:
    """How many claims match ``f`` in all."""
    conditions = _queue_conditions(session, f)
    return session.scalar(select(func.count()).select_from(m.Claim).where(*conditions)) or 0


def queue(
    session: Session, f: QueueFilter, page_size: int = PAGE_SIZE, limit: int | None = None
) -> list[dict[str, Any]]:
    """One page of claims matching ``f`` (``limit`` overrides paging, for exports)."""
    order: tuple[Any, ...] = {
        "score": (m.Claim.score.desc(), m.Claim.id.desc()),
        "recent": (m.Claim.last_seen_at.desc(), m.Claim.id.desc()),
        "spread": (m.Claim.mention_count.desc(), m.Claim.id.desc()),
    }[f.sort]
    stmt = select(*QUEUE_COLUMNS).where(*_queue_conditions(session, f)).order_by(*order)
    stmt = stmt.limit(limit) if limit else stmt.limit(page_size).offset((f.page - 1) * page_size)
    return [Row(r) for r in session.execute(stmt).mappings()]


def source_choices(session: Session) -> list[tuple[int, str]]:
    return [
        (i, name or location)
        for i, name, location in session.execute(
            select(m.Source.id, m.Source.name, m.Source.location).order_by(m.Source.name).limit(500)
        )
    ]


def citations(session: Session, fact_check_id: int) -> list[m.Citation]:
    return list(
        session.scalars(
            select(m.Citation)
            .where(m.Citation.fact_check_id == fact_check_id)
            .order_by(m.Citation.id)
        )
    )


def history(
    session: Session, claim_id: int | None, fact_check_id: int | None, limit: int = 50
) -> list[m.AuditEvent]:
    conditions = []
    if claim_id is not None:
        conditions.append(
            and_(m.AuditEvent.entity_type == "claim", m.AuditEvent.entity_id == claim_id)
        )
    if fact_check_id is not None:
        conditions.append(
            and_(m.AuditEvent.entity_type == "fact_check", m.AuditEvent.entity_id == fact_check_id)
        )
    if not conditions:
        return []
    return list(
        session.scalars(
            select(m.AuditEvent)
            .where(or_(*conditions))
            .order_by(m.AuditEvent.id.desc())
            .limit(limit)
        )
    )


def comments(session: Session, fact_check_id: int) -> list[dict[str, Any]]:
    rows = (
        session.execute(
            select(
                m.ReviewComment.kind,
                m.ReviewComment.body,
                m.ReviewComment.version,
                m.ReviewComment.created_at,
                m.User.username,
            )
            .outerjoin(m.User, m.User.id == m.ReviewComment.user_id)
            .where(m.ReviewComment.fact_check_id == fact_check_id)
            .order_by(m.ReviewComment.id)
        )
        .mappings()
        .all()
    )
    return [Row(r) for r in rows]


def usernames(session: Session, ids: list[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(
        session.execute(select(m.User.id, m.User.username).where(m.User.id.in_(wanted))).all()
    )
