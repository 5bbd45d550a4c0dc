"""The bodies of the queue's tasks: each calls one service function.

Arguments are ids only — the database, not the message, holds the state — so a message
lost, run twice or run late does no harm. :class:`~factdesk.jobs.worker.Worker` attaches
:data:`HANDLERS` to its queue (:mod:`factdesk.queue`, where the tasks are named).
"""

from __future__ import annotations

import logging

from factdesk.queue import DELIVER_WEBHOOK, SWEEP_DELIVERIES, Handler, JobQueue
from factdesk.services import webhooks

log = logging.getLogger("factdesk.jobs")
SWEEP_BATCH = 500


def deliver_webhook(queue: JobQueue, delivery_id: int) -> None:
    """One attempt at a webhook delivery; a failure schedules the next attempt."""
    outcome = webhooks.deliver(queue.settings, queue.factory, int(delivery_id), send=queue.send)
    if outcome.result != "skipped":
        log.info("webhook delivery %s: %s %s", delivery_id, outcome.result, outcome.error or "")
    if outcome.retry_at is not None:
        queue.deliver_at(int(delivery_id), outcome.retry_at)


def sweep_deliveries(queue: JobQueue) -> None:
    """Enqueue every delivery that is due: the guarantee behind the queue's nudges."""
    with queue.factory() as session:
        ids = webhooks.due_ids(session, limit=SWEEP_BATCH)
    queue.deliver_soon(ids)


HANDLERS: dict[str, Handler] = {
    DELIVER_WEBHOOK: deliver_webhook,
    SWEEP_DELIVERIES: sweep_deliveries,
}
