"""Typed text nobody has saved yet, kept per person so that no word is lost.

The editor autosaves here while someone types; a save refused by a version conflict, and
a form posted after the sign-in session ended, land here too (the sign-in page carries the
typed text through). The fact-check page then offers the draft back to its writer. A draft
is private to its writer and never changes the fact-check itself: saving it into the
fact-check still goes through :func:`factdesk.services.review.edit` and the workflow.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factdesk.errors import Conflict, InputError, NotFound, PermissionDenied
from factdesk.store.models import FactCheck, UserDraft
from factdesk.types import Actor, Draft, SavedDraft
from factdesk.workflow import Permission, has_permission

FORMS = ("verdict", "correction")
LIMITS = {"rating_label": 200, "summary": 1000, "title": 300, "explanation": 100_000}
NOTE_LIMIT = 5000


def _check(actor: Actor, form: str) -> None:
    if not has_permission(actor.role, Permission.WORK):
        raise PermissionDenied(f"role {actor.role.value} may not write drafts")
    if form not in FORMS:
        raise InputError(f"unknown form {form!r}", where="form")


def save(
    session: Session,
    actor: Actor,
    fc_id: int,
    form: str,
    draft: Draft,
    note: str = "",
    base_version: int = 0,
) -> SavedDraft:
    """Keep ``actor``'s typed text for the fact-check (replacing their earlier draft)."""
    _check(actor, form)
    fc = session.get(FactCheck, fc_id)
    if fc is None or fc.origin != "local":
        raise NotFound(f"no fact-check {fc_id} of this desk")
    fields = {
        "rating_label": draft.rating_label,
        "summary": draft.summary,
        "explanation": draft.explanation,
        "title": draft.title,
    }
    for name, value in fields.items():
        if len(value) > LIMITS[name]:
            raise InputError(f"at most {LIMITS[name]} characters", where=name)
    if len(note) > NOTE_LIMIT:
        raise InputError(f"at most {NOTE_LIMIT} characters", where="note")
    fields["note"] = note
    now = datetime.now(UTC)
    row = session.scalar(
        select(UserDraft).where(
            UserDraft.user_id == actor.id, UserDraft.fact_check_id == fc_id, UserDraft.form == form
        )
    )
    if row is None:
        row = UserDraft(user_id=actor.id, fact_check_id=fc_id, form=form)
        session.add(row)
    row.fields, row.base_version, row.saved_at = fields, base_version or fc.version, now
    try:
        session.flush()
    except IntegrityError:  # the same person autosaving twice at once: the first one won
        raise Conflict("the draft was saved twice at the same moment; try again") from None
    return _record(row)


def load(session: Session, actor: Actor, fc_id: int, form: str) -> SavedDraft | None:
    """``actor``'s unsaved text for the fact-check's ``form``, if they have any."""
    row = session.scalar(
        select(UserDraft).where(
            UserDraft.user_id == actor.id, UserDraft.fact_check_id == fc_id, UserDraft.form == form
        )
    )
    return _record(row) if row is not None else None


def discard(session: Session, actor: Actor, fc_id: int, form: str) -> None:
    """Forget ``actor``'s draft (once the text is saved, or when they throw it away)."""
    session.execute(
        delete(UserDraft).where(
            UserDraft.user_id == actor.id, UserDraft.fact_check_id == fc_id, UserDraft.form == form
        )
    )


def _record(row: UserDraft) -> SavedDraft:
    fields = row.fields or {}
    return SavedDraft(
        fact_check_id=row.fact_check_id,
        form=row.form,
        draft=Draft(
            rating_label=str(fields.get("rating_label", "")),
            summary=str(fields.get("summary", "")),
            explanation=str(fields.get("explanation", "")),
            title=str(fields.get("title", "")),
        ),
        note=str(fields.get("note", "")),
        base_version=row.base_version,
        saved_at=row.saved_at,
    )
