"""``factdesk backup DIR`` and ``factdesk restore DIR``: the database and the data dir's
files, with a manifest that says what is inside and lets a restore check it.

Three ways to copy the database, chosen by the backend and what is installed:

- ``sqlite``: SQLite's online backup API (``sqlite3.Connection.backup``), a consistent copy
  while the desk keeps running;
- ``pg_dump``: PostgreSQL's own tools when ``pg_dump``/``pg_restore`` are on PATH;
- ``portable``: every table as JSON lines, parents before children, read in one
  transaction and restored in one transaction into a migrated database. Works for any
  backend and between them (``--portable``).

The files are everything under ``FACTDESK_DATA_DIR`` except the database, the job queue
and caches (``cache/``, ``index/``: rebuilt on demand). The manifest (``manifest.json``)
records the version, method, schema revisions, row counts and a SHA-256 of every file; a
restore verifies the checksums first and refuses a database that already holds rows unless
forced.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.types import JSON

import factdesk
from factdesk.errors import InputError, StoreError
from factdesk.settings import Settings
from factdesk.store.db import current_revisions, upgrade
from factdesk.store.models import Base

MANIFEST = "manifest.json"
FILES = "files"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
TABLES = "tables"
SKIPPED = ("cache", "index")  # rebuilt on demand
# Told how far a step has gone: (step, done, total).
Progress = Callable[[str, int, int], None]


@dataclass
class Manifest:
    """What a backup holds; written as ``manifest.json``."""

    factdesk_version: str
    created_at: str
    method: str
    dialect: str
    revisions: list[str]
    counts: dict[str, int]
    checksums: dict[str, str] = field(default_factory=dict)


def _quiet(_step: str, _done: int, _total: int) -> None:
    return None


def counts(engine: Engine) -> dict[str, int]:
    """Rows in each of factdesk's tables."""
    with engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in Base.metadata.sorted_tables
        }


def backup(
    settings: Settings,
    engine: Engine,
    target: Path,
    *,
    portable: bool = False,
    progress: Progress = _quiet,
) -> Manifest:
    """Copy the database and the data files into ``target`` (new or empty)."""
    if target.exists() and any(target.iterdir()):
        raise InputError(f"{target} is not empty: back up into a new folder", where=str(target))
    target.mkdir(parents=True, exist_ok=True)
    dialect = engine.dialect.name
    if portable:
        method = "portable"
    elif dialect == "sqlite":
        method = "sqlite"
    elif dialect == "postgresql" and shutil.which("pg_dump") and shutil.which("pg_restore"):
        method = "pg_dump"
    else:
        method = "portable"
    manifest = Manifest(
        factdesk_version=factdesk.__version__,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        method=method,
        dialect=dialect,
        revisions=sorted(current_revisions(engine)),
        counts=counts(engine),
    )
    if method == "sqlite":
        _sqlite_backup(engine, target / SQLITE_FILE, progress)
    elif method == "pg_dump":
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target / PG_FILE)],
             engine)  # fmt: skip
        progress("database", 1, 1)
    else:
        _dump_tables(engine, target / TABLES, progress)
    _copy_files(settings, target / FILES, progress)
    manifest.checksums = {
        str(path.relative_to(target)): _sha256(path) for path in sorted(_walk(target))
    }
    (target / MANIFEST).write_text(json.dumps(asdict(manifest), indent=1), encoding="utf-8")
    return manifest


def read_manifest(source: Path) -> Manifest:
    if not (source / MANIFEST).is_file():
        raise InputError("not a factdesk backup: no manifest.json", where=str(source))
    try:
        data = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        return Manifest(**data)
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(f"not a factdesk backup: {exc}", where=str(source / MANIFEST)) from None


def restore(
    settings: Settings,
    engine: Engine,
    source: Path,
    *,
    force: bool = False,
    progress: Progress = _quiet,
) -> Manifest:
    """Put a backup back: verify it, refuse a database holding rows unless ``force``, then
    restore the database and the files. Returns the backup's manifest."""
    manifest = read_manifest(source)
    for name, expected in manifest.checksums.items():
        path = source / name
        if not path.is_file() or _sha256(path) != expected:
            raise InputError("the backup is damaged: checksum does not match", where=name)
    upgrade(engine)
    held = {name: n for name, n in counts(engine).items() if n}
    if held and not force:
        raise InputError(
            f"the database is not empty ({sum(held.values())} rows, e.g. in "
            f"{', '.join(sorted(held)[:3])}): restore into an empty one, or pass --force "
            "to replace its contents",
            where="database",
        )
    dialect = engine.dialect.name
    if manifest.method == "sqlite":
        if dialect != "sqlite":
            raise InputError("an SQLite backup restores into SQLite only", where="database")
        _sqlite_restore(engine, source / SQLITE_FILE, progress)
    elif manifest.method == "pg_dump":
        if dialect != "postgresql":
            raise InputError("a pg_dump backup restores into PostgreSQL only", where="database")
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--dbname"], engine, after=[str(source / PG_FILE)])  # fmt: skip
        progress("database", 1, 1)
    else:
        if sorted(current_revisions(engine)) != manifest.revisions:
            raise InputError(
                "the backup was made at another schema version: restore with the factdesk "
                "version that made it",
                where="manifest.revisions",
            )
        _load_tables(engine, source / TABLES, progress)
    _restore_files(settings, source / FILES, progress)
    return manifest


