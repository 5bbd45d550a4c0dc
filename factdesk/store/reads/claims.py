"""The reads behind the newsroom's claim page: the claim with its fact-check, where it was
seen, and how it spreads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdesk.store import models as m
from factdesk.store.reads.common import day_counts
from factdesk.store.reads.desk import citations, history


def claim_page(session: Session, claim_id: int) -> dict[str, Any] | None:
    """The claim with its fact-check, cited evidence and history (always fresh)."""
    claim = session.get(m.Claim, claim_id)
    if claim is None:
        return None
    local = session.scalar(
        select(m.FactCheck).where(m.FactCheck.claim_id == claim_id, m.FactCheck.origin == "local")
    )
    return {
        "claim": claim,
        "fact_check": local,
        "citations": citations(session, local.id) if local else [],
        "history": history(session, claim_id, local.id if local else None),
    }


def claim_mentions(session: Session, claim_id: int, limit: int = 20) -> list[Any]:
    """The newest mentions of a claim with where they were seen (index: claim, time)."""
    return list(
        session.execute(
            select(
                m.Mention.text,
                m.Mention.score,
                m.Mention.seen_at,
                m.Mention.language,
                m.Item.url,
                m.Item.title,
                m.Item.platform,
                m.Source.name.label("source"),
            )
            .join(m.Item, m.Item.id == m.Mention.item_id)
            .outerjoin(m.Source, m.Source.id == m.Item.source_id)
            .where(m.Mention.claim_id == claim_id)
            .order_by(m.Mention.seen_at.desc())
            .limit(limit)
        ).all()
    )


def claim_chart(session: Session, claim_id: int, days: int = 90) -> list[tuple[date, int]]:
    since = datetime.now(UTC) - timedelta(days=days)
    return day_counts(session, [m.Mention.claim_id == claim_id], since)


def linked_fact_checks(session: Session, claim_id: int) -> list[dict[str, Any]]:
    """Imported fact-checks already linked to the claim (the fallback when matching is
    not available)."""
    rows = session.execute(
        select(m.FactCheck)
        .where(m.FactCheck.claim_id == claim_id, m.FactCheck.origin != "local")
        .limit(10)
    ).scalars()
    return [
        {
            "score": 1.0,
            "band": "linked",
            "publisher": r.publisher,
            "rating": r.rating_label,
            "url": r.url,
            "claim_reviewed": r.claim_reviewed,
        }
        for r in rows
    ]
