"""Changing fact-checks: the workflow rules applied to the database.

Every change follows the same three steps, inside the caller's transaction:

1. ask :mod:`factdesk.workflow` whether the actor may do it now (it raises if not);
2. apply it as ONE conditional ``UPDATE ... WHERE status = :expected AND version = :seen``
   and check that exactly one row changed (``Conflict`` otherwise: someone moved first);
3. write an ``audit_events`` row with who, when, before and after.

A correction is judged by :func:`factdesk.workflow.classify` here too: a typo publishes at
once; a substantive change is refused here and goes through
:mod:`factdesk.services.corrections`, which keeps it pending until a second editor's
approval reaches :func:`publish_correction`.

A change of the public record (publish, correct, withdraw) also freezes the version
(:func:`factdesk.services.audit.snapshot`) and announces it through
:func:`factdesk.services.publish.on_published` in the same transaction: invalid
ClaimReview markup refuses the change, and the webhook deliveries exist exactly when it
commits. Every path (the newsroom pages, the demo) goes through :func:`transition`, so none
can skip it.

The claim's ``status`` mirrors its fact-check's state so the queue can filter on it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factdesk import types
from factdesk.errors import Conflict, InputError, NotFound, PermissionDenied, WorkflowError
from factdesk.services import audit, verdicts
from factdesk.services.publish import on_published
from factdesk.services.research import quote_in, store_document
from factdesk.settings import Settings
from factdesk.store.db import rowcount
from factdesk.store.models import (
    AuditEvent,
    Citation,
    Claim,
    FactCheck,
    FactCheckCorrection,
    ReviewComment,
)
from factdesk.store.reads.common import as_citation
from factdesk.types import Actor, ArchivedPage, DeskSettings, Draft
from factdesk.workflow import (
    Action,
    Change,
    Context,
    Permission,
    State,
    classify,
    decide_correction,
    has_permission,
    require,
)

# Audit actions that make the actor an author of the fact-check (who may then not approve it).
AUTHORING = ("fact_check.start", "fact_check.edit", "fact_check.cite", "fact_check.uncite")
EDITABLE = (State.RESEARCHING.value, State.DRAFT.value)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def state_of(value: str) -> State:
    try:
        return State(value)
    except ValueError:
        raise WorkflowError(f"unknown workflow state {value!r}") from None


def local(session: Session, fact_check_id: int) -> FactCheck:
    """Our fact-check ``fact_check_id``; NotFound for another publisher's or none."""
    return _local(session, fact_check_id)


def _local(session: Session, fact_check_id: int) -> FactCheck:
    fc = session.get(FactCheck, fact_check_id)
    if fc is None or fc.origin != "local":
        raise NotFound(f"no fact-check {fact_check_id} of this desk")
    return fc


def _context(session: Session, fc: FactCheck, actor: Actor, note: str = "") -> Context:
    """What the workflow needs to know about ``fc``: its authors, approver and evidence."""
    authors = set(
        session.scalars(
            select(AuditEvent.actor_id)
            .where(
                AuditEvent.entity_type == "fact_check",
                AuditEvent.entity_id == fc.id,
                AuditEvent.action.in_(AUTHORING),
            )
            .distinct()
        )
    )
    authors.add(fc.author_id)
    authors.discard(None)
    evidence = session.scalar(
        select(func.count())
        .select_from(Citation)
        .where(Citation.fact_check_id == fc.id, Citation.document_id.is_not(None))
    )
    return Context(
        unverified_quotes=verdicts.unverified_quotes(session, fc.id),
        actor_id=actor.id,
        role=actor.role,
        author_ids=frozenset(a for a in authors if a is not None),
        reviewer_id=fc.reviewer_id,
        evidence_count=evidence or 0,
        has_rating=bool(fc.rating_label),
        has_verdict=bool((fc.summary or "").strip()),
        note=note,
    )


def context(session: Session, actor: Actor, fact_check_id: int, note: str = "") -> Context:
    """What the workflow knows about our fact-check for ``actor`` (its authors, approver
    and evidence): the editor asks :func:`factdesk.workflow.decide` with it which actions
    to offer. NotFound for another publisher's fact-check or none."""
    return _context(session, _local(session, fact_check_id), actor, note)


def may_cite(session: Session, actor: Actor, fact_check_id: int) -> None:
    """Raise unless ``actor`` may cite evidence for the fact-check now (asked before the
    cited page is fetched, so a refused citation fetches nothing)."""
    fc = _local(session, fact_check_id)
    require(state_of(fc.status), Action.CITE, Context(actor.id, actor.role))


