"""The background job queue: one Huey instance per configuration, two back-ends.

Infrastructure, like ``net.py``: any layer may *enqueue* a task by name ("deliver this
webhook delivery soon"), and only a worker *runs* them — the worker (:mod:`factdesk.jobs`, a
shell) attaches the task bodies, which call the service layer. So the service layer can
nudge the queue without importing the code that runs the jobs.

``FACTDESK_QUEUE=sqlite`` (default) keeps the queue in ``DATA_DIR/jobs-<name>.db`` and runs
worker threads inside the web server; ``FACTDESK_QUEUE=redis`` puts it in Redis so any
number of ``factdesk worker`` processes on any number of machines consume it. The task code
is the same on both; the back-end is chosen by name from :data:`BACKENDS`.

Messages are JSON, not Huey's default pickle: a message read back from a shared Redis
could otherwise run any code in every worker. Task arguments are plain numbers, so a
tampered message can at worst name a task that does not exist.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.registry import Message
from huey.serializer import Serializer
from sqlalchemy.orm import Session, sessionmaker

from factdesk import metrics
from factdesk.errors import ConfigError, MissingExtra
from factdesk.settings import Settings

log = logging.getLogger("factdesk.jobs")

Backend = Callable[[Settings], Huey]
# A task body: called with the queue and the task's arguments.
Handler = Callable[..., None]
DELIVER_WEBHOOK = "deliver_webhook"
SWEEP_DELIVERIES = "sweep_deliveries"  # also runs every minute, in the worker
RUN_JOB = "run_pipeline_job"  # a doorbell: "pipeline job N may be due" (services.jobtable)
SWEEP_PIPELINE = "sweep_pipeline"  # every minute: leases, due sources, catch-up, doorbells
PURGE_ITEM_TEXT = "purge_item_text"  # daily at 03:17: retention (FACTDESK_RETAIN_ITEM_TEXT_DAYS)


def _encode(value: Any) -> Any:
    if isinstance(value, Message):
        return {"__message__": [_encode(v) for v in value]}
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"a queue message cannot carry a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "__message__" in value:
            return Message(*[_decode(v) for v in value["__message__"]])
        if "__datetime__" in value:
            return datetime.fromisoformat(value["__datetime__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


class JsonSerializer(Serializer):  # type: ignore[misc]
    """Huey serializer writing tagged JSON (messages, datetimes, tuples as lists)."""

    def _serialize(self, data: Any) -> bytes:
        return json.dumps(_encode(data), separators=(",", ":")).encode("utf-8")

    def _deserialize(self, data: bytes) -> Any:
        return _decode(json.loads(data))


def sqlite_backend(settings: Settings) -> Huey:
    """A persistent queue in one SQLite file beside the database (zero set-up)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / f"jobs-{settings.queue_name}.db"
    return SqliteHuey(
        settings.queue_name,
        filename=str(path),
        results=False,
        serializer=JsonSerializer(),
        timeout=30,
    )


def redis_backend(settings: Settings) -> Huey:
    """A queue in Redis, shared by workers on many machines."""
    try:
        import redis  # noqa: F401
    except ImportError:
        raise MissingExtra("redis", "the Redis job queue") from None
    return RedisHuey(
        settings.queue_name,
        url=settings.redis_url,
        results=False,
        serializer=JsonSerializer(),
        blocking=True,
        read_timeout=1,
    )


# FACTDESK_QUEUE names one of these.
BACKENDS: dict[str, Backend] = {"sqlite": sqlite_backend, "redis": redis_backend}


