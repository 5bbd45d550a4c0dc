"""The public read path's cache and conditional GET: a repeated anonymous read is served
from memory, a publish/correction in this process is seen at once, a change made by another
process within FACTDESK_PUBLIC_CACHE_SECONDS; ETag and Last-Modified give 304; signed-in
readers and answers that set cookies are never cached."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services.publish import on_published
from factdesk.settings import Settings
from factdesk.store.db import transaction
from factdesk.store.reads import public as queries
from factdesk.web.app import create_app
from factdesk.web.publiccache import PublicCache
from tests.publish.seed import T0, add_fact_check, correct
from tests.web.conftest import Persona, TestClient


@pytest.fixture
def cached_app(web_settings: Settings, engine: Engine) -> FastAPI:
    return create_app(web_settings.model_copy(update={"public_cache_seconds": 3600.0}),
                      engine=engine)  # fmt: skip


@pytest.fixture
def fc_id(db: sessionmaker[Session]) -> int:
    with transaction(db) as session:
        return add_fact_check(session, claim="Vaccine X causes infertility", label="False")


PATHS = ["/", "/fact-checks/{id}/", "/fact-checks/{id}.json", "/feed.atom",
         "/api/v1/fact-checks", "/api/v1/fact-checks/{id}", "/sitemap.xml", "/claimreview.json"]  # fmt: skip


def test_public_cache_serves_repeats_from_memory(
    cached_app: FastAPI, fc_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(cached_app)
    first = {p: client.get(p.format(id=fc_id)) for p in PATHS}
    assert all(answer.status_code == 200 for answer in first.values()), {
        p: a.status_code for p, a in first.items()
    }

    def broken(*_: object, **__: object) -> None:
        raise AssertionError("the database was read for a cached page")

    for name in ("load_public", "search_public", "recent_changes", "iter_public"):
        monkeypatch.setattr(queries, name, broken)
    for path, answer in first.items():
        again = client.get(path.format(id=fc_id))
        assert again.status_code == 200 and again.content == answer.content, path
        assert again.headers["etag"] and again.headers["last-modified"]


def test_public_cache_sees_a_correction_at_once(
    cached_app: FastAPI, db: sessionmaker[Session], web_settings: Settings, fc_id: int
) -> None:
    client = TestClient(cached_app)
    assert "Mostly true" not in client.get(f"/fact-checks/{fc_id}/").text
    etag = client.get(f"/api/v1/fact-checks/{fc_id}").headers["etag"]
    with transaction(db) as session:
        correct(
            session, fc_id, label="Mostly true", value=4, note="New data", at=T0 + timedelta(days=2)
        )
        on_published(session, fc_id, "corrected", settings=web_settings)
    assert "Mostly true" in client.get(f"/fact-checks/{fc_id}/").text
    fresh = client.get(f"/api/v1/fact-checks/{fc_id}", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and "Mostly true" in fresh.text


def test_public_cache_other_process_change_within_the_interval(
    web_settings: Settings, engine: Engine, db: sessionmaker[Session], fc_id: int
) -> None:
    app = create_app(web_settings.model_copy(update={"public_cache_seconds": 0.3}), engine=engine)
    with TestClient(app) as client:  # one event loop: background refreshes complete
        client.get(f"/fact-checks/{fc_id}/")
        with transaction(db) as session:  # as another process would: no bump in this one
            correct(session, fc_id, label="Half true", value=3, note="n", at=T0 + timedelta(days=3))
        # within the interval a reader may still get the old copy; the pre-renderer's look at
        # the database may also have rendered the new one already (not asserted either way)
        client.get(f"/fact-checks/{fc_id}/")
        time.sleep(0.35)
        # expired: the first reader gets the old copy at once while it is rendered again
        seen = [client.get(f"/fact-checks/{fc_id}/").text]
        deadline = time.monotonic() + 10
        while "Half true" not in seen[-1] and time.monotonic() < deadline:
            time.sleep(0.05)
            seen.append(client.get(f"/fact-checks/{fc_id}/").text)
        assert "Half true" in seen[-1]


def test_public_conditional_get_answers_304(cached_app: FastAPI, fc_id: int) -> None:
    client = TestClient(cached_app)
    for path in (f"/fact-checks/{fc_id}/", f"/api/v1/fact-checks/{fc_id}", "/feed.atom"):
        answer = client.get(path)
        etag, modified = answer.headers["etag"], answer.headers["last-modified"]
        by_tag = client.get(path, headers={"If-None-Match": etag})
        assert (
            by_tag.status_code == 304 and by_tag.content == b"" and by_tag.headers["etag"] == etag
        )
        by_date = client.get(path, headers={"If-Modified-Since": modified})
        assert by_date.status_code == 304
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
        old = "Mon, 01 Jan 2001 00:00:00 GMT"
        assert client.get(path, headers={"If-Modified-Since": old}).status_code == 200
        assert client.get(path, headers={"If-Modified-Since": "garbage"}).status_code == 200


def test_public_cache_skips_signed_in_readers(
    cached_app: FastAPI, db: sessionmaker[Session], fc_id: int
) -> None:
    from tests.web.conftest import sign_in

    editor: Persona = sign_in(cached_app, db, "ed", "editor")
    anonymous = TestClient(cached_app)
    anonymous.get(f"/fact-checks/{fc_id}/")
    seen = editor.get(f"/fact-checks/{fc_id}/")
    assert seen.status_code == 200
    assert "no-store" in seen.headers["cache-control"]  # private: never a shared copy


def test_public_cache_gives_each_visitor_their_own_csrf_token(
    web_settings: Settings, db: sessionmaker[Session]
) -> None:
    """A page whose form embeds the anonymous CSRF token (double-submit cookie), as the
    app's pages do: the cache must never hand one visitor's token to another."""
    page = FastAPI()
    page.state.desk = SimpleNamespace(
        settings=web_settings.model_copy(update={"public_cache_seconds": 3600.0}), factory=db
    )
    rendered = []

    @page.get("/fact-checks/{fc}/")
    def form(request: Request, fc: int) -> HTMLResponse:
        rendered.append(fc)
        token = request.cookies.get("fd_csrf") or secrets.token_urlsafe(24)
        answer = HTMLResponse(f'<form><input name="csrf" value="{token}"></form>')
        if "fd_csrf" not in request.cookies:
            answer.set_cookie("fd_csrf", token, httponly=True, samesite="lax", path="/")
        return answer

    page.add_middleware(PublicCache)
    alice, bob, carol = TestClient(page), TestClient(page), TestClient(page)
    first = alice.get("/fact-checks/1/")
    token_a = alice.cookies.get("fd_csrf")
    assert token_a and token_a in first.text
    second = bob.get("/fact-checks/1/")  # served from the cache
    token_b = bob.cookies.get("fd_csrf")
    assert token_b and token_b != token_a
    assert token_b in second.text and token_a not in second.text
    again = alice.get("/fact-checks/1/")
    assert "set-cookie" not in again.headers and token_a in again.text
    carol.cookies.set("fd_csrf", "<script>alert(1)</script>-long-enough")
    hostile = carol.get("/fact-checks/1/")  # a token we would not write into a page
    assert "<script>" not in hostile.text
    assert rendered == [1]  # rendered once, the rest from memory


def test_public_cache_renders_a_hot_page_once_under_concurrency(
    web_settings: Settings, db: sessionmaker[Session]
) -> None:
    """Twenty simultaneous first requests for one page: one render, twenty answers (no
    stampede when a viral page is first asked for or expires)."""
    import asyncio

    import httpx

    page = FastAPI()
    page.state.desk = SimpleNamespace(
        settings=web_settings.model_copy(update={"public_cache_seconds": 3600.0}), factory=db
    )
    renders = []

    @page.get("/fact-checks/{fc}/")
    async def slow(fc: int) -> HTMLResponse:
        renders.append(fc)
        await asyncio.sleep(0.1)
        return HTMLResponse("<p>verdict</p>")

    page.add_middleware(PublicCache)

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=page)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk") as client:
            answers = await asyncio.gather(*(client.get("/fact-checks/7/") for _ in range(20)))
        return [a.status_code for a in answers]

    assert asyncio.run(burst()) == [200] * 20
    assert renders == [7]


def test_public_cache_serves_the_expired_copy_while_rendering_anew(
    web_settings: Settings, db: sessionmaker[Session]
) -> None:
    page = FastAPI()
    page.state.desk = SimpleNamespace(
        settings=web_settings.model_copy(update={"public_cache_seconds": 0.2}), factory=db
    )
    version = [1]

    @page.get("/fact-checks/{fc}/")
    def versioned(fc: int) -> HTMLResponse:
        return HTMLResponse(f"<p>version {version[0]}</p>")

    page.add_middleware(PublicCache)
    with TestClient(page) as client:
        assert "version 1" in client.get("/fact-checks/1/").text
        version[0] = 2
        time.sleep(0.25)
        assert "version 1" in client.get("/fact-checks/1/").text  # at once, the old copy
        deadline = time.monotonic() + 10
        while "version 2" not in client.get("/fact-checks/1/").text:
            assert time.monotonic() < deadline, "never rendered anew"
            time.sleep(0.05)
