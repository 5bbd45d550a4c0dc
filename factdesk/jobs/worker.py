"""Running the queue's tasks: worker threads inside the web server, or `factdesk worker`.

Both use Huey's consumer (worker threads plus a scheduler thread for delayed and periodic
tasks). The embedded worker starts without signal handlers — the web server owns those —
and stops gracefully with the server. On start, either sweeps the outbox once so a
delivery left pending by a stop or a crash goes out at once rather than at the next minute.
"""

from __future__ import annotations

import logging
import threading

from huey.consumer import Consumer

from factdesk.jobs.tasks import HANDLERS
from factdesk.queue import JobQueue

log = logging.getLogger("factdesk.jobs")


class _QuietConsumer(Consumer):  # type: ignore[misc]
    """A consumer that leaves signal handling to its host process."""

    def _set_signal_handlers(self) -> None:
        return None


class Worker:
    """Worker threads consuming ``queue`` in this process (start/stop, or run in the
    foreground with :meth:`run`)."""

    def __init__(
        self,
        queue: JobQueue,
        *,
        threads: int | None = None,
        periodic: bool = True,
        poll_interval: float = 0.1,
        max_delay: float = 2.0,
    ) -> None:
        self.queue = queue
        queue.attach(HANDLERS)
        self.threads = threads or queue.settings.worker_threads
        self._options = {
            "workers": self.threads,
            "worker_type": "thread",
            "periodic": periodic,
            "initial_delay": poll_interval,
            "max_delay": max_delay,
            "backoff": 1.5,
            "check_worker_health": True,
            "shutdown_timeout": queue.settings.webhook_timeout + 5,
        }
        self._consumer: Consumer | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._consumer is not None

    def start(self) -> None:
        """Start the threads in the background (the embedded worker of the server)."""
        with self._lock:
            if self._consumer is not None:
                return
            self._consumer = _QuietConsumer(self.queue.huey, **self._options)
            self._consumer.start()
        self._sweep_once()
        log.info(
            "worker started: %s threads on the %s queue %r",
            self.threads,
            self.queue.settings.queue,
            self.queue.settings.queue_name,
        )

    def stop(self, *, graceful: bool = True) -> None:
        """Stop the threads, letting a task in progress finish (up to the timeout)."""
        with self._lock:
            consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.stop(graceful=graceful)

    def run(self) -> None:
        """Consume in the foreground (the `factdesk worker` command) until SIGTERM, which
        lets the jobs in progress finish, or SIGINT (Ctrl-C), which stops at once (an
        interrupted delivery is sent again when its lease runs out)."""
        consumer = Consumer(self.queue.huey, graceful_signal="TERM", **self._options)
        self._sweep_once()
        consumer.run()

    def _sweep_once(self) -> None:
        try:
            self.queue.sweep_soon()
            if self.queue.settings.pipeline:
                self.queue.sweep_pipeline_soon()
        except Exception as exc:  # an unreachable queue must not stop the host process
            log.warning("could not enqueue the start-up sweep: %s", exc)

    def __enter__(self) -> Worker:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