class JobQueue:
    """A configured queue with factdesk's tasks registered on it by name.

    Enqueueing only writes a message; a worker (threads in the server, or the ``factdesk
    worker`` command) attaches the task bodies with :meth:`attach` and runs them. Tasks open
    the database named by the same settings, lazily, once per process.
    """

    def __init__(self, settings: Settings, *, factory: sessionmaker[Session] | None = None) -> None:
        backend = BACKENDS.get(settings.queue)
        if backend is None:
            raise ConfigError(
                f"FACTDESK_QUEUE: unknown queue back-end {settings.queue!r} "
                f"(known: {', '.join(sorted(BACKENDS))})"
            )
        self.settings = settings
        self.huey = backend(settings)
        metrics.instrument_queue(self.huey)  # latency and failures of every task it runs
        self._factory = factory
        self._owns_factory = factory is None
        self._fetcher: Any = None
        self._lock = threading.Lock()
        self.handlers: dict[str, Handler] = {}
        self._deliver = self.huey.task(name=DELIVER_WEBHOOK)(self._body(DELIVER_WEBHOOK))
        self._sweep = self.huey.periodic_task(crontab(minute="*"), name=SWEEP_DELIVERIES)(
            self._body(SWEEP_DELIVERIES)
        )
        self._run_job = self.huey.task(name=RUN_JOB)(self._body(RUN_JOB))
        self._sweep_pipeline = self.huey.periodic_task(crontab(minute="*"), name=SWEEP_PIPELINE)(
            self._body(SWEEP_PIPELINE)
        )
        self._purge = self.huey.periodic_task(crontab(minute="17", hour="3"), name=PURGE_ITEM_TEXT)(
            self._body(PURGE_ITEM_TEXT)
        )

    def _body(self, name: str) -> Callable[..., None]:
        def run(*args: Any) -> None:
            handler = self.handlers.get(name)
            if handler is None:  # a queue nobody attached the task bodies to
                raise RuntimeError(f"no handler attached for task {name!r}")
            handler(self, *args)

        run.__name__ = name
        return run

    def attach(self, handlers: Mapping[str, Handler]) -> None:
        """Give the queue the bodies of its tasks (the worker does, before it runs them)."""
        self.handlers.update(handlers)

    @property
    def factory(self) -> sessionmaker[Session]:
        """The session factory tasks use (created on first use, shared by the threads)."""
        with self._lock:
            if self._factory is None:
                from factdesk.store.db import engine_for, session_factory

                self._factory = session_factory(engine_for(self.settings))
            return self._factory

    def send(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        """POST a webhook through one shared HTTP client (creating a client costs ~50 ms;
        the client is thread-safe and keeps connections to receivers open)."""
        with self._lock:
            if self._fetcher is None:
                from factdesk.net import Fetcher

                self._fetcher = Fetcher(self.settings)
            fetcher = self._fetcher
        return int(fetcher.post(url, body, headers=headers, timeout=timeout).status)

    # --- enqueueing ----------------------------------------------------------------------

    def deliver_soon(self, delivery_ids: Iterable[int]) -> None:
        for delivery_id in delivery_ids:
            self._deliver(delivery_id)

    def deliver_at(self, delivery_id: int, eta: datetime) -> None:
        self._deliver.schedule((delivery_id,), eta=eta)

    def sweep_soon(self) -> None:
        self._sweep()

    def run_jobs_soon(self, job_ids: Iterable[int]) -> None:
        """Ring for pipeline jobs (the job table decides who runs them, and whether)."""
        for job_id in job_ids:
            self._run_job(int(job_id))

    def run_job_at(self, job_id: int, eta: datetime) -> None:
        self._run_job.schedule((int(job_id),), eta=eta)

    def sweep_pipeline_soon(self) -> None:
        self._sweep_pipeline()

    # --- inspection (``factdesk doctor``, tests) -----------------------------------------

    def pending_count(self) -> int:
        return int(self.huey.pending_count())

    def scheduled_count(self) -> int:
        return int(self.huey.scheduled_count())

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.settings.queue,
            "name": self.settings.queue_name,
            "pending": self.pending_count(),
            "scheduled": self.scheduled_count(),
        }

    def flush(self) -> None:
        """Drop every message and schedule entry of this queue."""
        self.huey.flush()

    def close(self) -> None:
        """Release the queue's connections and the tasks' database engine."""
        storage = self.huey.storage
        storage.close()
        pool = getattr(storage, "pool", None)
        if pool is not None:
            pool.disconnect()
        with self._lock:
            if self._fetcher is not None:
                self._fetcher.close()
                self._fetcher = None
            if self._factory is not None and self._owns_factory:
                engine = self._factory.kw.get("bind")
                if engine is not None:
                    engine.dispose()
                self._factory = None


_QUEUES: dict[tuple[Any, ...], JobQueue] = {}
_QUEUES_LOCK = threading.Lock()


def get_queue(settings: Settings) -> JobQueue:
    """The process's queue for these settings (one per back-end, name and location)."""
    key = (
        settings.queue,
        settings.queue_name,
        settings.redis_url if settings.queue == "redis" else str(settings.data_dir.resolve()),
        settings.effective_database_url,
    )
    with _QUEUES_LOCK:
        queue = _QUEUES.get(key)
        if queue is None:
            queue = _QUEUES[key] = JobQueue(settings)
        return queue


def nudge_jobs(settings: Settings, job_ids: list[int]) -> None:
    """Ring for pipeline jobs just queued. Never raises: a job row without its doorbell is
    found by the pipeline sweep within a minute."""
    if not job_ids:
        return
    try:
        get_queue(settings).run_jobs_soon(job_ids)
    except Exception as exc:  # the job rows are committed; the sweep will find them
        log.warning("could not ring for pipeline jobs %s: %s", job_ids[:10], exc)


def nudge_deliveries(settings: Settings, delivery_ids: list[int]) -> None:
    """Ask the queue to deliver these soon. Never raises: when the queue is unreachable
    the delivery rows wait for the periodic sweep, which is the guarantee."""
    if not delivery_ids:
        return
    try:
        get_queue(settings).deliver_soon(delivery_ids)
    except Exception as exc:  # the outbox row is already committed; the sweep will find it
        log.warning("could not enqueue webhook deliveries %s: %s", delivery_ids, exc)