def start(session: Session, actor: Actor, claim_id: int) -> int:
    """Take a new claim: the claim moves to researching and gets a local fact-check."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"no claim {claim_id}")
    target = require(state_of(claim.status), Action.START, Context(actor.id, actor.role))
    changed = session.execute(
        update(Claim)
        .where(Claim.id == claim_id, Claim.status == State.NEW.value)
        .values(status=target.value, assignee_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if rowcount(changed) != 1:
        raise Conflict("someone else took this claim first; reload the page")
    fc = FactCheck(
        origin="local",
        status=target.value,
        claim_id=claim_id,
        dedupe_key=f"local:claim:{claim_id}",
        claim_reviewed=claim.text,
        rating_label="",
        language=claim.language,
        content_hash="",
        version=1,
        author_id=actor.id,
        appearances=[],
    )
    session.add(fc)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("this claim already has a fact-check") from None
    audit.record(
        session,
        actor,
        "fact_check.start",
        "fact_check",
        fc.id,
        {"status": State.NEW.value},
        {"status": target.value, "claim_id": claim_id},
    )
    return fc.id


def content_values(draft: Draft, scale: DeskSettings) -> dict[str, Any]:
    """The columns ``draft`` sets, checked (lengths, a rating of the scale), with its hash."""
    return _content(draft, scale)


def _content(draft: Draft, scale: DeskSettings) -> dict[str, Any]:
    label = draft.rating_label.strip()
    step = scale.step(label) if label else None
    for name, value, limit in (
        ("summary", draft.summary, 1000),
        ("title", draft.title, 300),
        ("explanation", draft.explanation, 100_000),
    ):
        if len(value) > limit:
            raise InputError(f"at most {limit} characters", where=name)
    values: dict[str, Any] = {
        "rating_label": label,
        "rating_value": step.value if step else None,
        "rating_best": scale.best if step and step.value is not None else None,
        "rating_worst": scale.worst if step and step.value is not None else None,
        "summary": draft.summary.strip() or None,
        "explanation": draft.explanation.strip() or None,
        "title": draft.title.strip() or None,
    }
    basis = "\x00".join(str(values[k]) for k in ("rating_label", "summary", "explanation", "title"))
    values["content_hash"] = hashlib.sha256(basis.encode()).hexdigest()
    return values


def _apply(session: Session, fc: FactCheck, seen_version: int, values: dict[str, Any]) -> None:
    """The one conditional update every change goes through."""
    changed = session.execute(
        update(FactCheck)
        .where(
            FactCheck.id == fc.id, FactCheck.status == fc.status, FactCheck.version == seen_version
        )
        .values(version=seen_version + 1, updated_at=datetime.now(UTC), **values)
        .execution_options(synchronize_session=False)
    )
    if rowcount(changed) != 1:
        raise Conflict("the fact-check changed since you opened it; reload the page")
    session.refresh(fc)


def edit(
    session: Session, actor: Actor, fc_id: int, seen_version: int, draft: Draft, scale: DeskSettings
) -> bool:
    """Save the editor's content; returns whether anything changed."""
    fc = _local(session, fc_id)
    require(state_of(fc.status), Action.EDIT, Context(actor.id, actor.role))
    values = _content(draft, scale)
    before = {k: getattr(fc, k) for k in values}
    changed = {k: v for k, v in values.items() if before[k] != v}
    if not changed:
        return False
    _apply(session, fc, seen_version, values)
    fields = [k for k in changed if k != "content_hash"]
    audit.record(
        session,
        actor,
        "fact_check.edit",
        "fact_check",
        fc.id,
        {k: before[k] for k in fields} | {"version": seen_version},
        {k: changed[k] for k in fields} | {"version": fc.version},
    )
    return True


def cite(
    session: Session,
    actor: Actor,
    fc_id: int,
    page: ArchivedPage,
    quote: str,
    publisher: str,
    source_date: str,
    *,
    document_id: int | None = None,
) -> types.Citation:
    """Cite an archived page with the exact quote it supports. ``document_id`` names an
    archived copy already stored (a library version) instead of storing ``page``."""
    fc = _local(session, fc_id)
    require(state_of(fc.status), Action.CITE, Context(actor.id, actor.role))
    quote, publisher, source_date = quote.strip(), publisher.strip(), source_date.strip()
    if not quote or len(quote) > 5000:
        raise InputError("quote the exact words (1-5000 characters)", where="quote")
    if len(publisher) > 300:
        raise InputError("at most 300 characters", where="publisher")
    if source_date and not _DATE.match(source_date):
        raise InputError("write the date as YYYY, YYYY-MM or YYYY-MM-DD", where="date")
    _touch(session, fc)
    document_id = document_id or store_document(session, page, publisher or None)
    citation = Citation(
        fact_check_id=fc.id,
        url=page.url,
        quote=quote,
        publisher=publisher or None,
        source_date=source_date or None,
        document_id=document_id,
        content_hash=page.content_hash,
        archived_at=page.fetched_at,
        quote_found=quote_in(page.text, quote),
        added_by_id=actor.id,
    )
    session.add(citation)
    session.flush()
    audit.record(
        session,
        actor,
        "fact_check.cite",
        "fact_check",
        fc.id,
        None,
        {
            "citation_id": citation.id,
            "url": page.url,
            "document_id": document_id,
            "content_hash": page.content_hash,
            "quote_found": citation.quote_found,
        },
    )
    return as_citation(citation)


