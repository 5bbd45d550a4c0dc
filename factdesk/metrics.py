"""The process's Prometheus metrics (``factdesk_`` prefix), for ``/metrics``.

Infrastructure, like ``net.py`` and ``queue.py``: any layer may count something here, and
only the web shell renders them. Counters and histograms live in one registry per process;
figures that the database already knows (items, mentions, claims) and the queue's depth are
read when scraped, through a :class:`Snapshot` the caller passes in, so they are right
whichever process wrote the rows.

Job latency and failures are counted through Huey's signals (:func:`instrument_queue`), so
every task registered on the queue is measured without its body knowing.

When ``PROMETHEUS_MULTIPROC_DIR`` is set (prometheus_client's own convention), counters and
histograms are written to files there and :func:`exposition` merges every process's values:
the web server's workers and ``factdesk worker`` processes on the same host show as one.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

disable_created_metrics()  # type: ignore[no-untyped-call]  # the *_created series double the output for no dashboard's use
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "factdesk_http_requests",
    "HTTP requests answered, by route template (not raw path), method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
HTTP_SECONDS = Histogram(
    "factdesk_http_request_seconds",
    "Time to answer an HTTP request, by route template.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
FETCH_ERRORS = Counter(
    "factdesk_fetch_errors",
    "Outgoing HTTP fetches that failed, by kind (timeout, refused, status, too_large, ...).",
    ["kind"],
    registry=REGISTRY,
)
JOBS = Counter(
    "factdesk_jobs",
    "Queue tasks finished, by task name and outcome (complete, error).",
    ["task", "outcome"],
    registry=REGISTRY,
)
JOB_FAILURES = Counter(
    "factdesk_job_failures",
    "Queue tasks that raised, by task name (each attempt counts).",
    ["task"],
    registry=REGISTRY,
)
JOB_SECONDS = Histogram(
    "factdesk_job_seconds",
    "Time a queue task ran, by task name.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
    registry=REGISTRY,
)


@dataclass(frozen=True)
class Snapshot:
    """Figures read at scrape time: named gauges (``items`` becomes ``factdesk_items``)
    with their help lines, and the parts that could not be read."""

    gauges: Mapping[str, tuple[float, str]] = field(default_factory=dict)
    errors: tuple[str, ...] = ()


def fetch_error(kind: str) -> None:
    """Count one failed outgoing fetch (``net.py`` calls this)."""
    FETCH_ERRORS.labels(kind=kind).inc()


def http_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request; ``route`` is the matched template, never the raw path."""
    HTTP_REQUESTS.labels(route=route, method=method, status=str(status)).inc()
    HTTP_SECONDS.labels(route=route).observe(seconds)


class _JobTimer:
    """Huey signal handler: start times by task id, observed when the task ends."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, signal: str, task: Any, exc: BaseException | None = None) -> None:
        name = str(getattr(task, "name", "unknown"))
        task_id = str(getattr(task, "id", ""))
        now = time.perf_counter()
        if signal == "executing":
            with self._lock:
                if len(self._started) > 10_000:  # a crashed thread never reports: stay bounded
                    self._started.clear()
                self._started[task_id] = now
            return
        with self._lock:
            started = self._started.pop(task_id, None)
        if signal in ("complete", "error") and started is not None:
            JOB_SECONDS.labels(task=name).observe(now - started)
        if signal == "complete":
            JOBS.labels(task=name, outcome="complete").inc()
        elif signal == "error":
            JOBS.labels(task=name, outcome="error").inc()
            JOB_FAILURES.labels(task=name).inc()


def instrument_queue(huey: Any) -> None:
    """Measure every task this Huey instance runs (signals fire in the consuming process)."""
    if getattr(huey, "_factdesk_metrics", False):
        return
    huey.signal("executing", "complete", "error")(_JobTimer())
    huey._factdesk_metrics = True


class _SnapshotCollector(Collector):
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        for name, (value, help_text) in sorted(self.snapshot.gauges.items()):
            yield GaugeMetricFamily(f"factdesk_{name}", help_text, value=value)
        up = GaugeMetricFamily(
            "factdesk_scrape_part_ok", "1 when a part of the scrape could be read.", labels=["part"]
        )
        for part in self.snapshot.errors:
            up.add_metric([part], 0.0)
        yield up


def exposition(snapshot: Snapshot) -> bytes:
    """The Prometheus text for this process (or every process sharing the multiprocess
    directory), plus the gauges of ``snapshot``."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client.multiprocess import MultiProcessCollector

        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_RegistryView(REGISTRY))
    registry.register(_SnapshotCollector(snapshot))
    return bytes(generate_latest(registry))


class _RegistryView(Collector):
    """The process registry seen through another one (so scrape-time gauges are added to a
    throwaway registry, never to the process's)."""

    def __init__(self, inner: CollectorRegistry) -> None:
        self.inner = inner

    def collect(self) -> Iterator[Metric]:
        yield from self.inner.collect()
