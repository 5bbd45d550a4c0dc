"""Retention: the raw text of ingested items is kept ``FACTDESK_RETAIN_ITEM_TEXT_DAYS`` days.

A desk needs the claims, not everyone's posts forever: after N days an item's body (and the
raw excerpt of a quarantined record) is blanked. What the desk's work rests on stays: the
item row itself (URL, title, source, dates, content hash — so the same post is never
ingested again), each mention's own sentence, the claims and their mention counts, the
fact-checks and their versions, and the audit trail. Each run is audited
(``retention.purge``, with the cutoff and how many rows it blanked).

Rows are blanked in batches of :data:`BATCH` ids, each its own short transaction, so a
purge of millions of old items never holds a long lock over the table the pipeline writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from factdesk.errors import InputError
from factdesk.services import audit
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import rowcount, transaction

BATCH = 2000


@dataclass(frozen=True)
class RetentionReport:
    """What a retention run did (``days`` 0: retention is off and nothing was touched)."""

    days: int
    cutoff: datetime | None
    items_blanked: int
    quarantine_blanked: int


def purge(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    days: int | None = None,
    now: datetime | None = None,
    actor: str = "retention",
) -> RetentionReport:
    """Blank the text of items ingested more than ``days`` (default: the setting) ago."""
    keep = settings.retain_item_text_days if days is None else days
    if keep < 0:
        raise InputError("days must be 0 (keep forever) or more", where="days")
    if keep == 0:
        return RetentionReport(0, None, 0, 0)
    cutoff = (now or datetime.now(UTC)) - timedelta(days=keep)
    items = _blank(factory, m.Item.id, m.Item.text, m.Item.ingested_at, cutoff)
    quarantined = _blank(
        factory, m.QuarantineRecord.id, m.QuarantineRecord.raw, m.QuarantineRecord.at, cutoff
    )
    with transaction(factory) as session:
        audit.record(
            session, actor, "retention.purge", "items", None,
            after={"days": keep, "cutoff": cutoff.isoformat(), "items": items,
                   "quarantine": quarantined},
        )  # fmt: skip
    return RetentionReport(keep, cutoff, items, quarantined)


def _blank(
    factory: sessionmaker[Session],
    ident: InstrumentedAttribute[int],
    column: InstrumentedAttribute[str],
    at: InstrumentedAttribute[datetime],
    cutoff: datetime,
) -> int:
    total = 0
    while True:
        with transaction(factory) as session:
            ids = list(
                session.scalars(
                    select(ident).where(at < cutoff, column != "").order_by(ident).limit(BATCH)
                )
            )
            if not ids:
                return total
            changed = update(column.class_).where(ident.in_(ids)).values({column.key: ""})
            total += rowcount(session.execute(changed))
