"""The publishing part of the JSON API under ``/api/v1`` (documented in the OpenAPI schema
at ``/api/v1/openapi.json``).

Who may do what:

- **anyone**: read our public fact-checks (the same records as the ``.json`` pages);
- **a partner with a read token** (``Authorization: Bearer fdt_...``) or any signed-in
  newsroom account: read claims, and ask "has this been checked?";
- **a signed-in admin** (session cookie and ``X-CSRF-Token`` header): manage webhooks,
  see the delivery log, issue and revoke read tokens. Tokens never write.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from factdesk import types
from factdesk.publish.documents import (
    claim_trend_document,
    claims_document,
    delivery_document,
    fact_check_document,
    index_document,
    webhook_document,
)
from factdesk.publish.urls import absolute, fact_check_path
from factdesk.queue import nudge_deliveries
from factdesk.services import accounts, webhooks
from factdesk.services.match import check_text
from factdesk.services.publish import organisation
from factdesk.store.reads import api as claims
from factdesk.store.reads import public as queries
from factdesk.types import Actor
from factdesk.web.deps import SESSION_COOKIE, LoginRequired, db, desk, require
from factdesk.workflow import Permission, has_permission

router = APIRouter(prefix="/api/v1")
ADMIN = Depends(require(Permission.MANAGE_SETTINGS))
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid read token or session"},
}


def reader(request: Request, session: Session = Depends(db)) -> str:
    """A read token (partners) or a signed-in newsroom account; returns who is reading."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        with session.begin():
            token = accounts.check_token(session, header[7:].strip())
        if token is not None:
            return f"token:{token.id}"
        raise LoginRequired()
    signed_in = accounts.load_session(session, request.cookies.get(SESSION_COOKIE))
    if signed_in is None or not has_permission(signed_in.actor.role, Permission.READ):
        raise LoginRequired()
    return f"user:{signed_in.actor.id}"


READER = Depends(reader)


# --- public fact-checks -----------------------------------------------------------------


@router.get("/fact-checks", tags=["fact-checks"])
def list_fact_checks(
    request: Request,
    q: str = Query(
        "", max_length=200, description="Words that must all occur (any case, accents optional)."
    ),
    lang: str | None = Query(None, max_length=8, description="ISO 639-1 language code."),
    offset: int = Query(0, ge=0),
    limit: int = Query(20, ge=1, le=100),
    session: Session = Depends(db),
) -> dict[str, Any]:
    """Our published, corrected and withdrawn fact-checks, newest first. No token needed."""
    found = queries.search_public(session, query=q, language=lang, offset=offset, limit=limit)
    return index_document(
        found.items,
        base_url=desk(request).settings.public_base_url,
        total=found.total,
        offset=offset,
        limit=limit,
        query=q,
        language=lang,
    )


@router.get(
    "/fact-checks/{fact_check_id}",
    tags=["fact-checks"],
    responses={404: {"description": "Not published"}},
)
def get_fact_check(
    request: Request, fact_check_id: int, session: Session = Depends(db)
) -> dict[str, Any]:
    """One public fact-check with its ClaimReview, citations and correction history."""
    settings = desk(request).settings
    fc = queries.load_public(session, fact_check_id)
    return fact_check_document(fc, organisation(settings), settings.public_base_url)


# --- claims and matching (read token or session) -----------------------------------------


@router.get("/claims", tags=["claims"], responses=AUTH_ERRORS)
def list_claims(
    request: Request,
    q: str = Query("", max_length=200, description="Words that must all occur in the claim."),
    lang: str | None = Query(None, max_length=8),
    status: str | None = Query(None, description="Workflow state: " + ", ".join(claims.STATUSES)),
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=200),
    _who: str = READER,
    session: Session = Depends(db),
) -> dict[str, Any]:
    """Claims the desk has seen, most recently seen first, with our verdict once public."""
    found = claims.list_claims(
        session, query=q, language=lang, status=status, offset=offset, limit=limit
    )
    return claims_document(found, desk(request).settings.public_base_url)


@router.get(
    "/claims/{claim_id}",
    tags=["claims"],
    responses={**AUTH_ERRORS, 404: {"description": "No such claim"}},
)
def get_claim(
    request: Request, claim_id: int, _who: str = READER, session: Session = Depends(db)
) -> dict[str, Any]:
    """One claim with its mentions per day over the last 90 days."""
    trend = claims.claim_trend(session, claim_id)
    return claim_trend_document(trend, desk(request).settings.public_base_url)


class CheckIn(BaseModel):
    text: str = Field(..., min_length=1, max_length=5000, description="The text to look up.")
    k: int = Field(5, ge=1, le=20, description="How many matches at most.")


class Match(BaseModel):
    score: float
    band: str = ""
    claim_reviewed: str | None
    rating: str | None
    publisher: str | None = Field(None, description="Another publisher's name; null for ours.")
    url: str | None
    ours: bool
    language: str | None = None
    date_published: str | None = None


class CheckOut(BaseModel):
    engine: str = Field(..., description="'matcher' (the matching stage) or 'words' (fallback).")
    note: str = ""
    matches: list[Match]


