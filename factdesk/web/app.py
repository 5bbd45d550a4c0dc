"""The web application: one FastAPI app serving the newsroom (``/desk``), the JSON API
(``/api/v1``) and the public pages (``/``).

``create_app`` wires the routers, the security headers and the one place where errors
become responses (:func:`_handle_error`). An area adds its pages by listing its router in
:data:`ROUTERS`.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from factdesk.errors import (
    AddressRefused,
    Conflict,
    FactdeskError,
    FetchError,
    InputError,
    NotFound,
    PermissionDenied,
    RateLimited,
    TooLarge,
    WorkflowError,
)
from factdesk.publish.pages import STATIC
from factdesk.settings import Settings
from factdesk.store.db import engine_for, session_factory, upgrade
from factdesk.web import (
    account,
    admin,
    api,
    api_public,
    api_research,
    claims,
    corrections,
    deliveries,
    drafts,
    editor,
    health,
    library,
    newsroom,
    pipeline,
    public,
    submit,
)
from factdesk.web.api_models import openapi_document
from factdesk.web.deps import SESSION_COOKIE, Desk, LoginRequired, TTLCache
from factdesk.web.drafts import login_stash
from factdesk.web.fragments import Fragments, WriteMarks
from factdesk.web.limits import RequestLimits, bounded_ints
from factdesk.web.publiccache import PublicCache
from factdesk.web.render import make_env, page

# Every area's router, in the order their routes are matched (the public site last: it has
# the catch-all paths).
ROUTERS = (
    health.router,
    account.router,
    newsroom.router,
    claims.router,
    editor.router,
    corrections.router,
    drafts.router,
    admin.router,
    library.router,
    api.router,
    api_public.router,
    api_research.router,
    deliveries.router,
    pipeline.router,
    submit.router,
    public.router,
)
API_ROUTERS = (api.router, api_public.router, api_research.router)
# Strict: everything from our own origin, no inline script or style, no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Adds the security headers to every response, and ``Cache-Control: no-store`` to
    newsroom pages (they show unpublished work). A route may set its own CSP."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith("/desk")
        # Staff must see a correction the moment it is out: a signed-in request never gets
        # (or leaves) a shared cached copy of a public page.
        signed_in = _has_session_cookie(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in HEADERS if h[0] not in present]
                if private and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                elif not private and b"cache-control" in present:
                    if signed_in:
                        headers = [h for h in headers if h[0].lower() != b"cache-control"]
                        headers.append((b"cache-control", b"private, no-store"))
                    if b"vary" not in present:
                        headers.append((b"vary", b"Cookie"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _has_session_cookie(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"cookie" and f"{SESSION_COOKIE}=".encode() in value:
            return True
    return False


STATUS: list[tuple[type[Exception], int]] = [
    (NotFound, 404),
    (PermissionDenied, 403),
    (RateLimited, 429),
    (TooLarge, 413),
    (AddressRefused, 400),  # the user's URL, not the network, is what is wrong
    (InputError, 400),
    (Conflict, 409),
    (WorkflowError, 409),
    (FetchError, 502),
]


def _handle_error(request: Request, exc: Exception) -> Response:
    """The one place errors become responses: JSON under /api, a page elsewhere."""
    api = request.url.path.startswith("/api/")
    if isinstance(exc, LoginRequired):
        if api:
            return JSONResponse({"error": "sign in first"}, status_code=401)
        stash = login_stash(request)  # typed text posted after the session ended
        if stash is not None:
            return page(request, "login.html", 401, next=stash[0], error=None, username="",
                        stash=stash[1])  # fmt: skip
        target = request.url.path if request.method == "GET" else "/desk/"
        return RedirectResponse(f"/desk/login?next={target}", status_code=303)
    headers: dict[str, str] = {}
    if isinstance(exc, StarletteHTTPException):
        status, message = exc.status_code, str(exc.detail)
        where = getattr(exc, "where", None)  # limits.Refused names the part refused
    elif isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        status, message = 400, str(first.get("msg", "invalid input"))
        where = ".".join(str(p) for p in first.get("loc", ()))
    elif isinstance(exc, FactdeskError):
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 500)
        message, where = exc.message, exc.where
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
    else:  # pragma: no cover - a bug; let the server log it
        raise exc
    if api:
        return JSONResponse({"error": message, "where": where}, status_code=status, headers=headers)
    response = page(request, "error.html", status=status, message=message, where=where, code=status)
    response.headers.update(headers)
    return response


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    """The whole web app for ``settings``; migrates the database when given none."""
    if engine is None:
        engine = engine_for(settings)
        upgrade(engine)
    app = FastAPI(
        title="factdesk",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        dependencies=[Depends(bounded_ints)],
    )
    app.state.desk = Desk(
        settings=settings,
        engine=engine,
        factory=session_factory(engine),
        env=make_env(),
        cache=TTLCache(settings.web_cache_seconds),
        fragments=Fragments(settings.web_cache_seconds),
    )
    for router in ROUTERS:
        # Only the JSON API is in the OpenAPI document: the desk's HTML pages and the public
        # site are pages, not operations for a generated client.
        app.include_router(router, include_in_schema=router in API_ROUTERS)
    app.openapi = lambda: openapi_document(app, settings.public_base_url)  # type: ignore[method-assign]
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for kind in (FactdeskError, LoginRequired, StarletteHTTPException, RequestValidationError):
        app.add_exception_handler(kind, _handle_error)
    app.add_middleware(RequestLimits, respond=_handle_error)
    app.add_middleware(PublicCache)  # a viral fact-check is served from memory
    # a newsroom write clears the rendered lists and figures and marks the writer
    # (web/fragments.py)
    app.add_middleware(WriteMarks, on_write=lambda: _written(app.state.desk))
    app.add_middleware(SecurityHeaders)  # refusals carry the headers too
    app.add_middleware(health.ObserveRequests)  # outermost: every answer is counted
    return app


def _written(state: Desk) -> None:
    """A newsroom write was made in this process: its lists and figures are read again."""
    state.fragments.clear()
    state.cache.clear()


def app_from_env() -> FastAPI:
    """The app for the environment's settings, for process managers:
    ``uvicorn --factory factdesk.web.app:app_from_env --workers 4`` (worker processes share
    sessions and rate limits through the database)."""
    from factdesk.settings import get_settings

    return create_app(get_settings())
