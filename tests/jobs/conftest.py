"""Queue fixtures: a real SQLite queue file and a real Redis (127.0.0.1:6379) under a
name unique to the test, removed afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from factdesk.queue import JobQueue
from factdesk.settings import Settings

# FACTDESK_TEST_REDIS_URL: another Redis database (a benchmark may be using db 0)
REDIS_URL = os.environ.get("FACTDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _drop_redis_keys(name: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"huey*{name}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(params=["sqlite", "redis"])
def queue_settings(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> Iterator[Settings]:
    name = f"fdtest_{uuid.uuid4().hex[:12]}"
    chosen = settings.model_copy(
        update={
            "queue": request.param,
            "queue_name": name,
            "redis_url": REDIS_URL,
            "data_dir": tmp_path / "jobs",
            "webhook_timeout": 3.0,
            "webhook_backoff_base": 0.2,
            "webhook_backoff_max": 0.4,
            "webhook_max_attempts": 5,
        }
    )
    if request.param == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        try:
            client.ping()
        except redis.ConnectionError:
            pytest.fail("the queue tests need Redis at 127.0.0.1:6379 (see .ci/run)")
        finally:
            client.close()
    yield chosen
    if request.param == "redis":
        _drop_redis_keys(name)


@pytest.fixture
def make_queue(queue_settings: Settings, db: object) -> Iterator[type[JobQueue]]:
    """Build queues on the test's settings and database; all are closed at the end."""
    made: list[JobQueue] = []

    def factory() -> JobQueue:
        queue = JobQueue(queue_settings, factory=db)  # type: ignore[arg-type]
        made.append(queue)
        return queue

    yield factory  # type: ignore[misc]
    for queue in made:
        queue.flush()
        queue.close()