@router.post("/check", tags=["claims"], response_model=CheckOut, responses=AUTH_ERRORS)
def check(
    request: Request, body: CheckIn, _who: str = READER, session: Session = Depends(db)
) -> CheckOut:
    """Has this been checked? The fact-checks (ours and other publishers') that may answer
    the text, best first."""
    settings = desk(request).settings
    result = check_text(settings, session, body.text, body.k)
    return CheckOut(
        engine=result.engine,
        note=result.note,
        matches=[_match(m, settings.public_base_url) for m in result.matches],
    )


def _match(found: types.Match, base_url: str) -> Match:
    """One match as the API shows it: our own fact-checks by their public page, other
    publishers' by their name and URL."""
    fc = found.fact_check
    return Match(
        score=round(found.score, 4),
        band=found.band,
        claim_reviewed=fc.claim_reviewed,
        rating=fc.rating.label,
        publisher=None if fc.ours else fc.publisher,
        url=absolute(base_url, fact_check_path(fc.id)) if fc.ours and fc.id else fc.url,
        ours=fc.ours,
        language=fc.language,
        date_published=fc.date_published.isoformat() if fc.date_published else None,
    )


# --- webhooks and tokens (signed-in admin) ----------------------------------------------


class WebhookIn(BaseModel):
    url: str = Field(..., max_length=2000, description="Where to POST events (http or https).")
    events: list[str] = Field(
        ["*"], description="Event names, or ['*'] for all: " + ", ".join(webhooks.EVENTS)
    )
    secret: str | None = Field(
        None, max_length=200, description="Signing secret; generated when left out."
    )


@router.post("/webhooks", tags=["webhooks"], status_code=201)
def add_webhook(
    request: Request, body: WebhookIn, actor: Actor = ADMIN, session: Session = Depends(db)
) -> dict[str, Any]:
    """Register a webhook. The signing secret is returned once, in this answer."""
    allow_private = desk(request).settings.allow_private_fetch
    with session.begin():
        hook, secret = webhooks.add_webhook(
            session, body.url, body.events, body.secret, actor=actor, allow_private=allow_private
        )
    return {"id": hook.id, "url": hook.url, "events": list(hook.events), "secret": secret}


@router.get("/webhooks", tags=["webhooks"])
def list_webhooks(_actor: Actor = ADMIN, session: Session = Depends(db)) -> list[dict[str, Any]]:
    """Webhooks with their delivery counts (secrets are never shown again)."""
    return [webhook_document(hook) for hook in webhooks.list_webhooks(session)]


@router.post("/webhooks/{webhook_id}/active", tags=["webhooks"])
def set_webhook_active(
    webhook_id: int,
    active: bool = Query(...),
    actor: Actor = ADMIN,
    session: Session = Depends(db),
) -> dict[str, Any]:
    """Pause (``active=false``) or resume a webhook."""
    with session.begin():
        webhooks.set_active(session, webhook_id, active, actor=actor)
    return {"id": webhook_id, "active": active}


@router.get("/webhooks/deliveries", tags=["webhooks"])
def list_deliveries(
    webhook_id: int | None = None,
    status: str | None = Query(None, description="pending, delivered or failed"),
    limit: int = Query(50, ge=1, le=1000),
    _actor: Actor = ADMIN,
    session: Session = Depends(db),
) -> list[dict[str, Any]]:
    """The delivery log, newest first."""
    found = webhooks.list_deliveries(session, webhook_id=webhook_id, status=status, limit=limit)
    return [delivery_document(d) for d in found]


@router.post("/webhooks/deliveries/{delivery_id}/retry", tags=["webhooks"])
def retry_delivery(
    request: Request, delivery_id: int, actor: Actor = ADMIN, session: Session = Depends(db)
) -> dict[str, Any]:
    """Send a failed delivery again (its attempts start afresh)."""
    with session.begin():
        webhooks.retry_now(session, delivery_id, actor=actor)
    nudge_deliveries(desk(request).settings, [delivery_id])
    return {"id": delivery_id, "status": "pending"}


class TokenIn(BaseModel):
    name: str = Field(..., min_length=1, max_length=200, description="The partner's name.")


@router.post("/tokens", tags=["tokens"], status_code=201)
def create_token(
    body: TokenIn, _actor: Actor = ADMIN, session: Session = Depends(db)
) -> dict[str, Any]:
    """Issue a read token for a partner; the token is returned once, in this answer."""
    with session.begin():
        row, token = accounts.create_token(session, body.name)
        return {"id": row.id, "name": row.name, "token": token}


@router.get("/tokens", tags=["tokens"])
def list_tokens(_actor: Actor = ADMIN, session: Session = Depends(db)) -> list[types.ReadToken]:
    return accounts.list_tokens(session)


@router.post("/tokens/{token_id}/revoke", tags=["tokens"])
def revoke_token(
    token_id: int, _actor: Actor = ADMIN, session: Session = Depends(db)
) -> dict[str, Any]:
    with session.begin():
        accounts.revoke_token(session, token_id)
    return {"id": token_id, "revoked": True}
