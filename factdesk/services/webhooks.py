"""Webhooks: an outbox in the database, signed POSTs, retries with backoff.

The ``webhook_deliveries`` row is the source of truth. An event (publish, correct,
withdraw, resurgence) writes one row per subscribed webhook *in the transaction that
caused it*, so a delivery exists exactly when the change does. The job queue only nudges:
it runs :func:`deliver` for a row soon after the commit, and a periodic sweep
(:func:`due_ids`) re-enqueues every row that is due — after a restart, a lost queue
message or a crashed worker, nothing pending is lost.

One attempt, in three steps (safe with many workers on many machines):

1. claim it: ``UPDATE ... SET attempts = attempts + 1, next_attempt_at = now + lease
   WHERE id = :id AND status = 'pending' AND attempts = :seen AND next_attempt_at <= now``
   — exactly one worker changes the row; the lease keeps the sweep away while it sends;
2. POST the signed body through ``factdesk.net`` (outside any transaction);
3. record the answer with ``UPDATE ... WHERE id = :id AND attempts = :claimed``: delivered,
   or pending again at ``now + backoff``, or failed after the last attempt.

Every non-2xx answer and every network error is retried (a receiver that rejects the
signature today may be fixed tomorrow) until ``WEBHOOK_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk import types
from factdesk.errors import AddressRefused, FactdeskError, InputError, NotFound
from factdesk.publish.retry import retry_delay
from factdesk.publish.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    new_secret,
    signature_header,
)
from factdesk.services import audit
from factdesk.settings import Settings
from factdesk.store.db import rowcount, transaction
from factdesk.store.models import Webhook, WebhookDelivery

EVENTS = (
    "fact_check.published",
    "fact_check.corrected",
    "fact_check.withdrawn",
    "claim.resurgence",
)
ALL = "*"
ERROR_LIMIT = 1000  # characters of an error kept in the delivery log

# (url, body, headers, timeout) -> HTTP status; raises FactdeskError when no answer came.
Sender = Callable[[str, bytes, dict[str, str], float], int]


# --- managing webhooks ---------------------------------------------------------------------


def _check_events(events: Sequence[str]) -> list[str]:
    chosen = [e.strip() for e in events if e.strip()] or [ALL]
    unknown = [e for e in chosen if e != ALL and e not in EVENTS]
    if unknown:
        raise InputError(
            f"unknown event {unknown[0]!r}; choose from {', '.join(EVENTS)} or '*'",
            where="events",
        )
    return [ALL] if ALL in chosen else sorted(set(chosen))


def _record(hook: Webhook, counts: dict[str, int] | None = None) -> types.Webhook:
    counts = counts or {}
    return types.Webhook(
        id=hook.id,
        url=hook.url,
        events=tuple(hook.events),
        active=hook.active,
        created_at=hook.created_at,
        pending=counts.get("pending", 0),
        delivered=counts.get("delivered", 0),
        failed=counts.get("failed", 0),
    )


def add_webhook(
    session: Session,
    url: str,
    events: Sequence[str] = (ALL,),
    secret: str | None = None,
    *,
    actor: types.Actor | str | None = None,
    allow_private: bool = False,
) -> tuple[types.Webhook, str]:
    """Register an endpoint; returns it and its signing secret (generated when not given).
    Audited (``webhook.add``) as ``actor``: a person, a tool's name, or the system.

    A URL whose host is a private or reserved address (or ``localhost``) is refused here,
    with a clear message, unless ``allow_private`` (``FACTDESK_ALLOW_PRIVATE_FETCH``); a name
    that resolves to one is refused at each delivery by ``factdesk.net``."""
    url = url.strip()
    if not url.startswith(("http://", "https://")) or len(url) > 2000 or " " in url:
        raise InputError("a webhook needs an http(s) URL of at most 2000 characters", where="url")
    if not allow_private:
        from factdesk.net import check_public_url

        try:
            check_public_url(url)
        except AddressRefused as exc:
            raise InputError(f"a webhook cannot point there: {exc.message}", where="url") from None
    secret = secret or new_secret()
    if len(secret) < 16 or len(secret) > 200:
        raise InputError("a webhook secret is 16-200 characters", where="secret")
    hook = Webhook(url=url, secret=secret, events=_check_events(events), active=True)
    session.add(hook)
    session.flush()
    after = {"url": hook.url, "events": list(hook.events)}
    audit.record(session, actor, "webhook.add", "webhook", hook.id, None, after)
    return _record(hook), secret


def set_active(
    session: Session, webhook_id: int, active: bool, *, actor: types.Actor | str | None = None
) -> None:
    """Pause or resume a webhook; audited (``webhook.active``/``.pause``)."""
    changed = session.execute(update(Webhook).where(Webhook.id == webhook_id).values(active=active))
    if rowcount(changed) != 1:
        raise NotFound(f"no webhook {webhook_id}")
    action = "webhook.active" if active else "webhook.pause"
    audit.record(session, actor, action, "webhook", webhook_id, None, {"active": active})


def list_webhooks(session: Session) -> list[types.Webhook]:
    """Webhooks with their delivery counts by status (the secret is never listed)."""
    counts: dict[int, dict[str, int]] = {}
    for hook_id, status, n in session.execute(
        select(WebhookDelivery.webhook_id, WebhookDelivery.status, func.count()).group_by(
            WebhookDelivery.webhook_id, WebhookDelivery.status
        )
    ):
        counts.setdefault(hook_id, {})[status] = n
    return [
        _record(hook, counts.get(hook.id))
        for hook in session.scalars(select(Webhook).order_by(Webhook.id))
    ]


def list_deliveries(
    session: Session, *, webhook_id: int | None = None, status: str | None = None, limit: int = 50
) -> list[types.Delivery]:
    """The delivery log, newest first (``next_attempt_at`` only while one is pending)."""
    stmt = select(WebhookDelivery, Webhook.url).join(
        Webhook, Webhook.id == WebhookDelivery.webhook_id
    )
    if webhook_id is not None:
        stmt = stmt.where(WebhookDelivery.webhook_id == webhook_id)
    if status:
        stmt = stmt.where(WebhookDelivery.status == status)
    stmt = stmt.order_by(WebhookDelivery.id.desc()).limit(max(1, min(limit, 1000)))
    return [
        types.Delivery(
            id=d.id,
            webhook_id=d.webhook_id,
            url=url,
            event=d.event,
            status=d.status,
            attempts=d.attempts,
            created_at=d.created_at,
            response_status=d.response_status,
            last_error=d.last_error,
            next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
            delivered_at=d.delivered_at,
        )
        for d, url in session.execute(stmt)
    ]


# --- the outbox ----------------------------------------------------------------------------


def record_event(session: Session, event: str, payload: dict[str, Any]) -> list[int]:
    """One pending delivery per active webhook subscribed to ``event``, in the caller's
    transaction; returns their ids (for the queue to nudge after the commit)."""
    if event not in EVENTS:
        raise InputError(f"unknown event {event!r}", where="event")
    now = datetime.now(UTC)
    ids = []
    for hook in session.scalars(select(Webhook).where(Webhook.active.is_(True))):
        if ALL not in hook.events and event not in hook.events:
            continue
        delivery = WebhookDelivery(
            webhook_id=hook.id,
            event=event,
            payload=payload,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(delivery)
        session.flush()
        ids.append(delivery.id)
    return ids


def encode_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact UTF-8 JSON with sorted keys."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def due_ids(session: Session, *, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose next attempt is due (the sweep re-enqueues these)."""
    now = now or datetime.now(UTC)
    return list(
        session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == "pending",
                or_(
                    WebhookDelivery.next_attempt_at.is_(None),
                    WebhookDelivery.next_attempt_at <= now,
                ),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
    )


