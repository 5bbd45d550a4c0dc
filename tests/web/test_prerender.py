"""Public answers rendered before anyone asks: at start-up, after a publish or correction
in this process (only what it changed), after a change another process made; never a stale
copy after a correction, ETags still right, memory bounded."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services.publish import on_published
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.store.reads import public as queries
from factdesk.web import publiccache
from factdesk.web.app import create_app
from factdesk.web.publiccache import PublicCache
from tests.publish.seed import T0, add_fact_check, correct
from tests.web.conftest import TestClient


@pytest.fixture
def cached_app(web_settings: Settings, engine: Engine) -> FastAPI:
    return create_app(web_settings.model_copy(update={"public_cache_seconds": 3600.0}),
                      engine=engine)  # fmt: skip


@pytest.fixture
def two(db: sessionmaker[Session]) -> tuple[int, int]:
    with transaction(db) as session:
        first = add_fact_check(session, claim="Vaccine X causes infertility", label="False")
        second = add_fact_check(session, claim="The bridge fell in 2019", label="True",
                                published=T0 + timedelta(days=1))  # fmt: skip
    return first, second


def cache_of(app: FastAPI) -> PublicCache:
    layer = app.middleware_stack
    while not isinstance(layer, PublicCache):
        layer = layer.app  # type: ignore[union-attr]
    return layer


def settle(cache: PublicCache, seconds: float = 10) -> None:
    """Wait until the background renders have nothing left to do."""
    deadline = time.monotonic() + seconds
    while not cache.prerender.idle or cache._rendering:
        assert time.monotonic() < deadline, "pre-rendering never finished"
        time.sleep(0.02)
    time.sleep(0.05)


@pytest.fixture
def no_renders(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Call it to make every render from now on fail the test."""

    def broken(*_: object, **__: object) -> None:
        raise AssertionError("a reader waited for a render")

    def forbid() -> None:
        for name in ("load_public", "search_public", "recent_changes"):
            monkeypatch.setattr(queries, name, broken)

    yield forbid


def test_pages_are_rendered_at_start_up(
    cached_app: FastAPI, two: tuple[int, int], no_renders: Callable[[], None]
) -> None:
    with TestClient(cached_app) as client:
        settle(cache_of(cached_app))
        no_renders()
        for path in (
            "/",
            "/feed.atom",
            "/api/v1/fact-checks",
            *(f"/fact-checks/{i}/" for i in two),
        ):
            assert client.get(path).status_code == 200, path
        answer = client.get(f"/fact-checks/{two[0]}/", headers={"Accept-Language": "vi-VN,vi"})
        assert answer.status_code == 200  # the default language's copy: no other render


def test_a_publish_renders_the_new_page_and_the_lists(
    cached_app: FastAPI, db: sessionmaker[Session], web_settings: Settings,
    two: tuple[int, int], no_renders: Callable[[], None],
) -> None:  # fmt: skip
    with TestClient(cached_app) as client:
        cache = cache_of(cached_app)
        settle(cache)
        assert "Rain is wet" not in client.get("/").text
        with transaction(db) as session:
            new = add_fact_check(session, claim="Rain is wet", status="in_review")
        assert client.get(f"/fact-checks/{new}/").status_code == 404
        with transaction(db) as session:
            session.get_one(m.FactCheck, new).status = "published"
            on_published(session, new, "published", settings=web_settings)
        settle(cache)
        no_renders()
        assert "Rain is wet" in client.get(f"/fact-checks/{new}/").text
        assert "Rain is wet" in client.get("/").text
        assert "Rain is wet" in client.get("/feed.atom").text
        assert client.get(f"/fact-checks/{two[0]}/").status_code == 200  # kept: not changed


def test_a_correction_is_never_served_stale(
    cached_app: FastAPI, db: sessionmaker[Session], web_settings: Settings,
    two: tuple[int, int], no_renders: Callable[[], None],
) -> None:  # fmt: skip
    first, second = two
    with TestClient(cached_app) as client:
        cache = cache_of(cached_app)
        settle(cache)
        page = client.get(f"/fact-checks/{first}/")
        api = client.get(f"/api/v1/fact-checks/{first}")
        assert "Mostly true" not in page.text
        with transaction(db) as session:
            correct(session, first, label="Mostly true", value=4, note="New data",
                    at=T0 + timedelta(days=2))  # fmt: skip
            on_published(session, first, "corrected", settings=web_settings)
        # at once, whether the background render or this reader renders it
        assert "Mostly true" in client.get(f"/fact-checks/{first}/").text
        fresh = client.get(
            f"/api/v1/fact-checks/{first}", headers={"If-None-Match": api.headers["etag"]}
        )
        assert fresh.status_code == 200 and "Mostly true" in fresh.text
        gone = client.get(f"/fact-checks/{first}/", headers={"If-None-Match": page.headers["etag"]})
        assert gone.status_code == 200 and "Mostly true" in gone.text
        settle(cache)
        no_renders()
        again = client.get(f"/fact-checks/{first}/")
        assert "Mostly true" in again.text and again.headers["etag"] != page.headers["etag"]
        same = client.get(
            f"/fact-checks/{first}/", headers={"If-None-Match": again.headers["etag"]}
        )
        assert same.status_code == 304
        assert "Mostly true" in client.get("/").text  # the lists were rendered again too
        assert client.get(f"/fact-checks/{second}/").status_code == 200  # untouched copy


