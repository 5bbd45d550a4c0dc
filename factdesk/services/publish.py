"""What the desk calls when a fact-check's public life changes.

The web app's workflow moves a fact-check (publish, correct, withdraw) in one transaction;
inside that same transaction it calls :func:`on_published`, which

1. builds the public record as it now stands and, unless it is a withdrawal, refuses
   invalid ClaimReview markup (raising :class:`InputError` rolls the whole change back:
   nothing invalid is ever published);
2. writes one webhook delivery per subscribed webhook — the outbox — so the notification
   exists exactly when the change is committed;
3. after the commit (never before: a worker must see the rows), nudges the job queue to
   deliver now. If the queue is unreachable the periodic sweep delivers them anyway.

The public pages, feeds, sitemap and DataFeed are computed from the database on each
request, so there is no cache to invalidate here.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from factdesk.errors import InputError
from factdesk.publish.claimreview import claimreview_jsonld, require_valid
from factdesk.publish.documents import fact_check_document
from factdesk.services.webhooks import record_event
from factdesk.settings import Settings, get_settings
from factdesk.store.reads.public import load_public, organisation

# Accepted ``event`` values (the workflow's state or action names) -> webhook event.
_FACT_CHECK_EVENTS = {
    "published": "fact_check.published",
    "publish": "fact_check.published",
    "corrected": "fact_check.corrected",
    "correct": "fact_check.corrected",
    "withdrawn": "fact_check.withdrawn",
    "withdraw": "fact_check.withdrawn",
}
_PENDING = "factdesk.services.publish.pending"


def on_published(
    session: Session, fact_check_id: int, event: str, *, settings: Settings | None = None
) -> list[int]:
    """Validate and announce a fact-check that was just published, corrected or withdrawn.

    Call it inside the transaction of the workflow change, after the change is applied.
    ``event`` is ``published``, ``corrected`` or ``withdrawn`` (the action names
    ``publish``/``correct``/``withdraw`` are accepted too). Returns the delivery ids.
    """
    name = _FACT_CHECK_EVENTS.get(str(getattr(event, "value", event)))
    if name is None:
        raise InputError(f"unknown publishing event {event!r}", where="event")
    settings = settings or get_settings()
    fc = load_public(session, fact_check_id)
    org = organisation(settings)
    if not fc.withdrawn:
        require_valid(
            claimreview_jsonld(fc, org, settings.public_base_url),
            where=f"fact-check {fact_check_id}",
        )
    payload = _envelope(name, fact_check_document(fc, org, settings.public_base_url))
    ids = record_event(session, name, payload)
    _nudge_after_commit(session, settings, ids)
    return ids


def on_resurgence(
    session: Session, claim_id: int, data: dict[str, Any], *, settings: Settings | None = None
) -> list[int]:
    """Announce that a claim we debunked is spreading again (called by monitoring).

    ``data`` describes the alert (counts, window, the fact-check's public URL...); it must
    not name people. Returns the delivery ids.
    """
    settings = settings or get_settings()
    payload = _envelope("claim.resurgence", {"claim_id": claim_id, **data})
    ids = record_event(session, "claim.resurgence", payload)
    _nudge_after_commit(session, settings, ids)
    return ids


def _envelope(event: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,  # one id per event, shared by its deliveries: dedupe on it
        "event": event,
        "created_at": datetime.now(UTC).isoformat(),
        "data": data,
    }


def _nudge_after_commit(session: Session, settings: Settings, ids: list[int]) -> None:
    if not ids:
        return
    session.info.setdefault(_PENDING, []).append((settings, ids))
    if not sa_event.contains(session, "after_commit", _after_commit):
        sa_event.listen(session, "after_commit", _after_commit)
        sa_event.listen(session, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    from factdesk.queue import nudge_deliveries

    for settings, ids in session.info.pop(_PENDING, []):
        nudge_deliveries(settings, ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
