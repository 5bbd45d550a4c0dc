"""What every route depends on: the app's state, a database session, and the signed-in
actor checked for a permission (and, on POST, for the CSRF token).

Every newsroom route declares ``Depends(require(Permission.X))``; a test walks the app's
routes and fails on any ``/desk`` route without it.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, Request
from jinja2 import Environment
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import PermissionDenied
from factdesk.services import accounts
from factdesk.services.editorial import load
from factdesk.settings import Settings
from factdesk.types import Actor, DeskSettings
from factdesk.web.fragments import Fragments
from factdesk.workflow import Permission, has_permission

SESSION_COOKIE = "fd_session"
ANON_CSRF_COOKIE = "fd_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


class LoginRequired(Exception):
    """No valid session: pages redirect to the sign-in form, the API answers 401."""


class TTLCache:
    """A tiny per-process cache for figures that may be a few seconds old.

    One thread computes a missing value while the others wait for it (no stampede of
    identical queries when it expires under load), and once a value exists, an expired one
    is served to the others while a single thread refreshes it.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._data: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._key_locks: dict[Any, threading.Lock] = {}
        self._refreshing: set[Any] = set()

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        if self.seconds <= 0:
            return compute()
        with self._lock:
            hit = self._data.get(key)
            if hit and (hit[0] > time.monotonic() or key in self._refreshing):
                return hit[1]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                hit = self._data.get(key)
                if hit and hit[0] > time.monotonic():
                    return hit[1]  # another thread refreshed it while we waited
                self._refreshing.add(key)
            try:
                value = compute()
            finally:
                with self._lock:
                    self._refreshing.discard(key)
            with self._lock:
                if len(self._data) > 1000:
                    self._data.clear()
                    self._key_locks = {key: key_lock}
                self._data[key] = (time.monotonic() + self.seconds, value)
            return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


@dataclass
class Desk:
    """The app's shared state, kept on ``app.state.desk``."""

    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    env: Environment
    cache: TTLCache
    extras: dict[str, Any] = field(default_factory=dict)
    fragments: Fragments = field(default_factory=lambda: Fragments(0))  # rendered lists

    def desk_settings(self, session: Session) -> DeskSettings:
        value: DeskSettings = self.cache.get(
            "desk-settings", lambda: load(session, self.settings.languages)
        )
        return value


def desk(request: Request) -> Desk:
    return request.app.state.desk  # type: ignore[no-any-return]


async def db(request: Request) -> AsyncIterator[Session]:
    """A session per request; views open ``session.begin()`` for writes.

    Async because making and closing a session needs no worker thread (closing returns the
    connection to the pool, which never waits); everything that may wait for a pooled
    connection runs in worker threads, never on the event loop, so the connections held
    by finished requests can always be given back.
    """
    with desk(request).factory() as session:
        yield session


async def submitted_csrf(request: Request) -> str | None:
    """The CSRF token a POST carries: form field ``csrf`` or header ``X-CSRF-Token`` (HTMX)."""
    if request.method != "POST":
        return None
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        # Kept where the error handler sees it: a form posted after the session ended is
        # carried through the sign-in page instead of being lost (web/drafts.py).
        request.state.posted = {k: v for k, v in form.items() if isinstance(v, str)}
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def tokens_match(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def require(permission: Permission) -> Callable[..., Actor]:
    """A dependency: the signed-in actor holding ``permission``; POSTs must carry the
    session's CSRF token."""

    def dependency(
        request: Request,
        session: Session = Depends(db),
        token: str | None = Depends(submitted_csrf),
    ) -> Actor:
        with session.begin():  # a short read; the view opens its own transaction
            signed_in = accounts.load_session(session, request.cookies.get(SESSION_COOKIE))
        if signed_in is None:
            raise LoginRequired()
        actor = signed_in.actor
        if not has_permission(actor.role, permission):
            raise PermissionDenied(
                f"role {actor.role.value} lacks the {permission.value} permission"
            )
        if request.method == "POST" and not tokens_match(signed_in.csrf, token):
            raise PermissionDenied("the form's CSRF token is missing or wrong; reload the page")
        request.state.actor = actor
        request.state.csrf = signed_in.csrf
        return actor

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency


def anonymous_csrf(request: Request) -> str:
    """The CSRF token for forms shown before sign-in (double-submit cookie)."""
    token = request.cookies.get(ANON_CSRF_COOKIE)
    if not token or len(token) > 100:
        token = getattr(request.state, "new_anon_csrf", None) or secrets.token_urlsafe(24)
        request.state.new_anon_csrf = token
    return token


def check_anonymous_csrf(request: Request, given: str | None) -> None:
    if not tokens_match(request.cookies.get(ANON_CSRF_COOKIE, ""), given):
        raise PermissionDenied("the form's CSRF token is missing or wrong; reload the page")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
