"""The tasks factdesk runs in the background, registered on a :class:`JobQueue`.

Task bodies are thin: each calls one service function with the queue's settings and
database. Arguments are ids only — the database, not the message, holds the state — so a
message lost, run twice or run late does no harm.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from huey import crontab

if TYPE_CHECKING:
    from factdesk.jobs.queue import JobQueue

log = logging.getLogger("factdesk.jobs")
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Tasks:
    """The task wrappers of one queue: call one to enqueue it."""

    deliver_webhook: Any
    sweep_deliveries: Any


def register(queue: JobQueue) -> Tasks:
    huey = queue.huey

    @huey.task(name="deliver_webhook")  # type: ignore[untyped-decorator]
    def deliver_webhook(delivery_id: int) -> None:
        """One attempt at a webhook delivery; a failure schedules the next attempt."""
        from factdesk.services.webhooks import deliver

        outcome = deliver(queue.settings, queue.factory, int(delivery_id), send=queue.send)
        if outcome.result != "skipped":
            log.info("webhook delivery %s: %s %s", delivery_id, outcome.result, outcome.error or "")
        if outcome.retry_at is not None:
            deliver_webhook.schedule((delivery_id,), eta=outcome.retry_at)

    @huey.periodic_task(crontab(minute="*"), name="sweep_deliveries")  # type: ignore[untyped-decorator]
    def sweep_deliveries() -> None:
        """Enqueue every delivery that is due: the guarantee behind the queue's nudges."""
        from factdesk.services.webhooks import due_ids

        with queue.factory() as session:
            ids = due_ids(session, limit=SWEEP_BATCH)
        for delivery_id in ids:
            deliver_webhook(delivery_id)

    return Tasks(deliver_webhook=deliver_webhook, sweep_deliveries=sweep_deliveries)
