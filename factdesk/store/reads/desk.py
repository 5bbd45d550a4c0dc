"""The reads behind the newsroom pages: dashboard, queue, the fact-check editor, and the
citations, comments and history those pages (and the claim page) show.

Views stay thin by asking one function here per page. Every query is bounded (LIMIT, a
date window, or an index), so pages stay fast with 100k items and 10k claims; the
dashboard's aggregates are also cached for a few seconds per process by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from factdesk import types
from factdesk.errors import NotFound
from factdesk.store import models as m
from factdesk.store.reads.common import (
    CLAIM_COLUMNS,
    as_alert,
    as_citation,
    as_claim,
    as_event,
    as_fact_check,
    day_counts,
    like_terms,
)
from factdesk.types import DeskSettings
from factdesk.workflow import ACTIVE_STATES, State

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # rows of a CSV export at most


# --- dashboard -----------------------------------------------------------------------------


def dashboard(session: Session, desk: DeskSettings, days: int = 30) -> types.Dashboard:
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
    top = session.scalars(
        select(m.Claim)
        .where(new, m.Claim.score >= desk.worthiness_low)
        .order_by(m.Claim.score.desc(), m.Claim.mention_count.desc())
        .limit(10)
    )
    by_status = dict(
        session.execute(
            select(m.FactCheck.status, func.count())
            .where(m.FactCheck.origin == "local")
            .group_by(m.FactCheck.status)
        ).all()
    )
    return types.Dashboard(
        grid=tuple((a, b, c) for a, b, c in grid),
        top=tuple(as_claim(c) for c in top),
        wip=tuple(work_in_progress(session)),
        alerts=tuple(alerts(session)),
        mentions=tuple(day_counts(session, [], now - timedelta(days=days))),
        by_status=by_status,
    )


def work_in_progress(session: Session, limit: int = 20) -> list[types.WorkInProgress]:
    """Our fact-checks someone is working on, the most recently changed first."""
    rows = session.execute(
        select(m.FactCheck, m.User.username)
        .outerjoin(m.User, m.User.id == m.FactCheck.author_id)
        .where(
            m.FactCheck.origin == "local",
            m.FactCheck.status.in_([s.value for s in ACTIVE_STATES]),
        )
        .order_by(m.FactCheck.updated_at.desc())
        .limit(limit)
    )
    return [types.WorkInProgress(as_fact_check(fc), author) for fc, author in rows]


def alerts(session: Session, limit: int = 10) -> list[types.Alert]:
    """Recent alerts from detection (resurgences) that nobody has dealt with yet."""
    rows = session.scalars(
        select(m.Alert)
        .where(m.Alert.acknowledged_at.is_(None))
        .order_by(m.Alert.id.desc())
        .limit(limit)
    )
    return [as_alert(row) for row in rows]


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
                    value = kind(raw)
                except ValueError:
                    f.problems.append(name)
                    continue
                # the database's integer range (the page is clamped below instead)
                if kind is int and name != "page" and not 0 <= value < 2**31:
                    f.problems.append(name)
                    continue
                setattr(f, name, value)
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
) -> list[types.Claim]:
    """One page of claims matching ``f`` (``limit`` overrides paging, for exports)."""
    order: tuple[Any, ...] = {
        "score": (m.Claim.score.desc(), m.Claim.id.desc()),
        "recent": (m.Claim.last_seen_at.desc(), m.Claim.id.desc()),
        "spread": (m.Claim.mention_count.desc(), m.Claim.id.desc()),
    }[f.sort]
    stmt = select(*CLAIM_COLUMNS).where(*_queue_conditions(session, f)).order_by(*order)
    stmt = stmt.limit(limit) if limit else stmt.limit(page_size).offset((f.page - 1) * page_size)
    return [as_claim(row) for row in session.execute(stmt)]


def source_choices(session: Session) -> list[tuple[int, str]]:
    return [
        (i, name or location)
        for i, name, location in session.execute(
            select(m.Source.id, m.Source.name, m.Source.location).order_by(m.Source.name).limit(500)
        )
    ]


# --- the fact-check editor -----------------------------------------------------------------


def fact_check(session: Session, fact_check_id: int) -> types.FactCheck:
    """One of our fact-checks as it stands; NotFound for another publisher's or none."""
    row = session.get(m.FactCheck, fact_check_id)
    if row is None or row.origin != "local":
        raise NotFound(f"no fact-check {fact_check_id} of this desk")
    return as_fact_check(row)


