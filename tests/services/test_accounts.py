"""Accounts: passwords, users and roles (audited by the service itself), sign-in, the
demo accounts."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import InputError, NotFound
from factdesk.services import accounts as auth
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.types import Account, Actor
from factdesk.workflow import Role
from tests.web.conftest import PASSWORD, add_user


def test_accounts_passwords_are_argon2_hashes(db: sessionmaker[Session]) -> None:
    add_user(db, "alice", "viewer")
    with db() as session:
        stored = session.scalars(select(m.User.password_hash)).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert auth.verify_password(stored, PASSWORD) and not auth.verify_password(stored, "nope")
    with pytest.raises(InputError, match="10 characters"):
        auth.hash_password("short")


def test_accounts_user_management_functions(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        auth.add_user(session, "bob", PASSWORD, "Editor")
        with pytest.raises(InputError, match="exists"):
            auth.add_user(session, "bob", PASSWORD, "viewer")
        with pytest.raises(InputError, match="unknown role"):
            auth.add_user(session, "carl", PASSWORD, "boss")
        with pytest.raises(InputError, match="spaces"):
            auth.add_user(session, "two words", PASSWORD, "viewer")
        assert auth.set_role(session, "bob", "admin") == ("editor", "admin")
        with pytest.raises(NotFound):
            auth.set_role(session, "nobody", "admin")
        auth.set_password(session, "bob", "another long password")
        assert [u.role for u in auth.list_users(session)] == ["admin"]


def _events(db: sessionmaker[Session]) -> list[m.AuditEvent]:
    with db() as session:
        return list(session.scalars(select(m.AuditEvent).order_by(m.AuditEvent.id)))


def test_accounts_changes_audit_themselves(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        admin = auth.add_user(session, "root", PASSWORD, "admin", actor="cli")
        by = Actor(admin.id, admin.username, Role.ADMIN)
        added = auth.add_user(session, "bob", PASSWORD, "viewer", actor=by)
        assert auth.set_role(session, "bob", "checker", actor=by) == ("viewer", "checker")
        auth.set_role(session, "bob", "editor", actor="cli")
    assert isinstance(added, Account) and (added.username, added.role) == ("bob", "viewer")
    rows = [(e.actor, e.actor_id, e.action, e.entity_id, e.before, e.after) for e in _events(db)]
    assert rows == [
        (
            "cli",
            None,
            "user.add",
            admin.id,
            None,
            {"username": "root", "role": "admin", "by": "cli"},
        ),
        ("root", admin.id, "user.add", added.id, None, {"username": "bob", "role": "viewer"}),
        (
            "root",
            admin.id,
            "user.set_role",
            None,
            {"username": "bob", "role": "viewer"},
            {"username": "bob", "role": "checker"},
        ),
        (
            "cli",
            None,
            "user.set_role",
            None,
            {"username": "bob", "role": "checker"},
            {"username": "bob", "role": "editor", "by": "cli"},
        ),
    ]


def test_accounts_sign_in_audits_and_refuses_wrong_passwords(
    db: sessionmaker[Session], settings: Settings
) -> None:
    user_id = add_user(db, "alice", "checker")
    with db.begin() as session:
        assert auth.sign_in(session, settings, "alice", "wrong password!", "10.0.0.1") is None
        token = auth.sign_in(session, settings, "alice", PASSWORD, "10.0.0.1")
    assert token
    with db() as session:
        signed_in = auth.load_session(session, token)
        account = auth.authenticate(session, settings, "alice", PASSWORD, "10.0.0.1")
    assert signed_in is not None and signed_in.actor == Actor(user_id, "alice", Role.CHECKER)
    assert account is not None and account.created_at is not None
    assert (account.id, account.username, account.role, account.active) == (
        user_id,
        "alice",
        "checker",
        True,
    )
    logins = [(e.actor, e.action, e.entity_id) for e in _events(db) if e.action == "user.login"]
    assert logins == [("alice", "user.login", user_id)]


def test_accounts_get_actor_and_demo_accounts(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        with pytest.raises(NotFound, match="nobody"):
            auth.get_actor(session, "nobody")
        first = auth.ensure_demo_users(session)
        second = auth.ensure_demo_users(session)  # reset: new passwords, same accounts
        actor = auth.get_actor(session, "editor")
    assert [(u, r) for u, _, r in first] == [
        ("admin", "admin"),
        ("editor", "editor"),
        ("checker", "checker"),
        ("viewer", "viewer"),
    ]
    assert all(a[1] != b[1] for a, b in zip(first, second, strict=True))
    assert actor.username == "editor" and actor.role is Role.EDITOR
    with db() as session:
        stored = {u.username: u.password_hash for u in session.scalars(select(m.User))}
    assert len(stored) == 4
    assert all(auth.verify_password(stored[u], p) for u, p, _ in second)


def test_accounts_last_active_admin_cannot_be_disabled(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        auth.add_user(session, "root", PASSWORD, "admin")
        with pytest.raises(InputError, match="last active admin"):
            auth.set_active(session, "root", False, actor="cli")
        auth.add_user(session, "root2", PASSWORD, "admin")
        assert auth.set_active(session, "root", False, actor="cli") is True
        assert auth.set_active(session, "root", False, actor="cli") is False


def test_accounts_own_password_needs_the_current_one(
    db: sessionmaker[Session], settings: Settings
) -> None:
    add_user(db, "mai", "checker")
    with db.begin() as session:
        actor = auth.get_actor(session, "mai")
        other = auth.start_session(
            session, settings, auth.as_account(session.get_one(m.User, actor.id))
        )
        assert (
            auth.change_own_password(session, settings, actor, "wrong", "new password 1", "a")
            is None
        )
        with pytest.raises(InputError, match="10 characters"):
            auth.change_own_password(session, settings, actor, PASSWORD, "short", "a")
    with db.begin() as session:
        assert auth.load_session(session, other) is not None  # nothing changed yet
        token = auth.change_own_password(session, settings, actor, PASSWORD, "new password 1", "a")
    with db.begin() as session:
        assert token and auth.load_session(session, token) is not None
        assert auth.load_session(session, other) is None  # every other browser is out
        user = session.get_one(m.User, actor.id)
        assert auth.verify_password(user.password_hash, "new password 1")
