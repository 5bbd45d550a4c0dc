"""/healthz and /metrics: each part named when it fails, no secret shown, Prometheus text
that the reference parser reads, request counts by route template, job and fetch counters."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from starlette.testclient import TestClient

from factdesk import metrics
from factdesk.errors import FetchError
from factdesk.net import Fetcher
from factdesk.queue import JobQueue
from factdesk.services import health
from factdesk.settings import Settings
from factdesk.web.app import create_app
from tests.web.conftest import seed_claim


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_healthz_ok_names_each_part(app: FastAPI) -> None:
    answer = TestClient(app).get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["parts"]) == {"database", "queue", "models"}
    assert all(part["ok"] for part in body["parts"].values())


def test_healthz_database_down_is_503_without_the_url(
    web_settings: Settings, engine: Engine
) -> None:
    bad = web_settings.model_copy(
        update={"database_url": "postgresql+psycopg://desk:hunter2secret@127.0.0.1:1/nowhere"}
    )
    from factdesk.store.db import make_engine

    app = create_app(bad, engine=make_engine(bad.effective_database_url))
    answer = TestClient(app).get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["failing"] == ["database"]
    assert "hunter2secret" not in answer.text and "127.0.0.1" not in answer.text


def test_healthz_queue_unreachable_is_503(web_settings: Settings, engine: Engine) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bad = web_settings.model_copy(
        update={"queue": "redis", "redis_url": f"redis://:pw-in-url@127.0.0.1:{port}/0"}
    )
    answer = TestClient(create_app(bad, engine=engine)).get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["failing"] == ["queue"]
    assert "pw-in-url" not in answer.text


def test_healthz_broken_model_is_503(
    web_settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    broken = tmp_path / "model"
    broken.mkdir()
    (broken / "scorer.json").write_text("{not json", encoding="utf-8")
    bad = web_settings.model_copy(update={"detect_model_dir": broken})
    health.forget_models()
    answer = TestClient(create_app(bad, engine=engine)).get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["failing"] == ["models"]
    assert str(broken) not in answer.text


def test_metrics_parse_and_count_routes_by_template(app: FastAPI, db, engine: Engine) -> None:
    seed_claim(db, mentions=3)
    client = TestClient(app)
    for claim_id in (1, 2, 3):  # three raw paths, one route template
        client.get(f"/api/v1/fact-checks/{claim_id}")
    client.get("/healthz")
    text = client.get("/metrics").text
    samples = _samples(text)
    assert samples[("factdesk_claims", ())] == 1
    assert samples[("factdesk_mentions", ())] == 3
    assert samples[("factdesk_items", ())] == 3
    assert ("factdesk_queue_depth", ()) in samples
    routes = {
        dict(labels).get("route")
        for name, labels in samples
        if name == "factdesk_http_requests_total"
    }
    assert "/api/v1/fact-checks/{fact_check_id}" in routes
    assert not any(route and route.endswith(("/1", "/2", "/3")) for route in routes)
    assert any(
        name == "factdesk_http_request_seconds_count" and dict(labels)["route"] == "/healthz"
        for name, labels in samples
    )


def test_metrics_refuse_proxied_and_wrong_token(web_settings: Settings, engine: Engine) -> None:
    open_app = create_app(web_settings, engine=engine)
    assert TestClient(open_app).get("/metrics").status_code == 200
    proxied = TestClient(open_app).get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 404
    guarded = create_app(
        web_settings.model_copy(update={"metrics_token": "s3cret-scrape"}), engine=engine
    )
    client = TestClient(guarded)
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 404
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
    assert ok.status_code == 200 and "factdesk_http_requests_total" in ok.text


def test_job_signals_count_latency_and_failures(settings: Settings) -> None:
    queue = JobQueue(settings)
    try:

        @queue.huey.task(name="probe_ok")
        def probe_ok() -> None:
            return None

        @queue.huey.task(name="probe_fails", retries=0)
        def probe_fails() -> None:
            raise RuntimeError("boom")

        before = _samples(metrics.exposition(metrics.Snapshot()).decode())
        queue.huey.execute(probe_ok.s())
        queue.huey.execute(probe_fails.s())  # Huey logs the error and reports it by signal
        after = _samples(metrics.exposition(metrics.Snapshot()).decode())
    finally:
        queue.close()

    def delta(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert delta("factdesk_jobs_total", task="probe_ok", outcome="complete") == 1
    assert delta("factdesk_job_seconds_count", task="probe_ok") == 1
    assert delta("factdesk_jobs_total", task="probe_fails", outcome="error") == 1
    assert delta("factdesk_job_failures_total", task="probe_fails") == 1


def test_fetch_errors_counted_by_kind(settings: Settings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = metrics.FETCH_ERRORS.labels(kind="fetch_error")._value.get()
    with Fetcher(settings.model_copy(update={"respect_robots": False})) as fetcher:
        with pytest.raises(FetchError):
            fetcher.fetch(f"http://127.0.0.1:{port}/feed.xml")
    assert metrics.FETCH_ERRORS.labels(kind="fetch_error")._value.get() == before + 1


def test_metrics_multiprocess_directory_merges_processes(tmp_path: Path) -> None:
    """With PROMETHEUS_MULTIPROC_DIR (uvicorn --workers N, several `factdesk worker`s on one
    host) each process writes its counters there and /metrics shows their sum."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = "from factdesk import metrics; metrics.http_request('/x', 'GET', 200, 0.01)"
    for _ in range(2):  # two processes, one request each
        subprocess.run([sys.executable, "-c", count], env=env, check=True)
    show = "from factdesk import metrics; print(metrics.exposition(metrics.Snapshot()).decode())"
    text = subprocess.run(
        [sys.executable, "-c", show], env=env, check=True, capture_output=True, text=True
    ).stdout
    samples = _samples(text)
    key = ("factdesk_http_requests_total", (("method", "GET"), ("route", "/x"), ("status", "200")))
    assert samples[key] == 2
