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