def fact_check_page(
    session: Session, fact_check_id: int
) -> tuple[types.FactCheck, types.Claim | None]:
    """The editor's fact-check and the claim it is about."""
    fc = fact_check(session, fact_check_id)
    claim = session.get(m.Claim, fc.claim_id) if fc.claim_id is not None else None
    return fc, (as_claim(claim) if claim is not None else None)


# Built once (the claim and fact-check pages run them at every click; building a
# statement costs more Python time than SQLite takes to run it).
_CITATIONS = (
    select(m.Citation).where(m.Citation.fact_check_id == bindparam("fc")).order_by(m.Citation.id)
)
_CLAIM_EVENTS = and_(
    m.AuditEvent.entity_type == "claim", m.AuditEvent.entity_id == bindparam("claim")
)
_FC_EVENTS = and_(
    m.AuditEvent.entity_type == "fact_check", m.AuditEvent.entity_id == bindparam("fc")
)
HISTORY_SHOWN = 50
_HISTORY = {
    (claim, fc): select(m.AuditEvent)
    .where(or_(*([_CLAIM_EVENTS] if claim else []), *([_FC_EVENTS] if fc else [])))
    .order_by(m.AuditEvent.id.desc())
    .limit(HISTORY_SHOWN)
    for claim, fc in ((True, True), (True, False), (False, True))
}


def citations(session: Session, fact_check_id: int) -> list[types.Citation]:
    rows = session.scalars(_CITATIONS, {"fc": fact_check_id})
    return [as_citation(row) for row in rows]


def history(
    session: Session, claim_id: int | None, fact_check_id: int | None, limit: int = 50
) -> list[types.AuditEvent]:
    """What happened to a claim and its fact-check, newest first."""
    built = _HISTORY.get((claim_id is not None, fact_check_id is not None))
    if built is not None and limit == HISTORY_SHOWN:
        given = {"claim": claim_id, "fc": fact_check_id}
        found = session.scalars(built, {k: v for k, v in given.items() if v is not None})
        return [as_event(row) for row in found]
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
    rows = session.scalars(
        select(m.AuditEvent).where(or_(*conditions)).order_by(m.AuditEvent.id.desc()).limit(limit)
    )
    return [as_event(row) for row in rows]


def comments(session: Session, fact_check_id: int) -> list[types.Comment]:
    rows = session.execute(
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
    return [types.Comment(kind, body, version, at, name) for kind, body, version, at, name in rows]


def usernames(session: Session, ids: list[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(
        session.execute(select(m.User.id, m.User.username).where(m.User.id.in_(wanted))).all()
    )


# --- what the desk holds -------------------------------------------------------------------


def holdings(session: Session) -> dict[str, int]:
    """How many records of each kind the desk holds (the demo prints it)."""
    tables: dict[str, type[m.Base]] = {
        "sources": m.Source,
        "items": m.Item,
        "fact-checks": m.FactCheck,
        "mentions": m.Mention,
        "claims": m.Claim,
        "quarantined": m.QuarantineRecord,
    }
    return {
        name: session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in tables.items()
    }


def fact_check_titled(session: Session, title: str) -> int | None:
    """The id of our fact-check with this headline, if there is one."""
    return session.scalar(
        select(m.FactCheck.id).where(m.FactCheck.origin == "local", m.FactCheck.title == title)
    )
