"""The pipeline's job table: enqueue, claim, finish, fail, lease, retry — the one writer.

The queue (Huey, SQLite or Redis) only rings a doorbell ("job 42 is due"); the row in
``pipeline_jobs`` is the truth. Its lifecycle::

    queued ──claim──▶ running ──finish──▶ done
      ▲                  │
      └──fail (backoff)──┤ attempts < JOB_MAX_ATTEMPTS
      └─lease expired────┤ (the worker died: claimed_at older than JOB_LEASE_SECONDS)
                         └──fail, attempts used up──▶ dead ──retry──▶ queued

Every move is one conditional ``UPDATE … WHERE id = :id AND status = :expected`` checked for
exactly one changed row, so two workers (threads, processes, hosts; SQLite or PostgreSQL)
can never both claim a job, and a worker whose lease was taken back cannot mark the job
done over the new claim. ``finish`` writes the jobs that follow in the same transaction
that marks the job done, so a crash never loses the next stage nor runs it twice.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import Conflict, InputError, NotFound
from factdesk.services import audit
from factdesk.settings import Settings
from factdesk.store.db import rowcount, transaction
from factdesk.store.jobtable import PipelineJob as J
from factdesk.types import JOB_KINDS, JOB_STATUSES, Job, NextJob, StageResult

ERROR_LIMIT = 2000  # characters of an error kept on the row
CLAIM_PAUSE = 0.005  # seconds before trying again when every due job was locked by a reader


def worker_name() -> str:
    """Who claims: host, process and thread, so a stale claim names the worker that died."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:200]


