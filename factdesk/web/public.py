"""The public site: no sign-in, only our published, corrected and withdrawn fact-checks.

Every page has a ``.json`` twin built from the same record, and the machine-readable
documents sit beside them: the Atom feeds, the sitemap, the ClaimReview DataFeed. The routes
read the records (:mod:`factdesk.store.reads.public`) and render them with the builders of
:mod:`factdesk.publish` (``pages`` for the HTML, ``documents`` for the JSON, ``feeds`` for
the rest), the same ones the static export uses, so the exported site and the live one
cannot drift apart. Imported fact-checks (other publishers') are never shown here: they
serve the desk for matching.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from factdesk import types
from factdesk.errors import NotFound
from factdesk.publish import feeds, pages, urls
from factdesk.publish.documents import archive_document, fact_check_document, index_document
from factdesk.services.publish import feed_languages, organisation
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


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    settings = desk(request).settings
    response = page(
        request,
        template,
        static_site=False,
        prefix=urls.site_prefix(settings.public_base_url),
        **context,
    )
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


def _settings(request: Request) -> Settings:
    return desk(request).settings


# --- routes --------------------------------------------------------------------------------


def _index_page(
    session: Session, q: str, lang: str, page_number: int
) -> tuple[types.Page[types.FactCheck], list[str], str | None]:
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
        **pages.index_context(found, query=q, language=language, languages=languages),
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
            base_url=_settings(request).public_base_url,
            total=found.total,
            offset=found.offset,
            limit=found.limit,
            query=q,
            language=language,
        )
    )


@router.get("/fact-checks/{fc_id:int}/")
def fact_check(request: Request, fc_id: int, session: Session = Depends(db)) -> Response:
    settings = _settings(request)
    fc = queries.load_public(session, fc_id)
    context = pages.fact_check_context(fc, organisation(settings), settings.public_base_url)
    return _page(request, "public/factcheck.html", **context)


@router.get("/fact-checks/{fc_id:int}")
def fact_check_slash(fc_id: int) -> Response:
    return RedirectResponse(urls.fact_check_path(fc_id), status_code=308)


@router.get("/fact-checks/{fc_id:int}.json")
def fact_check_json(request: Request, fc_id: int, session: Session = Depends(db)) -> Response:
    settings = _settings(request)
    fc = queries.load_public(session, fc_id)
    return _json(fact_check_document(fc, organisation(settings), settings.public_base_url))


@router.get("/archive/{doc_id:int}/")
def archived(request: Request, doc_id: int, session: Session = Depends(db)) -> Response:
    """An archived copy, as text, once a public fact-check cites it."""
    copy = queries.load_archived(session, doc_id)
    context = pages.archive_context(copy, _settings(request).public_base_url)
    return _page(request, "public/archive.html", **context)


@router.get("/archive/{doc_id:int}.json")
def archived_json(request: Request, doc_id: int, session: Session = Depends(db)) -> Response:
    copy = queries.load_archived(session, doc_id)
    return _json(archive_document(copy, _settings(request).public_base_url))


def _feed(request: Request, session: Session, language: str | None = None) -> Response:
    settings = _settings(request)
    recent = queries.recent_changes(session, limit=settings.feed_size, language=language)
    body = feeds.feed(recent, organisation(settings), settings.public_base_url, language)
    return _cached(request, body, ATOM)


@router.get("/feed.atom")
def feed(request: Request, session: Session = Depends(db)) -> Response:
    return _feed(request, session)


@router.get("/feed/{lang}.atom")
def language_feed(request: Request, lang: str, session: Session = Depends(db)) -> Response:
    if lang not in feed_languages(_settings(request), queries.public_languages(session)):
        raise NotFound(f"no feed in language {lang!r}")
    return _feed(request, session, lang)


@router.get("/sitemap.xml")
def sitemap_xml(request: Request, session: Session = Depends(db)) -> Response:
    body = feeds.site_map(
        queries.iter_public(session),
        _settings(request).public_base_url,
        queries.last_change(session),
    )
    return _cached(request, body, XML)


@router.get("/claimreview.json")
def claimreview_feed(request: Request, session: Session = Depends(db)) -> Response:
    settings = _settings(request)
    document = feeds.claimreview_feed(
        queries.iter_public(session, live_only=True),
        organisation(settings),
        settings.public_base_url,
        queries.last_change(session),
    )
    body = json.dumps(document, ensure_ascii=False).encode()
    return _cached(request, body, LDJSON)


@router.get("/robots.txt")
def robots(request: Request) -> Response:
    return Response(
        feeds.robots(_settings(request).public_base_url), media_type="text/plain; charset=utf-8"
    )
