"""A small in-process cache and conditional GET for the public read path: the public
site's pages and documents, the feeds, and the ``/api/v1/fact-checks`` reads.

A viral fact-check must not take the desk down: the same page asked for thousands of times
a second is rendered once and then served from memory, without routing, a database session
or a template, and a client that already has it gets ``304 Not Modified`` (``ETag`` and
``Last-Modified``; ``If-None-Match`` wins over ``If-Modified-Since``, as RFC 9110 says).

What is cached: a ``200`` answer to an anonymous ``GET`` on a public path (no
``Authorization`` header, no cookie but the interface language and the anonymous CSRF
token), that sets no cookie but that token. The key is the path, the query string, and the
language the request asks for (``fd_lang`` cookie, ``Accept-Language``).

What is current: each entry keeps the :func:`factdesk.freshness.stamp` of what it shows
(one fact-check's page, ``.json`` twin and API item depend on that fact-check; lists,
feeds and archived copies on any change). A fact-check published, corrected or withdrawn
here, an appearance link shown or hidden, the rating scale changed, moves the stamp after
the commit: its entries stop being served at once (readers wait for the new copy, never
get the old one) and :mod:`factdesk.web.prerender` renders them again straight away, with
the lists and feeds readers were using, so the next reader does not wait. Other
processes' changes are read from the database every ``FACTDESK_PUBLIC_CACHE_SECONDS``
(:mod:`factdesk.web.prerender` again) and handled the same way. Once an entry is
``FACTDESK_PUBLIC_CACHE_SECONDS`` old (default 5 s, less a random fifth so that pages
cached together expire apart) the next reader still gets it, at once, while it is rendered
again in the background, one render per page and at most ``REFRESHES`` at a time (at most
``RENDERS`` renders of any kind run at once): what no stamp follows (new mentions raising
a claim's count) shows within the interval plus a render or two, and a viral page is
rendered about once per interval per process, whatever the request rate, with no reader
waiting for it. At start-up the newest ``prerender.PRERENDER`` fact-check pages, the index and the
feeds are rendered in the background (:mod:`factdesk.web.prerender`). ``0`` turns this
layer off (the feeds keep their own ETags).

Bounded: at most ``MAX_ENTRIES`` answers and ``MAX_BYTES`` of bodies; the least recently
read go first.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import re
import secrets
import threading
import time
from collections import OrderedDict
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from factdesk import freshness
from factdesk.publish import i18n
from factdesk.publish.i18n import COOKIE as LANG_COOKIE
from factdesk.store.reads import public as queries
from factdesk.web.deps import ANON_CSRF_COOKIE
from factdesk.web.prerender import Prerender

TOKEN = re.compile(rb"^[A-Za-z0-9_-]{16,100}$")
ALLOWED_COOKIES = {LANG_COOKIE.encode(), ANON_CSRF_COOKIE.encode()}
PUBLIC = re.compile(
    r"^/(?:|index\.json|feed\.atom|feed/[a-z-]{2,8}\.atom|sitemap\.xml|claimreview\.json"
    r"|fact-checks/\d+/|fact-checks/\d+\.json|archive/\d+/|archive/\d+\.json"
    r"|api/v1/fact-checks|api/v1/fact-checks/\d+)$"
)
# The fact-check pages, .json twins and API items: what depends on one fact-check only.
OWN = re.compile(r"^/(?:fact-checks/(\d+)(?:/|\.json)|api/v1/fact-checks/(\d+))$")
MAX_ENTRIES = 2000
MAX_BYTES = 64_000_000  # bodies kept, all entries together (a page is 4-20 kB)
MAX_BODY = 2_000_000
# Background re-renders at once per process. Many pages filled together expire together;
# rendering them all at once would hold the interpreter and stall every hit queued behind
# it (the p95 of a mostly-cached site); the others keep serving their copy until a slot
# frees, which takes a few milliseconds per page.
REFRESHES = 2
# Renders (a reader's or a background one) at once per process; the rest wait their turn.
# Rendering is CPU work in threads: thirty at once would share the interpreter thirty-one
# ways with the event loop serving hits, so every hit would wait behind them and every
# render would finish late; two at a time (one computing while the other reads the
# database) keep the hits fast and each miss answered in turn.
RENDERS = 2
# Each entry lives a random 80-100 % of the interval, so pages cached in the same second
# do not all expire in the same second (never longer than the interval).
JITTER = 0.2


@dataclass(frozen=True)
class Entry:
    """A cached answer. A page with a form embeds the visitor's anonymous CSRF token
    (double-submit cookie): its body is kept split around the token, and each visitor gets
    their own (their cookie's, or a fresh one set with the answer), never someone else's."""

    status: int
    headers: list[tuple[bytes, bytes]]
    parts: list[bytes]
    etag: bytes
    modified: float | None  # POSIX seconds of Last-Modified
    route: Any  # the matched route, so metrics and logs name it on a hit too
    stamp: tuple[int, int]  # freshness.stamp() of what it shows, when its render began
    expires: float  # time.monotonic() after which the entry is rendered again
    size: int  # bytes of body kept


Key = tuple[str, bytes, str]  # path, query string, interface language


def owner(path: str) -> int | None:
    """The fact-check whose own document ``path`` is, or None (a list, a feed...)."""
    found = OWN.match(path)
    return int(found.group(1) or found.group(2)) if found else None


class PublicCache:
    """ASGI middleware in front of the app's routes (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._bytes = 0
        self._hits: set[Key] = set()  # read from memory since stored: readers want it
        self._lock = threading.Lock()
        # Last-Modified: when public content last changed, read at most once per entry
        # lifetime (not once per miss): (value, generation, expires).
        self._modified: tuple[float | None, int, float] = (None, -1, 0.0)
        # Keys being rendered now: one render per key at a time (no stampede when a viral
        # page expires under load); the others get the expired copy meanwhile, or wait.
        self._rendering: dict[Key, asyncio.Event] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self.prerender = Prerender(self)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.prerender.lifespan(scope, receive, send, self.app)
            return
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if not PUBLIC.match(scope["path"]) or not _anonymous(scope):
            await self.app(scope, receive, send)
            return
        settings = scope["app"].state.desk.settings
        seconds = settings.public_cache_seconds
        if seconds <= 0:  # off: the app answers as it would without this layer
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope.get("query_string", b""), _language(scope, settings))
        stamp = freshness.stamp(owner(key[0]))
        entry = self._entries.get(key)
        if entry and entry.stamp == stamp and time.monotonic() < entry.expires:
            self._touch(key)
            await _answer(scope, send, entry)
            return
        rendering = self._rendering.get(key)
        if rendering is None and entry and entry.stamp == stamp and scope["method"] == "GET":
            # Only expired: answer with it now and render the new copy in the background,
            # so no reader waits for a render while the page is hot (a later reader starts
            # it when REFRESHES renders are already running).
            if len(self._tasks) < REFRESHES:
                task = asyncio.create_task(self._refresh(scope, key, stamp, seconds))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            self._touch(key)
            await _answer(scope, send, entry)
            return
        if rendering is not None:
            if entry and entry.stamp == stamp:  # only expired: serve it meanwhile
                await _answer(scope, send, entry)
                return
            await rendering.wait()  # changed: wait for the new copy, never the old one
            fresh = self._entries.get(key)
            if fresh and fresh.stamp == freshness.stamp(owner(key[0])):
                await _answer(scope, send, fresh)
                return
        if scope["method"] != "GET":  # a HEAD answer has no body to keep
            await self._render(scope, receive, send, key, stamp, seconds, store=False)
            return
        done = self._rendering[key] = asyncio.Event()
        try:
            await self._render(scope, receive, send, key, stamp, seconds, store=True)
        finally:
            self._rendering.pop(key, None)
            done.set()

    def current(self, key: Key) -> bool:
        """Whether ``key`` has an entry showing what is current (expired or not)."""
        entry = self._entries.get(key)
        return entry is not None and entry.stamp == freshness.stamp(owner(key[0]))

    def keys(self) -> list[tuple[Key, bool]]:
        """The cached keys, most recently read first, each with whether a reader read it
        from memory since it was stored."""
        return [(key, key in self._hits) for key in reversed(list(self._entries))]

    def rendering_event(self, key: Key) -> asyncio.Event | None:
        """Set when the render of ``key`` running now ends (None: none is running)."""
        return self._rendering.get(key)

    owner = staticmethod(owner)

    async def fill(self, scope: Scope, key: Key) -> None:
        """Render ``key`` now (for :mod:`factdesk.web.prerender`), unless a reader is."""
        if key in self._rendering:
            return
        seconds = scope["app"].state.desk.settings.public_cache_seconds
        stamp = freshness.stamp(owner(key[0]))
        done = self._rendering[key] = asyncio.Event()
        try:
            await self._render(scope, _no_body(), _discard, key, stamp, seconds, store=True)
        finally:
            self._rendering.pop(key, None)
            done.set()

    def _touch(self, key: Key) -> None:
        self._hits.add(key)
        with suppress(KeyError):  # dropped meanwhile
            self._entries.move_to_end(key)

    def _store(self, key: Key, entry: Entry) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes -= old.size if old else 0
            self._hits.discard(key)
            self._entries[key] = entry
            self._bytes += entry.size
            while len(self._entries) > MAX_ENTRIES or self._bytes > MAX_BYTES:
                gone_key, gone = self._entries.popitem(last=False)  # least recently read
                self._bytes -= gone.size
                self._hits.discard(gone_key)

    async def _refresh(
        self, scope: Scope, key: Key, stamp: tuple[int, int], seconds: float
    ) -> None:
        done = self._rendering[key] = asyncio.Event()
        quiet = {**scope, "state": dict(scope.get("state", {}))}  # its own request state
        try:
            await self._render(quiet, _no_body(), _discard, key, stamp, seconds, store=True)
        except Exception:  # the next reader renders it instead; the app logged the error
            with self._lock:
                gone = self._entries.pop(key, None)
                self._bytes -= gone.size if gone else 0
        finally:
            self._rendering.pop(key, None)
            done.set()

    async def _render(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: Key,
        stamp: tuple[int, int],
        seconds: float,
        *,
        store: bool,
    ) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        # counted from before rendering
        expires = time.monotonic() + seconds * (1 - JITTER * random.random())  # noqa: S311
        generation = freshness.generation()
        async with self._render_slot():
            await self.app(scope, receive, capture)
        body = b"".join(chunks)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        status = int(start.get("status", 500))
        cookies = [v for k, v in headers if k.lower() == b"set-cookie"]
        token = _visitor_token(scope)
        if len(cookies) == 1 and cookies[0].startswith(ANON_CSRF_COOKIE.encode() + b"="):
            token = cookies[0].split(b";", 1)[0].split(b"=", 1)[1]  # a fresh one, just set
        elif cookies:
            token = None
        if status != 200 or token is None and cookies or len(body) > MAX_BODY:
            await _send_plain(send, status, headers, body, scope["method"])
            return
        headers = [(k, v) for k, v in headers if k.lower() != b"set-cookie"]
        names = {k.lower() for k, _ in headers}
        parts = body.split(token) if token and TOKEN.match(token) else [body]
        if token and len(parts) == 1 and token in body:  # a token we would not put back
            await _send_plain(send, status, [*headers, *_cookie(cookies)], body, scope["method"])
            return
        etag = dict((k.lower(), v) for k, v in headers).get(b"etag")
        if etag is None:
            digest = hashlib.sha256(b"\0".join(parts)).hexdigest()[:32].encode()
            etag = (b'W/"' if len(parts) > 1 else b'"') + digest + b'"'
            headers.append((b"etag", etag))
        modified = await self._last_modified(scope, generation, expires)
        if modified is not None and b"last-modified" not in names:
            headers.append(
                (b"last-modified", format_datetime(_utc(modified), usegmt=True).encode())
            )
        size = sum(len(p) for p in parts) + sum(len(k) + len(v) for k, v in headers)
        route = scope.get("route")
        entry = Entry(200, headers, parts, etag, modified, route, stamp, expires, size)
        if store:
            self._store(key, entry)
        await _answer(scope, send, entry)

    def _render_slot(self) -> asyncio.Semaphore:
        """The semaphore of RENDERS slots, one per event loop (a test server may start
        several loops over one app; a semaphore belongs to the loop it first waited in)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(RENDERS))
        return self._slots[1]

    async def _last_modified(self, scope: Scope, generation: int, expires: float) -> float | None:
        value, seen, until = self._modified
        if seen == generation and time.monotonic() < until:
            return value
        value = await anyio.to_thread.run_sync(_last_change, scope["app"].state.desk.factory)
        self._modified = (value, generation, expires)
        return value


def _no_body() -> Receive:
    """The ``receive`` of a background render: an empty GET body, then a disconnect."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": b"", "more_body": False}

    return receive


