"""The public pages: the Jinja environment of the public templates and what each page shows.

The templates (``publish/templates``: the base layout, the macros and ``public/*``) and the
static files (``publish/static``) ship with this package. The web shell renders the same
templates for a request (its environment puts the newsroom's templates first, see
:func:`factdesk.web.render.make_env`); the static export renders them without one
(:func:`render_static`). Both take their context from the ``*_context`` functions here, so
the exported site and the live one cannot drift apart.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from factdesk.publish import urls

STATIC = Path(__file__).parent / "static"

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


def environment(*first: BaseLoader) -> Environment:
    """The Jinja environment of the public templates (autoescaping on); loaders in
    ``first`` are searched before them (the web shell's newsroom templates)."""
    env = Environment(
        loader=ChoiceLoader([*first, PackageLoader("factdesk.publish", "templates")]),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package; no stat() per render
    )
    env.filters["when"] = when
    env.filters["markdown"] = markdown
    env.globals["archive_path"] = urls.archive_path
    return env