def uncite(session: Session, actor: Actor, fc_id: int, citation_id: int) -> None:
    fc = _local(session, fc_id)
    require(state_of(fc.status), Action.CITE, Context(actor.id, actor.role))
    citation = session.get(Citation, citation_id)
    if citation is None or citation.fact_check_id != fc.id:
        raise NotFound(f"no citation {citation_id} on this fact-check")
    _touch(session, fc)
    session.execute(delete(Citation).where(Citation.id == citation_id))
    audit.record(
        session,
        actor,
        "fact_check.uncite",
        "fact_check",
        fc.id,
        {"citation_id": citation_id, "url": citation.url},
        None,
    )


def _touch(session: Session, fc: FactCheck) -> None:
    """Evidence may change only while the fact-check is editable: checked in the UPDATE
    itself, so a citation racing a submit for review loses."""
    changed = session.execute(
        update(FactCheck)
        .where(FactCheck.id == fc.id, FactCheck.status.in_(EDITABLE))
        .values(updated_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    if rowcount(changed) != 1:
        raise Conflict("the fact-check is no longer editable; reload the page")


PUBLIC_CHANGES = (Action.PUBLISH, Action.CORRECT, Action.WITHDRAW)


def transition(
    session: Session,
    actor: Actor,
    fc_id: int,
    action: Action,
    seen_version: int,
    note: str = "",
    draft: Draft | None = None,
    scale: DeskSettings | None = None,
    *,
    settings: Settings | None = None,
) -> State:
    """Move a fact-check along the workflow (submit, approve, publish, ...); a correction
    brings its new content in ``draft``. Publishing, correcting and withdrawing announce
    the change (:func:`factdesk.services.publish.on_published`, with ``settings``: the
    organisation and public address; the process's settings when None)."""
    if action in (Action.START, Action.EDIT, Action.CITE):
        raise WorkflowError(f"{action.value} is not a transition")
    fc = _local(session, fc_id)
    note = note.strip()
    if len(note) > 5000:
        raise InputError("at most 5000 characters", where="note")
    values = _correction(draft, scale) if action is Action.CORRECT else {}
    ctx = _context(session, fc, actor, note)
    if values:  # the guards judge the corrected content, and the correction's kind
        ctx = replace(
            ctx, has_rating=bool(values["rating_label"]), has_verdict=bool(values["summary"])
        )
        _typo_only(session, fc, actor, values, ctx.unverified_quotes)
    return _move(session, actor, fc, action, seen_version, note, values, ctx, settings)


def _typo_only(
    session: Session, fc: FactCheck, actor: Actor, values: dict[str, Any], unverified: int
) -> None:
    """Refuse a direct correction unless it is a typo (workflow.classify): a change of the
    verdict must be proposed (:mod:`factdesk.services.corrections`) and approved."""
    kind = classify(
        verdicts.published_content(session, fc),
        verdicts.corrected_content(verdicts.published_content(session, fc), values),
    )
    if kind.change is Change.SUBSTANTIVE and has_permission(actor.role, Permission.REVIEW):
        raise WorkflowError(
            "cannot correct: this changes the verdict ("
            + ", ".join(kind.reasons)
            + "); propose the correction for a second editor's review"
        )
    decision = decide_correction(
        kind.change,
        actor_id=actor.id,
        role=actor.role,
        proposer_id=actor.id,
        approving=False,
        unverified_quotes=unverified,
    )
    if not decision.allowed and decision.denied_by == "role":
        raise PermissionDenied(decision.reason)
    if not decision.allowed:
        raise WorkflowError(decision.reason)


def _move(
    session: Session,
    actor: Actor,
    fc: FactCheck,
    action: Action,
    seen_version: int,
    note: str,
    values: dict[str, Any],
    ctx: Context,
    settings: Settings | None,
) -> State:
    """Apply an allowed transition: one conditional update, the claim's status, the
    version snapshot, the review comment, the audit row and the announcement."""
    before_state = state_of(fc.status)
    target = require(before_state, action, ctx)
    values = values | _moved(action, target, fc, actor)
    before = {"status": before_state.value, "version": seen_version, "reviewer_id": fc.reviewer_id}
    _apply(session, fc, seen_version, values)
    session.execute(
        update(Claim)
        .where(Claim.id == fc.claim_id)
        .values(status=target.value)
        .execution_options(synchronize_session=False)
    )
    if action in PUBLIC_CHANGES:
        audit.snapshot(session, fc, note=note or action.value, actor=actor)
    if note or action in (Action.APPROVE, Action.SEND_BACK):
        session.add(
            ReviewComment(
                fact_check_id=fc.id,
                user_id=actor.id,
                kind=action.value,
                body=note,
                version=seen_version,
            )
        )
    after = {"status": target.value, "version": fc.version, "reviewer_id": fc.reviewer_id}
    audit.record(
        session,
        actor,
        f"fact_check.{action.value}",
        "fact_check",
        fc.id,
        before,
        after | ({"note": note} if note else {}),
    )
    if action in PUBLIC_CHANGES:
        on_published(session, fc.id, action.value, settings=settings)
    return target


def publish_correction(
    session: Session, actor: Actor, correction_id: int, *, settings: Settings | None = None
) -> State:
    """Publish a pending correction (:mod:`factdesk.services.corrections`) as its approver.

    The workflow decides (a second editor, no unverified quote); the pending row is closed
    by a conditional update, so two approvers racing publish it once; the fact-check then
    moves as a correction does: snapshot, webhook event, feed entry, audit.
    """
    row = session.get(FactCheckCorrection, correction_id)
    if row is None:
        raise NotFound(f"no correction {correction_id}")
    fc = _local(session, row.fact_check_id)
    if row.status != "pending":
        raise Conflict("this correction was already decided; reload the page")
    if fc.version != row.base_version:
        raise Conflict("the fact-check changed since this correction was proposed")
    values = dict(row.content)
    kind = classify(
        verdicts.published_content(session, fc),
        verdicts.corrected_content(verdicts.published_content(session, fc), values),
    )
    decision = decide_correction(
        kind.change,
        actor_id=actor.id,
        role=actor.role,
        proposer_id=row.author_id,
        approving=True,
        unverified_quotes=verdicts.unverified_quotes(session, fc.id),
    )
    if not decision.allowed:
        if decision.denied_by == "role":
            raise PermissionDenied(decision.reason)
        raise WorkflowError(decision.reason)
    closed = session.execute(
        update(FactCheckCorrection)
        .where(FactCheckCorrection.id == row.id, FactCheckCorrection.status == "pending")
        .values(
            status="published", pending_of=None, reviewer_id=actor.id, decided_at=datetime.now(UTC)
        )
        .execution_options(synchronize_session=False)
    )
    if rowcount(closed) != 1:
        raise Conflict("this correction was already decided; reload the page")
    ctx = replace(
        _context(session, fc, actor, row.note),
        has_rating=bool(values["rating_label"]),
        has_verdict=bool(values["summary"]),
    )
    audit.record(
        session,
        actor,
        "correction.approve",
        "fact_check",
        fc.id,
        {"correction_id": row.id, "proposed_by": row.author_id},
        {"correction_id": row.id, "reasons": list(row.reasons)},
    )
    return _move(session, actor, fc, Action.CORRECT, fc.version, row.note, values, ctx, settings)


def _correction(draft: Draft | None, scale: DeskSettings | None) -> dict[str, Any]:
    if draft is None or scale is None:
        raise InputError("a correction needs the corrected content", where="correction")
    return _content(draft, scale)


def _moved(action: Action, target: State, fc: FactCheck, actor: Actor) -> dict[str, Any]:
    """The columns a transition sets besides the content."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {"status": target.value}
    if action is Action.APPROVE:
        values["reviewer_id"] = actor.id
    elif action is Action.SEND_BACK:
        values["reviewer_id"] = None
    elif action is Action.PUBLISH:
        values["date_published"] = fc.date_published or now
    if action in PUBLIC_CHANGES:
        values["date_modified"] = now
    return values


def comment(session: Session, actor: Actor, fc_id: int, body: str) -> None:
    if not has_permission(actor.role, Permission.WORK):
        raise PermissionDenied(f"role {actor.role.value} may not comment")
    fc = _local(session, fc_id)
    body = body.strip()
    if not body or len(body) > 5000:
        raise InputError("a comment is 1-5000 characters", where="comment")
    session.add(
        ReviewComment(
            fact_check_id=fc.id, user_id=actor.id, kind="comment", body=body, version=fc.version
        )
    )
    audit.record(
        session, actor, "fact_check.comment", "fact_check", fc.id, None, {"comment": body[:200]}
    )
