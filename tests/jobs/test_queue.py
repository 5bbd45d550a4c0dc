"""The queue on both back-ends: the same task code, real SQLite file, real Redis."""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable

import pytest
from huey.registry import Message
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import ConfigError
from factdesk.jobs import Worker
from factdesk.queue import JobQueue, JsonSerializer, get_queue
from factdesk.services import webhooks
from factdesk.settings import Settings
from factdesk.store.db import transaction
from factdesk.store.models import WebhookDelivery
from tests.publish.receiver import receiver


def _pending_delivery(db: sessionmaker[Session], url: str) -> int:
    with transaction(db) as s:
        webhooks.add_webhook(s, url, allow_private=True)
        (delivery_id,) = webhooks.record_event(s, "fact_check.published", {"n": 1})
    return delivery_id


def _wait_status(
    db: sessionmaker[Session], delivery_id: int, status: str, timeout: float = 15
) -> WebhookDelivery:
    deadline = time.monotonic() + timeout
    while True:
        with db() as s:
            row = s.get_one(WebhookDelivery, delivery_id)
        if row.status == status or time.monotonic() > deadline:
            assert row.status == status, (row.status, row.attempts, row.last_error)
            return row
        time.sleep(0.05)


def test_queue_backend_file_or_redis_is_where_settings_say(
    make_queue: Callable[[], JobQueue], queue_settings: Settings
) -> None:
    queue = make_queue()
    assert queue.describe() == {
        "backend": queue_settings.queue,
        "name": queue_settings.queue_name,
        "pending": 0,
        "scheduled": 0,
    }
    queue.deliver_soon([1, 2])
    assert queue.pending_count() == 2
    if queue_settings.queue == "sqlite":
        assert (queue_settings.data_dir / f"jobs-{queue_settings.queue_name}.db").is_file()
    # a second process (here: a second queue object) sees the same messages
    assert make_queue().pending_count() == 2


def test_worker_delivers_an_enqueued_webhook(
    make_queue: Callable[[], JobQueue], db: sessionmaker[Session]
) -> None:
    with receiver([200]) as rec:
        delivery_id = _pending_delivery(db, rec.url)
        queue = make_queue()
        queue.flush()
        queue.deliver_soon([delivery_id])
        with Worker(queue, threads=2):
            rec.wait_for(1)
            row = _wait_status(db, delivery_id, "delivered")
    assert row.attempts == 1 and len(rec.requests) == 1


def test_worker_retries_a_failed_delivery_until_it_recovers(
    make_queue: Callable[[], JobQueue], db: sessionmaker[Session]
) -> None:
    with receiver([500, 502, 200]) as rec:
        delivery_id = _pending_delivery(db, rec.url)
        queue = make_queue()
        queue.flush()
        queue.deliver_soon([delivery_id])
        with Worker(queue, threads=1):
            rec.wait_for(3, timeout=20)
            row = _wait_status(db, delivery_id, "delivered")
    assert row.attempts == 3 and row.response_status == 200


def test_pending_delivery_survives_a_restart_that_lost_the_queue(
    make_queue: Callable[[], JobQueue], db: sessionmaker[Session], queue_settings: Settings
) -> None:
    with receiver([503, 200]) as rec:
        delivery_id = _pending_delivery(db, rec.url)
        first = make_queue()
        first.flush()
        first.deliver_soon([delivery_id])
        worker = Worker(first, threads=1, periodic=False)
        worker.start()
        rec.wait_for(1)
        worker.stop()  # the server stops after the first (failed) attempt...
        first.flush()  # ...and its queue, with the scheduled retry, is lost
        first.close()
        row = _wait_status(db, delivery_id, "pending")
        assert row.attempts == 1 and row.response_status == 503
        time.sleep(
            max(0.0, (row.next_attempt_at - datetime.datetime.now(datetime.UTC)).total_seconds())
            + 0.05
        )  # type: ignore[operator]
        second = make_queue()  # restart: a new process with an empty queue
        assert second.pending_count() == 0 and second.scheduled_count() == 0
        with Worker(second, threads=1):  # its start-up sweep finds the outbox row
            row = _wait_status(db, delivery_id, "delivered")
    assert row.attempts == 2 and len(rec.requests) == 2


def test_get_queue_is_one_per_configuration(queue_settings: Settings) -> None:
    a = get_queue(queue_settings)
    assert get_queue(queue_settings.model_copy()) is a
    other = get_queue(
        queue_settings.model_copy(update={"queue_name": queue_settings.queue_name + "x"})
    )
    assert other is not a
    for queue in (a, other):
        queue.flush()
        queue.close()


def test_unknown_backend_names_the_variable(settings: Settings) -> None:
    broken = settings.model_copy(update={"queue": "carrier_pigeon"})
    with pytest.raises(ConfigError, match="FACTDESK_QUEUE"):
        JobQueue(broken)


def test_json_serializer_round_trips_messages_and_refuses_objects() -> None:
    serializer = JsonSerializer()
    eta = datetime.datetime(2026, 3, 1, 12, 0)
    message = Message("id1", "factdesk.jobs.tasks.deliver_webhook", eta, 0, 0, None, (7,), {})
    data = serializer.serialize(message)
    assert data.startswith(b"{") and b"deliver_webhook" in data
    back = serializer.deserialize(data)
    assert back == message and isinstance(back, Message)
    with pytest.raises(TypeError, match="cannot carry a"):
        serializer.serialize(Message("id2", "t", None, 0, 0, None, (object(),), {}))


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_worker_run_exits_on_sigterm(make_queue: Callable[[], JobQueue]) -> None:
    import signal
    import threading

    queue = make_queue()
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGTERM))
    old = signal.getsignal(signal.SIGTERM)
    timer.start()
    try:
        started = time.monotonic()
        Worker(queue, threads=1).run()  # returns when the signal arrives
        assert time.monotonic() - started < 10
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, old)
