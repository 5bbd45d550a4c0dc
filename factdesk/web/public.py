"""The public site: published fact-checks and the archived copies of their evidence.

A plain first version so the desk's flow ends somewhere a reader can see; the publishing
area (ClaimReview markup, feeds, ``.json`` twins) builds on these routes. Paths come from
:mod:`factdesk.publish.urls` so every part of the app agrees on them.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from factdesk.errors import NotFound
from factdesk.store.models import Citation, EvidenceDocument, FactCheck
from factdesk.web.deps import db
from factdesk.web.render import page
from factdesk.workflow import PUBLIC_STATES

router = APIRouter()
PUBLIC = [FactCheck.origin == "local", FactCheck.status.in_([s.value for s in PUBLIC_STATES])]


@router.get("/")
def index(request: Request, session: Session = Depends(db)) -> Response:
    rows = session.scalars(
        select(FactCheck).where(*PUBLIC).order_by(FactCheck.date_published.desc()).limit(50)
    ).all()
    return page(request, "public/index.html", fact_checks=rows)


@router.get("/fact-checks/{fc_id}/")
def fact_check(request: Request, fc_id: int, session: Session = Depends(db)) -> Response:
    fc = session.scalar(select(FactCheck).where(FactCheck.id == fc_id, *PUBLIC))
    if fc is None:
        raise NotFound(f"no published fact-check {fc_id}")
    citations = session.scalars(
        select(Citation).where(Citation.fact_check_id == fc_id).order_by(Citation.id)
    ).all()
    return page(request, "public/factcheck.html", fc=fc, citations=citations)


@router.get("/archive/{doc_id}/")
def archived(request: Request, doc_id: int, session: Session = Depends(db)) -> Response:
    """An archived copy is public once a public fact-check cites it."""
    cited = session.scalar(
        select(Citation.id)
        .join(FactCheck, FactCheck.id == Citation.fact_check_id)
        .where(Citation.document_id == doc_id, *PUBLIC)
        .limit(1)
    )
    document = session.get(EvidenceDocument, doc_id) if cited else None
    if document is None:
        raise NotFound(f"no public archived copy {doc_id}")
    return page(request, "public/archive.html", doc=document)
