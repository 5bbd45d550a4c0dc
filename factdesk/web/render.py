"""Rendering pages for a request: the Jinja2 environment (the newsroom's templates, then the
public ones of :mod:`factdesk.publish.pages`), the common page context, and the interface
language a request asks for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from factdesk.publish import i18n, pages
from factdesk.web.deps import ANON_CSRF_COOKIE, SESSION_COOKIE, anonymous_csrf, desk
from factdesk.web.fragments import CSRF_SLOT, WROTE_COOKIE, last_write
from factdesk.workflow import Permission, has_permission

__all__ = ["listing", "make_env", "page", "pick", "secure", "set_session_cookie"]


def make_env() -> Environment:
    """The newsroom's templates first, then the public ones (``_base.html``, ``_macros.html``,
    ``public/*``), which desk templates extend and import by name."""
    return pages.environment(PackageLoader("factdesk.web", "templates"))


def pick(request: Request, default: str) -> str:
    """The interface language of a request: the ``fd_lang`` cookie (set by the language
    links), else the browser's Accept-Language, else ``default``."""
    cookie = request.cookies.get(i18n.COOKIE)
    return i18n.choose(cookie, request.headers.get("accept-language", ""), default)


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render template ``name`` with what every page needs: the language and its
    translate function ``_``, the actor and their CSRF token, the permission test ``can``."""
    state = desk(request)
    lang = pick(request, state.settings.default_ui_language)
    actor = getattr(request.state, "actor", None)
    csrf = getattr(request.state, "csrf", None) or anonymous_csrf(request)
    html = state.env.get_template(name).render(
        request=request,
        lang=lang,
        _=i18n.translator(lang),
        actor=actor,
        csrf=csrf,
        can=(lambda p: actor is not None and has_permission(actor.role, Permission(p))),
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    new_token = getattr(request.state, "new_anon_csrf", None)
    if new_token:
        response.set_cookie(
            ANON_CSRF_COOKIE,
            new_token,
            httponly=True,
            samesite="lax",
            secure=secure(request),
            path="/",
        )
    return response


def listing(
    request: Request,
    fragment: str,
    context: Callable[[], dict[str, Any]],
    layout: str | None = None,
    **page_context: Any,
) -> HTMLResponse:
    """A desk list: template ``fragment`` rendered from ``context()`` through the desk's
    fragment cache (web/fragments.py: shared by the users of this process for a few
    seconds, never across roles or languages, never older than the user's own last
    write), inside ``layout`` rendered for this request (or alone, for HTMX).

    ``context`` is called only when the list is rendered, so a cached list reads nothing.
    The fragment sees the language, ``_``, ``can`` and ``path``, and a stand-in for the
    CSRF token replaced by the user's own afterwards; not the actor or the request."""
    state = desk(request)
    lang = pick(request, state.settings.default_ui_language)
    actor = getattr(request.state, "actor", None)
    role = actor.role if actor is not None else None

    def render() -> str:
        return state.env.get_template(fragment).render(
            lang=lang,
            _=i18n.translator(lang),
            csrf=CSRF_SLOT,
            can=(lambda p: role is not None and has_permission(role, Permission(p))),
            path=request.url.path,
            **context(),
        )

    key = (fragment, request.url.path, request.url.query, lang, role)
    not_before = last_write(request.cookies.get(WROTE_COOKIE))
    html = state.fragments.get(key, render, not_before=not_before)
    csrf = getattr(request.state, "csrf", None) or anonymous_csrf(request)
    html = html.replace(CSRF_SLOT, csrf)
    if layout is None:
        return HTMLResponse(html)
    return page(request, layout, body=Markup(html), **page_context)  # noqa: S704 - our render


def secure(request: Request) -> bool:
    return desk(request).settings.secure_cookies or request.url.scheme == "https"


def set_session_cookie(request: Request, response: Any, token: str) -> None:
    settings = desk(request).settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
        max_age=int(settings.session_hours * 3600),
    )
