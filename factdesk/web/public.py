"""The public site: no sign-in, only our published, corrected and withdrawn fact-checks.

Every page has a ``.json`` twin built from the same record, and the machine-readable
documents sit beside them: the Atom feeds, the sitemap, the ClaimReview DataFeed. The same
renderers (:func:`render_static`, the ``*_context`` functions and :func:`documents`) write
the static export, so the exported site and the live one cannot drift apart. Imported
fact-checks (other publishers') are never shown here: they serve the desk for matching.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment
from sqlalchemy.orm import Session

from factdesk.errors import NotFound
from factdesk.publish import i18n, urls
from factdesk.publish.atom import atom_feed, fact_check_entry
from factdesk.publish.claimreview import claimreview_jsonld
from factdesk.publish.datafeed import datafeed
from factdesk.publish.documents import archive_document, fact_check_document, index_document
from factdesk.publish.records import Organisation, PublishedFactCheck
from factdesk.publish.sitemap import SitemapURL, sitemap
from factdesk.settings import Settings
from factdesk.store.reads import public as queries
from factdesk.web.deps import db, desk
from factdesk.web.render import page

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
CACHE = "public, max-age=60"
ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
LDJSON = "application/ld+json; charset=utf-8"


def site_prefix(settings: Settings) -> str:
    """The path part of the public base URL ("" at a host's root), prefixed to every link."""
    return urlparse(settings.public_base_url).path.rstrip("/")


# --- what each page shows (shared with the static export) ---------------------------------


def index_context(
    page_: queries.PublicPage, *, query: str, language: str | None, languages: list[str]
) -> dict[str, Any]:
    pages = max(1, -(-page_.total // page_.limit)) if page_.limit else 1
    return {
        "fact_checks": page_.items,
        "total": page_.total,
        "query": query,
        "language": language or "",
        "languages": languages,
        "page_number": page_.offset // page_.limit + 1 if page_.limit else 1,
        "pages": pages,
        "feed_languages": languages,
    }


def fact_check_context(fc: PublishedFactCheck, org: Organisation, base_url: str) -> dict[str, Any]:
    jsonld = None if fc.withdrawn else claimreview_jsonld(fc, org, base_url)
    return {
        "fc": fc,
        "org": org,
        "claimreview": jsonld,
        "canonical": urls.absolute(base_url, urls.fact_check_path(fc.id)),
        "json_path": urls.fact_check_json_path(fc.id),
    }


def render_static(
    env: Environment, template: str, *, settings: Settings, path: str, **context: Any
) -> str:
    """Render a public template without a request (the static export): no sign-in, no
    forms, links prefixed for where the site is served."""
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
        prefix=site_prefix(settings),
        **context,
    )


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    settings = desk(request).settings
    response = page(request, template, static_site=False, prefix=site_prefix(settings), **context)
    response.headers["Cache-Control"] = CACHE
    return response


def _json(data: Any, media_type: str = "application/json") -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    return Response(body, media_type=media_type, headers={"Cache-Control": CACHE})


def _cached(request: Request, body: bytes, media_type: str) -> Response:
    """A generated document with an ETag: a feed reader polling an unchanged feed gets 304."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


# --- documents (shared with the static export) --------------------------------------------


@dataclass(frozen=True)
class Documents:
    """Builds the site's machine-readable documents for one settings object."""

    settings: Settings

    @property
    def org(self) -> Organisation:
        return queries.organisation(self.settings)

    @property
    def base(self) -> str:
        return self.settings.public_base_url

    def feed(self, session: Session, language: str | None = None) -> bytes:
        entries = queries.recent_changes(session, limit=self.settings.feed_size, language=language)
        path = urls.language_feed_path(language) if language else urls.FEED
        title = self.org.name + (f" ({language})" if language else "")
        updated = max((fc.updated for fc in entries), default=None) or datetime(
            1970, 1, 1, tzinfo=UTC
        )
        return atom_feed(
            [fact_check_entry(fc, self.base) for fc in entries],
            feed_id=urls.absolute(self.base, path),
            title=title,
            self_url=urls.absolute(self.base, path),
            alternate_url=urls.absolute(self.base, urls.INDEX),
            author=self.org,
            updated=updated,
            language=language,
        )

    def sitemap(
        self, session: Session, records: Sequence[PublishedFactCheck] | None = None
    ) -> bytes:
        """``records``: every public fact-check when the caller holds them already."""
        entries = [SitemapURL(urls.absolute(self.base, urls.INDEX), queries.last_change(session))]
        for fc in records if records is not None else queries.iter_public(session):
            entries.append(
                SitemapURL(urls.absolute(self.base, urls.fact_check_path(fc.id)), fc.updated)
            )
        return sitemap(entries)

    def datafeed(
        self, session: Session, records: Sequence[PublishedFactCheck] | None = None
    ) -> dict[str, Any]:
        chosen = records if records is not None else queries.iter_public(session, live_only=True)
        reviews = [claimreview_jsonld(fc, self.org, self.base) for fc in chosen if not fc.withdrawn]
        return datafeed(
            reviews,
            name=f"{self.org.name}: ClaimReview",
            url=urls.absolute(self.base, urls.DATAFEED),
            modified=queries.last_change(session) or datetime(1970, 1, 1, tzinfo=UTC),
        )

    def robots(self) -> str:
        return (
            "User-agent: *\nDisallow: /desk/\nDisallow: /api/\n"
            f"Sitemap: {urls.absolute(self.base, urls.SITEMAP)}\n"
        )


def documents(request: Request) -> Documents:
    return Documents(desk(request).settings)


# --- routes --------------------------------------------------------------------------------


def _index_page(
    session: Session, q: str, lang: str, page_number: int
) -> tuple[queries.PublicPage, list[str], str | None]:
    languages = queries.public_languages(session)
    language = lang if lang in languages else None
    offset = (max(page_number, 1) - 1) * PAGE_SIZE
    found = queries.search_public(
        session, query=q, language=language, offset=offset, limit=PAGE_SIZE
    )
    return found, languages, language


@router.get("/")
def index(
    request: Request,
    q: str = Query("", max_length=200),
    lang: str = Query("", max_length=8),
    page_number: int = Query(1, alias="page", ge=1, le=10_000),
    session: Session = Depends(db),
) -> Response:
    found, languages, language = _index_page(session, q, lang, page_number)
    return _page(
        request,
        "public/index.html",
        **index_context(found, query=q, language=language, languages=languages),
    )


@router.get("/index.json")
def index_json(
    request: Request,
    q: str = Query("", max_length=200),
    lang: str = Query("", max_length=8),
    page_number: int = Query(1, alias="page", ge=1, le=10_000),
    session: Session = Depends(db),
) -> Response:
    found, _languages, language = _index_page(session, q, lang, page_number)
    return _json(
        index_document(
            found.items,
            base_url=documents(request).base,
            total=found.total,
            offset=found.offset,
            limit=found.limit,
            query=q,
            language=language,
        )
    )


@router.get("/fact-checks/{fc_id:int}/")
def fact_check(request: Request, fc_id: int, session: Session = Depends(db)) -> Response:
    docs = documents(request)
    fc = queries.load_public(session, fc_id)
    return _page(request, "public/factcheck.html", **fact_check_context(fc, docs.org, docs.base))


@router.get("/fact-checks/{fc_id:int}")
def fact_check_slash(fc_id: int) -> Response:
    return RedirectResponse(urls.fact_check_path(fc_id), status_code=308)


@router.get("/fact-checks/{fc_id:int}.json")
def fact_check_json(request: Request, fc_id: int, session: Session = Depends(db)) -> Response:
    docs = documents(request)
    return _json(fact_check_document(queries.load_public(session, fc_id), docs.org, docs.base))


def _archive(session: Session, doc_id: int, base: str) -> dict[str, Any]:
    copy = queries.load_archived(session, doc_id)
    return archive_document(
        document_id=copy.id,
        url=copy.url,
        title=copy.title,
        fetched_at=copy.fetched_at,
        content_hash=copy.content_hash,
        text=copy.text,
        fact_check_ids=copy.fact_check_ids,
        base_url=base,
    )


@router.get("/archive/{doc_id:int}/")
def archived(request: Request, doc_id: int, session: Session = Depends(db)) -> Response:
    """An archived copy, as text, once a public fact-check cites it."""
    return _page(
        request, "public/archive.html", doc=_archive(session, doc_id, documents(request).base)
    )


@router.get("/archive/{doc_id:int}.json")
def archived_json(request: Request, doc_id: int, session: Session = Depends(db)) -> Response:
    return _json(_archive(session, doc_id, documents(request).base))


@router.get("/feed.atom")
def feed(request: Request, session: Session = Depends(db)) -> Response:
    return _cached(request, documents(request).feed(session), ATOM)


@router.get("/feed/{lang}.atom")
def language_feed(request: Request, lang: str, session: Session = Depends(db)) -> Response:
    if lang not in queries.public_languages(session):
        raise NotFound(f"no fact-checks in language {lang!r}")
    return _cached(request, documents(request).feed(session, lang), ATOM)


@router.get("/sitemap.xml")
def sitemap_xml(request: Request, session: Session = Depends(db)) -> Response:
    return _cached(request, documents(request).sitemap(session), XML)


@router.get("/claimreview.json")
def claimreview_feed(request: Request, session: Session = Depends(db)) -> Response:
    body = json.dumps(documents(request).datafeed(session), ensure_ascii=False).encode()
    return _cached(request, body, LDJSON)


@router.get("/robots.txt")
def robots(request: Request) -> Response:
    return Response(documents(request).robots(), media_type="text/plain; charset=utf-8")