# --- SQLite ------------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise InputError("an in-memory database cannot be backed up", where="database")
    return path


def _sqlite_backup(engine: Engine, target: Path, progress: Progress) -> None:
    source = sqlite3.connect(_sqlite_path(engine))
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy, pages=256, progress=lambda _s, left, total: progress(
            "database", total - left, total))  # fmt: skip
    finally:
        copy.close()
        source.close()


def _sqlite_restore(engine: Engine, backup_file: Path, progress: Progress) -> None:
    engine.dispose()  # no pooled connection keeps reading the old pages
    source = sqlite3.connect(str(backup_file))
    live = sqlite3.connect(_sqlite_path(engine), timeout=30)
    try:
        source.backup(live, pages=256, progress=lambda _s, left, total: progress(
            "database", total - left, total))  # fmt: skip
    finally:
        live.close()
        source.close()
    engine.dispose()


# --- pg_dump -----------------------------------------------------------------------------


def _run(command: list[str], engine: Engine, *, after: list[str] | None = None) -> None:
    """Run a PostgreSQL tool on the engine's database; the password goes in the environment
    (never on the command line, where ``ps`` shows it)."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    dsn = plain.render_as_string(hide_password=False)
    done = subprocess.run(
        [*command, dsn, *(after or [])], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        first = (done.stderr or done.stdout).strip().splitlines()[:1]
        raise StoreError(f"{command[0]} failed: {first[0] if first else done.returncode}")


# --- portable ----------------------------------------------------------------------------


def _encode(value: Any, is_json: bool) -> Any:
    if value is None:
        return None
    if is_json:
        return {"$json": value}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$json":
            return inner
        if tag == "$dt":
            return datetime.fromisoformat(inner)
        if tag == "$date":
            return date.fromisoformat(inner)
        if tag == "$b64":
            return base64.b64decode(inner)
    return value


def _dump_tables(engine: Engine, folder: Path, progress: Progress) -> None:
    folder.mkdir()
    tables = Base.metadata.sorted_tables
    with engine.connect() as conn, conn.begin():  # one snapshot for every table
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        for i, table in enumerate(tables):
            json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
            with (folder / f"{table.name}.jsonl").open("w", encoding="utf-8") as out:
                for row in conn.execute(select(table)).mappings():
                    record = {k: _encode(v, k in json_columns) for k, v in row.items()}
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            progress("tables", i + 1, len(tables))


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                yield {k: _decode(v) for k, v in json.loads(line).items()}
            except ValueError as exc:
                raise InputError(f"unreadable row: {exc}", where=f"{path.name}:{number}") from None


def _load_tables(engine: Engine, folder: Path, progress: Progress) -> None:
    tables = Base.metadata.sorted_tables
    with engine.begin() as conn:  # all or nothing
        for table in reversed(tables):
            conn.execute(table.delete())
        for i, table in enumerate(tables):
            path = folder / f"{table.name}.jsonl"
            if not path.exists():
                raise InputError("table missing from the backup", where=path.name)
            batch: list[dict[str, Any]] = []
            for row in _rows(path):
                batch.append(row)
                if len(batch) >= 500:
                    conn.execute(table.insert(), batch)
                    batch = []
            if batch:
                conn.execute(table.insert(), batch)
            progress("tables", i + 1, len(tables))
        if engine.dialect.name == "postgresql":
            for table in tables:  # ids go on after the restored ones
                for column in table.primary_key.columns:
                    if column.autoincrement is True or (
                        column.autoincrement == "auto" and column.type.python_type is int
                    ):
                        sequence = func.pg_get_serial_sequence(table.name, column.name)
                        newest = select(func.coalesce(func.max(column), 0) + 1).scalar_subquery()
                        conn.execute(
                            select(func.setval(sequence, newest, False)).where(
                                sequence.is_not(None)
                            )
                        )


# --- files -------------------------------------------------------------------------------


def _walk(root: Path) -> Iterator[Path]:
    for path in root.rglob("*"):
        if path.is_file():
            yield path


def _data_files(settings: Settings) -> list[Path]:
    root = settings.data_dir
    if not root.is_dir():
        return []
    found = []
    for path in _walk(root):
        relative = path.relative_to(root)
        if relative.parts[0] in SKIPPED:
            continue
        if relative.name.startswith(("factdesk.db", "jobs-")):
            continue  # the database (copied above) and the job queue (transient)
        found.append(path)
    return found


def _copy_files(settings: Settings, target: Path, progress: Progress) -> None:
    files = _data_files(settings)
    target.mkdir()
    for i, path in enumerate(files):
        destination = target / path.relative_to(settings.data_dir)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        progress("files", i + 1, len(files))


def _restore_files(settings: Settings, source: Path, progress: Progress) -> None:
    files = list(_walk(source)) if source.is_dir() else []
    for i, path in enumerate(files):
        destination = settings.data_dir / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        progress("files", i + 1, len(files))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
