"""``/healthz`` and ``/metrics`` for load balancers and Prometheus, and the middleware that
counts every request and tags its log lines with a request id.

``/healthz`` needs no sign-in and shows no secret: each part (database, queue, models) says
ok or not in a few words; 503 when any part fails, naming it. ``/metrics`` is Prometheus
text. It answers a bearer token (``FACTDESK_METRICS_TOKEN``) or, when no token is set, only
a scraper on the same host that came through no proxy: the figures (routes, volumes, error
rates) are not secrets, but they map the desk for an attacker, so they are not public.
"""

from __future__ import annotations

import ipaddress
import re
import time
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from factdesk import logs, metrics
from factdesk.errors import NotFound
from factdesk.services import health
from factdesk.web.deps import desk, tokens_match

router = APIRouter(include_in_schema=False)
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    here = desk(request)
    parts = health.report(here.settings, here.engine)
    failing = [part.name for part in parts if not part.ok]
    body = {
        "status": "failing" if failing else "ok",
        "failing": failing,
        "parts": {part.name: {"ok": part.ok, "detail": part.detail} for part in parts},
    }
    return JSONResponse(
        body, status_code=503 if failing else 200, headers={"Cache-Control": "no-store"}
    )


@router.get("/metrics")
def metrics_text(request: Request) -> Response:
    here = desk(request)
    if not _may_scrape(request, here.settings.metrics_token):
        # 404 rather than 401/403: the endpoint's existence is not advertised to outsiders.
        raise NotFound("not found")
    snapshot = here.cache.get(
        ("metrics-snapshot",), lambda: health.metrics_snapshot(here.settings, here.engine)
    )
    return Response(
        metrics.exposition(snapshot),
        media_type=metrics.CONTENT_TYPE,
        headers={"Cache-Control": "no-store"},
    )


def _may_scrape(request: Request, token: str) -> bool:
    if token:
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and tokens_match(token, given.strip())
    if any(name in request.headers for name in PROXY_HEADERS):
        return False  # came through a proxy: the real client is somewhere else
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "testclient"  # Starlette's in-process client, same process


class ObserveRequests:
    """Times and counts each request by its route template (``/claims/{claim_id}``, never
    the raw path: bounded label values), and sets the request id its log lines carry (the
    client's ``X-Request-ID`` when well formed, else a fresh one, echoed in the answer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", ())).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
        context = {"request_id": request_id, "route": "unmatched"}
        token = logs.REQUEST.set(context)
        status = 500
        start = time.perf_counter()

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
                context["route"] = _route(scope)
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            route = _route(scope)
            metrics.http_request(route, scope.get("method", "GET"), status,
                                 time.perf_counter() - start)  # fmt: skip
            logs.REQUEST.reset(token)


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"
