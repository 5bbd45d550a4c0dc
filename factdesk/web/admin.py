"""The desk's back office: sources, evidence library, quarantine, audit log, tipline
submissions, settings and users. Every list page has a ``.csv`` twin from the same view."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from factdesk.errors import InputError, NotFound
from factdesk.services import accounts as auth
from factdesk.services import audit
from factdesk.services import editorial as appsettings
from factdesk.services.research import check_url
from factdesk.store.models import Citation, EvidenceDocument, Source
from factdesk.store.reads import desk_lists as lists
from factdesk.types import Actor
from factdesk.web.csvfile import csv_response
from factdesk.web.deps import db, desk, require
from factdesk.web.render import page
from factdesk.workflow import Permission

router = APIRouter(prefix="/desk")
READ, SOURCES = require(Permission.READ), require(Permission.MANAGE_SOURCES)


def _list(request: Request, name: str, listing: lists.Listing, **context: Any) -> Response:
    if request.url.path.endswith(".csv"):
        return csv_response(name, listing.columns, listing.rows)
    return page(request, f"{name}.html", listing=listing, **context)


def _export(request: Request) -> bool:
    return request.url.path.endswith(".csv")


@router.get("/sources")
@router.get("/sources.csv", name="sources_csv")
def sources(
    request: Request,
    number: int = Query(1, alias="page"),
    actor: Actor = Depends(READ),
    session: Session = Depends(db),
) -> Response:
    return _list(request, "sources", lists.sources(session, number, _export(request)))


@router.post("/sources")
def add_source(
    url: str = Form(""),
    name: str = Form(""),
    language: str = Form(""),
    actor: Actor = Depends(SOURCES),
    session: Session = Depends(db),
) -> Response:
    location = check_url(url)
    with session.begin():
        if session.scalar(select(Source.id).where(Source.location == location)) is not None:
            raise InputError("this feed is already a source", where="url")
        source = Source(
            kind="feed",
            location=location,
            name=name.strip()[:300] or None,
            language=language.strip()[:8] or None,
        )
        session.add(source)
        session.flush()
        audit.record(
            session,
            actor,
            "source.add",
            "source",
            source.id,
            None,
            {"location": location, "name": source.name},
        )
    return RedirectResponse("/desk/sources", status_code=303)


@router.post("/sources/{source_id}/fetch")
def fetch_source(
    request: Request,
    source_id: int,
    actor: Actor = Depends(SOURCES),
    session: Session = Depends(db),
) -> Response:
    from factdesk.services.ingest import ingest_feed

    source = session.get(Source, source_id)
    if source is None or source.kind != "feed":
        raise NotFound(f"no feed source {source_id}")
    location = source.location
    session.close()
    state = desk(request)
    report = ingest_feed(state.settings, state.factory, location)
    with state.factory.begin() as tx:
        audit.record(
            tx, actor, "source.fetch", "source", source_id, None, {"summary": report.summary()}
        )
    return RedirectResponse("/desk/sources", status_code=303)


@router.get("/evidence")
@router.get("/evidence.csv", name="evidence_csv")
def evidence(
    request: Request,
    q: str = "",
    number: int = Query(1, alias="page"),
    actor: Actor = Depends(READ),
    session: Session = Depends(db),
) -> Response:
    listing = lists.evidence(session, q.strip()[:200], number, _export(request))
    return _list(request, "evidence", listing, q=q)


@router.get("/evidence/{doc_id}")
def evidence_document(
    request: Request, doc_id: int, actor: Actor = Depends(READ), session: Session = Depends(db)
) -> Response:
    document = session.get(EvidenceDocument, doc_id)
    if document is None:
        raise NotFound(f"no evidence document {doc_id}")
    cited = session.scalars(select(Citation).where(Citation.document_id == doc_id)).all()
    return page(request, "evidence_document.html", doc=document, citations=cited)


@router.get("/evidence/{doc_id}/raw")
def evidence_raw(
    doc_id: int, actor: Actor = Depends(READ), session: Session = Depends(db)
) -> Response:
    """The archived bytes exactly as fetched, in a sandbox: no script runs, nothing loads."""
    document = session.get(EvidenceDocument, doc_id)
    if document is None or document.raw is None:
        raise NotFound(f"no archived copy for evidence document {doc_id}")
    return Response(
        document.raw,
        media_type=document.raw_type or "application/octet-stream",
        headers={"Content-Security-Policy": "sandbox; default-src 'none'"},
    )


@router.get("/quarantine")
@router.get("/quarantine.csv", name="quarantine_csv")
def quarantine(
    request: Request,
    number: int = Query(1, alias="page"),
    actor: Actor = Depends(READ),
    session: Session = Depends(db),
) -> Response:
    return _list(request, "quarantine", lists.quarantine(session, number, _export(request)))


@router.get("/audit")
@router.get("/audit.csv", name="audit_csv")
def audit_log(
    request: Request,
    entity_type: str = "",
    action: str = "",
    who: str = "",
    number: int = Query(1, alias="page"),
    actor: Actor = Depends(READ),
    session: Session = Depends(db),
) -> Response:
    listing = lists.audit(
        session,
        entity_type=entity_type,
        action=action,
        actor=who,
        page=number,
        export=_export(request),
    )
    return _list(request, "audit", listing, entity_type=entity_type, action=action, who=who)


@router.get("/submissions")
@router.get("/submissions.csv", name="submissions_csv")
def submissions(
    request: Request,
    number: int = Query(1, alias="page"),
    actor: Actor = Depends(require(Permission.SEE_TIPS)),
    session: Session = Depends(db),
) -> Response:
    return _list(request, "submissions", lists.submissions(session, number, _export(request)))


@router.get("/settings")
def settings_form(
    request: Request,
    actor: Actor = Depends(require(Permission.MANAGE_SETTINGS)),
    session: Session = Depends(db),
) -> Response:
    current = appsettings.load(session, desk(request).settings.languages)
    return page(request, "settings.html", s=current, scale=appsettings.scale_text(current))


@router.post("/settings")
def save_settings(
    request: Request,
    rating_scale: str = Form(""),
    worthiness_high: str = Form(""),
    worthiness_low: str = Form(""),
    spread_high: str = Form(""),
    spread_low: str = Form(""),
    languages: str = Form(""),
    actor: Actor = Depends(require(Permission.MANAGE_SETTINGS)),
    session: Session = Depends(db),
) -> Response:
    new = appsettings.parse(
        {
            "rating_scale": rating_scale,
            "worthiness_high": worthiness_high,
            "worthiness_low": worthiness_low,
            "spread_high": spread_high,
            "spread_low": spread_low,
            "languages": languages,
        }
    )
    with session.begin():
        before = appsettings.save(session, new, actor.id)
        audit.record(session, actor, "settings.change", "settings", None, before, new.to_json())
    desk(request).cache.clear()
    return RedirectResponse("/desk/settings", status_code=303)


@router.get("/users")
@router.get("/users.csv", name="users_csv")
def users(
    request: Request,
    number: int = Query(1, alias="page"),
    actor: Actor = Depends(require(Permission.MANAGE_USERS)),
    session: Session = Depends(db),
) -> Response:
    return _list(request, "users", lists.users(session, number, _export(request)))


@router.post("/users")
def add_user(
    username: str = Form(""),
    password: str = Form(""),
    role: str = Form("viewer"),
    actor: Actor = Depends(require(Permission.MANAGE_USERS)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        user = auth.add_user(session, username, password, role)
        audit.record(
            session,
            actor,
            "user.add",
            "user",
            user.id,
            None,
            {"username": user.username, "role": user.role},
        )
    return RedirectResponse("/desk/users", status_code=303)


@router.post("/users/{username}/role")
def set_role(
    username: str,
    role: str = Form(""),
    actor: Actor = Depends(require(Permission.MANAGE_USERS)),
    session: Session = Depends(db),
) -> Response:
    if username == actor.username:
        raise InputError("change your own role from another admin account", where="role")
    with session.begin():
        before, after = auth.set_role(session, username, role)
        audit.record(
            session,
            actor,
            "user.set_role",
            "user",
            None,
            {"username": username, "role": before},
            {"username": username, "role": after},
        )
    return RedirectResponse("/desk/users", status_code=303)