async def _discard(_message: Message) -> None:
    return None


def _last_change(factory: Any) -> float | None:
    """When public content last changed (Last-Modified), read in a worker thread."""
    with factory() as session:
        changed = queries.last_change(session)
    return changed.timestamp() if changed is not None else None


def _cookies(scope: Scope) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            for part in value.split(b";"):
                key, _, val = part.strip().partition(b"=")
                if key:
                    found[key] = val
    return found


def _anonymous(scope: Scope) -> bool:
    if any(name == b"authorization" for name, _ in scope.get("headers", ())):
        return False
    return not set(_cookies(scope)) - ALLOWED_COOKIES


def _language(scope: Scope, settings: Any) -> str:
    """The interface language the answer is rendered in (what :func:`render.pick` picks):
    one copy per language, whatever else the browser's Accept-Language says."""
    accept: bytes = dict(scope.get("headers", ())).get(b"accept-language", b"")[:200]
    cookie = _cookies(scope).get(LANG_COOKIE.encode(), b"")[:20].decode("latin-1")
    return i18n.choose(cookie, accept.decode("latin-1"), settings.default_ui_language)


def _visitor_token(scope: Scope) -> bytes | None:
    """The visitor's anonymous CSRF token when it is one we may write into a page."""
    token = _cookies(scope).get(ANON_CSRF_COOKIE.encode())
    return token if token and TOKEN.match(token) else None


