"""Corrections of published fact-checks: a typo goes out at once, a verdict change waits.

:func:`propose` asks :func:`factdesk.workflow.classify` what the correction is. A typo (the
wording of the headline, short verdict or explanation) is published now by the one editor
through :func:`factdesk.services.review.transition`, and listed in the public history. A
substantive change (the rating, the meaning of the verdict, the evidence) is stored in
``fact_check_corrections``, apart from the published row, so the public page, the feeds,
ClaimReview and the webhooks keep showing the approved version; the desk marks the
fact-check "correction under review". A second editor then approves it
(:func:`factdesk.services.review.publish_correction`: the webhook event, the feed entry
"Correction", the snapshot and the audit row all happen then) or rejects it with a note.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factdesk.errors import Conflict, InputError, NotFound, PermissionDenied, WorkflowError
from factdesk.services import audit, drafts, review, verdicts
from factdesk.settings import Settings
from factdesk.store.db import rowcount
from factdesk.store.models import FactCheckCorrection
from factdesk.types import Actor, DeskSettings, Draft, PendingCorrection
from factdesk.workflow import (
    Action,
    Change,
    Permission,
    State,
    classify,
    decide_correction,
    has_permission,
    require,
)


def propose(
    session: Session,
    actor: Actor,
    fc_id: int,
    seen_version: int,
    draft: Draft,
    note: str,
    scale: DeskSettings,
    *,
    settings: Settings | None = None,
) -> Change:
    """Correct a published fact-check: a typo is published now, a substantive change is
    stored for a second editor. Returns which it was; refuses when nothing changed, when
    another correction is already under review, or when the version seen is stale."""
    fc = review.local(session, fc_id)
    note = note.strip()
    if len(note) > 5000:
        raise InputError("at most 5000 characters", where="note")
    if pending(session, fc.id) is not None:
        raise Conflict("a correction of this fact-check is already under review")
    values = review.content_values(draft, scale)
    current = verdicts.published_content(session, fc)
    kind = classify(current, verdicts.corrected_content(current, values))
    if kind.change is Change.NONE:
        raise WorkflowError("cannot correct: nothing changed")
    if fc.version != seen_version:
        raise Conflict("the fact-check changed since you opened it; reload the page")
    if kind.change is Change.TYPO:
        review.transition(
            session,
            actor,
            fc.id,
            Action.CORRECT,
            seen_version,
            note,
            draft,
            scale,
            settings=settings,
        )
        drafts.discard(session, actor, fc.id, "correction")
        return Change.TYPO
    ctx = replace(
        review.context(session, actor, fc.id, note),
        has_rating=bool(values["rating_label"]),
        has_verdict=bool(values["summary"]),
    )
    require(review.state_of(fc.status), Action.CORRECT, ctx)  # role, note, evidence
    decision = decide_correction(
        kind.change, actor_id=actor.id, role=actor.role, proposer_id=actor.id, approving=False
    )
    if not decision.allowed:
        raise WorkflowError(decision.reason)
    row = FactCheckCorrection(
        fact_check_id=fc.id,
        pending_of=fc.id,
        status="pending",
        kind=kind.change.value,
        reasons=list(kind.reasons),
        base_version=fc.version,
        content=values,  # the columns approval sets, checked now
        note=note,
        author_id=actor.id,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("a correction of this fact-check is already under review") from None
    audit.record(
        session,
        actor,
        "correction.propose",
        "fact_check",
        fc.id,
        {"rating_label": current.rating_label, "version": fc.version},
        {
            "correction_id": row.id,
            "rating_label": values["rating_label"],
            "reasons": list(kind.reasons),
            "note": note,
        },
    )
    drafts.discard(session, actor, fc.id, "correction")
    return Change.SUBSTANTIVE


def approve(
    session: Session, actor: Actor, correction_id: int, *, settings: Settings | None = None
) -> State:
    """Publish a pending correction as its second editor (never its proposer)."""
    return review.publish_correction(session, actor, correction_id, settings=settings)


def reject(session: Session, actor: Actor, correction_id: int, note: str) -> None:
    """Close a pending correction unpublished, with a note for its author (an editor,
    its author included: proposing and then withdrawing one's own proposal is fine)."""
    if not has_permission(actor.role, Permission.REVIEW):
        raise PermissionDenied(f"role {actor.role.value} may not reject a correction")
    note = note.strip()
    if not note or len(note) > 5000:
        raise InputError("say why in a note (1-5000 characters)", where="note")
    row = session.get(FactCheckCorrection, correction_id)
    if row is None:
        raise NotFound(f"no correction {correction_id}")
    closed = session.execute(
        update(FactCheckCorrection)
        .where(FactCheckCorrection.id == row.id, FactCheckCorrection.status == "pending")
        .values(
            status="rejected",
            pending_of=None,
            reviewer_id=actor.id,
            decision_note=note,
            decided_at=datetime.now(UTC),
        )
        .execution_options(synchronize_session=False)
    )
    if rowcount(closed) != 1:
        raise Conflict("this correction was already decided; reload the page")
    audit.record(
        session,
        actor,
        "correction.reject",
        "fact_check",
        row.fact_check_id,
        {"correction_id": row.id},
        {"correction_id": row.id, "note": note},
    )


def fact_check_of(session: Session, correction_id: int) -> int:
    """The fact-check a correction belongs to."""
    row = session.get(FactCheckCorrection, correction_id)
    if row is None:
        raise NotFound(f"no correction {correction_id}")
    return row.fact_check_id


def pending(session: Session, fc_id: int) -> PendingCorrection | None:
    """The correction of ``fc_id`` under review, if any."""
    row = session.scalar(
        select(FactCheckCorrection).where(
            FactCheckCorrection.fact_check_id == fc_id, FactCheckCorrection.status == "pending"
        )
    )
    return _record(row) if row is not None else None


def waiting(session: Session, limit: int = 100) -> list[PendingCorrection]:
    """Every correction under review, oldest first (the review page lists them)."""
    rows = session.scalars(
        select(FactCheckCorrection)
        .where(FactCheckCorrection.status == "pending")
        .order_by(FactCheckCorrection.created_at, FactCheckCorrection.id)
        .limit(limit)
    )
    return [_record(row) for row in rows]


def _record(row: FactCheckCorrection) -> PendingCorrection:
    content = row.content or {}
    fc = row.fact_check
    return PendingCorrection(
        id=row.id,
        fact_check_id=row.fact_check_id,
        draft=Draft(
            rating_label=content.get("rating_label") or "",
            summary=content.get("summary") or "",
            explanation=content.get("explanation") or "",
            title=content.get("title") or "",
        ),
        note=row.note,
        reasons=tuple(str(r) for r in row.reasons or ()),
        base_version=row.base_version,
        author_id=row.author_id,
        created_at=row.created_at,
        claim_reviewed=fc.claim_reviewed if fc else "",
        rating_label=fc.rating_label if fc else "",
    )


def under_review(session: Session, fc_ids: list[int]) -> set[int]:
    """Which of ``fc_ids`` have a correction under review (the desk's lists mark them)."""
    if not fc_ids:
        return set()
    return set(
        session.scalars(
            select(FactCheckCorrection.fact_check_id).where(
                FactCheckCorrection.fact_check_id.in_(fc_ids),
                FactCheckCorrection.status == "pending",
            )
        )
    )
