"""The whole public site as files: records in, ``(path, bytes)`` out.

Every page is a directory with ``index.html`` (``/fact-checks/12/`` is
``fact-checks/12/index.html``); every ``.json`` twin, feed, the sitemap and the DataFeed is
a plain file, so any web server serves the directory as it is. Pages are rendered from the
same templates and contexts as the live site (:mod:`factdesk.publish.pages`); only the
search form and the links that need the app (sign-in, tipline, language switch) are left
out. Writing the files (a staging directory, then an atomic swap) is the service's:
:func:`factdesk.services.publish.export_site`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from factdesk.publish import feeds, urls
from factdesk.publish.documents import fact_check_document, index_document
from factdesk.publish.pages import (
    archive_context,
    environment,
    fact_check_context,
    index_context,
    render_static,
)
from factdesk.settings import Settings
from factdesk.types import ArchivedCopy, FactCheck, Organisation, Page


@dataclass(frozen=True)
class Site:
    """What the static site shows, as read from the store.

    ``fact_checks``: every public fact-check, newest publication first; ``feeds``: the
    latest changes for the main feed (key ``None``) and for each feed language;
    ``feed_languages``: the languages with an Atom feed — every configured language (its
    feed exists, empty, before a first fact-check, so readers can subscribe from day one)
    and every language something was published in (``languages`` when not given);
    ``archived``: the archived copies live fact-checks cite (may be a lazy iterable, read
    once); ``last_change``: when anything public last changed.
    """

    settings: Settings
    org: Organisation
    fact_checks: Sequence[FactCheck]
    languages: Sequence[str]
    feeds: Mapping[str | None, Sequence[FactCheck]]
    last_change: datetime | None
    archived: Iterable[ArchivedCopy] = ()
    feed_languages: Sequence[str] = ()


def file_path(path: str) -> str:
    """The file a URL path is written to (``/a/`` -> ``a/index.html``)."""
    relative = path.lstrip("/")
    if not relative or relative.endswith("/"):
        relative += "index.html"
    return relative


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def files(
    site: Site, *, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[str, bytes]]:
    """Every file of the site, as (relative path, content); ``progress(1)`` after each
    fact-check. The static files (``publish/static``) are not included."""
    env = environment()
    settings, org, base = site.settings, site.org, site.settings.public_base_url
    everything = site.fact_checks

    def html(template: str, path: str, **context: Any) -> tuple[str, bytes]:
        page = render_static(env, template, settings=settings, path=path, **context)
        return file_path(path), page.encode("utf-8")

    listing = Page(tuple(everything), len(everything), 0, max(len(everything), 1))
    yield html(
        "public/index.html",
        urls.INDEX,
        **index_context(listing, query="", language=None, languages=site.languages),
    )
    yield (
        file_path(urls.INDEX_JSON),
        _json(
            index_document(
                everything, base_url=base, total=len(everything), offset=0, limit=len(everything)
            )
        ),
    )
    for fc in everything:
        path = urls.fact_check_path(fc.id)
        yield html("public/factcheck.html", path, **fact_check_context(fc, org, base))
        yield file_path(urls.fact_check_json_path(fc.id)), _json(fact_check_document(fc, org, base))
        if progress:
            progress(1)
    for copy in site.archived:
        path = urls.archive_path(copy.id)
        context = archive_context(copy, base)
        yield html("public/archive.html", path, **context)
        yield file_path(urls.archive_json_path(copy.id)), _json(context["doc"])
    yield file_path(urls.FEED), feeds.feed(site.feeds.get(None, ()), org, base)
    for language in site.feed_languages or site.languages:
        yield (
            file_path(urls.language_feed_path(language)),
            feeds.feed(site.feeds.get(language, ()), org, base, language),
        )
    yield file_path(urls.SITEMAP), feeds.site_map(everything, base, site.last_change)
    yield (
        file_path(urls.DATAFEED),
        _json(feeds.claimreview_feed(everything, org, base, site.last_change)),
    )
    yield file_path(urls.ROBOTS), feeds.robots(base).encode("utf-8")
