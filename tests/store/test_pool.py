"""The server database's connection pool is sized from the settings."""

from __future__ import annotations

from factdesk.settings import Settings
from factdesk.store.db import engine_for


def test_pool_sized_from_settings(tmp_path) -> None:
    settings = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path,
        database_url="postgresql+psycopg://desk@127.0.0.1:1/desk",  # never connected to
        db_pool_size=7,
        db_max_overflow=3,
        db_pool_timeout=4.5,
        db_pool_recycle=600,
    )
    engine = engine_for(settings)
    try:
        pool = engine.pool
        assert pool.size() == 7  # type: ignore[attr-defined]
        assert pool._max_overflow == 3  # type: ignore[attr-defined]
        assert pool._timeout == 4.5  # type: ignore[attr-defined]
        assert pool._recycle == 600
    finally:
        engine.dispose()