def deliver(
    settings: Settings,
    factory: sessionmaker[Session],
    delivery_id: int,
    *,
    send: Sender | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> types.Outcome:
    """Make one attempt at a delivery if it is due and nobody else holds it."""
    started = now()
    lease = timedelta(seconds=settings.webhook_timeout * 2 + 30)
    # 1. claim the attempt
    with transaction(factory) as session:
        row = session.execute(
            select(WebhookDelivery, Webhook)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.id == delivery_id)
        ).first()
        if row is None:
            return types.Outcome(delivery_id, "skipped", error="no such delivery")
        delivery, hook = row
        due = delivery.next_attempt_at is None or delivery.next_attempt_at <= started
        if delivery.status != "pending" or not due:
            return types.Outcome(delivery_id, "skipped")
        seen = delivery.attempts
        claimed = session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == "pending",
                WebhookDelivery.attempts == seen,
                or_(
                    WebhookDelivery.next_attempt_at.is_(None),
                    WebhookDelivery.next_attempt_at <= started,
                ),
            )
            .values(attempts=seen + 1, next_attempt_at=started + lease)
            .execution_options(synchronize_session=False)
        )
        if rowcount(claimed) != 1:
            return types.Outcome(delivery_id, "skipped")
        url, secret, active = hook.url, hook.secret, hook.active
        event, payload = delivery.event, delivery.payload
    attempts = seen + 1

    # 2. send (no transaction is held while the receiver thinks)
    status: int | None = None
    error: str | None = None
    if not active:
        error = "webhook disabled"
    else:
        body = encode_body(payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            EVENT_HEADER: event,
            DELIVERY_HEADER: str(delivery_id),
            SIGNATURE_HEADER: signature_header(secret, int(time.time()), body),
        }
        try:
            status = (send or _net_sender(settings))(url, body, headers, settings.webhook_timeout)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except FactdeskError as exc:
            error = str(exc)
        except OSError as exc:  # a socket error the client did not wrap
            error = f"{type(exc).__name__}: {exc}"

    # 3. record the answer
    finished = now()
    values: dict[str, Any] = {
        "response_status": status,
        "last_error": error[:ERROR_LIMIT] if error else None,
    }
    retry_at = None
    if error is None:
        result = "delivered"
        values.update(status="delivered", delivered_at=finished, next_attempt_at=None)
    elif attempts >= settings.webhook_max_attempts or not active:
        result = "failed"
        values.update(status="failed", next_attempt_at=None)
    else:
        result = "retry"
        wait = retry_delay(
            attempts, base=settings.webhook_backoff_base, cap=settings.webhook_backoff_max
        )
        retry_at = finished + timedelta(seconds=wait)
        values.update(next_attempt_at=retry_at)
    with transaction(factory) as session:
        session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.attempts == attempts,
                WebhookDelivery.status == "pending",
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return types.Outcome(delivery_id, result, status, error, retry_at)


def retry_now(
    session: Session, delivery_id: int, *, actor: types.Actor | str | None = None
) -> None:
    """Make a failed (or waiting) delivery due again, with its attempts counted afresh;
    audited (``webhook.retry``)."""
    changed = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status != "delivered")
        .values(status="pending", attempts=0, next_attempt_at=datetime.now(UTC))
    )
    if rowcount(changed) != 1:
        raise NotFound(f"no undelivered webhook delivery {delivery_id}")
    audit.record(session, actor, "webhook.retry", "webhook_delivery", delivery_id, None, None)


def _net_sender(settings: Settings) -> Sender:
    """POST through the one network chokepoint (timeouts, size caps, user agent)."""

    def send(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        from factdesk.net import Fetcher

        with Fetcher(settings) as fetcher:
            return fetcher.post(url, body, headers=headers, timeout=timeout).status

    return send
