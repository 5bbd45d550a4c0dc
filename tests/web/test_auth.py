"""Signing in and out: argon2 hashes, database sessions, cookie flags, CSRF, rate limits,
security headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import accounts as auth
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.types import Actor
from factdesk.web.app import create_app
from tests.web.conftest import PASSWORD, Persona, TestClient, add_user


def _login(client: TestClient, username: str, password: str, next_url: str = "/desk/") -> object:
    client.get("/desk/login")
    return client.post(
        "/desk/login",
        data={
            "username": username,
            "password": password,
            "next": next_url,
            "csrf": client.cookies.get("fd_csrf") or "",
        },
        follow_redirects=False,
    )


def test_auth_login_creates_database_session_with_safe_cookie(
    app: FastAPI, db: sessionmaker[Session]
) -> None:
    add_user(db, "alice", "checker")
    client = TestClient(app)
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/desk/"
    cookie = response.headers["set-cookie"]
    assert "fd_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http in tests; see the next test
    token = client.cookies.get("fd_session") or ""
    with db() as session:
        row = session.scalars(select(m.WebSession)).one()
    assert row.token_hash == auth.token_hash(token) != token  # only the hash is stored
    assert client.get("/desk/", follow_redirects=False).status_code == 200


def test_auth_secure_cookie_setting(web_settings: Settings, engine, db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(web_settings.model_copy(update={"secure_cookies": True}), engine=engine)
    add_user(db, "alice", "checker")
    response = _login(TestClient(app), "alice", PASSWORD)
    assert "Secure" in response.headers["set-cookie"]


def test_auth_wrong_password_is_refused_and_counted(
    app: FastAPI, db: sessionmaker[Session]
) -> None:
    add_user(db, "alice", "viewer")
    client = TestClient(app, headers={"accept-language": "en"})
    response = _login(client, "alice", "wrong password!")
    assert response.status_code == 401 and "Wrong user name or password" in response.text
    assert _login(client, "nobody", "wrong password!").status_code == 401
    with db() as session:
        failures = session.scalar(
            select(func.count()).select_from(m.RateEvent).where(m.RateEvent.ok.is_(False))
        )
        keys = session.scalars(select(m.RateEvent.key)).all()
    assert failures == 6  # per (address, name), per address and per name, for each attempt
    assert all("alice" not in k and "testclient" not in k for k in keys)  # keyed hashes


def test_auth_login_rate_limit_pauses_even_right_password(
    app: FastAPI, db: sessionmaker[Session], web_settings: Settings
) -> None:
    add_user(db, "alice", "viewer")
    client = TestClient(app)
    for _ in range(web_settings.login_max_failures):
        assert _login(client, "alice", "wrong password!").status_code == 401
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    with db.begin() as session:  # the window passes
        session.execute(update(m.RateEvent).values(at=datetime.now(UTC) - timedelta(hours=1)))
    assert _login(client, "alice", PASSWORD).status_code == 303


def test_auth_login_needs_its_csrf_cookie(app: FastAPI, db: sessionmaker[Session]) -> None:
    add_user(db, "alice", "viewer")
    response = TestClient(app).post(
        "/desk/login",
        data={"username": "alice", "password": PASSWORD, "csrf": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_auth_login_never_redirects_off_site(
    app: FastAPI, db: sessionmaker[Session], target: str
) -> None:
    add_user(db, "alice", "viewer")
    response = _login(TestClient(app), "alice", PASSWORD, next_url=target)
    assert response.headers["location"] == "/desk/"


def test_auth_logout_ends_the_session(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    viewer = personas["viewer"]
    response = viewer.post("/desk/logout")
    assert response.status_code == 303 and response.headers["location"] == "/desk/login"
    with db() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(m.WebSession)
                .where(m.WebSession.user_id == viewer.user_id)
            )
            == 0
        )


def test_auth_expired_session_redirects_to_login(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    with db.begin() as session:
        session.execute(update(m.WebSession).values(expires_at=datetime.now(UTC) - timedelta(1)))
    response = personas["admin"].get("/desk/queue?q=x")
    assert response.status_code == 303
    assert response.headers["location"] == "/desk/login?next=/desk/queue"


def test_auth_api_without_session_answers_401(app: FastAPI) -> None:
    from fastapi import APIRouter, Depends

    from factdesk.web.deps import require
    from factdesk.workflow import Permission

    router = APIRouter()

    @router.get("/api/v1/_probe")
    def probe(actor: Actor = Depends(require(Permission.READ))) -> dict[str, str]:
        return {"user": actor.username}

    app.include_router(router)
    response = TestClient(app).get("/api/v1/_probe")
    assert response.status_code == 401 and response.json()["error"] == "sign in first"


def test_auth_security_headers_on_every_response(personas: dict[str, Persona]) -> None:
    for p, path in (
        (personas["outsider"], "/"),
        (personas["admin"], "/desk/"),
        (personas["outsider"], "/static/app.css"),
        (personas["outsider"], "/nope"),
    ):
        headers = p.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
    assert personas["admin"].get("/desk/").headers["cache-control"] == "no-store"
