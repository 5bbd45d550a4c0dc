"""The evidence library's pages and the research panel of a claim.

``/desk/library``: browse and search the sources, add one from a URL or an upload
(checkers and up; the upload is read up to ``FACTDESK_LIBRARY_MAX_BYTES`` and refused
past it, as a command-line file or a fetched URL is); a source's page shows its archived versions and passages, and editors withdraw or
restore it. ``/desk/claims/{id}/research`` is the claim page's research panel (an HTMX
fragment: retrieval takes longer than the page): passages with their stance — an aid to
the person checking, never a verdict — and the matched words marked; one click cites a
passage into the claim's fact-check (starting it if there is none yet).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from factdesk.errors import InputError, NotFound
from factdesk.services import library, research
from factdesk.store.reads import claims as queries
from factdesk.types import Actor
from factdesk.web.deps import db, desk, require
from factdesk.web.render import page
from factdesk.workflow import Permission

router = APIRouter(prefix="/desk")
READ, WORK, SOURCES = (
    require(Permission.READ),
    require(Permission.WORK),
    require(Permission.MANAGE_SOURCES),
)
CHUNK = 64 * 1024


@router.get("/library")
def library_page(
    request: Request, q: str = "", actor: Actor = Depends(READ), session: Session = Depends(db)
) -> Response:
    state = desk(request)
    q = q.strip()[:500]
    found = research.research(state.settings, session, q, k=20) if q else []
    sources = library.list_sources(state.factory)
    return page(request, "library.html", sources=sources, q=q, found=found)


@router.post("/library")
async def add_source(
    request: Request,
    url: str = Form(""),
    upload: UploadFile | None = File(None),
    publisher: str = Form(""),
    published: str = Form(""),
    title: str = Form(""),
    actor: Actor = Depends(WORK),
) -> Response:
    """Add a source from its URL or an uploaded file."""
    from starlette.concurrency import run_in_threadpool

    state = desk(request)
    meta = {"title": title, "publisher": publisher, "published": published}
    if upload is not None and upload.filename:
        # one byte past the cap is enough for the service to refuse it with its one line
        data = await upload.read(state.settings.library_max_bytes + 1)
        result = await run_in_threadpool(
            lambda: library.add_bytes(
                state.settings,
                state.factory,
                data,
                name=upload.filename or "upload",
                content_type=upload.content_type,
                actor=actor,
                **meta,
            )
        )
    elif url.strip():
        result = await run_in_threadpool(
            lambda: library.add_url(state.settings, state.factory, url, actor=actor, **meta)
        )
    else:
        raise InputError("give a URL or choose a file", where="url")
    return RedirectResponse(f"/desk/library/{result.source.id}?added={result.outcome}", 303)


@router.get("/library/{source_id}")
def source_page(
    request: Request, source_id: int, added: str = "", actor: Actor = Depends(READ)
) -> Response:
    detail = library.show_source(desk(request).factory, source_id)
    return page(request, "library_source.html", detail=detail, added=added)


@router.post("/library/{source_id}/withdraw")
def withdraw(request: Request, source_id: int, actor: Actor = Depends(SOURCES)) -> Response:
    state = desk(request)
    library.set_withdrawn(state.settings, state.factory, source_id, True, actor=actor)
    return RedirectResponse(f"/desk/library/{source_id}", 303)


@router.post("/library/{source_id}/restore")
def restore(request: Request, source_id: int, actor: Actor = Depends(SOURCES)) -> Response:
    state = desk(request)
    library.set_withdrawn(state.settings, state.factory, source_id, False, actor=actor)
    return RedirectResponse(f"/desk/library/{source_id}", 303)


@router.get("/claims/{claim_id}/research")
def claim_research(
    request: Request,
    claim_id: int,
    q: str = "",
    actor: Actor = Depends(READ),
    session: Session = Depends(db),
) -> Response:
    """The research panel: library passages for the claim (or for ``q``, a rewording)."""
    found = queries.get_claim(session, claim_id)
    if found is None:
        raise NotFound(f"no claim {claim_id}")
    text = q.strip()[:500] or found.text
    evidence = research.research(
        desk(request).settings, session, text, k=8, language=None if q else found.language
    )
    cited = library.cited_passages(session, claim_id)
    return page(
        request,
        "_research.html",
        claim=found,
        evidence=evidence,
        q=q.strip()[:500],
        cited=cited,
        may_cite=library.may_cite_for_claim(session, actor, claim_id),
    )


@router.post("/claims/{claim_id}/research/cite")
def cite(
    request: Request,
    claim_id: int,
    passage_id: int = Form(...),
    actor: Actor = Depends(WORK),
    session: Session = Depends(db),
) -> Response:
    """Cite a passage into the claim's fact-check in one click."""
    with session.begin():
        library.cite_for_claim(session, actor, claim_id, passage_id)
    return RedirectResponse(f"/desk/claims/{claim_id}#research", 303)
