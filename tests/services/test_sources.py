"""Polling sources: a conditional GET on schedule, doubling waits after failures, a pause
with its reason after too many, resume and per-source intervals (a real HTTP server on
127.0.0.1, the real test database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import InputError
from factdesk.services import sources
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from tests.httpserver import LocalServer, Request, Response
from tests.services.pipelining import add_source, write_feed


def _source(db: sessionmaker[Session], source_id: int) -> m.Source:
    with db() as session:
        return session.get_one(m.Source, source_id)


def test_poll_sends_a_conditional_get_and_schedules_the_next(
    settings: Settings, db: sessionmaker[Session], tmp_path: Path
) -> None:
    body = write_feed(tmp_path / "f.xml", [("1", "Petrol prices will double.")]).read_bytes()

    def feed(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"ETag": '"v1"', "Content-Type": "application/rss+xml"}, body

    with LocalServer() as server:
        server.handle("/feed.xml", feed)
        source_id = add_source(db, server.url("/feed.xml"))
        first = sources.poll(settings, db, source_id)
        second = sources.poll(settings, db, source_id)
        assert server.requests[-1].headers.get("If-None-Match") == '"v1"'
    assert (first.status, first.added) == ("ok", 1)
    assert second.status == "not_modified" and second.added == 0
    assert second.next_fetch_at is not None
    expected = datetime.now(UTC) + timedelta(seconds=settings.poll_interval)
    assert abs((second.next_fetch_at - expected).total_seconds()) < 5


def test_failing_source_backs_off_then_is_paused_and_resumed(
    settings: Settings, db: sessionmaker[Session]
) -> None:
    settings = settings.model_copy(update={"poll_max_failures": 3, "job_backoff_base": 10.0})
    with LocalServer() as server:
        source_id = add_source(db, server.url("/gone.xml"))  # unknown paths answer 404
        waits = []
        for _ in range(2):
            outcome = sources.poll(settings, db, source_id)
            assert outcome.status == "error" and "404" in (outcome.error or "")
            assert outcome.next_fetch_at is not None
            waits.append((outcome.next_fetch_at - datetime.now(UTC)).total_seconds())
        paused = sources.poll(settings, db, source_id)
    assert 8 < waits[0] < 11 and 18 < waits[1] < 21  # 10 s, then 20 s
    assert paused.status == "paused" and "3 failed fetches" in (paused.error or "")
    row = _source(db, source_id)
    assert row.failures == 3 and row.paused_reason == paused.error
    # a paused source is never due
    with transaction(db) as session:
        session.execute(update(m.Source).values(next_fetch_at=None))
    assert sources.schedule_due(settings, db) == []
    resumed = sources.resume(db, source_id, actor="cli")
    assert resumed.paused_reason is None and resumed.failures == 0
    assert len(sources.schedule_due(settings, db)) == 1


def test_schedule_due_takes_a_source_once(settings: Settings, db: sessionmaker[Session]) -> None:
    add_source(db, "https://example.org/feed.xml")
    assert len(sources.schedule_due(settings, db)) == 1
    assert sources.schedule_due(settings, db) == []


def test_set_interval_is_used_and_checked(settings: Settings, db: sessionmaker[Session]) -> None:
    source_id = add_source(db, "https://example.org/feed.xml")
    assert sources.set_interval(db, source_id, 60, actor="cli").fetch_interval == 60
    assert sources.interval(settings, _source(db, source_id)) == 60
    with pytest.raises(InputError) as caught:
        sources.set_interval(db, source_id, 1, actor="cli")
    assert caught.value.where == "interval"
