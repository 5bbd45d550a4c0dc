"""Signing in and out, one's own account (``/desk/account``: change the password), and
choosing the interface language."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from factdesk.errors import InputError
from factdesk.publish import i18n
from factdesk.services import accounts
from factdesk.types import Actor
from factdesk.web.deps import (
    SESSION_COOKIE,
    check_anonymous_csrf,
    client_address,
    db,
    desk,
    require,
)
from factdesk.web.render import page, secure, set_session_cookie
from factdesk.workflow import Permission

router = APIRouter()


def safe_next(target: str, default: str = "/desk/") -> str:
    """Only redirect within the site after sign-in (no open redirect)."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


@router.get("/desk/login")
def login_form(request: Request, next: str = "/desk/") -> Response:
    return page(request, "login.html", next=safe_next(next), error=None, username="")


@router.post("/desk/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf: str = Form(""),
    next: str = Form("/desk/"),
    session: Session = Depends(db),
) -> Response:
    check_anonymous_csrf(request, csrf)
    settings = desk(request).settings
    with session.begin():
        token = accounts.sign_in(session, settings, username, password, client_address(request))
    if token is None:
        return page(
            request,
            "login.html",
            status=401,
            next=safe_next(next),
            error="Wrong user name or password.",
            username=username[:100],
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.post("/desk/logout")
def logout(
    request: Request,
    actor: Actor = Depends(require(Permission.READ)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        accounts.end_session(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/desk/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=secure(request), httponly=True, samesite="lax"
    )
    return response


@router.get("/desk/account")
def account_form(request: Request, actor: Actor = Depends(require(Permission.READ))) -> Response:
    return page(request, "account.html", error=None, changed=request.query_params.get("changed"))


@router.post("/desk/account/password")
def change_password(
    request: Request,
    current: str = Form(""),
    password: str = Form(""),
    confirm: str = Form(""),
    actor: Actor = Depends(require(Permission.READ)),
    session: Session = Depends(db),
) -> Response:
    """Change one's own password: every other browser signed in as this user is signed out,
    and this one gets a fresh session."""
    if password != confirm:
        raise InputError("the new password and its confirmation differ", where="confirm")
    settings = desk(request).settings
    with session.begin():
        token = accounts.change_own_password(
            session, settings, actor, current, password, client_address(request)
        )
    if token is None:
        raise InputError("the current password is wrong", where="current")
    response = RedirectResponse("/desk/account?changed=1", status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.get("/lang/{code}")
def choose_language(request: Request, code: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next, "/"), status_code=303)
    if code in i18n.LANGUAGES:
        response.set_cookie(
            i18n.COOKIE, code, max_age=365 * 86400, samesite="lax", secure=secure(request), path="/"
        )
    return response
