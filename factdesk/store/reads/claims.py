"""The reads behind the newsroom's claim page: the claim with its fact-check, where it was
seen, and how it spreads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import BindParameter, and_, bindparam, func, select
from sqlalchemy.orm import Session

from factdesk.store import models as m
from factdesk.store.reads import answers
from factdesk.store.reads.common import as_claim, as_fact_check, as_mention, day_rows
from factdesk.store.reads.desk import citations, history
from factdesk.types import Claim, ClaimLink, ClaimPage, Match, Mention

# --- the claim page -------------------------------------------------------------------------

# The page's statements, built once: building one (joins, entities) costs more Python time
# than SQLite takes to run it, on a page asked for at every click.
_CLAIM: BindParameter[int] = bindparam("claim")
# the claim and our fact-check of it, in one statement
_WITH_LOCAL = (
    select(m.Claim, m.FactCheck)
    .outerjoin(m.FactCheck, and_(m.FactCheck.claim_id == m.Claim.id, m.FactCheck.origin == "local"))
    .where(m.Claim.id == _CLAIM)
    .limit(1)
)
MENTIONS_SHOWN = 20
# plain columns, not Mention objects: a page of them costs a third of loading the objects
_MENTIONS = (
    select(
        m.Mention.text,
        m.Mention.start,
        m.Mention.end,
        m.Mention.score,
        m.Mention.language,
        m.Mention.signals,
        m.Mention.id,
        m.Mention.item_id,
        m.Mention.claim_id,
        m.Mention.seen_at,
        m.Item.url,
        m.Item.title,
        m.Item.platform,
        m.Source.name.label("source"),
    )  # fmt: skip
    .join(m.Item, m.Item.id == m.Mention.item_id)
    .outerjoin(m.Source, m.Source.id == m.Item.source_id)
    .where(m.Mention.claim_id == _CLAIM)
    .order_by(m.Mention.seen_at.desc())
    .limit(MENTIONS_SHOWN)
)
_DAY = func.date(m.Mention.seen_at)
_CHART = (
    select(_DAY, func.count())
    .where(m.Mention.seen_at >= bindparam("since"), m.Mention.claim_id == _CLAIM)
    .group_by(_DAY)
)


def get_claim(session: Session, claim_id: int) -> Claim | None:
    row = session.get(m.Claim, claim_id)
    return None if row is None else as_claim(row)


def claim_page(session: Session, claim_id: int) -> ClaimPage | None:
    """The claim with its fact-check, cited evidence and history (always fresh)."""
    found = session.execute(_WITH_LOCAL, {"claim": claim_id}).first()
    if found is None:
        return None
    claim, local = found
    return ClaimPage(
        claim=as_claim(claim),
        fact_check=as_fact_check(local) if local else None,
        citations=tuple(citations(session, local.id)) if local else (),
        history=tuple(history(session, claim_id, local.id if local else None)),
        similar=(claim.similar_id, claim.similar_score),
    )


def claim_answer(session: Session, page: ClaimPage) -> ClaimLink | None:
    """The earlier answer to the claim of a :func:`claim_page` (its linking's near-duplicate
    is the one read with the page, not read again)."""
    claim_id = page.claim.id
    if claim_id is None:
        return None
    known = {claim_id: page.similar}
    return answers.answers(session, [claim_id], similar_of=known).get(claim_id)


def claim_mentions(session: Session, claim_id: int, limit: int = MENTIONS_SHOWN) -> list[Mention]:
    """The newest mentions of a claim with where they were seen (index: claim, time)."""
    stmt = _MENTIONS if limit == MENTIONS_SHOWN else _MENTIONS.limit(limit)
    rows = session.connection().execute(stmt, {"claim": claim_id}).all()
    return [
        as_mention(row, url=row.url, title=row.title, platform=row.platform, source=row.source)
        for row in rows
    ]


def claim_chart(session: Session, claim_id: int, days: int = 90) -> list[tuple[date, int]]:
    since = datetime.now(UTC) - timedelta(days=days)
    rows = session.execute(_CHART, {"since": since, "claim": claim_id}).all()
    return day_rows(rows)


def linked_fact_checks(session: Session, claim_id: int) -> list[Match]:
    """Imported fact-checks already linked to the claim, as matches of band ``linked`` and
    score 1.0 (the claim page's fall-back when matching cannot answer)."""
    rows = session.scalars(
        select(m.FactCheck)
        .where(m.FactCheck.claim_id == claim_id, m.FactCheck.origin != "local")
        .limit(10)
    )
    return [Match(str(r.id), as_fact_check(r), 1.0, "linked") for r in rows]
