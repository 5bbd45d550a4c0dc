"""Correcting published fact-checks, keeping unverified quotes, choosing public links.

Thin routes over :mod:`factdesk.services.corrections`, :mod:`~factdesk.services.citations`
and :mod:`~factdesk.services.appearances`. A correction that cannot be taken (a conflict,
a missing note, a verdict change while another is under review) keeps the typed text as
the editor's draft before the error page, so the fact-check page offers it back.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from factdesk.errors import FactdeskError
from factdesk.services import appearances, citations, corrections, drafts
from factdesk.types import Actor, Draft
from factdesk.web.deps import db, desk, require
from factdesk.workflow import Permission

router = APIRouter(prefix="/desk")


def _to(fc_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/desk/fact-checks/{fc_id}{anchor}", status_code=303)


@router.post("/fact-checks/{fc_id}/correct")
def correct(
    request: Request,
    fc_id: int,
    version: int = Form(...),
    rating_label: str = Form(""),
    summary: str = Form(""),
    explanation: str = Form(""),
    title: str = Form(""),
    note: str = Form(""),
    actor: Actor = Depends(require(Permission.REVIEW)),
    session: Session = Depends(db),
) -> Response:
    """A typo is published now; a verdict change waits for a second editor."""
    typed = Draft(rating_label, summary, explanation, title)
    state = desk(request)
    try:
        with session.begin():
            corrections.propose(
                session,
                actor,
                fc_id,
                version,
                typed,
                note,
                state.desk_settings(session),
                settings=state.settings,
            )
    except FactdeskError:
        keep(session, actor, fc_id, "correction", typed, note, version)
        raise
    return _to(fc_id, "#correction")


def keep(
    session: Session, actor: Actor, fc_id: int, form: str, typed: Draft, note: str, version: int
) -> bool:
    """Keep text a refused form carried as the person's draft; whether it could be kept
    (a draft too long to keep is the one case left: the form still holds it)."""
    try:
        with session.begin():
            drafts.save(session, actor, fc_id, form, typed, note, version)
    except FactdeskError:
        return False
    return True


@router.post("/corrections/{correction_id}/approve")
def approve(
    request: Request,
    correction_id: int,
    actor: Actor = Depends(require(Permission.REVIEW)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        fc_id = corrections.fact_check_of(session, correction_id)
        corrections.approve(session, actor, correction_id, settings=desk(request).settings)
    return _to(fc_id)


@router.post("/corrections/{correction_id}/reject")
def reject(
    correction_id: int,
    note: str = Form(""),
    actor: Actor = Depends(require(Permission.REVIEW)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        fc_id = corrections.fact_check_of(session, correction_id)
        corrections.reject(session, actor, correction_id, note)
    return _to(fc_id)


@router.post("/fact-checks/{fc_id}/citations/{citation_id}/keep")
def keep_quote(
    fc_id: int,
    citation_id: int,
    reason: str = Form(""),
    actor: Actor = Depends(require(Permission.REVIEW)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        citations.keep_quote(session, actor, fc_id, citation_id, reason)
    return _to(fc_id, "#evidence")


@router.post("/claims/{claim_id}/appearances")
def mark_appearance(
    claim_id: int,
    url: str = Form(...),
    public: str = Form(...),
    back: int = Form(0),
    actor: Actor = Depends(require(Permission.REVIEW)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        appearances.mark(session, actor, claim_id, url, public == "1")
    return _back(claim_id, back)


@router.post("/claims/{claim_id}/appearances/source")
def mark_source(
    claim_id: int,
    source_id: int = Form(...),
    back: int = Form(0),
    actor: Actor = Depends(require(Permission.REVIEW)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        appearances.mark_source(session, actor, claim_id, source_id)
    return _back(claim_id, back)


def _back(claim_id: int, fc_id: int) -> RedirectResponse:
    if fc_id > 0:
        return _to(fc_id, "#appearances")
    return RedirectResponse(f"/desk/claims/{claim_id}", status_code=303)
