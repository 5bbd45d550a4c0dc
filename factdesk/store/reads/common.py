"""Read helpers every reader shares: the word filter, the mentions-per-day count, and the
mapping of ORM rows to the records of :mod:`factdesk.types` (the store's edge: nothing
above it sees a row)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from factdesk import types
from factdesk.ingest.dates import as_written
from factdesk.store import models as m
from factdesk.text.normalize import fold, strip_accents


def like_terms(session: Session, column: Any, query: str) -> list[Any]:
    """One condition per word of ``query``: all words must occur, whatever their case.

    LIKE (SQLite) and ILIKE (PostgreSQL under the C collation) fold ASCII letters only, so
    a word with other letters is also tried Capitalised and in UPPER case, the forms words
    take in text (đường, Đường, ĐƯỜNG); no per-row function call is needed.
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    conditions = []
    for word in query.lower().split()[:10]:
        forms = (
            [word]
            if word.isascii()
            else list(dict.fromkeys((word, word.capitalize(), word.upper())))
        )
        patterns = []
        for form in forms:
            escaped = form.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            patterns.append(
                column.like(pattern, escape="\\") if sqlite else column.ilike(pattern, escape="\\")
            )
        conditions.append(or_(*patterns))
    return conditions


def contains_words(text: str, query: str) -> bool:
    """The word filter in Python, for lists small enough to filter row by row (the public
    fact-checks): whether every word of ``query`` occurs in ``text``, ignoring case; a query typed
    without accents also matches accented text ("ung thu" finds "ung thư")."""
    words = fold(query).split()
    if not words:
        return True
    haystack = fold(text)
    if query.isascii():
        haystack = strip_accents(haystack)
    return all(word in haystack for word in words)


def day_counts(session: Session, stmt_filter: list[Any], since: datetime) -> list[tuple[date, int]]:
    """Mentions per day since ``since`` (UTC days), oldest first."""
    day = func.date(m.Mention.seen_at)
    rows = session.execute(
        select(day, func.count()).where(m.Mention.seen_at >= since, *stmt_filter).group_by(day)
    ).all()
    return day_rows(rows)


def day_rows(rows: Iterable[Any]) -> list[tuple[date, int]]:
    """``(day, count)`` rows as dates (SQLite gives text), oldest first."""
    counts = {(d if isinstance(d, date) else date.fromisoformat(str(d)[:10])): n for d, n in rows}
    return sorted(counts.items())


# --- rows -> records -----------------------------------------------------------------------


# What a claim record holds: a list selects these columns alone, as plain rows (a page of
# fifty tracked Claim objects costs several times more, and reads every other column).
CLAIM_COLUMNS = (
    m.Claim.text,
    m.Claim.language,
    m.Claim.score,
    m.Claim.mention_count,
    m.Claim.id,
    m.Claim.status,
    m.Claim.first_seen_at,
    m.Claim.last_seen_at,
    m.Claim.merged_into_id,
    m.Claim.linked_at,
)


def as_claim(row: Any) -> types.Claim:
    """A record from a Claim, or from a row of :data:`CLAIM_COLUMNS`."""
    return types.Claim(
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


def as_fact_check(row: m.FactCheck, citations: tuple[types.Citation, ...] = ()) -> types.FactCheck:
    """A fact-check row as the record (no public history: that is the public read's)."""
    return types.FactCheck(
        claim_reviewed=row.claim_reviewed,
        rating=types.Rating(row.rating_label, row.rating_value, row.rating_best, row.rating_worst),
        url=row.url,
        title=row.title,
        summary=row.summary,
        publisher=row.publisher,
        publisher_url=row.publisher_url,
        language=row.language,
        date_published=as_written(row.date_published, row.date_published_offset),
        claim_date=row.claim_date,
        appearances=tuple(types.Appearance(u) for u in row.appearances or () if isinstance(u, str)),
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
        citations=citations,
    )


def as_citation(row: m.Citation) -> types.Citation:
    return types.Citation(
        url=row.url,
        quote=row.quote,
        publisher=row.publisher,
        source_date=row.source_date,
        document_id=row.document_id,
        archived_at=row.archived_at,
        content_hash=row.content_hash,
        quote_found=row.quote_found,
        override_reason=row.override_reason,
        id=row.id,
    )


def as_event(row: m.AuditEvent) -> types.AuditEvent:
    return types.AuditEvent(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        before=row.before,
        after=row.after,
        actor_id=row.actor_id,
    )


def as_source(row: m.Source) -> types.Source:
    return types.Source(
        id=row.id,
        kind=row.kind,
        location=row.location,
        name=row.name,
        language=row.language,
        active=row.active,
        item_count=row.item_count,
        last_fetched_at=row.last_fetched_at,
        last_status=row.last_status,
        last_error=row.last_error,
        etag=row.etag,
        last_modified=row.last_modified,
        created_at=row.created_at,
        fetch_interval=row.fetch_interval,
        failures=row.failures or 0,
        next_fetch_at=row.next_fetch_at,
        paused_reason=row.paused_reason,
    )


def as_account(row: m.User) -> types.Account:
    return types.Account(row.id, row.username, row.role, row.active, row.created_at)


def as_alert(row: m.Alert, claim_text: str = "") -> types.Alert:
    return types.Alert(
        id=row.id,
        claim_id=row.claim_id,
        kind=row.kind,
        message=row.message,
        created_at=row.created_at,
        acknowledged_at=row.acknowledged_at,
        details=dict(row.details or {}),
        claim_text=claim_text,
    )


def as_mention(
    row: Any,
    *,
    url: str | None = None,
    title: str | None = None,
    platform: str | None = None,
    source: str | None = None,
    why: str = "",
) -> types.Mention:
    """A stored mention (a Mention, or a row of its columns) with where it was seen (the
    item's URL, title, platform, source)."""
    return types.Mention(
        text=row.text,
        start=row.start,
        end=row.end,
        score=row.score,
        language=row.language,
        signals=tuple(row.signals or ()),
        id=row.id,
        item_id=row.item_id,
        claim_id=row.claim_id,
        seen_at=row.seen_at,
        url=url,
        title=title,
        platform=platform,
        source=source,
        why=why,
    )
