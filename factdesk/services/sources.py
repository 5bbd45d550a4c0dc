"""Polling sources on a schedule: when each is due, one fetch, backoff, pause and resume.

The fetch itself is ``services.ingest.ingest_feed`` (a conditional GET through ``net.py``
with the ETag and Last-Modified the source remembers); this module keeps the schedule
around it. A source is due when ``next_fetch_at`` has passed (or it was never fetched).
Taking a due source is a conditional update of ``next_fetch_at`` — the scheduler that
changes the row puts the ingest job on the table in the same transaction — so N schedulers
(one per worker) never poll a source twice. A failed fetch is retried after a doubling wait
(``JOB_BACKOFF_BASE`` … ``JOB_BACKOFF_MAX``); after ``POLL_MAX_FAILURES`` failures in a row
the source is paused with its reason, shown in the sources page and ``factdesk sources
list``, until an editor resumes it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import InputError, NotFound
from factdesk.services import audit, ingest, jobtable
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import rowcount, transaction
from factdesk.store.reads.common import as_source
from factdesk.types import Actor, PollOutcome, Source

REASON_LIMIT = 1000


def interval(settings: Settings, source: m.Source | Source) -> int:
    """Seconds between two polls of ``source``: its own, else the setting."""
    return int(source.fetch_interval or settings.poll_interval)


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        m.Source.kind == "feed",
        m.Source.active.is_(True),
        m.Source.paused_reason.is_(None),
        or_(m.Source.next_fetch_at.is_(None), m.Source.next_fetch_at <= now),
    )


def schedule_due(
    settings: Settings, factory: sessionmaker[Session], *, limit: int = 500
) -> list[int]:
    """Put every due source on an ingest job (one job per source, so one slow or failing
    feed holds up no other). Returns the new job ids."""
    now = datetime.now(UTC)
    with factory() as session:
        due = session.execute(
            select(m.Source.id, m.Source.next_fetch_at, m.Source.fetch_interval)
            .where(*_due(now))
            .order_by(m.Source.next_fetch_at, m.Source.id)
            .limit(limit)
        ).all()
    made: list[int] = []
    for source_id, seen, own in due:
        # the fetch itself moves next_fetch_at on; this only keeps other schedulers away
        # until it has run (or, if its job is lost, until one interval has passed)
        hold = now + timedelta(seconds=own or settings.poll_interval)
        seen_now = (
            m.Source.next_fetch_at.is_(None) if seen is None else m.Source.next_fetch_at == seen
        )
        with transaction(factory) as session:
            taken = rowcount(
                session.execute(
                    update(m.Source)
                    .where(m.Source.id == source_id, seen_now)
                    .values(next_fetch_at=hold)
                    .execution_options(synchronize_session=False)
                )
            )
            if taken == 1:
                made += jobtable.enqueue(session, "ingest", [source_id], batch=1)
    return made


def poll(settings: Settings, factory: sessionmaker[Session], source_id: int) -> PollOutcome:
    """Fetch one source now and move its schedule on. A failed fetch is the source's state,
    not the job's: it is counted, backed off and, in the end, paused — never raised."""
    with factory() as session:
        source = session.get(m.Source, source_id)
        if source is None or source.kind != "feed":
            return PollOutcome(source_id, "missing")
        location, every, failures = source.location, interval(settings, source), source.failures
        if not source.active or source.paused_reason:
            return PollOutcome(source_id, "paused", error=source.paused_reason)
    try:
        report = ingest.ingest_feed(settings, factory, location)
    except Exception as exc:  # network, HTTP status, unreadable feed: all count as failures
        return _failed(settings, factory, source_id, failures + 1, f"{exc}")
    following = datetime.now(UTC) + timedelta(seconds=every)
    with transaction(factory) as session:
        session.execute(
            update(m.Source)
            .where(m.Source.id == source_id)
            .values(failures=0, next_fetch_at=following)
            .execution_options(synchronize_session=False)
        )
    status = "not_modified" if report.not_modified else "ok"
    return PollOutcome(source_id, status, added=report.added, next_fetch_at=following)


def _failed(
    settings: Settings, factory: sessionmaker[Session], source_id: int, failures: int, error: str
) -> PollOutcome:
    if failures >= settings.poll_max_failures:
        reason = f"paused after {failures} failed fetches in a row; the last: {error}"
        values: dict[str, object] = {"failures": failures, "paused_reason": reason[:REASON_LIMIT]}
        with transaction(factory) as session:
            session.execute(update(m.Source).where(m.Source.id == source_id).values(**values))
            audit.record(
                session, None, "source.pause", "source", source_id, None, {"reason": reason}
            )
        return PollOutcome(source_id, "paused", error=reason)
    following = datetime.now(UTC) + timedelta(seconds=jobtable.backoff(settings, failures))
    with transaction(factory) as session:
        session.execute(
            update(m.Source)
            .where(m.Source.id == source_id)
            .values(failures=failures, next_fetch_at=following)
        )
    return PollOutcome(source_id, "error", error=error, next_fetch_at=following)


def resume(factory: sessionmaker[Session], source_id: int, *, actor: Actor | str | None) -> Source:
    """Start polling a paused source again, at once (audited as ``source.resume``)."""
    with transaction(factory) as session:
        source = _get(session, source_id)
        before = {"paused_reason": source.paused_reason, "failures": source.failures}
        source.paused_reason, source.failures, source.next_fetch_at = None, 0, None
        audit.record(session, actor, "source.resume", "source", source_id, before, None)
        return as_source(source)


def set_interval(
    factory: sessionmaker[Session],
    source_id: int,
    seconds: int | None,
    *,
    actor: Actor | str | None,
) -> Source:
    """Poll ``source_id`` every ``seconds`` (None: the setting); audited."""
    if seconds is not None and seconds < 10:
        raise InputError("a source is polled at most every 10 seconds", where="interval")
    with transaction(factory) as session:
        source = _get(session, source_id)
        before = {"fetch_interval": source.fetch_interval}
        source.fetch_interval = seconds
        audit.record(
            session,
            actor,
            "source.interval",
            "source",
            source_id,
            before,
            {"fetch_interval": seconds},
        )
        return as_source(source)


def _get(session: Session, source_id: int) -> m.Source:
    source = session.get(m.Source, source_id)
    if source is None:
        raise NotFound(f"no source {source_id}")
    return source
