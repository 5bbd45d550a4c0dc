"""The pipeline's page: job counts, the newest jobs and the dead letters, with retry
(editors and admins, who manage sources); and resuming a paused source.

The same actions exist in the CLI (``factdesk jobs list|retry``, ``factdesk sources
resume``); the job table's service (``services.jobtable``) audits every retry.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from factdesk.queue import nudge_jobs
from factdesk.services import jobtable, sources
from factdesk.types import JOB_STATUSES, Actor
from factdesk.web.deps import db, desk, require
from factdesk.web.render import listing
from factdesk.workflow import Permission

router = APIRouter(prefix="/desk")
SOURCES = require(Permission.MANAGE_SOURCES)


@router.get("/jobs")
def jobs_page(
    request: Request,
    status: str = Query("", max_length=20),
    actor: Actor = Depends(SOURCES),
    session: Session = Depends(db),
) -> Response:
    chosen = status if status in JOB_STATUSES else None
    # The counts and list may be a few seconds old, never older than the user's own retry
    # (web/fragments.py); read only when rendered.
    return listing(
        request,
        "_jobs_body.html",
        lambda: {
            "counts": jobtable.counts(session),
            "jobs": jobtable.list_jobs(session, status=chosen, limit=100),
            "chosen_status": chosen or "",
            "statuses": JOB_STATUSES,
        },
        layout="jobs.html",
    )


@router.post("/jobs/{job_id}/retry")
def retry_job(request: Request, job_id: int, actor: Actor = Depends(SOURCES)) -> Response:
    state = desk(request)
    nudge_jobs(state.settings, [jobtable.retry(state.factory, job_id, actor=actor).id])
    return RedirectResponse("/desk/jobs?status=dead", status_code=303)


@router.post("/jobs/retry-dead")
def retry_dead(request: Request, actor: Actor = Depends(SOURCES)) -> Response:
    state = desk(request)
    nudge_jobs(state.settings, jobtable.retry_dead(state.factory, actor=actor))
    return RedirectResponse("/desk/jobs", status_code=303)


@router.post("/sources/{source_id}/resume")
def resume_source(request: Request, source_id: int, actor: Actor = Depends(SOURCES)) -> Response:
    sources.resume(desk(request).factory, source_id, actor=actor)
    return RedirectResponse("/desk/sources", status_code=303)
