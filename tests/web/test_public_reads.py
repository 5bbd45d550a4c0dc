"""The public read path's queries stay cheap: the index and the API list page in the
database when no words filter them (same answer as the word filter would give), a list costs
a fixed number of statements whatever its length, and the recurrence ledger is read only for
the links an editor made public. And the public cache re-renders expired pages a few at a
time, each entry living at most the interval."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.store.reads import public as queries
from factdesk.web import publiccache
from factdesk.web.app import create_app
from factdesk.web.publiccache import PublicCache
from tests.publish.seed import T0, add_claim, add_fact_check
from tests.web.conftest import TestClient


def _desk(db: sessionmaker[Session], count: int) -> list[int]:
    """``count`` public fact-checks (some sharing a date, one withdrawn, one in Vietnamese)
    plus a draft and an imported one that must never show."""
    ids = []
    with transaction(db) as session:
        for n in range(count):
            ids.append(
                add_fact_check(
                    session,
                    claim=f"Rumour number {n} about the bridge",
                    published=T0 + timedelta(hours=n // 2),  # pairs share a date: id breaks ties
                    status="withdrawn" if n == 3 else "published",
                    language="vi" if n == 4 else "en",
                    cite=False,
                )
            )
        add_fact_check(session, claim="A draft about the bridge", status="draft", cite=False)
        add_fact_check(session, claim="Imported about the bridge", origin="imported", cite=False)
    return ids


@pytest.mark.parametrize(
    ("language", "include_withdrawn"), [(None, True), (None, False), ("en", True), ("vi", True)]
)
def test_public_list_without_words_pages_like_the_word_filter(
    db: sessionmaker[Session], language: str | None, include_withdrawn: bool
) -> None:
    _desk(db, 9)
    with db() as session:
        # every public text has "rumour": the word filter keeps them all, in Python
        everything = queries.search_public(
            session, query="rumour", language=language, limit=100,
            include_withdrawn=include_withdrawn,
        )  # fmt: skip
        expected = [fc.id or 0 for fc in everything.items]
        assert expected and everything.total == len(expected)
        for offset in (0, 2, 5, len(expected), len(expected) + 3):
            for query in ("", "   "):
                page = queries.search_public(
                    session, query=query, language=language, offset=offset, limit=3,
                    include_withdrawn=include_withdrawn,
                )  # fmt: skip
                assert [fc.id for fc in page.items] == expected[offset : offset + 3]
                assert (page.total, page.offset, page.limit) == (len(expected), offset, 3)
    assert sorted(expected, reverse=True) == expected  # newest first, then the larger id


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_public_list_costs_the_same_statements_whatever_its_length(
    web_settings: Settings, engine: Engine, db: sessionmaker[Session]
) -> None:
    """No query per row (N+1): the API list and the index of 2 and of 12 fact-checks run
    the same statements, and without words neither reads every public text."""
    app = create_app(web_settings.model_copy(update={"public_cache_seconds": 0.0}), engine=engine)
    client = TestClient(app)
    counts: list[int] = []
    for start, more in ((0, 2), (2, 10)):
        _desk_more(db, more, start=start)
        for path in ("/api/v1/fact-checks?limit=20", "/"):
            client.get(path)  # anything done once per process is done
            with _statements(engine) as seen:
                assert client.get(path).status_code == 200
            counts.append(len(seen))
            every_text = "fact_checks.title, fact_checks.summary \nFROM"  # the word filter's read
            assert not any(every_text in s for s in seen), path
    assert counts[:2] == counts[2:], counts


def _desk_more(db: sessionmaker[Session], count: int, start: int) -> None:
    with transaction(db) as session:
        for n in range(start, start + count):
            add_fact_check(session, claim=f"Claim {n} on prices", published=T0 + timedelta(n))


def test_public_page_shows_only_ledger_links_an_editor_made_public(
    db: sessionmaker[Session],
) -> None:
    """The ledger is read for the marked links only; what the page shows is unchanged:
    a link marked public (with its earliest date, also from a merged claim), not one
    marked hidden, not one never marked."""
    early, late = T0 - timedelta(days=9), T0 - timedelta(days=2)
    with transaction(db) as session:
        fc_id = add_fact_check(session, claim="Salt water cures flu", chosen=False, cite=False)
        claim_id = session.get_one(m.FactCheck, fc_id).claim_id
        assert claim_id is not None
        own = add_claim(session, "Salt water cures flu", "en", [
            ("https://shown.example/a", late), ("https://hidden.example/b", late),
            ("https://unmarked.example/c", late),
        ])  # fmt: skip
        merged = add_claim(session, "Salt water cures the flu", "en", [
            ("https://shown.example/a", early),
        ])  # fmt: skip
        for claim in (own, merged):  # both mentions belong to the fact-check's claim
            session.get_one(m.Claim, claim).merged_into_id = claim_id
        for url, public in (("https://shown.example/a", True), ("https://hidden.example/b", False)):
            session.add(
                m.AppearanceMark(
                    claim_id=claim_id, url=url, public=public,
                    url_hash=hashlib.sha256(url.encode()).hexdigest(),
                )
            )  # fmt: skip
    with db() as session:
        fc = queries.load_public(session, fc_id)
    assert [(a.url, a.date) for a in fc.appearances] == [("https://shown.example/a", early)]


# --- the cache's background renders ----------------------------------------------------------


def _cache_of(app: FastAPI) -> PublicCache:
    layer: Any = app.middleware_stack
    while not isinstance(layer, PublicCache):
        layer = layer.app
    return layer


def test_public_cache_renders_expired_pages_a_few_at_a_time(
    web_settings: Settings, db: sessionmaker[Session]
) -> None:
    """Forty pages cached together, all expired, all asked for at once: every reader gets
    the old copy at once, at most REFRESHES renders run at a time, and each page is
    rendered anew as readers keep coming."""
    page = FastAPI()
    page.state.desk = SimpleNamespace(
        settings=web_settings.model_copy(update={"public_cache_seconds": 0.2}), factory=db
    )
    version, running, most = [1], [0], [0]

    @page.get("/fact-checks/{fc}/")
    async def slow(fc: int) -> HTMLResponse:
        running[0] += 1
        most[0] = max(most[0], running[0])
        await asyncio.sleep(0.01)
        running[0] -= 1
        return HTMLResponse(f"<p>{fc} version {version[0]}</p>")

    page.add_middleware(PublicCache)
    paths = [f"/fact-checks/{n}/" for n in range(40)]

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=page)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk") as client:
            for path in paths:
                assert "version 1" in (await client.get(path)).text
            version[0], most[0] = 2, 0
            await asyncio.sleep(0.25)
            answers = await asyncio.gather(*(client.get(path) for path in paths))
            assert all("version 1" in a.text for a in answers)  # the old copy, at once
            deadline = time.monotonic() + 20
            pending = set(paths)
            while pending:
                assert time.monotonic() < deadline, f"never rendered anew: {sorted(pending)}"
                for path in sorted(pending):
                    if "version 2" in (await client.get(path)).text:
                        pending.discard(path)
                await asyncio.sleep(0.02)
            assert 1 <= most[0] <= publiccache.REFRESHES

    asyncio.run(scenario())


def test_public_cache_renders_a_burst_of_misses_in_turn(
    web_settings: Settings, db: sessionmaker[Session]
) -> None:
    """Thirty different pages asked for at once, none cached: each reader gets its own page,
    and no more than RENDERS renders run at a time (the rest wait their turn, so the hits
    served meanwhile are not starved)."""
    page = FastAPI()
    page.state.desk = SimpleNamespace(
        settings=web_settings.model_copy(update={"public_cache_seconds": 60.0}), factory=db
    )
    running, most = [0], [0]

    @page.get("/fact-checks/{fc}/")
    async def slow(fc: int) -> HTMLResponse:
        running[0] += 1
        most[0] = max(most[0], running[0])
        await asyncio.sleep(0.01)
        running[0] -= 1
        return HTMLResponse(f"<p>page {fc}</p>")

    page.add_middleware(PublicCache)

    async def burst() -> list[str]:
        transport = httpx.ASGITransport(app=page)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk") as client:
            answers = await asyncio.gather(*(client.get(f"/fact-checks/{n}/") for n in range(30)))
        return [a.text for a in answers]

    assert asyncio.run(burst()) == [f"<p>page {n}</p>" for n in range(30)]
    assert most[0] == publiccache.RENDERS


def test_public_cache_entries_expire_apart_within_the_interval(
    web_settings: Settings, db: sessionmaker[Session]
) -> None:
    page = FastAPI()
    page.state.desk = SimpleNamespace(
        settings=web_settings.model_copy(update={"public_cache_seconds": 100.0}), factory=db
    )

    @page.get("/fact-checks/{fc}/")
    def plain(fc: int) -> HTMLResponse:
        return HTMLResponse(f"<p>{fc}</p>")

    page.add_middleware(PublicCache)
    with TestClient(page) as client:
        before = time.monotonic()
        for n in range(30):
            client.get(f"/fact-checks/{n}/")
        after = time.monotonic()
        lives = [e.expires for e in _cache_of(page)._entries.values()]
    assert len(lives) == 30
    assert all(before + 100 * (1 - publiccache.JITTER) <= t <= after + 100 for t in lives)
    assert max(lives) - min(lives) > 1  # spread over the last fifth, not all at one instant
