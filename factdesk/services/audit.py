"""The desk's record of its own changes: the one audit writer and the one version snapshot.

Every change a person or a stage makes (a claim merged, a verdict moved, a user added, a
setting changed) writes one ``audit_events`` row here, inside the transaction of the change,
so the log holds exactly what happened. Every published version of a fact-check (ours at
publish, correct and withdraw; another publisher's at import and re-import) is frozen in
``fact_check_versions`` by :func:`snapshot`, so corrections stay visible.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdesk.store import models as m
from factdesk.types import Actor

SYSTEM = "system"


def record(
    session: Session,
    actor: Actor | str | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """One audit row. ``actor`` is the signed-in person, or the name of the stage or tool
    that acted (``"cli"``, ``"detect"``); None is the system itself."""
    if isinstance(actor, Actor):
        actor_id, name = actor.id, actor.username
    else:
        actor_id, name = None, actor or SYSTEM
    session.add(
        m.AuditEvent(
            at=datetime.now(UTC),
            actor_id=actor_id,
            actor=name,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )


def snapshot(session: Session, row: m.FactCheck, *, note: str, actor: Actor | None = None) -> None:
    """Freeze ``row`` as it stands now, with its citations, as version ``row.version``."""
    frozen: dict[str, Any] = {}
    for column in m.FactCheck.__table__.columns:
        value = getattr(row, column.name)
        frozen[column.name] = value.isoformat() if isinstance(value, datetime) else value
    frozen["citations"] = [
        {
            "url": c.url,
            "quote": c.quote,
            "publisher": c.publisher,
            "date": c.source_date,
            "document_id": c.document_id,
            "content_hash": c.content_hash,
            "passage_id": c.passage_id,
            "quote_start": c.quote_start,
            "quote_end": c.quote_end,
        }
        for c in session.scalars(
            select(m.Citation).where(m.Citation.fact_check_id == row.id).order_by(m.Citation.id)
        )
    ]
    session.add(
        m.FactCheckVersion(
            fact_check_id=row.id,
            version=row.version,
            snapshot=frozen,
            note=note,
            created_by_id=actor.id if actor else None,
        )
    )
