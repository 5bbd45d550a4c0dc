"""backup → empty the database and the data dir → restore gives back every row and file,
by each method the backend has (SQLite's backup API or pg_dump, and the portable dump);
a restore refuses a database that holds rows unless forced, and a damaged backup."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import InputError
from factdesk.services import backup as ops
from factdesk.services.webhooks import add_webhook
from factdesk.settings import Settings
from factdesk.store.models import Base
from tests.web.conftest import seed_claim


def _everything(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def _wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def _seed(db: sessionmaker[Session], settings: Settings) -> None:
    seed_claim(db, mentions=3)
    seed_claim(db, "Tea cures malaria", mentions=2)
    with db.begin() as session:
        add_webhook(session, "http://127.0.0.1:9/hook", allow_private=True, actor="cli")
    archived = settings.data_dir / "research" / "doc-1.bin"
    archived.parent.mkdir(parents=True, exist_ok=True)
    archived.write_bytes(b"%PDF-1.4 archived evidence \x00\xff")
    (settings.data_dir / "cache").mkdir(exist_ok=True)
    (settings.data_dir / "cache" / "skip.npy").write_bytes(b"cache")


@pytest.mark.parametrize("portable", [False, True], ids=["native", "portable"])
def test_backup_round_trip(
    engine: Engine, db: sessionmaker[Session], settings: Settings, tmp_path: Path, portable: bool
) -> None:
    _seed(db, settings)
    before = _everything(engine)
    seen: list[str] = []
    manifest = ops.backup(settings, engine, tmp_path / "bk", portable=portable,
                          progress=lambda step, done, total: seen.append(step))  # fmt: skip
    tools = shutil.which("pg_dump") and shutil.which("pg_restore")
    native = {"sqlite": "sqlite", "postgresql": "pg_dump" if tools else "portable"}[
        engine.dialect.name
    ]
    assert manifest.method == ("portable" if portable else native)
    assert manifest.counts["claims"] == 2 and manifest.counts["mentions"] == 5
    assert manifest.revisions and "files/research/doc-1.bin" in manifest.checksums
    assert not any(name.startswith("files/cache") for name in manifest.checksums)
    assert {"database", "files"} <= set(seen) or {"tables", "files"} <= set(seen)

    _wipe(engine)
    (settings.data_dir / "research" / "doc-1.bin").unlink()
    ops.restore(settings, engine, tmp_path / "bk")
    assert _everything(engine) == before
    assert (settings.data_dir / "research" / "doc-1.bin").read_bytes().endswith(b"\x00\xff")
    # ids go on after the restored ones (sequences reset on PostgreSQL)
    new_claim = seed_claim(db, "A new claim after the restore", mentions=1)
    assert new_claim > max(row[0] for row in before["claims"])

    with pytest.raises(InputError, match="not empty"):
        ops.restore(settings, engine, tmp_path / "bk")
    ops.restore(settings, engine, tmp_path / "bk", force=True)
    assert _everything(engine) == before


def test_backup_refuses_damaged_and_non_empty_target(
    engine: Engine, db: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    _seed(db, settings)
    ops.backup(settings, engine, tmp_path / "bk", portable=True)
    with pytest.raises(InputError, match="not empty"):
        ops.backup(settings, engine, tmp_path / "bk")
    victim = tmp_path / "bk" / "tables" / "claims.jsonl"
    victim.write_text(victim.read_text(encoding="utf-8").replace("Tea", "Rum"), encoding="utf-8")
    _wipe(engine)
    with pytest.raises(InputError, match="damaged") as refused:
        ops.restore(settings, engine, tmp_path / "bk")
    assert refused.value.where == "tables/claims.jsonl"
    assert ops.counts(engine)["claims"] == 0
    with pytest.raises(InputError, match="not a factdesk backup"):
        ops.restore(settings, engine, tmp_path)