def _cookie(values: list[bytes]) -> list[tuple[bytes, bytes]]:
    return [(b"set-cookie", v) for v in values]


def _new_cookie(scope: Scope, token: bytes) -> tuple[bytes, bytes]:
    """The Set-Cookie the app's pages send with a fresh anonymous CSRF token
    (:func:`factdesk.web.render.page`)."""
    desk = scope["app"].state.desk
    secure = desk.settings.secure_cookies or scope.get("scheme") == "https"
    value = ANON_CSRF_COOKIE.encode() + b"=" + token + b"; HttpOnly; Path=/; SameSite=lax"
    return (b"set-cookie", value + (b"; Secure" if secure else b""))


def _not_modified(scope: Scope, entry: Entry) -> bool:
    headers = dict(scope.get("headers", ()))
    match = headers.get(b"if-none-match")
    if match is not None:
        tags = [tag.strip().removeprefix(b"W/") for tag in match.split(b",")]
        return entry.etag in tags or b"*" in tags
    since = headers.get(b"if-modified-since")
    if since is None or entry.modified is None:
        return False
    try:
        return int(entry.modified) <= parsedate_to_datetime(since.decode("latin-1")).timestamp()
    except (TypeError, ValueError, IndexError):
        return False


async def _answer(scope: Scope, send: Send, entry: Entry) -> None:
    scope["route"] = entry.route  # metrics and logs name the route on a hit too
    if _not_modified(scope, entry):
        kept = [(k, v) for k, v in entry.headers if k.lower() != b"content-type"]
        await _send_plain(send, 304, kept, b"", "HEAD")
        return
    headers = entry.headers
    if len(entry.parts) == 1:
        body = entry.parts[0]
    else:
        token = _visitor_token(scope)
        if token is None:
            token = secrets.token_urlsafe(24).encode()
            headers = [*headers, _new_cookie(scope, token)]
        body = token.join(entry.parts)
    await _send_plain(send, entry.status, headers, body, scope["method"])


async def _send_plain(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes, method: str
) -> None:
    length = [(b"content-length", str(len(body)).encode())] if status != 304 else []
    await send({"type": "http.response.start", "status": status, "headers": [*headers, *length]})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)
