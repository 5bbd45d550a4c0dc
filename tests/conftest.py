"""Shared fixtures.

The suite runs against SQLite by default and against PostgreSQL when
``FACTDESK_TEST_DATABASE_URL`` names a server database (for example
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``): a fresh database is created for
the run and dropped after it. Each test gets empty tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from factdesk.settings import Settings, get_settings
from factdesk.store.db import make_engine, session_factory, upgrade
from factdesk.store.models import Base

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test reads the developer's FACTDESK_* variables or .env; each gets its own data dir."""
    for name in list(os.environ):
        if name.startswith("FACTDESK_") and name != "FACTDESK_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("FACTDESK_DATA_DIR", str(tmp_path / "data"))
    # The suite's servers live on 127.0.0.1; the address rules are tested with this off
    # (tests/test_net_addresses.py).
    monkeypatch.setenv("FACTDESK_ALLOW_PRIVATE_FETCH", "true")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _server_database() -> Iterator[str]:
    admin_url = os.environ["FACTDESK_TEST_DATABASE_URL"]
    name = f"factdesk_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a migrated database for this test run (SQLite file or fresh PostgreSQL)."""
    if os.environ.get("FACTDESK_TEST_DATABASE_URL"):
        yield from _server_database()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """A migrated engine whose tables are emptied before each test."""
    with migrated_engine.begin() as conn:
        # DELETE, children first: on PostgreSQL it is far faster than TRUNCATE for the few
        # rows a test writes.
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    yield migrated_engine


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to the per-test database."""
    return session_factory(engine)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at the test database and a per-test data dir."""
    return Settings(database_url=database_url, data_dir=tmp_path / "data")  # type: ignore[call-arg]
