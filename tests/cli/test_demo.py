"""`factdesk demo` on a fresh database: the sample data goes through every stage."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.store import models

CLI = Any


def _count(db: sessionmaker[Session], model: type) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_demo_loads_samples_and_is_idempotent(cli: CLI, db: sessionmaker[Session]) -> None:
    first = cli("demo")
    assert first.code == 0, first.err
    items, fact_checks = _count(db, models.Item), _count(db, models.FactCheck)
    assert items > 90 and fact_checks >= 42
    assert _count(db, models.QuarantineRecord) == 4  # the four broken sample rows
    assert _count(db, models.Claim) > 0 and _count(db, models.Mention) > 0
    with db() as session:
        published = session.scalars(
            select(models.FactCheck).where(models.FactCheck.origin == "local")
        ).all()
    assert published and all(fc.status in ("published", "corrected") for fc in published)
    second = cli("demo")
    assert second.code == 0, second.err
    assert _count(db, models.Item) == items
    assert _count(db, models.FactCheck) == fact_checks
    assert _count(db, models.QuarantineRecord) == 4  # the same problems are not recorded twice
    claims = json.loads(cli("claims", "list", "--format", "json").out)
    assert claims and {"id", "text", "mentions"} <= set(claims[0])
