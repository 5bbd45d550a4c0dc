"""Fixtures for the web app: the app on the test database, personas signed in with real
sessions, a small seeded newsroom, and an HTTP server on 127.0.0.1 serving cited pages."""

from __future__ import annotations

import secrets
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import accounts as auth
from factdesk.services import ratelimit
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.web.app import create_app

with warnings.catch_warnings():
    # Starlette asks for its httpx fork; plain httpx works the same for in-process tests.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery"
ROLES = ("admin", "editor", "checker", "viewer")
PERSONAS = (*ROLES, "outsider")


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its real cost takes ~50 ms a hash; tests use the cheapest parameters."""
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    ratelimit.forget_secret()


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    update: dict[str, object] = {"web_cache_seconds": 0.0}
    if "match_dense" in Settings.model_fields:  # lexical matching: no embedding model to load
        update["match_dense"] = False
    return settings.model_copy(update=update)


@pytest.fixture
def app(web_settings: Settings, engine: Engine) -> FastAPI:
    return create_app(web_settings, engine=engine)


@dataclass
class Persona:
    """A signed-in (or anonymous) user driving the app in-process."""

    name: str
    client: TestClient
    csrf: str = ""
    user_id: int | None = None

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(url, follow_redirects=False, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        form = {"csrf": self.csrf, **(data or {})}
        return self.client.post(url, data=form, follow_redirects=False, **kwargs)


def add_user(db: sessionmaker[Session], username: str, role: str) -> int:
    with db.begin() as session:
        return auth.add_user(session, username, PASSWORD, role).id


def sign_in(app: FastAPI, db: sessionmaker[Session], username: str, role: str) -> Persona:
    """A persona with a real session row (what the login form creates) and its CSRF token."""
    user_id = add_user(db, username, role)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with db.begin() as session:
        session.add(
            m.WebSession(
                token_hash=auth.token_hash(token),
                user_id=user_id,
                csrf=csrf,
                expires_at=datetime.now(UTC) + timedelta(hours=1),
            )
        )
    client = TestClient(app, headers={"accept-language": "en"})
    client.cookies.set("fd_session", token)
    return Persona(username, client, csrf, user_id)


@pytest.fixture
def personas(app: FastAPI, db: sessionmaker[Session]) -> dict[str, Persona]:
    people = {role: sign_in(app, db, role, role) for role in ROLES}
    people["outsider"] = Persona("outsider", TestClient(app, headers={"accept-language": "en"}))
    return people


@pytest.fixture
def second_editor(app: FastAPI, db: sessionmaker[Session]) -> Persona:
    return sign_in(app, db, "editor2", "editor")


def seed_claim(
    db: sessionmaker[Session],
    text: str = "Vaccine X causes infertility in 50% of women",
    *,
    score: float = 0.9,
    mentions: int = 4,
    language: str = "en",
    status: str = "new",
) -> int:
    """A claim with mentions on different days, from items of one feed source."""
    now = datetime.now(UTC)
    with db.begin() as session:
        source = m.Source(
            kind="feed",
            location=f"https://news.example/{secrets.token_hex(4)}.xml",
            name="Example News",
        )
        session.add(source)
        session.flush()
        claim = m.Claim(
            text=text,
            language=language,
            score=score,
            status=status,
            mention_count=mentions,
            first_seen_at=now - timedelta(days=mentions),
            last_seen_at=now,
        )
        session.add(claim)
        session.flush()
        for i in range(mentions):
            item = m.Item(
                source_id=source.id,
                dedupe_key=f"hash:{secrets.token_hex(8)}",
                url=f"https://news.example/post/{i}",
                text=f"Post {i}: {text}",
                language=language,
                content_hash=secrets.token_hex(8),
            )
            session.add(item)
            session.flush()
            session.add(
                m.Mention(
                    item_id=item.id,
                    claim_id=claim.id,
                    text=text,
                    start=0,
                    end=len(text),
                    score=score,
                    language=language,
                    seen_at=now - timedelta(days=i),
                )
            )
        return claim.id


@pytest.fixture
def claim_id(db: sessionmaker[Session]) -> int:
    return seed_claim(db)


# --- a web server for cited pages ---------------------------------------------------------


class Pages:
    """Pages the evidence server serves: path -> (content type, body); change them at will."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.base = ""

    def add(
        self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8"
    ) -> str:
        self.pages[path] = (content_type, body.encode() if isinstance(body, str) else body)
        return self.base + path


def article(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title></head><body>"
        f"<article><h1>{title}</h1>{body}</article></body></html>"
    )


@pytest.fixture
def evidence_server() -> Iterator[Pages]:
    pages = Pages()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            found = pages.pages.get(self.path.split("?")[0])
            if found is None:
                self.send_error(404)
                return
            content_type, body = found
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    pages.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield pages
    server.shutdown()
    server.server_close()


REPORT = article(
    "Health ministry report on vaccine X",
    [
        "The national health ministry followed 120,000 women who received vaccine X for three "
        "years and found no change in fertility rates compared with women who did not.",
        "Fertility rates in both groups stayed within 0.3 percentage points of each other, "
        "which is inside the normal year-to-year variation.",
        "The report was reviewed by two independent university teams before publication.",
    ],
)
QUOTE = "found no change in fertility rates"
