"""The tipline form on the public site (``/submit``): the same service as
``POST /api/v1/submissions``, for people."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from factdesk.errors import InputError
from factdesk.services import tipline
from factdesk.types import Tip
from factdesk.web.api import read_limited, store_tip
from factdesk.web.deps import check_anonymous_csrf
from factdesk.web.render import page

router = APIRouter()


@router.get("/submit")
def form(request: Request, sent: int = 0) -> Response:
    return page(request, "public/submit.html", sent=bool(sent), error=None, tip=Tip())


@router.post("/submit")
async def send(request: Request) -> Response:
    raw = await read_limited(request, tipline.MAX_BODY)
    fields = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
    check_anonymous_csrf(request, fields.get("csrf"))
    tip = Tip(
        text=fields.get("text", ""),
        url=fields.get("url", ""),
        contact=fields.get("contact", ""),
        website=fields.get("website", ""),
    )
    try:
        await run_in_threadpool(store_tip, request, tip)
    except InputError as exc:  # show the form again with what was typed
        return page(request, "public/submit.html", status=400, sent=False, tip=tip, error=str(exc))
    return RedirectResponse("/submit?sent=1", status_code=303)
