"""The bodies of the queue's tasks: each calls one service function.

Arguments are ids only — the database, not the message, holds the state — so a message
lost, run twice or run late does no harm. :class:`~factdesk.jobs.worker.Worker` attaches
:data:`HANDLERS` to its queue (:mod:`factdesk.queue`, where the tasks are named).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from factdesk.queue import (
    DELIVER_WEBHOOK,
    PURGE_ITEM_TEXT,
    RUN_JOB,
    SWEEP_DELIVERIES,
    SWEEP_PIPELINE,
    Handler,
    JobQueue,
)
from factdesk.services import jobtable, pipeline, retention, webhooks

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


def utcnow() -> datetime:
    return datetime.now(UTC)


_STAGES: dict[int, pipeline.Stages] = {}
_STAGES_LOCK = threading.Lock()
RING_AT_MOST = 200  # doorbells one sweep rings when the queue holds none


def stages_for(queue: JobQueue) -> pipeline.Stages:
    """The process's pipeline state for this queue (the model and claim index, loaded once)."""
    with _STAGES_LOCK:
        stages = _STAGES.get(id(queue))
        if stages is None:
            stages = _STAGES[id(queue)] = pipeline.Stages(queue.settings, queue.factory)
        return stages


def run_pipeline_job(queue: JobQueue, job_id: int) -> None:
    """Claim pipeline job ``job_id`` and run it; ring for what follows, or for the retry."""
    job = jobtable.claim(queue.factory, int(job_id))
    if job is None:  # another worker has it, or it is done, dead or not due yet
        with queue.factory() as session:
            seen = jobtable.find_job(session, int(job_id))
        if seen is not None and seen.status == "queued" and seen.run_after > utcnow():
            queue.run_job_at(seen.id, seen.run_after)  # rang early (clocks differ): ring later
        return
    failed, made = pipeline.run_job(stages_for(queue), job)
    queue.run_jobs_soon(made)
    if failed is not None and failed.status == "queued":
        queue.run_job_at(failed.id, failed.run_after)


def sweep_pipeline(queue: JobQueue) -> None:
    """The pipeline's scheduler tick (see ``services.pipeline.sweep``). Beside the jobs it
    queued, it rings for due jobs only when the queue holds no message or a stale claim was
    given back: a lost doorbell, not a busy queue, is what it repairs."""
    if not queue.settings.pipeline:
        return
    stages = stages_for(queue)
    swept = pipeline.sweep(queue.settings, queue.factory, linking=lambda: stages.linking)
    if swept.requeued:
        log.info("pipeline: %s stale job(s) queued again", swept.requeued)
    queue.run_jobs_soon(swept.made)
    if swept.due and (swept.requeued or queue.pending_count() == 0):
        queue.run_jobs_soon([i for i in swept.due if i not in set(swept.made)][:RING_AT_MOST])


def purge_item_text(queue: JobQueue) -> None:
    """The daily retention run: blank raw item text older than FACTDESK_RETAIN_ITEM_TEXT_DAYS
    (off at 0, the default). Audited by the service as the command is."""
    report = retention.purge(queue.settings, queue.factory, actor="retention-job")
    if report.cutoff is not None:
        log.info(
            "retention: blanked %s items and %s quarantined records older than %s days",
            report.items_blanked, report.quarantine_blanked, report.days,
        )  # fmt: skip


HANDLERS: dict[str, Handler] = {
    DELIVER_WEBHOOK: deliver_webhook,
    SWEEP_DELIVERIES: sweep_deliveries,
    RUN_JOB: run_pipeline_job,
    SWEEP_PIPELINE: sweep_pipeline,
    PURGE_ITEM_TEXT: purge_item_text,
}
