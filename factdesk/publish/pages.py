"""The public pages: the Jinja environment of the public templates and what each page shows.

The templates (``publish/templates``: the base layout, the macros and ``public/*``) and the
static files (``publish/static``) ship with this package. The web shell renders the same
templates for a request (its environment puts the newsroom's templates first, see
:func:`factdesk.web.render.make_env`); the static export renders them without one
(:func:`render_static`). Both take their context from the ``*_context`` functions here, so
the exported site and the live one cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from factdesk.publish import i18n, urls
from factdesk.publish.claimreview import claimreview_jsonld
from factdesk.publish.documents import archive_document
from factdesk.settings import Settings
from factdesk.types import ArchivedCopy, FactCheck, Organisation, Page

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


# --- what each page shows (the live site and the static export) --------------------------


def index_context(
    listing: Page[FactCheck], *, query: str, language: str | None, languages: Sequence[str]
) -> dict[str, Any]:
    return {
        "fact_checks": listing.items,
        "total": listing.total,
        "query": query,
        "language": language or "",
        "languages": list(languages),
        "page_number": listing.number,
        "pages": listing.pages,
        "feed_languages": list(languages),
    }


def fact_check_context(fc: FactCheck, org: Organisation, base_url: str) -> dict[str, Any]:
    return {
        "fc": fc,
        "org": org,
        "claimreview": None if fc.withdrawn else claimreview_jsonld(fc, org, base_url),
        "canonical": urls.absolute(base_url, urls.fact_check_path(fc.id)),
        "json_path": urls.fact_check_json_path(fc.id),
    }


def archive_context(copy: ArchivedCopy, base_url: str) -> dict[str, Any]:
    """The archived copy's page shows its document (the ``.json`` twin's content), its text
    cut into segments so each cited quote is marked with its anchor (``#quote-N``, the
    citation's id: the public fact-check links each quote there)."""
    return {"doc": archive_document(copy, base_url), "segments": quote_segments(copy)}


def quote_segments(copy: ArchivedCopy) -> list[tuple[str, str | None]]:
    """``(text, anchor)`` pieces of the copy's text in order; a quote overlapping an
    earlier one gets an empty anchor at its start (both stay reachable)."""
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for cid, start, end in sorted(copy.quotes, key=lambda q: (q[1], q[2])):
        anchor = f"quote-{cid}"
        if start < at:  # overlaps the previous mark
            pieces.append(("", anchor))
            continue
        if start > at:
            pieces.append((copy.text[at:start], None))
        pieces.append((copy.text[start:end], anchor))
        at = end
    pieces.append((copy.text[at:], None))
    return pieces


def render_static(
    env: Environment, template: str, *, settings: Settings, path: str, **context: Any
) -> str:
    """Render a public template without a request (the static export): no sign-in, no
    forms, links prefixed for where the site is served, in the default UI language."""
    lang = settings.default_ui_language if settings.default_ui_language in i18n.LANGUAGES else "vi"
    return env.get_template(template).render(
        request=None,
        lang=lang,
        _=i18n.translator(lang),
        actor=None,
        csrf="",
        can=lambda _p: False,
        path=path,
        static_site=True,
        prefix=urls.site_prefix(settings.public_base_url),
        **context,
    )
