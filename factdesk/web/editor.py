"""The fact-check editor and the review pages: write the verdict, cite archived evidence,
move the fact-check through the workflow, comment."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from factdesk.errors import Conflict, InputError
from factdesk.publish.pages import markdown
from factdesk.services import appearances, corrections, drafts, research, review
from factdesk.store.reads import desk as queries
from factdesk.store.reads import desk_lists as lists
from factdesk.types import Actor, Draft
from factdesk.web.corrections import keep
from factdesk.web.csvfile import csv_response
from factdesk.web.deps import db, desk, require
from factdesk.web.render import page
from factdesk.workflow import Action, Permission, decide, editable, has_permission, states_for

router = APIRouter(prefix="/desk")
REVIEW_COLUMNS = [
    "id",
    "claim_id",
    "claim_reviewed",
    "rating_label",
    "summary",
    "version",
    "updated_at",
    "author",
    "approved",
]
REVIEW_PATHS = {
    "id": "fact_check.id",
    "claim_id": "fact_check.claim_id",
    "claim_reviewed": "fact_check.claim_reviewed",
    "rating_label": "fact_check.rating.label",
    "summary": "fact_check.summary",
    "version": "fact_check.version",
    "updated_at": "fact_check.updated_at",
}
TRANSITIONS = [
    Action.DRAFT,
    Action.SUBMIT,
    Action.SEND_BACK,
    Action.APPROVE,
    Action.PUBLISH,
    Action.CORRECT,
    Action.WITHDRAW,
]


def _back(fc_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/desk/fact-checks/{fc_id}{anchor}", status_code=303)


def _view(
    request: Request,
    session: Session,
    actor: Actor,
    fc_id: int,
    template: str,
    restore: str = "",
) -> Response:
    fc, claim = queries.fact_check_page(session, fc_id)
    ctx = review.context(session, actor, fc_id, note="-")
    state = review.state_of(fc.status)
    # On the editor page "Submit for review" sends the verdict form, which brings the rating
    # and the short verdict: judge it as if they were there (the server checks after saving).
    typed = replace(ctx, has_rating=True, has_verdict=True)
    verdict_form = template == "factcheck.html" and editable(state)
    actions = [
        (a, decide(state, a, typed if a is Action.SUBMIT and verdict_form else ctx))
        for a in TRANSITIONS
        if state in states_for(a)
    ]
    comments = queries.comments(session, fc_id)
    history = queries.history(session, fc.claim_id, fc_id)
    pending = corrections.pending(session, fc_id)
    saved = {form: drafts.load(session, actor, fc_id, form) for form in drafts.FORMS}
    verdict = saved["verdict"]
    if verdict is not None and verdict.draft == Draft(
        fc.rating.label, fc.summary or "", fc.explanation or "", fc.title or ""
    ):
        saved["verdict"] = None  # nothing that is not saved already
    return page(
        request,
        template,
        fc=fc,
        claim=claim,
        citations=queries.citations(session, fc_id),
        comments=comments,
        history=history,
        actions=actions,
        editable=editable(state),
        ctx=ctx,
        scale=desk(request).desk_settings(session),
        can_cite=decide(state, Action.CITE, ctx).allowed,
        names=queries.usernames(
            session,
            [
                fc.author_id,
                fc.reviewer_id,
                pending.author_id if pending else None,
                *(e.actor_id for e in history),
            ],
        ),
        pending=pending,
        drafts=saved,
        restore=restore if restore in drafts.FORMS and saved.get(restore) else "",
        appearances=appearances.for_claim(session, claim.id) if claim and claim.id else [],
        can_curate=has_permission(actor.role, Permission.REVIEW),
        verdict_form=verdict_form,
    )


@router.get("/fact-checks/{fc_id}")
def editor(
    request: Request,
    fc_id: int,
    restore: str = Query(""),
    actor: Actor = Depends(require(Permission.READ)),
    session: Session = Depends(db),
) -> Response:
    """The fact-check page; ``?restore=verdict`` (or ``correction``) puts the person's
    unsaved draft back into that form."""
    return _view(request, session, actor, fc_id, "factcheck.html", restore)


@router.get("/fact-checks/{fc_id}/review")
def review_page(
    request: Request,
    fc_id: int,
    actor: Actor = Depends(require(Permission.READ)),
    session: Session = Depends(db),
) -> Response:
    return _view(request, session, actor, fc_id, "review_page.html")


@router.post("/fact-checks/{fc_id}/edit")
def edit(
    request: Request,
    fc_id: int,
    version: int = Form(...),
    rating_label: str = Form(""),
    summary: str = Form(""),
    explanation: str = Form(""),
    title: str = Form(""),
    then: str = Form(""),
    actor: Actor = Depends(require(Permission.WORK)),
    session: Session = Depends(db),
) -> Response:
    """Save the verdict form; with ``then=submit`` (the "Submit for review" button) the
    typed text is saved first and submitted in the same transaction, so what goes to
    review is what is on the screen. A stale version shows both texts side by side."""
    draft = Draft(rating_label, summary, explanation, title)
    try:
        with session.begin():  # the typed text is saved whatever the submit says
            scale = desk(request).desk_settings(session)
            changed = review.edit(session, actor, fc_id, version, draft, scale)
            drafts.discard(session, actor, fc_id, "verdict")
    except Conflict:
        kept = keep(session, actor, fc_id, "verdict", draft, "", version)
        with session.begin():
            fc, _ = queries.fact_check_page(session, fc_id)
            scale = desk(request).desk_settings(session)
        return page(
            request,
            "conflict.html",
            status=409,
            fc=fc,
            typed=draft,
            kept=kept,
            then=then,
            scale=scale,
        )
    except Exception:
        keep(session, actor, fc_id, "verdict", draft, "", version)
        raise
    if then == Action.SUBMIT.value:  # a refusal now says why; the text is already saved
        with session.begin():
            review.transition(
                session, actor, fc_id, Action.SUBMIT, version + 1 if changed else version
            )
    return _back(fc_id)


@router.post("/fact-checks/{fc_id}/cite")
def cite(
    request: Request,
    fc_id: int,
    url: str = Form(""),
    quote: str = Form(""),
    publisher: str = Form(""),
    date: str = Form(""),
    actor: Actor = Depends(require(Permission.WORK)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():  # refuse before fetching anything
        review.may_cite(session, actor, fc_id)
    if not quote.strip():
        raise InputError("quote the exact words the source says", where="quote")
    fetched = research.fetch_page(desk(request).settings, url)  # no transaction held meanwhile
    with session.begin():
        review.cite(session, actor, fc_id, fetched, quote, publisher, date)
    return _back(fc_id, "#evidence")


@router.post("/fact-checks/{fc_id}/citations/{citation_id}/delete")
def uncite(
    fc_id: int,
    citation_id: int,
    actor: Actor = Depends(require(Permission.WORK)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        review.uncite(session, actor, fc_id, citation_id)
    return _back(fc_id, "#evidence")


@router.post("/fact-checks/{fc_id}/transition")
def transition(
    request: Request,
    fc_id: int,
    action: str = Form(...),
    version: int = Form(...),
    note: str = Form(""),
    rating_label: str = Form(""),
    summary: str = Form(""),
    explanation: str = Form(""),
    title: str = Form(""),
    actor: Actor = Depends(require(Permission.WORK)),
    session: Session = Depends(db),
) -> Response:
    try:
        chosen = Action(action)
    except ValueError:
        raise InputError(f"unknown action {action!r}", where="action") from None
    with session.begin():  # publishing announces itself inside this transaction
        review.transition(
            session,
            actor,
            fc_id,
            chosen,
            version,
            note,
            Draft(rating_label, summary, explanation, title),
            desk(request).desk_settings(session),
            settings=desk(request).settings,
        )
    return _back(fc_id)


@router.post("/fact-checks/{fc_id}/comment")
def comment(
    fc_id: int,
    body: str = Form(""),
    actor: Actor = Depends(require(Permission.WORK)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        review.comment(session, actor, fc_id, body)
    return _back(fc_id, "#comments")


@router.post("/preview")
def preview(
    explanation: str = Form(""), actor: Actor = Depends(require(Permission.WORK))
) -> Response:
    return HTMLResponse(markdown(explanation[:100_000]))


@router.get("/review")
@router.get("/review.csv", name="review_csv")
def review_list(
    request: Request,
    number: int = Query(1, alias="page"),
    actor: Actor = Depends(require(Permission.READ)),
    session: Session = Depends(db),
) -> Response:
    export = request.url.path.endswith(".csv")
    listing = lists.review(session, number, export)
    if export:
        return csv_response("review", REVIEW_COLUMNS, listing.items, REVIEW_PATHS)
    return page(request, "review.html", listing=listing, corrections=corrections.waiting(session))
