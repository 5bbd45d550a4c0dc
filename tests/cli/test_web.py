"""`factdesk users ...` and `factdesk serve` against the test database."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services.accounts import verify_password
from factdesk.store import models as m

CLI = Any


def test_users_add_list_set_role(cli: CLI, db: sessionmaker[Session]) -> None:
    added = cli("users", "add", "hoa", "--role", "checker", "--generate")
    assert added.code == 0, added.err
    password = re.search(r"password: (\S+)", added.out)
    assert password
    with db() as session:
        user = session.scalars(select(m.User).where(m.User.username == "hoa")).one()
        assert user.role == "checker" and verify_password(user.password_hash, password[1])
        assert session.scalars(select(m.AuditEvent.action)).all() == ["user.add"]
    listed = cli("users", "list", "--format", "json")
    assert '"username": "hoa"' in listed.out and '"role": "checker"' in listed.out
    changed = cli("users", "set-role", "hoa", "editor")
    assert changed.code == 0 and "checker → editor" in changed.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "set-role", "nobody", "admin"), "no user 'nobody'"),
        (("users", "add", "x", "--role", "boss", "--generate"), "unknown role 'boss'"),
    ],
)
def test_users_errors_are_one_line(cli: CLI, args: tuple[str, ...], message: str) -> None:
    result = cli(*args)
    assert result.code == 1 and message in result.err and result.err.strip().count("\n") == 0


def test_serve_runs_the_app_on_host_and_port(cli: CLI, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(
        "factdesk.web.serve", lambda settings, host, port: calls.append((host, port))
    )
    result = cli("serve", "--host", "0.0.0.0", "--port", "8123")
    assert result.code == 0, result.err
    assert calls == [("0.0.0.0", 8123)]


def _sessions(db: sessionmaker[Session], username: str) -> int:
    with db() as session:
        user_id = session.scalars(select(m.User.id).where(m.User.username == username)).one()
        return len(
            session.scalars(select(m.WebSession).where(m.WebSession.user_id == user_id)).all()
        )


def _signed_in(db: sessionmaker[Session], username: str) -> None:
    from datetime import UTC, datetime, timedelta

    with db.begin() as session:
        user_id = session.scalars(select(m.User.id).where(m.User.username == username)).one()
        session.add(
            m.WebSession(
                token_hash=username.ljust(64, "0"),
                user_id=user_id,
                csrf="c",
                expires_at=datetime.now(UTC) + timedelta(hours=1),
            )
        )


def test_users_disable_enable_password_end_sessions(cli: CLI, db: sessionmaker[Session]) -> None:
    assert cli("users", "add", "lan", "--role", "editor", "--generate").code == 0
    _signed_in(db, "lan")
    disabled = cli("users", "disable", "lan")
    assert disabled.code == 0 and "signed out everywhere" in disabled.out
    assert _sessions(db, "lan") == 0
    with db() as session:
        assert session.scalars(select(m.User.active).where(m.User.username == "lan")).one() is False
    assert "was disabled" in cli("users", "disable", "lan").out
    assert cli("users", "enable", "lan").code == 0
    _signed_in(db, "lan")
    changed = cli("users", "password", "lan", "--generate")
    assert changed.code == 0, changed.err
    password = re.search(r"password: (\S+)", changed.out)
    assert password and _sessions(db, "lan") == 0
    with db() as session:
        user = session.scalars(select(m.User).where(m.User.username == "lan")).one()
        assert user.active and verify_password(user.password_hash, password[1])
        actions = session.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.id)).all()
    assert actions == ["user.add", "user.disable", "user.enable", "user.password"]
    assert "no user 'nobody'" in cli("users", "disable", "nobody").err