def test_another_process_change_is_rendered_here(
    cached_app: FastAPI, db: sessionmaker[Session], two: tuple[int, int]
) -> None:
    first, _ = two
    cached_app.middleware_stack = cached_app.build_middleware_stack()
    cache = cache_of(cached_app)
    cache.prerender.poll = 0.1  # every 0.1 s instead of every FACTDESK_PUBLIC_CACHE_SECONDS
    with TestClient(cached_app) as client:
        settle(cache)
        assert "Half true" not in client.get(f"/fact-checks/{first}/").text
        with transaction(db) as session:  # as another process would: no bump in this one
            correct(session, first, label="Half true", value=3, note="n", at=T0 + timedelta(days=3))
        deadline = time.monotonic() + 10
        while "Half true" not in client.get(f"/fact-checks/{first}/").text:
            assert time.monotonic() < deadline, "the change never showed"
            time.sleep(0.05)


def test_the_cache_keeps_the_most_recently_read_within_its_bound(
    cached_app: FastAPI, db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publiccache, "MAX_ENTRIES", 3)
    with transaction(db) as session:
        ids = [add_fact_check(session, claim=f"Claim number {n}") for n in range(5)]
    client = TestClient(cached_app)  # no lifespan: nothing pre-rendered
    cache = cache_of_after_first(cached_app, client, f"/fact-checks/{ids[0]}/")
    for fc in ids[1:3]:
        client.get(f"/fact-checks/{fc}/")
    client.get(f"/fact-checks/{ids[0]}/")  # read again: the most recent
    for fc in ids[3:]:
        client.get(f"/fact-checks/{fc}/")
    kept = {key[0] for key, _ in cache.keys()}
    assert kept == {f"/fact-checks/{i}/" for i in (ids[0], ids[3], ids[4])}


def test_one_copy_per_interface_language(cached_app: FastAPI, two: tuple[int, int]) -> None:
    client = TestClient(cached_app)
    path = f"/fact-checks/{two[0]}/"
    cache = cache_of_after_first(cached_app, client, path, {"Accept-Language": "en-GB,en;q=0.9"})
    client.get(path, headers={"Accept-Language": "en"})
    client.get(path, headers={"Accept-Language": "fr-FR, en;q=0.5"})
    vietnamese = client.get(path, headers={"Accept-Language": "vi"})
    assert sorted(key[2] for key, _ in cache.keys()) == ["en", "vi"]
    assert vietnamese.headers["content-language" if False else "etag"]


def cache_of_after_first(
    app: FastAPI, client: TestClient, path: str, headers: dict[str, str] | None = None
) -> PublicCache:
    assert client.get(path, headers=headers).status_code == 200
    return cache_of(app)


def test_a_link_an_editor_shows_is_on_the_page_at_once(
    cached_app: FastAPI, db: sessionmaker[Session], no_renders: Callable[[], None]
) -> None:
    from factdesk.services import appearances
    from factdesk.types import Actor
    from factdesk.workflow import Role
    from tests.web.conftest import add_user

    url = "https://social.example/post/1"
    with transaction(db) as session:
        fc = add_fact_check(session, claim="Prices doubled", appearances=[(url, T0)], chosen=False)
    editor = Actor(add_user(db, "ed", "editor"), "ed", Role.EDITOR)
    with TestClient(cached_app) as client:
        cache = cache_of(cached_app)
        settle(cache)
        assert url not in client.get(f"/fact-checks/{fc}/").text  # not marked public yet
        with transaction(db) as session:
            claim_id = session.get_one(m.FactCheck, fc).claim_id
            assert claim_id is not None
            appearances.mark(session, editor, claim_id, url, True)
        assert url in client.get(f"/fact-checks/{fc}/").text  # at once
        settle(cache)
        no_renders()
        assert url in client.get(f"/fact-checks/{fc}/").text  # and from memory


def test_a_change_to_every_page_renders_them_all_again(
    cached_app: FastAPI, two: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from factdesk import freshness

    with TestClient(cached_app) as client:
        cache = cache_of(cached_app)
        settle(cache)
        loaded: list[int] = []
        real = queries.load_public

        def counting(session: Session, fc_id: int) -> object:
            loaded.append(fc_id)
            return real(session, fc_id)

        monkeypatch.setattr(queries, "load_public", counting)
        for fc in two:
            client.get(f"/fact-checks/{fc}/")
        assert loaded == []  # from memory
        freshness.bump()  # the rating scale changed: every page shows it
        settle(cache)
        assert sorted(set(loaded)) == sorted(two)  # rendered again, in the background
        loaded.clear()
        for fc in two:
            assert client.get(f"/fact-checks/{fc}/").status_code == 200
        assert loaded == []
