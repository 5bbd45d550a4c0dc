"""The pipeline's page: counts, dead letters and retry for editors and admins; a paused
source shown on the sources page and resumed from it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import jobtable
from factdesk.store import models as m
from factdesk.store.jobtable import PipelineJob
from tests.web.conftest import Persona


def _dead_job(db: sessionmaker[Session], error: str) -> int:
    with db.begin() as session:
        job = PipelineJob(kind="detect", payload=[1, 2, 3], status="dead", attempts=5)
        job.last_error = error
        session.add(job)
        session.flush()
        return job.id


def test_jobs_page_lists_dead_letters_and_retries_one(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    job_id = _dead_job(db, "RuntimeError: model file unreadable")
    editor = personas["editor"]
    page = editor.get("/desk/jobs?status=dead")
    assert page.status_code == 200
    assert "model file unreadable" in page.text and f"/desk/jobs/{job_id}/retry" in page.text
    assert editor.post(f"/desk/jobs/{job_id}/retry").status_code == 303
    with db() as session:
        job = jobtable.get_job(session, job_id)
        event = session.scalars(
            select(m.AuditEvent).where(m.AuditEvent.action == "job.retry")
        ).one()
    assert job.status == "queued" and job.attempts == 0
    assert event.actor == "editor"
    # retrying a job that is not dead is a conflict, shown as such (not a server error)
    assert editor.post(f"/desk/jobs/{job_id}/retry").status_code == 409


def test_jobs_page_retry_every_dead_job(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    ids = [_dead_job(db, "x"), _dead_job(db, "y")]
    admin = personas["admin"]
    assert "Retry every dead job" in admin.get("/desk/jobs").text
    assert admin.post("/desk/jobs/retry-dead").status_code == 303
    with db() as session:
        assert {jobtable.get_job(session, i).status for i in ids} == {"queued"}


def test_jobs_page_is_closed_to_checkers(personas: dict[str, Persona]) -> None:
    assert personas["checker"].get("/desk/jobs").status_code == 403


def test_sources_page_shows_a_paused_source_and_resumes_it(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    with db.begin() as session:
        source = m.Source(kind="feed", location="http://127.0.0.1:9/f.xml", failures=8)
        source.paused_reason = "paused after 8 failed fetches in a row; the last: HTTP 404"
        session.add(source)
        session.flush()
        source_id = source.id
    editor = personas["editor"]
    assert "paused after 8 failed fetches" in editor.get("/desk/sources").text
    assert editor.post(f"/desk/sources/{source_id}/resume").status_code == 303
    with db() as session:
        row = session.get_one(m.Source, source_id)
    assert row.paused_reason is None and row.failures == 0
