"""What one of our fact-checks says now, as the correction rules and the guards need it.

:func:`published_content` and :func:`corrected_content` give
:func:`factdesk.workflow.classify` its two sides; :func:`unverified_quotes` counts the
citations that block approval. Read-only; shared by :mod:`factdesk.services.review` and
:mod:`factdesk.services.corrections`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factdesk.store.models import Citation, FactCheck
from factdesk.workflow import Content


def unverified_quotes(session: Session, fact_check_id: int) -> int:
    """Citations whose quote is not in the archived copy and that no editor kept with a
    recorded reason: each one blocks approval and publishing."""
    found = session.scalar(
        select(func.count())
        .select_from(Citation)
        .where(
            Citation.fact_check_id == fact_check_id,
            Citation.quote_found.is_(False),
            Citation.override_reason.is_(None),
        )
    )
    return found or 0


def published_content(session: Session, fc: FactCheck) -> Content:
    """What :func:`factdesk.workflow.classify` compares: the fact-check as it stands."""
    evidence = session.execute(
        select(Citation.url, Citation.quote).where(Citation.fact_check_id == fc.id)
    ).all()
    return Content(
        rating_label=fc.rating_label or "",
        title=fc.title or "",
        summary=fc.summary or "",
        explanation=fc.explanation or "",
        evidence=frozenset(f"{url}\x00{quote}" for url, quote in evidence),
    )


def corrected_content(current: Content, values: dict[str, Any]) -> Content:
    """``current`` with the corrected text fields of ``values`` (evidence is unchanged: a
    published fact-check's citations cannot be edited)."""
    return replace(
        current,
        rating_label=values["rating_label"] or "",
        title=values["title"] or "",
        summary=values["summary"] or "",
        explanation=values["explanation"] or "",
    )
