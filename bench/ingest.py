"""Ingestion throughput: items/s importing a generated JSONL export of posts.

Runs, in one process and one run:
  * factdesk: `ingest.ingest_file(..., "jsonl")` — streaming parse, normalisation, language
    id, de-duplication, batched inserts, one transaction — into a fresh SQLite file and (when
    reachable) a fresh PostgreSQL database;
  * baseline "naive": the same lines through the loop a first version would write —
    SQLAlchemy with the driver's defaults (on SQLite: rollback journal, full sync), json.loads,
    one ORM insert and one COMMIT per row. It does strictly less work per row than factdesk
    (no normalisation, language id, hashing or de-duplication).

With ``--feed``, instead: ``parse_feed`` on a 1,000-entry RSS file written by
bench/pipeline.py's synthetic writer (the shape the pipeline bench ingests), against
``feedparser.parse`` alone on the same bytes with the options parse_feed passes (the
reference library, a floor no feed parser built on it goes below): entries per CPU second
of each, best of interleaved rounds, and the share of parse_feed that is ours. To compare two versions of
factdesk, run it twice, PYTHONPATH choosing the code.

Usage:  .venv/bin/python bench/ingest.py [--lines 100000] [--naive-lines 5000]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        .venv/bin/python bench/ingest.py --feed [--entries 1000] [--rounds 15]
Prints one line per run and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from factdesk.services import ingest
from factdesk.settings import Settings
from factdesk.store import models
from factdesk.store.db import make_engine, session_factory, upgrade

VI_WORDS = "giá xăng sẽ tăng mạnh tuần tới theo thông báo của bộ công thương người dân nên mua tích trữ ngay".split()
EN_WORDS = "the city will ban all private cars from the centre next month according to a new decree".split()


def generate(path: Path, lines: int, seed: int = 7) -> None:
    """Synthetic posts: half Vietnamese, half English, 5% exact repeats (de-duplicated)."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        for n in range(lines):
            words = VI_WORDS if n % 2 else EN_WORDS
            body = " ".join(rng.choice(words) for _ in range(rng.randint(12, 40)))
            ident = n if rng.random() > 0.05 else rng.randrange(max(n, 1))
            record = {
                "id": f"p{ident}",
                "time": (start + timedelta(minutes=ident)).isoformat(),
                "platform": "demo",
                "text": f"{body} #{ident}",
                "url": f"https://example.net/posts/{ident}",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_factdesk(url: str, path: Path, data_dir: Path) -> tuple[float, int]:
    settings = Settings(database_url=url, data_dir=data_dir)  # type: ignore[call-arg]
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    began = time.perf_counter()
    report = ingest.ingest_file(settings, factory, path, "jsonl")
    elapsed = time.perf_counter() - began
    engine.dispose()
    return elapsed, report.added + report.duplicates + report.updated


def run_naive(url: str, path: Path, lines: int) -> tuple[float, int]:
    """The loop a first version would write: SQLAlchemy with the driver's defaults (no WAL,
    full sync on SQLite), json.loads, one ORM insert and one COMMIT per row."""
    engine = create_engine(url)
    models.Base.metadata.create_all(engine)
    began = time.perf_counter()
    done = 0
    with path.open(encoding="utf-8") as handle, Session(engine) as session:
        for line in handle:
            if done >= lines:
                break
            record = json.loads(line)
            session.add(
                models.Item(
                    dedupe_key=f"naive:{record['url']}:{done}",
                    url=record["url"],
                    text=record["text"],
                    platform=record["platform"],
                    content_hash="",
                    external_id=record["id"],
                    published_at=datetime.fromisoformat(record["time"]),
                )
            )
            session.commit()
            done += 1
    elapsed = time.perf_counter() - began
    engine.dispose()
    return elapsed, done


def feed_speed(entries: int, rounds: int) -> dict[str, float | int]:
    """parse_feed against feedparser.parse alone, entries per CPU second, best of rounds."""
    import io

    import feedparser

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pipeline

    from factdesk.ingest.feeds import parse_feed

    with tempfile.TemporaryDirectory() as tmp:
        (path,) = pipeline.write_feeds(Path(tmp), entries, entries)
        data = path.read_bytes()
    headers = {"content-type": "application/xml; charset=utf-8"}
    best = {"parse_feed": float("inf"), "feedparser": float("inf")}
    runs = {
        "parse_feed": lambda: parse_feed(data, origin=str(path)),
        "feedparser": lambda: feedparser.parse(
            io.BytesIO(data), response_headers=headers, sanitize_html=True
        ),
    }
    for run in runs.values():
        run()  # warm: imports, regex compilation
    for _ in range(rounds):
        for name, run in runs.items():
            began = time.process_time()  # CPU seconds: less moved by other processes' load
            run()
            best[name] = min(best[name], time.process_time() - began)
    ours, floor = entries / best["parse_feed"], entries / best["feedparser"]
    share = 1 - best["feedparser"] / best["parse_feed"]
    print(
        f"feed ({entries} entries, {len(data):,} bytes): parse_feed {ours:,.0f} entries/CPU-s; "
        f"feedparser.parse alone {floor:,.0f} entries/CPU-s; ours {share:.1%} of parse_feed"
    )
    return {
        "feed_entries": entries,
        "parse_feed_entries_per_s": round(ours),
        "feedparser_entries_per_s": round(floor),
        "parse_feed_own_share": round(share, 4),
    }


def fresh_pg_database(admin_url: str) -> tuple[str, object] | None:
    try:
        admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
        name = f"factdesk_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server: the bench still reports SQLite
        print(f"postgresql: skipped ({str(exc).splitlines()[0]})")
        return None

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return admin_url.rsplit("/", 1)[0] + "/" + name, drop


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument(
        "--naive-lines",
        type=int,
        default=5_000,
        help="rows for the per-row-commit baseline (its rate is per row)",
    )
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--feed", action="store_true", help="time parse_feed instead")
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    if args.feed:
        print(json.dumps(feed_speed(args.entries, args.rounds)))
        return 0
    figures: dict[str, float | int] = {"lines": args.lines}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        export = tmpdir / "posts.jsonl"
        generate(export, args.lines)
        targets = [
            (
                "sqlite",
                f"sqlite:///{tmpdir / 'bench.db'}",
                f"sqlite:///{tmpdir / 'naive.db'}",
                None,
                None,
            )
        ]
        pg_fd = fresh_pg_database(args.pg) if args.pg else None
        pg_naive = fresh_pg_database(args.pg) if pg_fd else None
        if pg_fd and pg_naive:
            targets.append(("postgresql", pg_fd[0], pg_naive[0], pg_fd[1], pg_naive[1]))
        for name, url, naive_url, drop, drop_naive in targets:
            try:
                seconds, items = run_factdesk(url, export, tmpdir / "data")
                rate = items / seconds
                naive_seconds, naive_items = run_naive(naive_url, export, args.naive_lines)
                naive_rate = naive_items / naive_seconds
            finally:
                for dropper in (drop, drop_naive):
                    if dropper:
                        dropper()  # type: ignore[operator]
            print(
                f"{name}: factdesk {rate:,.0f} items/s ({items:,} lines in {seconds:.1f} s); "
                f"naive per-row commit {naive_rate:,.0f} items/s ({naive_items:,} rows); "
                f"ratio {rate / naive_rate:.1f}x"
            )
            figures[f"{name}_items_per_s"] = round(rate)
            figures[f"{name}_naive_items_per_s"] = round(naive_rate)
            figures[f"{name}_ratio"] = round(rate / naive_rate, 1)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
