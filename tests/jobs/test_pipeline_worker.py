"""The pipeline on the queue, both back-ends: a worker's sweep polls a due source and its
doorbells carry the items through ingest and detect; a failing job is retried through a
scheduled doorbell and ends up a dead letter."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.jobs import Worker
from factdesk.jobs import tasks as job_tasks
from factdesk.queue import JobQueue
from factdesk.services import jobtable
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from tests.services.detecting import LEMON_EN, PETROL, keyword_model
from tests.services.pipelining import add_source, write_feed


def _wait(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _statuses(db: sessionmaker[Session]) -> dict[str, int]:
    with db() as session:
        return jobtable.counts(session)


def test_worker_runs_the_pipeline_from_a_due_source(
    make_queue: Callable[[], JobQueue],
    queue_settings: Settings,
    db: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    queue = make_queue()
    queue.settings = queue_settings.model_copy(update={"cluster_dense": False})
    stages = job_tasks.stages_for(queue)
    stages.settings, stages._model = queue.settings, keyword_model(tmp_path)
    add_source(db, write_feed(tmp_path / "a.xml", [("1", LEMON_EN), ("2", PETROL)]))
    with Worker(queue, threads=2):  # its start-up sweep finds the source due
        _wait(lambda: _statuses(db)["done"] >= 2 and not _statuses(db)["queued"])
        _wait(lambda: not _statuses(db)["running"])
    with db() as session:
        undetected = session.scalar(select(func.count()).where(m.Item.detected_at.is_(None)))
        mentions = session.scalar(select(func.count()).select_from(m.Mention))
        kinds = sorted(j.kind for j in jobtable.list_jobs(session))
    assert undetected == 0 and mentions == 2
    assert kinds[:2] == ["detect", "ingest"]


def test_worker_retries_a_failing_job_then_leaves_a_dead_letter(
    make_queue: Callable[[], JobQueue],
    queue_settings: Settings,
    db: sessionmaker[Session],
) -> None:
    queue = make_queue()
    queue.settings = queue_settings.model_copy(
        update={"job_max_attempts": 2, "job_backoff_base": 0.2, "cluster_dense": False}
    )
    with transaction(db) as session:
        (job_id,) = jobtable.enqueue(session, "ingest", [999_999], batch=1)  # no such source
        session.add(m.Claim(text="x", score=0.5, mention_count=1))
    stages = job_tasks.stages_for(queue)
    stages.settings = queue.settings

    def broken(job: object) -> object:
        raise RuntimeError("feed store unreachable")

    stages.ingest = broken  # type: ignore[method-assign, assignment]
    with Worker(queue, threads=1):
        queue.run_jobs_soon([job_id])
        _wait(lambda: _statuses(db)["dead"] == 1)
    with db() as session:
        job = jobtable.get_job(session, job_id)
    assert job.attempts == 2 and job.last_error == "RuntimeError: feed store unreachable"
