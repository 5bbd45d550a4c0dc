"""Engine and session set-up, and bringing a database to the current schema.

SQLite (the default) runs in WAL mode with foreign keys on and a busy timeout, so the web
server, background workers and the CLI can share one file. PostgreSQL needs ``factdesk[pg]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import ConfigError, MissingExtra, StoreError
from factdesk.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def pool_options(settings: Settings) -> dict[str, Any]:
    """The connection pool a server database gets (``FACTDESK_DB_POOL_*``)."""
    return {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout,
        "pool_recycle": settings.db_pool_recycle,
    }


def engine_for(settings: Settings) -> Engine:
    """The engine for the configured database, its pool sized from the settings."""
    return make_engine(settings.effective_database_url, pool=pool_options(settings))


def make_engine(url: str, *, pool: dict[str, Any] | None = None) -> Engine:
    """Create an engine for ``url`` with the settings each backend needs. ``pool`` sizes a
    server database's pool (SQLite keeps SQLAlchemy's per-thread file connections)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql"):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise MissingExtra("pg", "PostgreSQL") from None
        return create_engine(url, pool_pre_ping=True, **(pool or {}))
    raise ConfigError(f"FACTDESK_DATABASE_URL: unsupported database {url.split(':', 1)[0]!r}")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE changed. ``Session.execute`` is typed as returning a plain
    ``Result``; conditional updates (``WHERE state = :expected``) check this for exactly one."""
    return int(result.rowcount)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls everything back if it raises."""
    with factory() as session, session.begin():
        yield session


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Create the database or migrate it to the newest schema (idempotent)."""
    from alembic import command

    try:
        # "heads": feature migrations may branch from a common base; all of them apply.
        command.upgrade(_alembic_config(engine), "heads")
    except Exception as exc:  # a driver error names the host; keep it on one line
        raise StoreError(f"cannot migrate database: {exc}".splitlines()[0]) from exc


def current_revisions(engine: Engine) -> set[str]:
    """The schema revisions the database is at (empty for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def head_revisions() -> set[str]:
    """The newest revision of each migration branch shipped with this version."""
    from alembic.script import ScriptDirectory

    config = _alembic_config(create_engine("sqlite://"))
    return set(ScriptDirectory.from_config(config).get_heads())


def is_initialised(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")
