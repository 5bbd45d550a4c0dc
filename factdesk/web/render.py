"""Rendering pages: the Jinja2 environment (autoescaping on), the common page context, the
Markdown renderer for explanations, and the interface language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from factdesk.web import i18n
from factdesk.web.deps import ANON_CSRF_COOKIE, SESSION_COOKIE, anonymous_csrf, desk
from factdesk.workflow import Permission, has_permission

# CommonMark with raw HTML off: an explanation can link and emphasise, never inject markup.
_MD = MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown(text: str | None) -> Markup:
    return Markup(_MD.render(text or ""))  # noqa: S704 - html is disabled in the renderer


def when(value: datetime | date | None, with_time: bool = True) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
    return value.isoformat()


def make_env() -> Environment:
    env = Environment(
        loader=PackageLoader("factdesk.web", "templates"),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package; no stat() per render
    )
    env.filters["when"] = when
    env.filters["markdown"] = markdown
    return env


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render template ``name`` with what every page needs: the language and its
    translate function ``_``, the actor and their CSRF token, the permission test ``can``."""
    state = desk(request)
    lang = i18n.pick(request, state.settings.default_ui_language)
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
