"""A claim's page in the newsroom: its fact-check, where it was seen, how it spreads, the
earlier fact-checks that match it; taking it, and merging it into another claim."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from factdesk.errors import NotFound, WorkflowError
from factdesk.services import claims, match, review
from factdesk.store.reads import answers
from factdesk.store.reads import claims as queries
from factdesk.types import Actor
from factdesk.web import charts
from factdesk.web.deps import db, desk, require
from factdesk.web.render import page
from factdesk.workflow import Action, Context, Permission, State, decide, has_permission

router = APIRouter(prefix="/desk")


@router.get("/claims/{claim_id}")
def claim(
    request: Request,
    claim_id: int,
    actor: Actor = Depends(require(Permission.READ)),
    session: Session = Depends(db),
) -> Response:
    data = queries.claim_page(session, claim_id)
    if data is None:
        raise NotFound(f"no claim {claim_id}")
    state = desk(request)
    # How the claim spreads and what it matches may be a few seconds old; its workflow
    # state, evidence and history (in ``data``) are always read fresh.
    mentions, chart, matches = state.cache.get(
        ("claim-spread", claim_id),
        lambda: (
            queries.claim_mentions(session, claim_id),
            charts.bar_chart(
                charts.fill_days(queries.claim_chart(session, claim_id)), label="mentions per day"
            ),
            match.recorded_matches(session, claim_id),  # a search waits for /matches below
        ),
    )
    can_start = (
        data.claim.status == State.NEW.value
        and decide(State.NEW, Action.START, Context(actor.id, actor.role)).allowed
    )
    return page(
        request,
        "claim.html",
        claim=data.claim,
        fact_check=data.fact_check,
        citations=data.citations,
        history=data.history,
        mentions=mentions,
        chart=chart,
        matches=matches,
        match_note="",
        can_start=can_start,
        answer=queries.claim_answer(session, data),
        similar=claims.similar_claims(session, claim_id, known=data.similar),
        # only a claim without a fact-check of its own can be merged away (see merge_claims)
        can_merge=data.claim.status == State.NEW.value
        and has_permission(actor.role, Permission.REVIEW),
    )


@router.get("/claims/{claim_id}/matches")
def claim_matches(
    request: Request,
    claim_id: int,
    actor: Actor = Depends(require(Permission.READ)),
    session: Session = Depends(db),
) -> Response:
    """Earlier fact-checks for a claim, an HTMX fragment of the claim page: a search can
    take far longer than the page itself, so the page asks for it once it is shown."""
    found = queries.get_claim(session, claim_id)
    if found is None:
        raise NotFound(f"no claim {claim_id}")
    state = desk(request)
    matches, note = state.cache.get(
        ("matches", claim_id),
        lambda: match.matches_for(state.settings, session, claim_id, found.text, found.language),
    )
    return page(request, "_matches.html", matches=matches, match_note=note)


@router.post("/claims/{claim_id}/start")
def start(
    request: Request,
    claim_id: int,
    actor: Actor = Depends(require(Permission.WORK)),
    confirm: str = Form(""),
    session: Session = Depends(db),
) -> Response:
    """Take the claim; one already answered by a published fact-check needs ``confirm``."""
    with session.begin():
        found = answers.answers(session, [claim_id]).get(claim_id)
        if found is not None and found.band == answers.ANSWERED and confirm != "yes":
            raise WorkflowError(
                "this claim is already answered by a published fact-check; "
                "confirm to start a new one anyway"
            )
        fc_id = review.start(session, actor, claim_id)
    return RedirectResponse(f"/desk/fact-checks/{fc_id}", status_code=303)


@router.post("/claims/{claim_id}/merge")
def merge(
    request: Request,
    claim_id: int,
    into: int = Form(...),
    actor: Actor = Depends(require(Permission.REVIEW)),
) -> Response:
    """Fold this claim into claim ``into`` (the same claim worded differently or in another
    language): mentions move, counts are recomputed, both sides are audited. Refused for a
    claim already merged, or into itself or a merged one."""
    state = desk(request)
    claims.merge_claims(state.factory, into, [claim_id], actor=actor)
    state.cache.clear()  # spread, queue and dashboard figures changed
    return RedirectResponse(f"/desk/claims/{into}", status_code=303)