def backoff(settings: Settings, attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failure: doubling, capped."""
    return float(
        min(settings.job_backoff_max, settings.job_backoff_base * 2 ** max(attempts - 1, 0))
    )


def as_job(row: Any) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        ids=tuple(int(i) for i in row.payload),
        status=row.status,
        attempts=row.attempts,
        run_after=row.run_after,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        last_error=row.last_error,
        created_at=row.created_at,
        finished_at=row.finished_at,
        wait_seconds=row.wait_seconds,
        run_seconds=row.run_seconds,
    )


def _chunks(ids: Sequence[int], size: int) -> list[tuple[int, ...]]:
    return [tuple(ids[i : i + size]) for i in range(0, len(ids), size)]


def enqueue(
    session: Session,
    kind: str,
    ids: Iterable[int],
    *,
    batch: int,
    run_after: datetime | None = None,
) -> list[int]:
    """Queue ``kind`` jobs over ``ids`` (``batch`` ids each) inside the caller's
    transaction; returns the new job ids, for the doorbells rung after the commit."""
    if kind not in JOB_KINDS:
        raise InputError(f"unknown job kind {kind!r} (known: {', '.join(JOB_KINDS)})", where="kind")
    unique = sorted({int(i) for i in ids})
    now = datetime.now(UTC)
    made = []
    for chunk in _chunks(unique, batch):
        made.append(
            int(
                session.execute(
                    insert(J)
                    .values(
                        kind=kind,
                        payload=list(chunk),
                        status="queued",
                        attempts=0,
                        run_after=run_after or now,
                        created_at=now,
                    )
                    .returning(J.id)
                ).scalar_one()
            )
        )
    return made


def claim(factory: sessionmaker[Session], job_id: int, worker: str | None = None) -> Job | None:
    """Take job ``job_id`` if it is queued and due; None when someone else has it (or it is
    done, dead, or not due yet)."""
    now = datetime.now(UTC)
    with transaction(factory) as session:
        changed = rowcount(
            session.execute(
                update(J)
                .where(J.id == job_id, J.status == "queued", J.run_after <= now)
                .values(
                    status="running",
                    attempts=J.attempts + 1,
                    claimed_by=worker or worker_name(),
                    claimed_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        )
        if changed != 1:
            return None
        return as_job(session.execute(select(J).where(J.id == job_id)).one()[0])


def claim_next(
    factory: sessionmaker[Session], worker: str | None = None, kinds: Sequence[str] = JOB_KINDS
) -> Job | None:
    """Take the oldest due job. On PostgreSQL the candidates are read ``FOR UPDATE SKIP
    LOCKED``, so many workers polling at once do not queue up behind one row; on SQLite the
    conditional update alone decides (the write lock serialises claims).

    Skipping locked rows has a blind spot: another worker reading its candidates at the same
    instant holds them locked for that read, so this one can find none although some are free
    a moment later. Finding none under SKIP LOCKED therefore asks once more without locking
    whether any job is due, and if one is, tries again shortly (a worker that gave up would
    wait for the next doorbell or poll)."""
    for attempt in range(5):  # a lost race only means trying the next candidate
        due = (J.status == "queued", J.run_after <= datetime.now(UTC), J.kind.in_(kinds))
        with factory() as session:
            stmt = select(J.id).where(*due).order_by(J.run_after, J.id).limit(8)
            skipping = session.get_bind().dialect.name == "postgresql"
            if skipping:
                stmt = stmt.with_for_update(skip_locked=True)
            candidates = list(session.scalars(stmt))
            if not candidates and skipping:
                skipping = session.scalar(select(J.id).where(*due).limit(1)) is not None
        if not candidates:
            if not skipping:
                return None
            time.sleep(CLAIM_PAUSE * 2**attempt)  # their read is a few milliseconds long
            continue
        for job_id in candidates:
            job = claim(factory, job_id, worker)
            if job is not None:
                return job
    return None


def _owned(job: Job) -> tuple[Any, ...]:
    """The claim a worker holds: a re-queue (lease expired) or a retry changes one of these."""
    return (
        J.id == job.id,
        J.status == "running",
        J.claimed_by == job.claimed_by,
        J.attempts == job.attempts,
    )


def finish(
    factory: sessionmaker[Session], job: Job, result: StageResult, *, batch: int
) -> list[int]:
    """Mark a claimed job done and queue the jobs that follow, in one transaction. Raises
    Conflict when the claim was lost meanwhile (its lease expired): the job runs again,
    which is harmless because every stage is idempotent."""
    now = datetime.now(UTC)
    started = job.claimed_at or now
    with transaction(factory) as session:
        changed = rowcount(
            session.execute(
                update(J)
                .where(*_owned(job))
                .values(
                    status="done",
                    finished_at=now,
                    last_error=None,
                    wait_seconds=max((started - job.run_after).total_seconds(), 0.0),
                    run_seconds=(now - started).total_seconds(),
                )
                .execution_options(synchronize_session=False)
            )
        )
        if changed != 1:
            raise Conflict(f"job {job.id}: the claim was lost before it finished")
        made: list[int] = []
        for follow in result.next:
            if follow.ids:
                made += enqueue(session, follow.kind, follow.ids, batch=batch)
        return made


def fail(settings: Settings, factory: sessionmaker[Session], job: Job, error: str) -> Job:
    """Record a failed attempt: queued again after a doubling wait, or dead when the
    attempts are used up. Returns the job as it now stands."""
    now = datetime.now(UTC)
    dead = job.attempts >= settings.job_max_attempts
    values: dict[str, Any] = {"last_error": error[:ERROR_LIMIT], "claimed_by": None}
    if dead:
        values |= {"status": "dead", "finished_at": now}
    else:
        values |= {
            "status": "queued",
            "run_after": now + timedelta(seconds=backoff(settings, job.attempts)),
        }
    with transaction(factory) as session:
        changed = rowcount(
            session.execute(
                update(J)
                .where(*_owned(job))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        )
        if changed != 1:
            raise Conflict(f"job {job.id}: the claim was lost before it failed")
        return as_job(session.execute(select(J).where(J.id == job.id)).one()[0])


def requeue_stale(settings: Settings, factory: sessionmaker[Session]) -> int:
    """Give back the jobs whose worker stopped answering (claimed longer ago than the lease):
    queued again at once, or dead when that was the last attempt. Returns how many."""
    now = datetime.now(UTC)
    cutoff = now - timedelta(seconds=settings.job_lease_seconds)
    stale = (J.status == "running", J.claimed_at < cutoff)
    note = "lease expired: the worker stopped before finishing (killed or crashed)"
    with transaction(factory) as session:
        dead = rowcount(
            session.execute(
                update(J)
                .where(*stale, J.attempts >= settings.job_max_attempts)
                .values(status="dead", finished_at=now, last_error=note, claimed_by=None)
                .execution_options(synchronize_session=False)
            )
        )
        requeued = rowcount(
            session.execute(
                update(J)
                .where(*stale)
                .values(status="queued", run_after=now, last_error=note, claimed_by=None)
                .execution_options(synchronize_session=False)
            )
        )
    return dead + requeued


def due_ids(session: Session, *, limit: int = 1000) -> list[int]:
    """Queued jobs whose time has come, oldest first (the sweep rings their doorbells)."""
    return list(
        session.scalars(
            select(J.id)
            .where(J.status == "queued", J.run_after <= datetime.now(UTC))
            .order_by(J.run_after, J.id)
            .limit(limit)
        )
    )


def in_flight(session: Session, kind: str) -> int:
    """Jobs of ``kind`` queued or running (the sweep adds catch-up jobs only when none are)."""
    return int(
        session.scalar(
            select(func.count()).where(J.kind == kind, J.status.in_(("queued", "running")))
        )
        or 0
    )


def counts(session: Session) -> dict[str, int]:
    """Jobs per status, every status present (zero when none)."""
    found = dict(session.execute(select(J.status, func.count()).group_by(J.status)).all())
    return {status: int(found.get(status, 0)) for status in JOB_STATUSES}


def list_jobs(
    session: Session, *, status: str | None = None, kind: str | None = None, limit: int = 50
) -> list[Job]:
    """Newest first, optionally one status or kind."""
    if status is not None and status not in JOB_STATUSES:
        raise InputError(
            f"unknown job status {status!r} (known: {', '.join(JOB_STATUSES)})", where="status"
        )
    # Plain rows, not tracked objects: a list of a hundred jobs costs a third as much.
    stmt = select(*J.__table__.columns).order_by(J.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(J.status == status)
    if kind is not None:
        stmt = stmt.where(J.kind == kind)
    return [as_job(row) for row in session.execute(stmt)]


def find_job(session: Session, job_id: int) -> Job | None:
    row = session.get(J, job_id)
    return None if row is None else as_job(row)


def get_job(session: Session, job_id: int) -> Job:
    job = find_job(session, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job


def retry(factory: sessionmaker[Session], job_id: int, *, actor: Any) -> Job:
    """Queue a dead job again with its attempts reset (audited as ``job.retry``)."""
    now = datetime.now(UTC)
    with transaction(factory) as session:
        before = get_job(session, job_id)
        changed = rowcount(
            session.execute(
                update(J)
                .where(J.id == job_id, J.status == "dead")
                .values(status="queued", attempts=0, run_after=now, finished_at=None)
                .execution_options(synchronize_session=False)
            )
        )
        if changed != 1:
            raise Conflict(f"job {job_id} is {before.status}, not dead: nothing to retry")
        audit.record(
            session, actor, "job.retry", "job", job_id, {"last_error": before.last_error}, None
        )
        return get_job(session, job_id)


def retry_dead(factory: sessionmaker[Session], *, actor: Any) -> list[int]:
    """Queue every dead job again; returns their ids."""
    with factory() as session:
        ids = list(session.scalars(select(J.id).where(J.status == "dead").order_by(J.id)))
    done = []
    for job_id in ids:
        try:
            retry(factory, job_id, actor=actor)
        except Conflict:
            continue  # retried by someone else meanwhile
        done.append(job_id)
    return done


def follow(kind: str, ids: Iterable[int]) -> NextJob:
    return NextJob(kind, tuple(sorted(set(ids))))
