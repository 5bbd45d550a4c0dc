"""The desk's back office: sources, evidence library, quarantine, audit log, tipline
submissions, settings and users. Every list page has a ``.csv`` twin from the same view."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from factdesk.errors import InputError, NotFound
from factdesk.services import accounts, editorial, ingest
from factdesk.services.research import check_url
from factdesk.store.reads import desk_lists as lists
from factdesk.types import Actor, Page
from factdesk.web.csvfile import csv_response
from factdesk.web.deps import db, desk, require
from factdesk.web.render import page
from factdesk.workflow import Permission

router = APIRouter(prefix="/desk")
READ, SOURCES = require(Permission.READ), require(Permission.MANAGE_SOURCES)
# The columns each list's CSV export writes, in order (each an attribute of its records).
COLUMNS = {
    "sources": [
        "id",
        "kind",
        "name",
        "location",
        "language",
        "active",
        "item_count",
        "last_fetched_at",
        "last_status",
        "last_error",
    ],
    "evidence": [
        "id",
        "url",
        "title",
        "publisher",
        "language",
        "fetched_at",
        "content_hash",
        "citations",
    ],
    "quarantine": ["id", "at", "kind", "origin", "location", "reason", "raw"],
    "audit": ["id", "at", "actor", "action", "entity_type", "entity_id", "before", "after"],
    "submissions": ["id", "created_at", "text", "url", "contact", "language", "item_id"],
    "users": ["id", "username", "role", "active", "created_at"],
}


def _list(request: Request, name: str, listing: Page[Any], **context: Any) -> Response:
    if request.url.path.endswith(".csv"):
        return csv_response(name, COLUMNS[name], listing.items)
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
    request: Request,
    url: str = Form(""),
    name: str = Form(""),
    language: str = Form(""),
    actor: Actor = Depends(SOURCES),
    session: Session = Depends(db),
) -> Response:
    location = check_url(url, allow_private=desk(request).settings.allow_private_fetch)
    with session.begin():
        ingest.add_feed(session, location, actor=actor, name=name, language=language)
    return RedirectResponse("/desk/sources", status_code=303)


@router.post("/sources/{source_id}/fetch")
def fetch_source(request: Request, source_id: int, actor: Actor = Depends(SOURCES)) -> Response:
    state = desk(request)
    ingest.fetch_source(state.settings, state.factory, source_id, actor=actor)
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
    found = lists.evidence_document(session, doc_id)
    if found is None:
        raise NotFound(f"no evidence document {doc_id}")
    document, cited = found
    return page(request, "evidence_document.html", doc=document, citations=cited)


@router.get("/evidence/{doc_id}/raw")
def evidence_raw(
    doc_id: int, actor: Actor = Depends(READ), session: Session = Depends(db)
) -> Response:
    """The archived bytes exactly as fetched, never rendered on the desk's origin: text
    (HTML, XML, SVG, JSON...) as ``text/plain``, anything else as a download. The sandbox
    CSP stays as a second wall; the readable view is the sanitised evidence page."""
    found = lists.archived_bytes(session, doc_id)
    if found is None:
        raise NotFound(f"no archived copy for evidence document {doc_id}")
    body, content_type = found
    headers = {
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "X-Content-Type-Options": "nosniff",
    }
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind.startswith("text/") or kind.endswith(("xml", "json")) or not kind:
        return Response(body, media_type="text/plain; charset=utf-8", headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="evidence-{doc_id}"'
    return Response(body, media_type="application/octet-stream", headers=headers)


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
    current = editorial.load(session, desk(request).settings.languages)
    return page(request, "settings.html", s=current, scale=editorial.scale_text(current))


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
    new = editorial.parse(
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
        editorial.save(session, new, actor)
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
    listing = lists.users(session, number, _export(request))
    if _export(request):
        return _list(request, "users", listing)
    return _list(
        request,
        "users",
        listing,
        sessions=accounts.active_sessions(session),
        failures=accounts.failed_sign_ins(session),
    )


@router.post("/users")
def add_user(
    username: str = Form(""),
    password: str = Form(""),
    role: str = Form("viewer"),
    actor: Actor = Depends(require(Permission.MANAGE_USERS)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        accounts.add_user(session, username, password, role, actor=actor)
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
        accounts.set_role(session, username, role, actor=actor)
    return RedirectResponse("/desk/users", status_code=303)


@router.post("/users/{username}/active")
def set_active(
    username: str,
    active: str = Form(""),
    actor: Actor = Depends(require(Permission.MANAGE_USERS)),
    session: Session = Depends(db),
) -> Response:
    if username == actor.username:
        raise InputError("disable your own account from another admin account", where="active")
    with session.begin():
        accounts.set_active(session, username, active == "1", actor=actor)
    return RedirectResponse("/desk/users", status_code=303)


@router.post("/users/{username}/password")
def set_password(
    username: str,
    password: str = Form(""),
    actor: Actor = Depends(require(Permission.MANAGE_USERS)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        accounts.set_password(session, username, password, actor=actor)
    return RedirectResponse("/desk/users", status_code=303)


@router.post("/sessions/{session_id}/end")
def end_session(
    session_id: int,
    actor: Actor = Depends(require(Permission.MANAGE_USERS)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        accounts.end_session_by_id(session, session_id, actor=actor)
    return RedirectResponse("/desk/users#sessions", status_code=303)
