"""Honest citations: a quote its archived copy does not contain is kept only with a reason.

Citing checks the quote against the archived copy (``quote_found``). A citation that fails
that check blocks approval and publishing (:mod:`factdesk.workflow`) until it is fixed
(removed and cited again while the fact-check is editable) or an editor records why the
quote stays (the page paraphrases a table, the archived copy lost the text in extraction...).
The reason is audited and shown to the public beside the quote.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from factdesk.errors import InputError, NotFound, PermissionDenied, WorkflowError
from factdesk.services import audit
from factdesk.store.models import Citation, FactCheck
from factdesk.types import Actor
from factdesk.workflow import Permission, State, has_permission

MAX_REASON = 1000


def keep_quote(session: Session, actor: Actor, fc_id: int, citation_id: int, reason: str) -> None:
    """Record an editor's reason to keep a quote not found in its archived copy."""
    if not has_permission(actor.role, Permission.REVIEW):
        raise PermissionDenied(
            f"role {actor.role.value} may not keep an unverified quote; an editor must"
        )
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise InputError(f"say why the quote stays (1-{MAX_REASON} characters)", where="reason")
    fc = session.get(FactCheck, fc_id)
    citation = session.get(Citation, citation_id)
    if fc is None or fc.origin != "local" or citation is None or citation.fact_check_id != fc_id:
        raise NotFound(f"no citation {citation_id} on fact-check {fc_id}")
    if fc.status == State.WITHDRAWN.value:
        raise WorkflowError("cannot change the citations of a withdrawn fact-check")
    if citation.quote_found:
        raise InputError(
            "this quote was found in its archived copy: nothing to keep", where="reason"
        )
    before = citation.override_reason
    session.execute(
        update(Citation)
        .where(Citation.id == citation_id)
        .values(override_reason=reason, override_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session,
        actor,
        "citation.override",
        "fact_check",
        fc_id,
        {"citation_id": citation_id, "reason": before},
        {"citation_id": citation_id, "reason": reason, "url": citation.url},
    )
