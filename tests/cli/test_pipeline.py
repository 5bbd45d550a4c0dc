"""`factdesk jobs list|retry|run` and `factdesk sources resume|interval` against the test
database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import jobtable
from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.store.jobtable import PipelineJob
from tests.cli.conftest import CLI
from tests.services.pipelining import write_feed


@pytest.fixture(autouse=True)
def _static_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTDESK_CLUSTER_DENSE", "false")  # no multilingual-e5 here


def test_jobs_run_takes_a_source_through_the_pipeline(cli: CLI, tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "f.xml", [("1", "Petrol prices will double next month.")])
    assert cli("sources", "add", str(feed), "--no-fetch").code == 0
    result = cli("jobs", "run")
    assert result.code == 0 and "ran 2 job(s)" in result.out  # ingest, detect
    jobs = json.loads(cli("jobs", "list", "--format", "json").out)
    assert sorted(j["kind"] for j in jobs) == ["detect", "ingest"]
    assert {j["status"] for j in jobs} == {"done"}
    items = json.loads(cli("items", "list", "--format", "json").out)
    assert len(items) == 1


def test_jobs_retry_needs_one_of_id_or_dead(cli: CLI) -> None:
    result = cli("jobs", "retry")
    assert result.code == 1 and "job id or --dead" in result.err


def test_jobs_retry_dead_job_and_list_by_status(cli: CLI, db: sessionmaker[Session]) -> None:
    with transaction(db) as session:
        (job_id,) = jobtable.enqueue(session, "match", [1], batch=1)
        session.execute(update(PipelineJob).values(status="dead", last_error="boom"))
    dead = json.loads(cli("jobs", "list", "--status", "dead", "--format", "json").out)
    assert [j["id"] for j in dead] == [job_id] and dead[0]["last_error"] == "boom"
    assert cli("jobs", "retry", str(job_id)).code == 0
    again = cli("jobs", "retry", str(job_id))
    assert again.code == 1 and "not dead" in again.err
    assert json.loads(cli("jobs", "list", "--status", "dead", "--format", "json").out) == []
    bad = cli("jobs", "list", "--status", "lost")
    assert bad.code == 1 and "unknown job status" in bad.err


def test_sources_list_shows_a_paused_source_and_resume(cli: CLI, db: sessionmaker[Session]) -> None:
    assert cli("sources", "add", "https://example.org/f.xml", "--no-fetch").code == 0
    with transaction(db) as session:
        session.execute(update(m.Source).values(paused_reason="paused after 8 failed fetches"))
    listed = json.loads(cli("sources", "list", "--format", "json").out)
    assert listed[0]["paused_reason"] == "paused after 8 failed fetches"
    assert "paused after 8" in cli("sources", "list").out
    assert cli("sources", "resume", str(listed[0]["id"])).code == 0
    assert json.loads(cli("sources", "list", "--format", "json").out)[0]["paused_reason"] is None
    assert "every 60 s" in cli("sources", "interval", str(listed[0]["id"]), "60").out
    low = cli("sources", "interval", str(listed[0]["id"]), "5")
    assert low.code == 1 and "at most every 10 seconds" in low.err
