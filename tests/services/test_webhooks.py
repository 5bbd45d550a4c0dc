"""Webhook deliveries against a real receiving server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import InputError, NotFound
from factdesk.publish.signing import verify
from factdesk.services import webhooks
from factdesk.settings import Settings
from factdesk.store.db import transaction
from factdesk.store.models import WebhookDelivery
from tests.publish.receiver import closed_port_url, receiver


@pytest.fixture
def hook_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "webhook_backoff_base": 30.0,
            "webhook_backoff_max": 600.0,
            "webhook_max_attempts": 3,
            "webhook_timeout": 5.0,
        }
    )


def _add(db: sessionmaker[Session], url: str, events: tuple[str, ...] = ("*",)) -> tuple[int, str]:
    with transaction(db) as s:
        hook, secret = webhooks.add_webhook(s, url, events, allow_private=True)
        return hook.id, secret


def _event(db: sessionmaker[Session], event: str = "fact_check.published") -> list[int]:
    with transaction(db) as s:
        return webhooks.record_event(s, event, {"event": event, "data": {"claim": "Trà sữa"}})


def _row(db: sessionmaker[Session], delivery_id: int) -> WebhookDelivery:
    with db() as s:
        return s.get_one(WebhookDelivery, delivery_id)


def test_add_webhook_checks_url_events_and_secret(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        with pytest.raises(InputError, match="http"):
            webhooks.add_webhook(s, "ftp://x.example/hook")
        with pytest.raises(InputError, match="unknown event 'fact_check.deleted'"):
            webhooks.add_webhook(s, "https://x.example/hook", ["fact_check.deleted"])
        with pytest.raises(InputError, match="secret"):
            webhooks.add_webhook(s, "https://x.example/hook", secret="short")
        hook, secret = webhooks.add_webhook(
            s, "https://x.example/hook", ["fact_check.corrected", "fact_check.published"]
        )
        assert hook.events == ("fact_check.corrected", "fact_check.published")
        assert secret.startswith("whsec_")
        listed = webhooks.list_webhooks(s)
        assert listed[0].url == "https://x.example/hook" and not hasattr(listed[0], "secret")
        assert (listed[0].active, listed[0].pending, listed[0].failed) == (True, 0, 0)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "https://[::1]/hook",
        "http://2130706433/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest",
        "http://[::ffff:192.168.0.1]/hook",
    ],
)
def test_add_webhook_refuses_private_addresses(db: sessionmaker[Session], url: str) -> None:
    with transaction(db) as s:
        with pytest.raises(InputError, match="private or reserved") as err:
            webhooks.add_webhook(s, url)
        assert err.value.where == "url"
        assert webhooks.list_webhooks(s) == []
        hook, _ = webhooks.add_webhook(s, url, allow_private=True)  # an intranet desk may
        assert hook.url == url


def test_record_event_only_for_active_subscribers(db: sessionmaker[Session]) -> None:
    everything, _ = _add(db, "https://a.example/hook")
    corrections, _ = _add(db, "https://b.example/hook", ("fact_check.corrected",))
    off, _ = _add(db, "https://c.example/hook")
    with transaction(db) as s:
        webhooks.set_active(s, off, False)
        with pytest.raises(NotFound):
            webhooks.set_active(s, 9999, False)
    published = _event(db, "fact_check.published")
    corrected = _event(db, "fact_check.corrected")
    with db() as s:
        rows = s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert [(r.webhook_id, r.event) for r in rows] == [
        (everything, "fact_check.published"),
        (everything, "fact_check.corrected"),
        (corrections, "fact_check.corrected"),
    ]
    assert len(published) == 1 and len(corrected) == 2
    with transaction(db) as s, pytest.raises(InputError):
        webhooks.record_event(s, "fact_check.exploded", {})


def test_deliver_posts_signed_body_and_logs_success(
    db: sessionmaker[Session], hook_settings: Settings
) -> None:
    with receiver([204]) as rec:
        _, secret = _add(db, rec.url)
        (delivery_id,) = _event(db)
        outcome = webhooks.deliver(hook_settings, db, delivery_id)
        (request,) = rec.requests
    assert outcome.result == "delivered" and outcome.status == 204
    assert request.headers["Factdesk-Event"] == "fact_check.published"
    assert request.headers["Factdesk-Delivery"] == str(delivery_id)
    assert request.headers["Content-Type"].startswith("application/json")
    assert verify(secret, request.headers["Factdesk-Signature"], request.body, now=time.time())
    assert json.loads(request.body)["data"]["claim"] == "Trà sữa"
    row = _row(db, delivery_id)
    assert (row.status, row.attempts, row.response_status, row.last_error) == (
        "delivered",
        1,
        204,
        None,
    )
    assert row.delivered_at is not None
    # delivered is final: another attempt does nothing
    assert webhooks.deliver(hook_settings, db, delivery_id).result == "skipped"


def test_deliver_fails_then_recovers_with_backoff(
    db: sessionmaker[Session], hook_settings: Settings
) -> None:
    with receiver([500, 503, 200]) as rec:
        _add(db, rec.url)
        (delivery_id,) = _event(db)
        first = webhooks.deliver(hook_settings, db, delivery_id)
        assert first.result == "retry" and first.error == "HTTP 500"
        assert first.retry_at is not None
        wait = (first.retry_at - datetime.now(UTC)).total_seconds()
        assert 14 <= wait <= 30.5  # base 30 s with jitter in [0.5, 1]
        # not due yet: nothing is sent
        assert webhooks.deliver(hook_settings, db, delivery_id).result == "skipped"
        later = first.retry_at + timedelta(seconds=1)
        second = webhooks.deliver(hook_settings, db, delivery_id, now=lambda: later)
        assert second.result == "retry" and second.error == "HTTP 503"
        assert second.retry_at is not None
        assert second.retry_at - later >= timedelta(seconds=29)  # doubled: 60 s * [0.5, 1]
        even_later = second.retry_at + timedelta(seconds=1)
        third = webhooks.deliver(hook_settings, db, delivery_id, now=lambda: even_later)
        assert third.result == "delivered"
        assert len(rec.requests) == 3
    row = _row(db, delivery_id)
    assert (row.status, row.attempts, row.response_status) == ("delivered", 3, 200)


def test_deliver_gives_up_after_max_attempts(
    db: sessionmaker[Session], hook_settings: Settings
) -> None:
    _add(db, closed_port_url())
    (delivery_id,) = _event(db)
    clock = datetime.now(UTC)
    results = []
    for _ in range(3):
        outcome = webhooks.deliver(hook_settings, db, delivery_id, now=lambda at=clock: at)
        results.append(outcome.result)
        clock = (outcome.retry_at or clock) + timedelta(seconds=1)
    assert results == ["retry", "retry", "failed"]
    row = _row(db, delivery_id)
    assert row.status == "failed" and row.attempts == 3 and row.last_error
    log = webhooks.list_deliveries(db(), status="failed")
    assert log[0].id == delivery_id and log[0].next_attempt_at is None
    with transaction(db) as s:
        webhooks.retry_now(s, delivery_id)
    assert _row(db, delivery_id).status == "pending"
    assert delivery_id in webhooks.due_ids(db())


def test_deliver_concurrent_workers_send_once(
    db: sessionmaker[Session], hook_settings: Settings
) -> None:
    with receiver([200], delay=0.3) as rec:
        _add(db, rec.url)
        (delivery_id,) = _event(db)
        results: list[str] = []
        threads = [
            threading.Thread(
                target=lambda: results.append(
                    webhooks.deliver(hook_settings, db, delivery_id).result
                )
            )
            for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["delivered", "skipped", "skipped", "skipped"]
        assert len(rec.requests) == 1


def test_claimed_attempt_of_a_crashed_worker_is_due_again_after_its_lease(
    db: sessionmaker[Session], hook_settings: Settings
) -> None:
    _add(db, "https://x.example/hook")
    (delivery_id,) = _event(db)
    now = datetime.now(UTC)
    with transaction(db) as s:  # what step 1 leaves behind when the worker then dies
        s.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id)
            .values(attempts=1, next_attempt_at=now + timedelta(seconds=40))
        )
    with db() as s:
        assert webhooks.due_ids(s, now=now) == []
        assert webhooks.due_ids(s, now=now + timedelta(seconds=41)) == [delivery_id]


def test_deliver_slow_receiver_times_out_and_is_retried(
    db: sessionmaker[Session], hook_settings: Settings
) -> None:
    impatient = hook_settings.model_copy(update={"webhook_timeout": 0.3})
    with receiver([200], delay=1.5) as rec:
        _add(db, rec.url)
        (delivery_id,) = _event(db)
        outcome = webhooks.deliver(impatient, db, delivery_id)
    assert outcome.result == "retry"
    assert outcome.error is not None and "no answer within 0.3s" in outcome.error
    assert _row(db, delivery_id).response_status is None


def test_deliver_does_not_follow_redirects(
    db: sessionmaker[Session], hook_settings: Settings
) -> None:
    with receiver([307]) as rec:
        _add(db, rec.url)
        (delivery_id,) = _event(db)
        outcome = webhooks.deliver(hook_settings, db, delivery_id)
    assert outcome.result == "retry" and outcome.status == 307 and len(rec.requests) == 1
