"""The daily retention job: registered on every queue at 03:17, it blanks raw item text
older than FACTDESK_RETAIN_ITEM_TEXT_DAYS through the same service as the command, and
does nothing while retention is off."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.jobs.tasks import HANDLERS
from factdesk.queue import PURGE_ITEM_TEXT, JobQueue
from factdesk.settings import Settings
from factdesk.store import models as m
from tests.web.conftest import seed_claim


def _queue(settings: Settings, db: sessionmaker[Session], tmp_path: Path, days: int) -> JobQueue:
    chosen = settings.model_copy(
        update={"retain_item_text_days": days, "data_dir": tmp_path / "jobs", "queue": "sqlite"}
    )
    queue = JobQueue(chosen, factory=db)
    queue.attach(HANDLERS)
    return queue


def test_retention_job_is_daily_at_0317(
    db: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    queue = _queue(settings, db, tmp_path, 30)
    periodic = {t.name: t for t in queue.huey._registry.periodic_tasks}
    assert PURGE_ITEM_TEXT in periodic
    task = periodic[PURGE_ITEM_TEXT]
    assert task.validate_datetime(dt.datetime(2026, 6, 1, 3, 17))
    assert not task.validate_datetime(dt.datetime(2026, 6, 1, 3, 18))
    assert not task.validate_datetime(dt.datetime(2026, 6, 1, 4, 17))


def test_retention_job_blanks_old_text_only_when_on(
    db: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    seed_claim(db, "Onions cure the flu overnight", mentions=3)
    now = datetime.now(UTC)
    with db.begin() as session:
        ids = sorted(session.scalars(select(m.Item.id)))
        session.execute(update(m.Item).values(ingested_at=now - timedelta(days=1)))
        session.execute(
            update(m.Item).where(m.Item.id == ids[0]).values(ingested_at=now - timedelta(days=60))
        )
    off = _queue(settings, db, tmp_path, 0)
    off.handlers[PURGE_ITEM_TEXT](off)
    with db() as session:
        assert all(session.scalars(select(m.Item.text)))  # retention off: nothing blanked
    on = _queue(settings, db, tmp_path, 30)
    on.handlers[PURGE_ITEM_TEXT](on)
    with db() as session:
        texts = list(session.scalars(select(m.Item.text).order_by(m.Item.id)))
        actors = list(
            session.scalars(
                select(m.AuditEvent.actor).where(m.AuditEvent.action == "retention.purge")
            )
        )
    assert texts[0] == "" and all(texts[1:])
    assert actors == ["retention-job"]
