"""Sign-in throttling cannot be turned against a user: failures slow down the address that
makes them (per user name, and per address across names), never the account itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import accounts as auth
from factdesk.settings import Settings
from factdesk.store import models as m
from tests.web.conftest import PASSWORD, Persona, TestClient, add_user


def _client(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, headers={"accept-language": "en"}, client=(address, 40000))


def _login(client: TestClient, username: str, password: str) -> httpx.Response:
    client.get("/desk/login")
    return client.post(
        "/desk/login",
        data={"username": username, "password": password, "csrf": client.cookies.get("fd_csrf")},
        follow_redirects=False,
    )


def test_throttle_attackers_elsewhere_cannot_lock_the_owner_out(
    app: FastAPI, db: sessionmaker[Session], web_settings: Settings
) -> None:
    """The finding: five wrong passwords for admin from five addresses locked it for 15
    minutes. Now fifty from ten addresses leave the owner's sign-in untouched."""
    add_user(db, "admin", "admin")
    for n in range(10):
        attacker = _client(app, f"198.51.100.{n}")
        codes = [_login(attacker, "admin", f"guess {i}").status_code for i in range(5)]
        assert codes == [401] * 5
    owner = _client(app, "203.0.113.7")
    response = _login(owner, "admin", PASSWORD)
    assert response.status_code == 303


def test_throttle_waits_grow_for_the_failing_pair_only(
    app: FastAPI, db: sessionmaker[Session], web_settings: Settings
) -> None:
    add_user(db, "alice", "viewer")
    add_user(db, "bob", "viewer")
    guesser = _client(app, "198.51.100.1")
    for _ in range(web_settings.login_max_failures):
        assert _login(guesser, "alice", "wrong password!").status_code == 401
    paused = _login(guesser, "alice", PASSWORD)
    assert paused.status_code == 429
    first_wait = int(paused.headers["retry-after"])
    assert 1 <= first_wait <= 3
    # the same address may still sign in as someone else; alice may from elsewhere
    assert _login(guesser, "bob", PASSWORD).status_code == 303
    assert _login(_client(app, "203.0.113.9"), "alice", PASSWORD).status_code == 303
    # after the wait one more wrong guess doubles the next wait, up to the cap
    with db.begin() as session:
        past = datetime.now(UTC) - timedelta(seconds=first_wait + 1)
        session.execute(update(m.RateEvent).values(at=past))
    assert _login(guesser, "alice", "wrong again!!").status_code == 401
    second = _login(guesser, "alice", PASSWORD)
    assert second.status_code == 429
    assert int(second.headers["retry-after"]) > first_wait
    with db.begin() as session:  # the window passes: nothing is counted any more
        session.execute(update(m.RateEvent).values(at=datetime.now(UTC) - timedelta(hours=1)))
    assert _login(guesser, "alice", PASSWORD).status_code == 303


def test_throttle_wait_is_capped(
    app: FastAPI, db: sessionmaker[Session], web_settings: Settings
) -> None:
    add_user(db, "alice", "viewer")
    with db.begin() as session:  # 60 failures of this pair within the window
        at = datetime.now(UTC) - timedelta(seconds=1)
        for _ in range(60):
            session.add(m.RateEvent(scope="login", key=_pair_key(session), at=at, ok=False))
    response = _login(_client(app, "198.51.100.2"), "alice", PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) <= web_settings.login_max_delay_seconds


def _pair_key(session: Session) -> str:
    from factdesk.services import ratelimit

    return ratelimit.hashed(session, "pair:198.51.100.2|alice")


def test_throttle_an_address_trying_many_names_waits_too(
    app: FastAPI, db: sessionmaker[Session], web_settings: Settings
) -> None:
    add_user(db, "alice", "viewer")
    sprayer = _client(app, "198.51.100.3")
    for n in range(web_settings.login_address_failures):
        _login(sprayer, f"user{n}", "Password123!")
    assert _login(sprayer, "alice", PASSWORD).status_code == 429
    assert _login(_client(app, "203.0.113.1"), "alice", PASSWORD).status_code == 303


def test_throttle_failures_are_shown_to_admins(
    app: FastAPI, db: sessionmaker[Session], personas: dict[str, Persona]
) -> None:
    for _ in range(3):
        _login(_client(app, "198.51.100.4"), "editor", "wrong password!")
    _login(_client(app, "198.51.100.4"), "ghost", "wrong password!")
    with db() as session:
        counted = auth.failed_sign_ins(session)
    assert counted.total == 4 and counted.by_account == {"editor": 3}
    page = personas["admin"].get("/desk/users")
    assert page.status_code == 200
    assert "Failed sign-ins in the last 24 hours: 4" in page.text
