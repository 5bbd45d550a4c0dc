"""Claims as the partner API shows them: what the desk sees spreading, and our verdict.

A claim is text, language, counts and dates — never who posted it. A claim links to our
fact-check only once that fact-check is public; a draft verdict is never exposed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factdesk.errors import NotFound
from factdesk.publish.urls import absolute, fact_check_path
from factdesk.store import models as m
from factdesk.store.reads.common import day_counts, like_terms

STATUSES = ("new", "researching", "draft", "in_review", "published", "corrected", "withdrawn")
TREND_DAYS = 90


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _public_fact_checks(session: Session, claim_ids: list[int], base_url: str) -> dict[int, Any]:
    rows = session.execute(
        select(
            m.FactCheck.claim_id, m.FactCheck.id, m.FactCheck.status, m.FactCheck.rating_label
        ).where(
            m.FactCheck.claim_id.in_(claim_ids),
            m.FactCheck.origin == "local",
            m.FactCheck.status.in_(("published", "corrected", "withdrawn")),
        )
    )
    return {
        claim_id: {
            "id": fc_id,
            "status": status,
            "rating": None if status == "withdrawn" else rating,
            "url": absolute(base_url, fact_check_path(fc_id)),
        }
        for claim_id, fc_id, status, rating in rows
        if claim_id is not None
    }


def _row(claim: m.Claim, fact_check: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": claim.id,
        "text": claim.text,
        "language": claim.language,
        "status": claim.status,
        "score": round(claim.score, 4),
        "mention_count": claim.mention_count,
        "first_seen_at": _iso(claim.first_seen_at),
        "last_seen_at": _iso(claim.last_seen_at),
        "fact_check": fact_check,
    }


def list_claims(
    session: Session,
    *,
    base_url: str,
    query: str = "",
    language: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> dict[str, Any]:
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
    linked = _public_fact_checks(session, [c.id for c in claims], base_url)
    return {
        "total": total,
        "offset": offset,
        "limit": limit,
        "claims": [_row(c, linked.get(c.id)) for c in claims],
    }


def claim_detail(session: Session, claim_id: int, *, base_url: str) -> dict[str, Any]:
    """One claim with its mentions per day over the last ``TREND_DAYS`` days."""
    claim = session.get(m.Claim, claim_id)
    if claim is None:
        raise NotFound(f"no claim {claim_id}")
    row = _row(claim, _public_fact_checks(session, [claim.id], base_url).get(claim.id))
    since = datetime.now(UTC) - timedelta(days=TREND_DAYS)
    row["merged_into"] = claim.merged_into_id
    row["mentions_per_day"] = [
        {"date": day.isoformat(), "mentions": count}
        for day, count in day_counts(session, [m.Mention.claim_id == claim.id], since)
    ]
    return row
