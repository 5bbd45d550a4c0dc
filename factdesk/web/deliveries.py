"""The newsroom's webhooks page: partners' endpoints and the delivery log (admins).

Adding a webhook shows its signing secret once; every change is audited (by the webhooks
service, with the signed-in admin as the actor). The same actions exist in the JSON API
(``/api/v1/webhooks``) and the CLI (``factdesk webhooks``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from factdesk.services import webhooks
from factdesk.types import Actor
from factdesk.web.deps import db, desk, require
from factdesk.web.render import page
from factdesk.workflow import Permission

router = APIRouter(prefix="/desk")
ADMIN = require(Permission.MANAGE_SETTINGS)
STATUSES = ("pending", "delivered", "failed")


def _render(
    request: Request, session: Session, status: str, new_secret: str | None = None
) -> Response:
    chosen = status if status in STATUSES else None
    return page(
        request,
        "webhooks.html",
        hooks=webhooks.list_webhooks(session),
        deliveries=webhooks.list_deliveries(session, status=chosen, limit=100),
        chosen_status=chosen or "",
        statuses=STATUSES,
        events=webhooks.EVENTS,
        new_secret=new_secret,
    )


@router.get("/webhooks")
def webhooks_page(
    request: Request,
    status: str = Query("", max_length=20),
    actor: Actor = Depends(ADMIN),
    session: Session = Depends(db),
) -> Response:
    return _render(request, session, status)


@router.post("/webhooks")
def add_webhook(
    request: Request,
    url: str = Form(""),
    events: list[str] = Form([]),
    actor: Actor = Depends(ADMIN),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        _hook, secret = webhooks.add_webhook(
            session,
            url,
            events or ["*"],
            actor=actor,
            allow_private=desk(request).settings.allow_private_fetch,
        )
    return _render(request, session, "", new_secret=secret)


@router.post("/webhooks/{webhook_id}/active")
def set_active(
    webhook_id: int,
    active: bool = Form(...),
    actor: Actor = Depends(ADMIN),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        webhooks.set_active(session, webhook_id, active, actor=actor)
    return RedirectResponse("/desk/webhooks", status_code=303)


@router.post("/webhooks/deliveries/{delivery_id}/retry")
def retry(
    request: Request,
    delivery_id: int,
    actor: Actor = Depends(ADMIN),
    session: Session = Depends(db),
) -> Response:
    from factdesk.queue import nudge_deliveries

    with session.begin():
        webhooks.retry_now(session, delivery_id, actor=actor)
    nudge_deliveries(desk(request).settings, [delivery_id])
    return RedirectResponse("/desk/webhooks", status_code=303)
