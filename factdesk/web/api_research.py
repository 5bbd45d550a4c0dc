"""The research desk's part of the JSON API under ``/api/v1`` (documented in the OpenAPI
schema at ``/api/v1/openapi.json``): the evidence library and research for a claim.

Who may do what (the same rules as the rest of the API, :mod:`factdesk.web.api_public`):

- **a partner with a read token** or any signed-in newsroom account: list and read library
  sources, and research a claim (``GET`` or ``POST /research``; a ``POST`` that only reads,
  like ``/check``);
- **a checker and up** (a session with ``Permission.WORK`` and its CSRF token in
  ``X-CSRF-Token``): add a source from its URL. Read tokens never write.

Bodies are JSON, held to the app's default request limit (:mod:`factdesk.web.limits`) and
to the models' field lengths. This module only calls :mod:`factdesk.services.library` and
:mod:`factdesk.services.research` and renders their records; the fetch, its address rules
(:mod:`factdesk.net`), the size cap and the archive are the service's.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from factdesk import types
from factdesk.services import library, research
from factdesk.types import Actor
from factdesk.web import api_models as m
from factdesk.web.api_public import READER
from factdesk.web.deps import db, desk, require
from factdesk.workflow import Permission

router = APIRouter(prefix="/api/v1")
WORK = Depends(require(Permission.WORK))


def _source(s: types.LibrarySource) -> m.LibrarySourceOut:
    return m.LibrarySourceOut(
        id=s.id,
        location=s.location,
        kind=s.kind,
        title=s.title,
        publisher=s.publisher,
        published=s.published,
        url=s.url,
        language=s.language,
        withdrawn=s.withdrawn,
        version_count=s.version_count,
        passage_count=s.passage_count,
        current_version_id=s.current_version_id,
        created_at=s.created_at.isoformat() if s.created_at else None,
    )


def _evidence(e: types.Evidence) -> m.EvidenceOut:
    return m.EvidenceOut(
        passage_id=e.passage.id,
        text=e.passage.text,
        stance=e.verdict.stance,
        confidence=round(e.verdict.confidence, 4),
        stance_probabilities={k: round(v, 4) for k, v in e.verdict.probabilities.items()},
        score=round(e.hit.score, 4),
        source_id=e.source.id,
        source_url=e.source_url,
        source_title=e.source.title,
        version_id=e.passage.version_id,
        position=e.passage.position,
        start=e.passage.start,
        end=e.passage.end,
        highlights=[m.Span(start=a, end=b) for a, b in e.hit.highlights],
        language=e.passage.language,
    )


# --- the library -------------------------------------------------------------------------


@router.get(
    "/library/sources",
    tags=["research"],
    response_model=m.LibrarySourceList,
    responses=m.errors(400, 401),
    openapi_extra=m.READ,
)
def list_sources(
    request: Request,
    offset: int = Query(0, ge=0, le=1_000_000),
    limit: int = Query(50, ge=1, le=200),
    withdrawn: bool = Query(True, description="Include withdrawn sources."),
    _who: str = READER,
) -> m.LibrarySourceList:
    """The library's sources, newest first, with their version and passage counts."""
    factory = desk(request).factory
    found = library.list_sources(factory, include_withdrawn=withdrawn, limit=limit, offset=offset)
    return m.LibrarySourceList(
        total=library.count_sources(factory, include_withdrawn=withdrawn),
        offset=offset,
        limit=limit,
        sources=[_source(s) for s in found],
    )


@router.get(
    "/library/sources/{source_id}",
    tags=["research"],
    response_model=m.LibrarySourceDetail,
    responses=m.errors(400, 401, 404),
    openapi_extra=m.READ,
)
def get_source(request: Request, source_id: int, _who: str = READER) -> m.LibrarySourceDetail:
    """One source with its archived versions (newest first) and their passage counts."""
    detail = library.show_source(desk(request).factory, source_id)
    return m.LibrarySourceDetail(
        **_source(detail.source).model_dump(),
        versions=[
            m.SourceVersionOut(
                id=v.id,
                version=v.version,
                content_hash=v.content_hash,
                retrieved_at=v.retrieved_at.isoformat() if v.retrieved_at else None,
                content_type=v.content_type,
                size=v.size,
                passage_count=v.passage_count,
            )
            for v in detail.versions
        ],
    )


@router.post(
    "/library/sources",
    tags=["research"],
    status_code=201,
    response_model=m.LibrarySourceAdded,
    responses=m.errors(400, 401, 403, 413, 502),
    openapi_extra=m.DESK_WRITE,
)
async def add_source(
    request: Request, body: m.LibrarySourceIn, actor: Actor = WORK
) -> m.LibrarySourceAdded:
    """Fetch the URL, archive it as a new source (or a new version of a known one) and
    index its passages. The same bytes again change nothing (``outcome: unchanged``)."""
    state = desk(request)
    result = await run_in_threadpool(
        lambda: library.add_url(
            state.settings,
            state.factory,
            body.url,
            actor=actor,
            title=body.title,
            publisher=body.publisher,
            published=body.published,
            language=body.language,
        )
    )
    return m.LibrarySourceAdded(
        outcome=result.outcome,
        version_id=result.version_id,
        passages=result.passages,
        source=_source(result.source),
    )


# --- research ------------------------------------------------------------------------------


def _research(
    request: Request, session: Session, claim: str, k: int, language: str | None
) -> m.ResearchOut:
    model = research.stance_model()
    found = research.research(
        desk(request).settings, session, claim, k=k, language=language or None, stance=model
    )
    return m.ResearchOut(
        claim=" ".join(claim.split()),
        notice=m.STANCE_NOTICE,
        stance_model=model.name,
        passages=[_evidence(e) for e in found],
    )


@router.get(
    "/research",
    tags=["research"],
    response_model=m.ResearchOut,
    responses=m.errors(400, 401),
    openapi_extra=m.READ,
)
def research_get(
    request: Request,
    claim: str = Query(..., min_length=1, max_length=2000, description="The claim's text."),
    k: int = Query(8, ge=1, le=50, description="How many passages at most."),
    language: str | None = Query(None, max_length=8, description="Only passages in it."),
    _who: str = READER,
    session: Session = Depends(db),
) -> m.ResearchOut:
    """The library passages that bear on the claim, best first, each with its stance
    (an aid to the person checking, never a verdict: see ``notice``)."""
    return _research(request, session, claim, k, language)


@router.post(
    "/research",
    tags=["research"],
    response_model=m.ResearchOut,
    responses=m.errors(400, 401),
    openapi_extra=m.READ,
)
def research_post(
    request: Request, body: m.ResearchIn, _who: str = READER, session: Session = Depends(db)
) -> m.ResearchOut:
    """As ``GET /research``, for a claim too long for a query string. It only reads."""
    return _research(request, session, body.claim, body.k, body.language)
