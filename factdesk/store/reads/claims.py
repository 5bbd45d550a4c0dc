"""The reads behind the newsroom's claim page: the claim with its fact-check, where it was
seen, and how it spreads; and the row-to-record mapping of claims, fact-checks and alerts
that the claim services share (``claim_record``, ``fact_check_record``, ``alert_record``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdesk.store import models as m
from factdesk.store.reads.common import day_counts
from factdesk.store.reads.desk import citations, history
from factdesk.types import Alert, Appearance, Claim, ClaimPage, FactCheck, Match, Mention, Rating

# --- rows to records ------------------------------------------------------------------------


def claim_record(row: m.Claim) -> Claim:
    """A ``claims`` row as the record (without its fact-check)."""
    return Claim(
        text=row.text,
        language=row.language,
        score=row.score,
        mention_count=row.mention_count,
        id=row.id,
        status=row.status,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        merged_into_id=row.merged_into_id,
        linked_at=row.linked_at,
    )


def fact_check_record(row: m.FactCheck) -> FactCheck:
    """A ``fact_checks`` row as the record: its own columns (no citations, no history)."""
    return FactCheck(
        claim_reviewed=row.claim_reviewed,
        rating=Rating(row.rating_label, row.rating_value, row.rating_best, row.rating_worst),
        url=row.url,
        title=row.title,
        summary=row.summary,
        publisher=row.publisher,
        publisher_url=row.publisher_url,
        language=row.language,
        date_published=row.date_published,
        claim_date=row.claim_date,
        appearances=tuple(Appearance(u) for u in row.appearances or () if isinstance(u, str)),
        content_hash=row.content_hash,
        id=row.id,
        origin=row.origin,
        status=row.status,
        claim_id=row.claim_id,
        explanation=row.explanation,
        date_modified=row.date_modified,
        version=row.version,
        author_id=row.author_id,
        reviewer_id=row.reviewer_id,
        updated_at=row.updated_at,
    )


def alert_record(row: m.Alert, claim_text: str = "") -> Alert:
    return Alert(
        id=row.id,
        claim_id=row.claim_id,
        kind=row.kind,
        message=row.message,
        created_at=row.created_at,
        acknowledged_at=row.acknowledged_at,
        details=dict(row.details or {}),
        claim_text=claim_text,
    )


# --- the claim page -------------------------------------------------------------------------


def get_claim(session: Session, claim_id: int) -> Claim | None:
    row = session.get(m.Claim, claim_id)
    return None if row is None else claim_record(row)


def claim_page(session: Session, claim_id: int) -> ClaimPage | None:
    """The claim with its fact-check, cited evidence and history (always fresh)."""
    claim = session.get(m.Claim, claim_id)
    if claim is None:
        return None
    local = session.scalar(
        select(m.FactCheck).where(m.FactCheck.claim_id == claim_id, m.FactCheck.origin == "local")
    )
    return ClaimPage(
        claim=claim_record(claim),
        fact_check=fact_check_record(local) if local else None,
        # desk.citations/history return records (types.Citation, types.AuditEvent) once the
        # newsroom package lands: drop these two ignores then.
        citations=tuple(citations(session, local.id)) if local else (),  # type: ignore[arg-type]
        history=tuple(history(session, claim_id, local.id if local else None)),  # type: ignore[arg-type]
    )


def claim_mentions(session: Session, claim_id: int, limit: int = 20) -> list[Mention]:
    """The newest mentions of a claim with where they were seen (index: claim, time)."""
    rows = session.execute(
        select(m.Mention, m.Item.url, m.Item.title, m.Item.platform, m.Source.name)
        .join(m.Item, m.Item.id == m.Mention.item_id)
        .outerjoin(m.Source, m.Source.id == m.Item.source_id)
        .where(m.Mention.claim_id == claim_id)
        .order_by(m.Mention.seen_at.desc())
        .limit(limit)
    ).all()
    return [
        Mention(
            text=mention.text,
            start=mention.start,
            end=mention.end,
            score=mention.score,
            language=mention.language,
            signals=tuple(mention.signals or ()),
            id=mention.id,
            item_id=mention.item_id,
            claim_id=mention.claim_id,
            seen_at=mention.seen_at,
            url=url,
            title=title,
            platform=platform,
            source=source,
        )
        for mention, url, title, platform, source in rows
    ]


def claim_chart(session: Session, claim_id: int, days: int = 90) -> list[tuple[date, int]]:
    since = datetime.now(UTC) - timedelta(days=days)
    return day_counts(session, [m.Mention.claim_id == claim_id], since)


def linked_fact_checks(session: Session, claim_id: int) -> list[Match]:
    """Imported fact-checks already linked to the claim, as matches of band ``linked`` and
    score 1.0 (the claim page's fall-back when matching cannot answer)."""
    rows = session.scalars(
        select(m.FactCheck)
        .where(m.FactCheck.claim_id == claim_id, m.FactCheck.origin != "local")
        .limit(10)
    )
    return [Match(str(r.id), fact_check_record(r), 1.0, "linked") for r in rows]
