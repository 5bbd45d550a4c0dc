from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.store.db import current_revisions, head_revisions, upgrade
from factdesk.store.models import Base, Source


def test_upgrade_is_idempotent_and_at_head(engine: Engine) -> None:
    upgrade(engine)
    assert current_revisions(engine) == head_revisions()
    assert {"items", "fact_checks", "quarantine", "audit_events"} <= set(
        inspect(engine).get_table_names()
    )


def test_transaction_rolls_back_on_error(db: sessionmaker[Session]) -> None:
    from factdesk.store.db import transaction

    try:
        with transaction(db) as session:
            session.add(Source(kind="feed", location="http://127.0.0.1/feed.xml"))
            session.flush()
            raise RuntimeError("crash mid-batch")
    except RuntimeError:
        pass
    with db() as session:
        assert session.scalars(select(Source)).all() == []


def test_migrations_match_the_models(engine: Engine) -> None:
    """Every column and index the models declare exists after the migrations (and no more)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
