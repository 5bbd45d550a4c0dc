"""Rendered desk lists shared for a few seconds: the claim queue (and its searches) and the
jobs page, as HTML, per process.

Why: at 200 requests/s beside a pipeline worker on 2 cores, rendering the queue's 50 rows
(Jinja, about half of the page's CPU) and reading them again at every request took more
CPU than the machine had (bench/web.py, docs/web.md "Performance"). The lists change when
the worker adds mentions, which may show a few seconds late (docs/web.md "What may be a few
seconds old"); what a user changes must show to them at once. So:

- an entry is the list part of the page only, rendered without the user: the layout
  around it (who is signed in, the sign-out form) is rendered per request;
- a form in the list carries :data:`CSRF_SLOT` instead of a token; the requesting user's
  own token replaces it after the cache, so no user's token is ever stored, let alone
  served to another;
- the key holds the path and query, the interface language and the role (what the list
  offers depends on it);
- a write by anyone in this process clears every entry (and the cached figures: called by
  :class:`WriteMarks`), and each write answer sets the ``fd_wrote`` cookie to the time it
  was made: an entry whose render started before that time is never served to that user,
  so their own write shows at once on whichever process serves them next (processes on
  different hosts need clocks in step to within :data:`CLOCK_SLACK`);
- an entry lives ``FACTDESK_WEB_CACHE_SECONDS`` (0 turns it off); one thread renders a
  missing entry while the others wait for it, and an expired one is served to the others
  while one thread renders it again (no stampede).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

WROTE_COOKIE = "fd_wrote"
# A random per-process stand-in for the CSRF token in cached HTML (never a real token).
CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"
CLOCK_SLACK = 1.0  # seconds: an entry started this soon after a user's write is not trusted
MAX_ENTRIES = 512
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Writes no list shows, made every few seconds while someone types: they clear nothing.
UNLISTED = ("/autosave",)


@dataclass(frozen=True)
class Entry:
    started: float  # wall-clock time its render began (what it read is at least this new)
    expires: float  # monotonic
    html: str


class Fragments:
    """A per-process cache of rendered HTML (see the module's docstring)."""

    def __init__(self, seconds: float, max_entries: int = MAX_ENTRIES) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._data: dict[Hashable, Entry] = {}
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self._refreshing: set[Hashable] = set()
        self.renders = 0  # how many times ``render`` ran (tests, and a sanity check)

    def get(self, key: Hashable, render: Callable[[], str], *, not_before: float = 0.0) -> str:
        """The HTML for ``key``: a cached copy whose render began after ``not_before`` (the
        user's last write, wall-clock seconds) and has not expired, else ``render()``."""
        if self.seconds <= 0:
            self.renders += 1
            return render()

        def usable(entry: Entry | None, *, stale_ok: bool) -> bool:
            return (
                entry is not None
                and entry.started > not_before
                and (stale_ok or entry.expires > time.monotonic())
            )

        with self._lock:
            hit = self._data.get(key)
            if usable(hit, stale_ok=key in self._refreshing):
                return hit.html  # type: ignore[union-attr]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                hit = self._data.get(key)
                if usable(hit, stale_ok=False):
                    return hit.html  # type: ignore[union-attr]  # rendered while we waited
                self._refreshing.add(key)
            started = time.time()
            try:
                html = render()
                self.renders += 1
            finally:
                with self._lock:
                    self._refreshing.discard(key)
            with self._lock:
                if len(self._data) >= self.max_entries and key not in self._data:
                    self._data.clear()
                    self._key_locks = {key: key_lock}
                known = self._data.get(key)
                if known is None or known.started < started:
                    self._data[key] = Entry(started, time.monotonic() + self.seconds, html)
            return html

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def last_write(cookie: str | None) -> float:
    """The time of the user's last write from their ``fd_wrote`` cookie, plus the clock
    slack (0 without one; a value from the future counts as now: a forged cookie only
    makes its owner's own pages fresher)."""
    try:
        wrote = float(cookie) if cookie else 0.0
    except ValueError:
        return 0.0
    if wrote != wrote or wrote <= 0:  # NaN, negative
        return 0.0
    return min(wrote, time.time()) + CLOCK_SLACK


class WriteMarks:
    """After a newsroom write (a POST, PUT, PATCH or DELETE under ``/desk`` answered below
    400; not a draft's autosave, which no list shows): calls ``on_write`` (the app clears
    this process's :class:`Fragments` and its cached figures) and sets ``fd_wrote`` to the
    time, so the writer's next list is rendered after their change whichever process
    serves it."""

    def __init__(self, app: ASGIApp, on_write: Callable[[], None]) -> None:
        self.app = app
        self.on_write = on_write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in WRITES
            or not scope["path"].startswith("/desk")
            or scope["path"].endswith(UNLISTED)
        ):
            await self.app(scope, receive, send)
            return

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                self.on_write()
                cookie = f"{WROTE_COOKIE}={time.time():.3f}; Path=/desk; HttpOnly; SameSite=Lax"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
            await send(message)

        await self.app(scope, receive, marked)
