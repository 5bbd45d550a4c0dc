"""FACTDESK_LOG_FORMAT=json: one JSON object per line with the request's id and route, and
no password, webhook secret, session cookie or bearer token in any line — with every
logger turned up to DEBUG and SQLAlchemy echoing its bound parameters."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from factdesk import logs
from factdesk.services.webhooks import add_webhook
from factdesk.settings import Settings
from tests.web.conftest import TestClient

PASSWORD = "Tr0ub4dor&3-never-logged"


@pytest.fixture
def captured(settings: Settings) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    engine_log = logging.getLogger("sqlalchemy.engine")
    logs.configure(settings.model_copy(update={"log_format": "json"}), stream=stream,
                   level=logging.DEBUG)  # fmt: skip
    engine_log.setLevel(logging.INFO)  # SQL and its bound parameters
    yield stream
    engine_log.setLevel(logging.WARNING)
    root.handlers[:] = handlers
    root.setLevel(level)


def test_logs_json_lines_never_carry_secrets(
    app: FastAPI, db: sessionmaker[Session], captured: io.StringIO
) -> None:
    from factdesk.services import accounts as auth

    with db.begin() as session:
        auth.add_user(session, "alice", PASSWORD, "editor")
        _, secret = add_webhook(session, "http://127.0.0.1:9/hook", allow_private=True)
    client = TestClient(app)
    client.get("/desk/login", headers={"X-Request-ID": "req-123"})
    answer = client.post(
        "/desk/login",
        data={
            "username": "alice",
            "password": PASSWORD,
            "csrf": client.cookies.get("fd_csrf") or "",
            "next": "/desk/",
        },  # fmt: skip
        follow_redirects=False,
        headers={"X-Request-ID": "req-456"},
    )
    assert answer.status_code == 303
    session_token = answer.cookies.get("fd_session") or ""
    assert session_token
    log = logging.getLogger("factdesk.test")
    # What careless code might log: each must come out redacted.
    log.warning("login form %s", {"username": "alice", "password": PASSWORD})
    log.info("headers: Authorization: Bearer %s; Cookie: fd_session=%s", "abc123xyz", session_token)
    log.info("calling https://partner.example/hook?token=%s&x=1", "tok-9f8e7d6c")
    log.info("webhook created with %s", secret)
    try:
        raise ValueError(f"receiver refused signature made with {secret}")
    except ValueError:
        log.exception("failed")
    text = captured.getvalue()
    assert text, "nothing was logged"
    for leaked in (PASSWORD, secret, secret.removeprefix("whsec_"), session_token, "abc123xyz",
                   "tok-9f8e7d6c"):  # fmt: skip
        assert leaked not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert any(line["logger"].startswith("sqlalchemy.engine") for line in lines)
    tagged = [line for line in lines if line.get("request_id") == "req-456"]
    assert tagged and all(line["route"] in ("/desk/login", "unmatched") for line in tagged)
    assert any("[redacted]" in line["message"] for line in lines)
    assert any("exception" in line and "[redacted]" in line["exception"] for line in lines)


def test_logs_text_format_redacts_too(settings: Settings) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        logs.configure(settings, stream=stream)
        logging.getLogger("factdesk.test").warning("password=%s", "hunter2hunter2")
    finally:
        root.handlers[:] = handlers
    assert "hunter2hunter2" not in stream.getvalue()
    assert "password=[redacted]" in stream.getvalue()


def test_logs_bad_format_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from factdesk.errors import ConfigError
    from factdesk.settings import load_settings

    monkeypatch.setenv("FACTDESK_LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="FACTDESK_LOG_FORMAT"):
        load_settings()


def test_default_handler_follows_stderr_when_it_is_replaced(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command run under a test runner swaps stderr and closes the swap afterwards; a
    worker thread logging later must write to the stderr of that moment, not the closed one."""
    import io
    import sys

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    try:
        logs.configure(settings, level=logging.INFO)
        first.close()
        second = io.StringIO()
        monkeypatch.setattr(sys, "stderr", second)
        logging.getLogger("factdesk.test").warning("still heard")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    assert "still heard" in second.getvalue()
