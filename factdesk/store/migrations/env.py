"""Alembic environment: runs migrations on the engine factdesk hands it."""

from __future__ import annotations

from alembic import context

from factdesk.store.models import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
