"""The job table: claim by conditional update, finish with follow-ups, backoff, leases,
dead letters and retries — on the real test database (SQLite, or PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import Conflict, InputError
from factdesk.services import jobtable
from factdesk.settings import Settings
from factdesk.store.db import transaction
from factdesk.store.jobtable import PipelineJob
from factdesk.types import NextJob, StageResult


def _enqueue(db: sessionmaker[Session], kind: str, ids: list[int], batch: int = 10) -> list[int]:
    with transaction(db) as session:
        return jobtable.enqueue(session, kind, ids, batch=batch)


def test_enqueue_splits_ids_into_batches_without_duplicates(db: sessionmaker[Session]) -> None:
    made = _enqueue(db, "detect", [5, 1, 2, 2, 3, 4], batch=2)
    with db() as session:
        jobs = sorted(jobtable.list_jobs(session), key=lambda j: j.id)
    assert [j.id for j in jobs] == made
    assert [j.ids for j in jobs] == [(1, 2), (3, 4), (5,)]
    assert {j.status for j in jobs} == {"queued"}


def test_enqueue_unknown_kind_is_refused(db: sessionmaker[Session]) -> None:
    with pytest.raises(InputError, match="unknown job kind"):
        _enqueue(db, "bake", [1])


def test_claim_is_taken_once_by_many_threads(db: sessionmaker[Session]) -> None:
    (job_id,) = _enqueue(db, "ingest", [1])
    won: list[object] = []
    barrier = threading.Barrier(4)

    def grab(n: int) -> None:
        barrier.wait()
        job = jobtable.claim(db, job_id, f"w{n}")
        if job is not None:
            won.append(job)

    threads = [threading.Thread(target=grab, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    with db() as session:
        job = jobtable.get_job(session, job_id)
    assert job.status == "running" and job.attempts == 1


def test_claim_next_waits_out_another_workers_read_of_the_candidates(
    db: sessionmaker[Session],
) -> None:
    """PostgreSQL: another worker reading the candidates ``FOR UPDATE SKIP LOCKED`` at the same
    instant holds them for that read; this worker must not conclude that nothing is due."""
    if db.kw["bind"].dialect.name != "postgresql":
        pytest.skip("row locks and SKIP LOCKED are PostgreSQL's")
    (job_id,) = _enqueue(db, "detect", [1])
    locked, release = threading.Event(), threading.Event()

    def other_worker_reading() -> None:
        with db() as session:
            session.execute(
                select(PipelineJob.id).where(PipelineJob.id == job_id).with_for_update()
            ).all()
            locked.set()
            release.wait(5)
            session.rollback()

    reader = threading.Thread(target=other_worker_reading)
    reader.start()
    assert locked.wait(5)
    threading.Timer(0.02, release.set).start()  # its read ends a moment later
    job = jobtable.claim_next(db, "w")
    reader.join()
    assert job is not None and job.id == job_id


def test_claim_next_skips_jobs_not_yet_due(db: sessionmaker[Session]) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    with transaction(db) as session:
        jobtable.enqueue(session, "detect", [1], batch=5, run_after=later)
        (due,) = jobtable.enqueue(session, "detect", [2], batch=5)
    job = jobtable.claim_next(db, "w")
    assert job is not None and job.id == due
    assert jobtable.claim_next(db, "w") is None


def test_finish_writes_the_next_jobs_and_refuses_a_lost_claim(db: sessionmaker[Session]) -> None:
    (job_id,) = _enqueue(db, "detect", [1, 2])
    job = jobtable.claim(db, job_id, "w")
    assert job is not None
    made = jobtable.finish(db, job, StageResult(2, 3, (NextJob("link", (7, 8, 9)),)), batch=2)
    with db() as session:
        follow = [jobtable.get_job(session, i) for i in made]
        done = jobtable.get_job(session, job_id)
    assert [j.ids for j in follow] == [(7, 8), (9,)]
    assert {j.kind for j in follow} == {"link"}
    assert done.status == "done" and done.run_seconds is not None
    with pytest.raises(Conflict):  # finishing twice: the claim is gone
        jobtable.finish(db, job, StageResult(), batch=2)


def test_fail_backs_off_then_goes_dead_and_retry_brings_it_back(
    db: sessionmaker[Session], settings: Settings
) -> None:
    settings = settings.model_copy(update={"job_max_attempts": 2, "job_backoff_base": 30.0})
    (job_id,) = _enqueue(db, "match", [1])
    job = jobtable.claim(db, job_id, "w")
    assert job is not None
    after = jobtable.fail(settings, db, job, "boom")
    assert after.status == "queued" and after.last_error == "boom"
    assert after.run_after > datetime.now(UTC) + timedelta(seconds=25)
    assert jobtable.claim(db, job_id, "w") is None  # not due during the backoff
    with transaction(db) as session:
        session.execute(update(PipelineJob).values(run_after=datetime.now(UTC)))
    job = jobtable.claim(db, job_id, "w")
    assert job is not None and job.attempts == 2
    dead = jobtable.fail(settings, db, job, "boom again")
    assert dead.status == "dead"
    with db() as session:
        assert [j.id for j in jobtable.list_jobs(session, status="dead")] == [job_id]
        assert jobtable.counts(session)["dead"] == 1
    back = jobtable.retry(db, job_id, actor="cli")
    assert back.status == "queued" and back.attempts == 0
    with pytest.raises(Conflict, match="not dead"):
        jobtable.retry(db, job_id, actor="cli")


def test_retry_dead_requeues_every_dead_job(db: sessionmaker[Session], settings: Settings) -> None:
    settings = settings.model_copy(update={"job_max_attempts": 1})
    for job_id in _enqueue(db, "match", [1, 2], batch=1):
        job = jobtable.claim(db, job_id, "w")
        assert job is not None
        jobtable.fail(settings, db, job, "no")
    assert len(jobtable.retry_dead(db, actor="cli")) == 2
    with db() as session:
        assert jobtable.counts(session)["queued"] == 2


def test_stale_claim_is_requeued_and_the_old_worker_cannot_finish(
    db: sessionmaker[Session], settings: Settings
) -> None:
    settings = settings.model_copy(update={"job_lease_seconds": 60.0})
    (job_id,) = _enqueue(db, "ingest", [1])
    job = jobtable.claim(db, job_id, "dead-worker")
    assert job is not None
    assert jobtable.requeue_stale(settings, db) == 0  # still within its lease
    with transaction(db) as session:
        session.execute(
            update(PipelineJob).values(claimed_at=datetime.now(UTC) - timedelta(minutes=5))
        )
    assert jobtable.requeue_stale(settings, db) == 1
    again = jobtable.claim(db, job_id, "fresh-worker")
    assert again is not None and again.attempts == 2
    with pytest.raises(Conflict):
        jobtable.finish(db, job, StageResult(), batch=10)
    jobtable.finish(db, again, StageResult(), batch=10)


def test_list_jobs_unknown_status_names_the_status(db: sessionmaker[Session]) -> None:
    with db() as session, pytest.raises(InputError) as caught:
        jobtable.list_jobs(session, status="lost")
    assert caught.value.where == "status"
