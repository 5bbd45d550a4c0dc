"""Migration 0013_public_origin_index: the public lists' index comes and goes cleanly, on
SQLite and (with FACTDESK_TEST_DATABASE_URL) PostgreSQL, and the list query uses it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.dialects import sqlite

from factdesk.store.db import _alembic_config, current_revisions, make_engine, upgrade
from factdesk.store.reads import public as queries

NAME = "ix_fact_checks_public"


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (the suite's shared one is never downgraded)."""
    admin_url = os.environ.get("FACTDESK_TEST_DATABASE_URL")
    if not admin_url:
        engine = make_engine(f"sqlite:///{tmp_path / 'round-trip.db'}")
        yield engine
        engine.dispose()
        return
    name = f"factdesk_mig_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(admin_url.rsplit("/", 1)[0] + "/" + name)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _index(engine: Engine) -> list[str] | None:
    for index in inspect(engine).get_indexes("fact_checks"):
        if index["name"] == NAME:
            return [str(c) for c in index["column_names"]]
    return None


def test_0013_upgrade_downgrade_round_trip(fresh: Engine) -> None:
    upgrade(fresh)
    assert "0013_public_origin_index" in current_revisions(fresh)
    assert _index(fresh) == ["origin", "status", "date_published", "id"]
    command.downgrade(_alembic_config(fresh), "0012_claim_key")
    assert "0013_public_origin_index" not in current_revisions(fresh)
    assert "0012_claim_key" in current_revisions(fresh)
    assert _index(fresh) is None
    with fresh.begin() as conn:  # a row written at 0012 survives the way back up
        conn.execute(
            text(
                "INSERT INTO fact_checks (origin, status, dedupe_key, claim_reviewed, "
                "rating_label, content_hash, version, appearances, created_at, updated_at) "
                "VALUES ('local', 'published', 'local:x', 'x', 'False', 'h', 1, '[]', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    upgrade(fresh)
    assert _index(fresh) == ["origin", "status", "date_published", "id"]
    with fresh.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM fact_checks")).scalar() == 1


def test_the_public_list_reads_the_index_not_the_rows(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    try:
        upgrade(engine)
        from sqlalchemy import func, select

        from factdesk.store import models as m

        stmt = (
            select(m.FactCheck.id, func.count().over())
            .where(*queries._public())
            .order_by(m.FactCheck.date_published.desc(), m.FactCheck.id.desc())
            .limit(20)
        )
        sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        with engine.connect() as conn:
            plan = " ".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
        assert f"COVERING INDEX {NAME}" in plan, plan
    finally:
        engine.dispose()
