"""The desk's rendered lists shared for a few seconds (web/fragments.py): reused within
their time, never older than the user's own write (in this process or, by the ``fd_wrote``
cookie, another), never across roles, and never carrying a user's CSRF token."""

from __future__ import annotations

import time

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.jobtable import PipelineJob
from factdesk.web.app import create_app
from factdesk.web.fragments import CLOCK_SLACK, CSRF_SLOT, WROTE_COOKIE, Fragments, last_write
from tests.web.conftest import seed_claim, sign_in

# --- the cache alone ------------------------------------------------------------------------


def test_an_entry_is_reused_within_its_time_and_rendered_again_after() -> None:
    cache = Fragments(0.2)
    out = iter(("first", "second"))
    assert cache.get("k", lambda: next(out)) == "first"
    assert cache.get("k", lambda: next(out)) == "first"
    assert cache.renders == 1
    time.sleep(0.25)
    assert cache.get("k", lambda: next(out)) == "second"
    assert cache.renders == 2


def test_an_entry_older_than_the_users_write_is_not_served_to_them() -> None:
    cache = Fragments(60)
    cache.get("k", lambda: "before")
    assert cache.get("k", lambda: "after", not_before=time.time()) == "after"
    assert cache.get("k", lambda: "again") == "after"  # the newer copy is kept for everyone


def test_off_renders_every_time_and_clear_forgets() -> None:
    off = Fragments(0)
    off.get("k", lambda: "a")
    off.get("k", lambda: "a")
    assert off.renders == 2
    on = Fragments(60)
    on.get("k", lambda: "a")
    on.clear()
    assert on.get("k", lambda: "b") == "b"


def test_the_write_cookie_is_read_leniently() -> None:
    assert last_write(None) == 0.0
    assert last_write("garbage") == 0.0
    assert last_write("nan") == 0.0
    assert last_write("-5") == 0.0
    now = time.time()
    assert abs(last_write(str(now)) - (now + CLOCK_SLACK)) < 0.01
    assert last_write("1e12") <= time.time() + CLOCK_SLACK  # the future counts as now


# --- in the app -----------------------------------------------------------------------------


@pytest.fixture
def cached_app(web_settings: Settings, engine: Engine) -> FastAPI:
    return create_app(web_settings.model_copy(update={"web_cache_seconds": 60.0}), engine=engine)


def _renders(app: FastAPI) -> int:
    return int(app.state.desk.fragments.renders)


def _set_text(db: sessionmaker[Session], claim_id: int, text: str) -> None:
    """A change made by another process (the worker): no request of this app sees it made."""
    with db.begin() as session:
        session.execute(update(m.Claim).where(m.Claim.id == claim_id).values(text=text))


def test_the_queue_is_reused_and_a_write_elsewhere_waits_for_its_time(
    cached_app: FastAPI, db: sessionmaker[Session]
) -> None:
    claim_id = seed_claim(db, "Bridge collapsed in the night")
    editor = sign_in(cached_app, db, "ed", "editor")
    assert "Bridge collapsed" in editor.get("/desk/queue").text
    _set_text(db, claim_id, "Water poisoned upstream")
    again = editor.get("/desk/queue").text
    assert "Bridge collapsed" in again and "Water poisoned" not in again  # the cached copy
    assert _renders(cached_app) == 1
    cached_app.state.desk.fragments.clear()
    assert "Water poisoned" in editor.get("/desk/queue").text


def test_a_users_own_write_shows_at_once(cached_app: FastAPI, db: sessionmaker[Session]) -> None:
    claim_id = seed_claim(db, "Schools close for a month")
    checker = sign_in(cached_app, db, "chk", "checker")
    assert "status-new" in checker.get("/desk/queue").text
    answer = checker.post(f"/desk/claims/{claim_id}/start")
    assert answer.status_code == 303
    assert WROTE_COOKIE in answer.headers["set-cookie"]
    page = checker.get("/desk/queue").text
    assert "status-researching" in page and "status-new" not in page


def test_a_users_own_write_updates_the_counts_too(
    cached_app: FastAPI, db: sessionmaker[Session]
) -> None:
    claim_id = seed_claim(db, "Election results rigged")
    checker = sign_in(cached_app, db, "chk", "checker")
    assert "1 claims" in checker.get("/desk/queue?status=new").text
    assert checker.post(f"/desk/claims/{claim_id}/start").status_code == 303
    assert "0 claims" in checker.get("/desk/queue?status=new").text


def test_a_users_own_write_in_another_process_shows_at_once(
    web_settings: Settings, engine: Engine, db: sessionmaker[Session]
) -> None:
    """Two apps on one database are two uvicorn worker processes: the write is made through
    one, the next list is asked of the other, which had the list cached."""
    settings = web_settings.model_copy(update={"web_cache_seconds": 60.0})
    one, other = create_app(settings, engine=engine), create_app(settings, engine=engine)
    claim_id = seed_claim(db, "Prices doubled overnight")
    writer = sign_in(one, db, "writer", "checker")
    bystander = sign_in(other, db, "bystander", "checker")
    on_other = sign_in(other, db, "writer2", "checker")  # the writer's browser, on `other`
    on_other.client.cookies.set("fd_session", writer.client.cookies["fd_session"])
    assert "status-new" in bystander.get("/desk/queue").text  # cached on the other process
    time.sleep(0.01)
    assert writer.post(f"/desk/claims/{claim_id}/start").status_code == 303
    on_other.client.cookies.set(WROTE_COOKIE, writer.client.cookies[WROTE_COOKIE])
    assert "status-researching" in on_other.get("/desk/queue").text  # their change: at once
    assert _renders(other) == 2  # rendered again for them, although a copy was cached


def test_no_user_ever_gets_another_users_csrf_token(
    cached_app: FastAPI, db: sessionmaker[Session]
) -> None:
    with db.begin() as session:
        session.add(PipelineJob(kind="detect", payload=[1], status="dead", attempts=5))
    first = sign_in(cached_app, db, "first", "editor")
    second = sign_in(cached_app, db, "second", "editor")
    page_one = first.get("/desk/jobs").text
    page_two = second.get("/desk/jobs").text
    assert _renders(cached_app) == 1  # the second was served the first's render
    assert "/retry" in page_two and second.csrf in page_two
    assert first.csrf not in page_two and second.csrf not in page_one
    assert CSRF_SLOT not in page_two
    for key, entry in cached_app.state.desk.fragments._data.items():
        assert first.csrf not in entry.html and second.csrf not in entry.html, key


def test_each_role_gets_its_own_copy(cached_app: FastAPI, db: sessionmaker[Session]) -> None:
    seed_claim(db)
    sign_in(cached_app, db, "v", "viewer").get("/desk/queue")
    sign_in(cached_app, db, "e", "editor").get("/desk/queue")
    assert _renders(cached_app) == 2


def test_the_dashboard_is_shared_and_the_writers_change_shows(
    cached_app: FastAPI, db: sessionmaker[Session]
) -> None:
    claim_id = seed_claim(db, "Minister resigned at dawn", score=0.95)
    checker = sign_in(cached_app, db, "chk", "checker")
    other = sign_in(cached_app, db, "chk2", "checker")
    assert "Minister resigned" in checker.get("/desk/").text
    assert "Minister resigned" in other.get("/desk/").text
    assert _renders(cached_app) == 1
    assert checker.post(f"/desk/claims/{claim_id}/start").status_code == 303
    checker.get("/desk/")
    assert _renders(cached_app) == 2  # rendered again after the write, not the old copy
