"""Public answers rendered before anyone asks: at start-up, after each change, and after
changes other processes make.

Without this, the first reader of each fact-check page in a fresh process waits for its
render (a few milliseconds of work; hundreds of first readers queued behind each other
make a p95 of hundreds of milliseconds), and every reader of a page that was just
corrected waits for its new copy. :class:`Prerender` belongs to the public cache
(:mod:`factdesk.web.publiccache`) and renders through it, in the background, one answer at
a time (a reader's render takes the other slot):

- **at start-up** (after the server says it is ready: readiness is not delayed), the
  index, the Atom feeds, the API list and the newest ``PRERENDER`` fact-check pages, in
  the default interface language;
- **after a change in this process** (:func:`factdesk.freshness.subscribe`): the pages of
  the fact-checks that changed (in every language a reader asked for), and the lists and
  feeds readers were using, before any start-up work left;
- **after a change in another process**: every ``FACTDESK_PUBLIC_CACHE_SECONDS`` one
  query reads what changed in the database since the last look (fact-checks, their links'
  marks, the rating scale; :func:`factdesk.store.reads.public.changed_since`) and moves
  :mod:`factdesk.freshness` for it, which drops those copies and renders them again here.

A render runs the app on a request made up here (``GET``, no cookie but the language),
exactly as a reader's would. It needs the server's lifespan (uvicorn runs it); without it,
readers render on a miss as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from factdesk import freshness
from factdesk.publish import i18n
from factdesk.services.editorial import KEY as EDITORIAL_KEY
from factdesk.services.publish import feed_languages
from factdesk.store.reads import public as queries

if TYPE_CHECKING:
    from factdesk.web.publiccache import Key, PublicCache

log = logging.getLogger(__name__)
# Lists and feeds rendered again after a change: the ones readers were reading and the
# front ones (index, feeds, API list), most recently read first; the rest (a search, the
# sitemap nobody read since) render when next asked for.
LISTS = 50
# A row's change is looked for this long after it was stamped (a transaction may commit a
# while after its rows were written, and clocks of two hosts differ a little).
MARGIN = timedelta(seconds=60)
MIN_POLL = 1.0  # seconds between two looks at the database, at least
# Fact-check pages rendered at start-up, newest first: three quarters of the cache's
# entries (publiccache.MAX_ENTRIES, 2000), the rest left for what readers ask for (lists,
# feeds, .json twins, API items, other languages).
PRERENDER = 1500
# After each start-up render, this long idle (about as long as a render): the start-up work
# takes at most half the interpreter from the readers being served meanwhile. Renders a
# change asked for go back to back.
PACE = 0.004


class Prerender:
    """The background renders of one public cache (see the module docstring)."""

    def __init__(self, cache: PublicCache) -> None:
        self.cache = cache
        self.queue: dict[Key, None] = {}  # an ordered set: first in, rendered first
        self.done = 0  # renders made (tests read it)
        self._waiting = False  # the start-up list is read and nothing is left to render
        self._asked = self._handled = 0  # changes heard of, changes handled
        self.limit = PRERENDER
        self.poll: float | None = None  # seconds between looks; None: the cache's interval
        self._app: Any = None
        self._state: dict[str, Any] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._paced: set[Key] = set()  # start-up keys: rendered at a gentler pace

    async def lifespan(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        """Pass the lifespan through; start once the app is ready, stop when it stops."""

        async def sending(message: Message) -> None:
            await send(message)
            if message["type"] == "lifespan.startup.complete":
                self._start(scope)

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                await self._stop()
            return message

        await app(scope, receiving, sending)

    def _start(self, scope: Scope) -> None:
        self._app = scope.get("app")
        desk = getattr(getattr(self._app, "state", None), "desk", None)
        if desk is None or desk.settings.public_cache_seconds <= 0:
            return
        self._state = dict(scope.get("state") or {})
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stopping = False
        freshness.subscribe(self.changed)
        self._tasks = [
            asyncio.create_task(self._work(desk)),
            asyncio.create_task(self._watch(desk)),
        ]

    async def _stop(self) -> None:
        """Let a render in progress finish (a render cut short would leave its database
        session to the garbage collector), then stop."""
        tasks, self._tasks, self._loop = self._tasks, [], None
        self.queue.clear()
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        for task in tasks[1:]:  # the watcher: its database read finishes in its thread
            task.cancel()
        for task in tasks:
            try:
                await asyncio.wait_for(task, timeout=30)
            except (asyncio.CancelledError, TimeoutError):
                pass

    # --- what to render ---------------------------------------------------------------

    def changed(self, change: freshness.Change) -> None:
        """Called by :mod:`factdesk.freshness` in the committing thread."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            self._asked += 1
            try:
                loop.call_soon_threadsafe(self._changed, change)
            except RuntimeError:  # the loop closed meanwhile
                pass

    @property
    def idle(self) -> bool:
        """Nothing left to render, nothing heard of and not yet looked at."""
        return self._waiting and not self.queue and self._asked == self._handled

    def _changed(self, change: freshness.Change) -> None:
        self._handled += 1
        if self._app is None or self._wake is None:
            return
        urgent: list[Key] = []
        if change.fact_checks is None:  # every answer: the ones in memory, most read first
            urgent = [key for key, _hit in self.cache.keys()]
        else:
            lang = self._language()
            urgent = [(f"/fact-checks/{fc}/", b"", lang) for fc in sorted(change.fact_checks)]
            lists = 0
            for key, hit in self.cache.keys():
                fc = self.cache.owner(key[0])
                if fc in change.fact_checks:
                    urgent.append(key)
                elif fc is None and lists < LISTS and (hit or _front(key)):
                    urgent.append(key)
                    lists += 1
        self.queue = dict.fromkeys(urgent) | {k: None for k in self.queue if k not in urgent}
        if change.fact_checks is None:  # everything again: at the start-up pace
            self._paced.update(urgent)
        else:
            self._paced.difference_update(urgent)
        self._wake.set()

    def _language(self) -> str:
        return i18n.choose(None, "", self._app.state.desk.settings.default_ui_language)

    def _startup_keys(self, desk: Any) -> list[Key]:
        """The index, feeds and API list, then the newest fact-check pages (a thread)."""
        lang = self._language()
        with desk.factory() as session:
            ids = queries.newest_ids(session, limit=self.limit)
            languages = feed_languages(desk.settings, queries.public_languages(session))
        paths = ["/", "/feed.atom", *(f"/feed/{code}.atom" for code in languages)]
        paths += ["/api/v1/fact-checks", *(f"/fact-checks/{fc}/" for fc in ids)]
        return [(path, b"", lang) for path in paths]

    # --- rendering ------------------------------------------------------------------

    async def _work(self, desk: Any) -> None:
        assert self._wake is not None
        try:
            startup = await anyio.to_thread.run_sync(self._startup_keys, desk)
        except Exception:
            log.exception("reading what to pre-render failed")
            startup = []
        for key in startup:  # after anything a change asked for meanwhile
            self.queue.setdefault(key, None)
        self._paced.update(startup)
        left, began = set(startup), time.monotonic()
        while not self._stopping:
            if not self.queue:
                self._waiting = True
                self._wake.clear()
                await self._wake.wait()
                self._waiting = False
                continue
            key = next(iter(self.queue))
            del self.queue[key]
            await self._one(key)
            if key in left:
                left.discard(key)
                if not left:
                    log.info(
                        "public pages: %d answers rendered at start-up in %.1f s",
                        len(startup),
                        time.monotonic() - began,
                    )

    async def _one(self, key: Key) -> None:
        """Render ``key`` unless a copy showing what is current is there already."""
        busy = self.cache.rendering_event(key)
        if busy is not None:  # a reader renders it: wait, then see if that is current
            await busy.wait()
        if self.cache.current(key):
            return
        try:
            await self.cache.fill(self._scope(key), key)
            self.done += 1
        except Exception:
            log.exception("pre-rendering %s failed", key[0])
        # let the hits queued meanwhile go first
        await asyncio.sleep(PACE if key in self._paced else 0)
        self._paced.discard(key)

    def _scope(self, key: Key) -> Scope:
        path, query, lang = key
        base = urlsplit(self._app.state.desk.settings.public_base_url)
        host = (base.netloc or "localhost").encode()
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": base.scheme or "http",
            "server": None,
            "client": None,
            "root_path": "",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query,
            "headers": [(b"host", host), (b"cookie", f"{i18n.COOKIE}={lang}".encode())],
            "app": self._app,
            "state": dict(self._state),
        }

    # --- other processes' changes ---------------------------------------------------

    async def _watch(self, desk: Any) -> None:
        since = datetime.now(UTC)
        seen: dict[int, datetime] = {}
        setting: datetime | None = None
        while True:
            await asyncio.sleep(self.poll or max(desk.settings.public_cache_seconds, MIN_POLL))
            began = datetime.now(UTC)
            try:
                found = await anyio.to_thread.run_sync(_changes, desk.factory, since - MARGIN)
            except Exception:
                log.exception("reading public changes failed")
                continue
            moved = [fc for fc, at in found.fact_checks.items() if seen.get(fc) != at]
            seen = found.fact_checks
            if found.everything is not None and found.everything != setting:
                setting = found.everything
                freshness.bump()
            elif moved:
                freshness.bump(fact_checks=moved)
            since = began


def _front(key: Key) -> bool:
    """The index, the feeds and the API list, as they are first asked for (no query)."""
    path, query, _lang = key
    return not query and (
        path in ("/", "/feed.atom", "/api/v1/fact-checks") or path.startswith("/feed/")
    )


def _changes(factory: Any, since: datetime) -> queries.PublicChanges:
    with factory() as session:
        return queries.changed_since(session, since, setting_key=EDITORIAL_KEY)
