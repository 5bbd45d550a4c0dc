"""Accounts in the web pages: an admin disables an account or sets its password, sees and
ends sessions; a user changes their own password. Each of these ends sessions at once."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.store import models as m
from tests.web.conftest import PASSWORD, Persona, sign_in


def _signed_out(p: Persona) -> bool:
    response = p.get("/desk/")
    return response.status_code == 303 and "/desk/login" in response.headers["location"]


def test_admin_disables_an_account_and_its_sessions_end(
    app: FastAPI, db: sessionmaker[Session], personas: dict[str, Persona]
) -> None:
    admin, editor = personas["admin"], personas["editor"]
    second_browser = sign_in(app, db, "editor-b", "editor")
    assert editor.get("/desk/").status_code == 200
    response = admin.post("/desk/users/editor/active", {"active": "0"})
    assert response.status_code == 303
    assert _signed_out(editor) and not _signed_out(second_browser)
    with db() as session:
        user = session.scalars(select(m.User).where(m.User.username == "editor")).one()
        assert not user.active
        assert not session.scalars(
            select(m.WebSession).where(m.WebSession.user_id == user.id)
        ).all()
    assert admin.post("/desk/users/admin/active", {"active": "0"}).status_code == 400  # oneself
    assert admin.post("/desk/users/editor/active", {"active": "1"}).status_code == 303
    with db() as session:
        actions = session.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.id)).all()
    assert actions[-2:] == ["user.disable", "user.enable"]


def test_admin_sets_a_password_and_the_sessions_end(
    db: sessionmaker[Session], personas: dict[str, Persona]
) -> None:
    admin, checker = personas["admin"], personas["checker"]
    assert admin.post("/desk/users/checker/password", {"password": "short"}).status_code == 400
    assert not _signed_out(checker)
    assert (
        admin.post("/desk/users/checker/password", {"password": "a new long one"}).status_code
        == 303
    )
    assert _signed_out(checker)


def test_admin_lists_and_ends_sessions(
    db: sessionmaker[Session], personas: dict[str, Persona]
) -> None:
    admin, viewer = personas["admin"], personas["viewer"]
    page = admin.get("/desk/users")
    assert page.status_code == 200 and 'id="sessions"' in page.text
    with db() as session:
        sessions = session.scalars(
            select(m.WebSession.id).where(m.WebSession.user_id == viewer.user_id)
        ).all()
    assert len(sessions) == 1 and f"/desk/sessions/{sessions[0]}/end" in page.text
    assert admin.post(f"/desk/sessions/{sessions[0]}/end").status_code == 303
    assert _signed_out(viewer) and not _signed_out(admin)
    assert admin.post(f"/desk/sessions/{sessions[0]}/end").status_code == 404


def test_user_changes_own_password(
    app: FastAPI, db: sessionmaker[Session], personas: dict[str, Persona]
) -> None:
    viewer = personas["viewer"]
    elsewhere = sign_in(app, db, "viewer-laptop", "viewer")  # another user: stays in
    form = viewer.get("/desk/account")
    assert form.status_code == 200 and 'name="current"' in form.text
    wrong = viewer.post(
        "/desk/account/password",
        {"current": "not it at all", "password": "brand new pass", "confirm": "brand new pass"},
    )
    assert wrong.status_code == 400 and "current password is wrong" in wrong.text
    mismatch = viewer.post(
        "/desk/account/password",
        {"current": PASSWORD, "password": "brand new pass", "confirm": "brand new pas"},
    )
    assert mismatch.status_code == 400
    old_cookie = viewer.client.cookies.get("fd_session") or ""
    done = viewer.post(
        "/desk/account/password",
        {"current": PASSWORD, "password": "brand new pass", "confirm": "brand new pass"},
    )
    assert done.status_code == 303 and done.headers["location"] == "/desk/account?changed=1"
    new_cookie = done.cookies.get("fd_session") or ""
    assert new_cookie and new_cookie != old_cookie
    viewer.client.cookies.clear()
    viewer.client.cookies.set("fd_session", old_cookie)
    assert _signed_out(viewer)  # the session the password was changed in is gone too
    viewer.client.cookies.clear()
    viewer.client.cookies.set("fd_session", new_cookie)
    assert viewer.get("/desk/").status_code == 200  # this browser has a fresh session
    with db() as session:
        rows = session.scalars(
            select(m.WebSession).where(m.WebSession.user_id == viewer.user_id)
        ).all()
    assert len(rows) == 1 and not _signed_out(elsewhere)
