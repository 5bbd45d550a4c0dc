"""Claims as the partner API reads them: what the desk sees spreading, and our verdict.

A claim is text, language, counts and dates — never who posted it. A claim carries our
fact-check (``Claim.fact_check``) only once that fact-check is public; a draft verdict is
never exposed. :mod:`factdesk.publish.documents` turns these records into the API's JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factdesk.errors import NotFound
from factdesk.store import models as m
from factdesk.store.reads.common import day_counts, like_terms
from factdesk.types import Claim, ClaimTrend, FactCheck, Page, Rating
from factdesk.workflow import PUBLIC_STATES, State

STATUSES = tuple(s.value for s in State)
TREND_DAYS = 90


def _public_fact_checks(session: Session, claim_ids: list[int]) -> dict[int, FactCheck]:
    """Our public fact-check of each claim, as much of it as a claim's listing shows."""
    rows = session.execute(
        select(
            m.FactCheck.claim_id,
            m.FactCheck.id,
            m.FactCheck.status,
            m.FactCheck.claim_reviewed,
            m.FactCheck.rating_label,
            m.FactCheck.language,
        ).where(
            m.FactCheck.claim_id.in_(claim_ids),
            m.FactCheck.origin == "local",
            m.FactCheck.status.in_([s.value for s in PUBLIC_STATES]),
        )
    )
    return {
        claim_id: FactCheck(
            id=fc_id,
            origin="local",
            status=status,
            claim_id=claim_id,
            claim_reviewed=claim_reviewed,
            rating=Rating(label),
            language=language,
        )
        for claim_id, fc_id, status, claim_reviewed, label, language in rows
        if claim_id is not None
    }


def _claim(row: m.Claim, fact_check: FactCheck | None) -> Claim:
    return Claim(
        id=row.id,
        text=row.text,
        language=row.language,
        status=row.status,
        score=row.score,
        mention_count=row.mention_count,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        merged_into_id=row.merged_into_id,
        fact_check=fact_check,
    )


def list_claims(
    session: Session,
    *,
    query: str = "",
    language: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[Claim]:
    """Claims, most recently seen first (merged duplicates are left out)."""
    where: list[Any] = [m.Claim.merged_into_id.is_(None)]
    if query.strip():
        where.extend(like_terms(session, m.Claim.text, query))
    if language:
        where.append(m.Claim.language == language)
    if status:
        where.append(m.Claim.status == status)
    total = session.scalar(select(func.count()).select_from(m.Claim).where(*where)) or 0
    claims = list(
        session.scalars(
            select(m.Claim)
            .where(*where)
            .order_by(m.Claim.last_seen_at.desc().nulls_last(), m.Claim.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )
    linked = _public_fact_checks(session, [c.id for c in claims])
    return Page(tuple(_claim(c, linked.get(c.id)) for c in claims), total, offset, limit)


def claim_trend(session: Session, claim_id: int) -> ClaimTrend:
    """One claim with its mentions per day over the last ``TREND_DAYS`` days."""
    row = session.get(m.Claim, claim_id)
    if row is None:
        raise NotFound(f"no claim {claim_id}")
    claim = _claim(row, _public_fact_checks(session, [row.id]).get(row.id))
    since = datetime.now(UTC) - timedelta(days=TREND_DAYS)
    days = day_counts(session, [m.Mention.claim_id == row.id], since)
    return ClaimTrend(claim, tuple(days))
