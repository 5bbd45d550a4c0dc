"""Newsroom page latency under load: dashboard, queue and claim pages at a fixed request rate.

Builds (once, kept in bench/out/) a SQLite desk with ``--items`` items, ``--claims`` claims
and one mention per item (claim sizes skewed, spread over 90 days), plus work in progress
and audit history; then, for each variant, starts ``factdesk`` under uvicorn in its own
process and sends an open-loop load (requests start on schedule whether or not earlier ones
finished, so queueing shows in the figures) of ``--rate`` requests/s for ``--seconds`` per
page, signed in as a viewer. Latency is measured from each request's scheduled start.

Variants, in the same run, both servers up and measured back to back page by page (so a
change in the machine's other load hits both alike):
  * baseline: no caching (FACTDESK_WEB_CACHE_SECONDS=0) on a copy of the database without
    the indexes migration 0003_web adds for these pages;
  * factdesk: the defaults (figures cached 5 s per process, the indexes in place).

Usage:  .venv/bin/python bench/web.py [--items 100000] [--claims 10000] [--rate 200]
        [--seconds 10] [--workers 2]
Prints one line per page and variant and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import insert, text
from synthetic import free_port

from factdesk.services.accounts import HASHER, token_hash
from factdesk.store import models as m
from factdesk.store.db import make_engine, upgrade

OUT = Path(__file__).parent / "out"
TIMEOUT = 30.0  # seconds before a request counts as an error (a stuck server ends the run)
WEB_INDEXES = ("ix_claims_score", "ix_mentions_claim_seen", "ix_items_source")
WORDS = (
    "giá xăng tăng gấp đôi vaccine gây vô sinh lũ lụt miền trung thủ tướng tuyên bố "
    "the city bans cars unemployment fell prices doubled election results rigged "
    "school closes bridge collapsed water poisoned minister resigned"
).split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def build(path: Path, items: int, claims: int, seed: int = 5) -> None:
    """The desk to measure against; skipped when the file exists."""
    if path.exists():
        return
    rng = random.Random(seed)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{tmp}")
    upgrade(engine)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(m.Source),
            [
                {
                    "kind": "feed",
                    "location": f"https://news{i}.example/rss",
                    "name": f"News {i}",
                    "active": True,
                    "item_count": 0,
                    "created_at": now,
                }
                for i in range(20)
            ],
        )
        conn.execute(
            insert(m.Claim),
            [
                {
                    "text": _sentence(rng, rng.randint(8, 20)),
                    "language": rng.choice(("vi", "en")),
                    "score": rng.random(),
                    "status": "new",
                    "mention_count": 0,
                    "created_at": now,
                }
                for _ in range(claims)
            ],
        )
        weights = [1 / (rank + 1) for rank in range(claims)]  # a few claims spread widely
        owners = rng.choices(range(1, claims + 1), weights=weights, k=items)
        batch: list[dict[str, object]] = []
        mentions: list[dict[str, object]] = []
        for n in range(items):
            seen = now - timedelta(days=rng.random() * 90)
            body = _sentence(rng, rng.randint(15, 40))
            batch.append(
                {
                    "source_id": rng.randint(1, 20),
                    "dedupe_key": f"hash:{n}",
                    "url": f"https://news.example/p/{n}",
                    "text": body,
                    "language": "vi",
                    "content_hash": f"{n:064x}",
                    "published_at": seen,
                    "ingested_at": seen,
                    "detected_at": seen,
                }
            )
            mentions.append(
                {
                    "item_id": n + 1,
                    "claim_id": owners[n],
                    "text": body[:120],
                    "start": 0,
                    "end": 120,
                    "score": rng.random(),
                    "language": "vi",
                    "signals": [],
                    "seen_at": seen,
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(m.Item), batch)
                conn.execute(insert(m.Mention), mentions)
                batch, mentions = [], []
        if batch:
            conn.execute(insert(m.Item), batch)
            conn.execute(insert(m.Mention), mentions)
        conn.execute(
            text(
                "UPDATE claims SET mention_count = (SELECT count(*) FROM mentions "
                "WHERE mentions.claim_id = claims.id), first_seen_at = (SELECT min(seen_at) FROM "
                "mentions WHERE mentions.claim_id = claims.id), last_seen_at = (SELECT "
                "max(seen_at) FROM mentions WHERE mentions.claim_id = claims.id)"
            )
        )
        conn.execute(
            insert(m.User),
            [
                {
                    "username": "bench",
                    "role": "viewer",
                    "active": True,
                    "password_hash": HASHER.hash(secrets.token_hex(16)),
                    "created_at": now,
                }
            ],
        )
        for claim_id in range(1, 301):  # work in progress and its history
            status = ("researching", "draft", "in_review", "published")[claim_id % 4]
            conn.execute(
                text("UPDATE claims SET status = :s WHERE id = :i"), {"s": status, "i": claim_id}
            )
            conn.execute(
                insert(m.FactCheck),
                [
                    {
                        "origin": "local",
                        "status": status,
                        "claim_id": claim_id,
                        "dedupe_key": f"local:claim:{claim_id}",
                        "claim_reviewed": "x",
                        "rating_label": "",
                        "content_hash": "",
                        "version": 2,
                        "author_id": 1,
                        "appearances": [],
                        "created_at": now,
                        "updated_at": now,
                    }
                ],
            )
            conn.execute(
                insert(m.AuditEvent),
                [
                    {
                        "at": now,
                        "actor_id": 1,
                        "actor": "bench",
                        "action": "fact_check.start",
                        "entity_type": "fact_check",
                        "entity_id": claim_id,
                    }
                ],
            )
    engine.dispose()
    tmp.rename(path)


def sign_in(path: Path) -> str:
    """A session for the bench viewer (what the login form would create)."""
    token = secrets.token_urlsafe(32)
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(
            insert(m.WebSession),
            [
                {
                    "token_hash": token_hash(token),
                    "user_id": 1,
                    "csrf": "bench",
                    "created_at": datetime.now(UTC),
                    "expires_at": datetime.now(UTC) + timedelta(days=1),
                }
            ],
        )
    engine.dispose()
    return token


def without_web_indexes(source: Path, target: Path) -> None:
    """A consistent copy (SQLite's backup API: the WAL is included) minus the indexes."""
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    engine = make_engine(f"sqlite:///{target}")
    with engine.begin() as conn:
        for name in WEB_INDEXES:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))  # noqa: S608 - fixed names
        conn.execute(text("ANALYZE"))
    engine.dispose()


def start_server(
    db: Path, cache: float, workers: int, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = os.environ | {
        "FACTDESK_DATABASE_URL": f"sqlite:///{db}",
        "FACTDESK_DATA_DIR": str(db.parent / "data"),
        "FACTDESK_WEB_CACHE_SECONDS": str(cache),
        "FACTDESK_EMBEDDED_WORKER": "0",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "factdesk.web.app:app_from_env",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/desk/login", timeout=1)
            return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server did not start; see {log}")


class Connections:
    """Keep-alive HTTP/1.1 connections speaking just enough of the protocol for GETs.

    A general client (httpx) spends more CPU per request than the pages it measures, and on a
    2-core machine the load generator must not starve the server; this one costs ~0.1 ms.
    """

    def __init__(self, host: str, port: int, cookie: str, size: int) -> None:
        self.host, self.port, self.cookie = host, port, cookie
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )
        self.size = size
        self.opened = 0

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port)

    async def get(self, path: str) -> int:
        if self.idle.empty() and self.opened < self.size:
            conn = await self._open()
        else:
            conn = await self.idle.get()
        writer = conn[1]
        try:
            return await asyncio.wait_for(self._exchange(conn, path), TIMEOUT)
        except (OSError, asyncio.IncompleteReadError, TypeError, TimeoutError):
            writer.close()
            self.opened -= 1
            return 0

    async def _exchange(
        self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], path: str
    ) -> int:
        reader, writer = conn
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nCookie: {self.cookie}\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])  # type: ignore[index]
        await reader.readexactly(length)
        self.idle.put_nowait(conn)
        return status


async def load(
    base: str, token: str, paths: list[str], rate: float, seconds: float
) -> dict[str, float]:
    """Open loop: request i is due at i/rate whatever happened before; its latency counts
    from then, so time spent queueing for a connection or in the server's backlog shows."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    host, port = base.removeprefix("http://").split(":")
    pool = Connections(host, int(port), f"fd_session={token}", size=256)

    async def one(path: str, due: float) -> None:
        nonlocal errors
        if await pool.get(path) != 200:
            errors += 1
        latencies.append(time.perf_counter() - due)

    start = time.perf_counter()
    tasks = []
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(paths[i % len(paths)], due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    while not pool.idle.empty():
        pool.idle.get_nowait()[1].close()
    latencies.sort()

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1)

    return {
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "rps": round(total / elapsed, 1),
        "errors": errors,
        "requests": total,
    }


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and its children (uvicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pids.extend(int(c) for c in children)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--pages",
        default="dashboard,queue,queue_search,claim",
        help="comma-separated subset of the pages to measure",
    )
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    db = OUT / f"web-{args.items}-{args.claims}.db"
    began = time.perf_counter()
    build(db, args.items, args.claims)
    print(
        f"database: {db} ({args.items} items, {args.claims} claims; "
        f"{time.perf_counter() - began:.0f} s to prepare)"
    )
    rng = random.Random(1)
    pages = {
        "dashboard": ["/desk/"],
        "queue": ["/desk/queue"],
        "queue_search": [f"/desk/queue?q={quote(w)}" for w in ("xăng", "vaccine", "bridge", "lũ")],
        "claim": [f"/desk/claims/{rng.randint(1, args.claims)}" for _ in range(2000)],
    }
    pages = {name: pages[name] for name in args.pages.split(",")}
    baseline_db = OUT / "web-baseline.db"
    without_web_indexes(db, baseline_db)
    servers = {}
    for variant, target, cache in (("baseline", baseline_db, 0.0), ("factdesk", db, 5.0)):
        process, base = start_server(target, cache, args.workers, OUT / f"web-{variant}.log")
        servers[variant] = (process, base, sign_in(target))
    figures: dict[str, dict[str, dict[str, float]]] = {"baseline": {}, "factdesk": {}}
    try:
        for _, base, token in servers.values():  # warm up both
            asyncio.run(load(base, token, pages["claim"][:200], args.rate, 2))
        for name, paths in pages.items():  # the two variants back to back, page by page
            for variant, (process, base, token) in servers.items():
                cpu = cpu_seconds(process.pid)
                result = asyncio.run(load(base, token, paths, args.rate, args.seconds))
                result["server_cpu_ms"] = round(
                    (cpu_seconds(process.pid) - cpu) / result["requests"] * 1000, 2
                )
                figures[variant][name] = result
                print(
                    f"{variant:9s} {name:13s} p50 {result['p50_ms']:7.1f} ms  p95 "
                    f"{result['p95_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms  "
                    f"{result['rps']:6.1f} req/s  server CPU {result['server_cpu_ms']:5.2f} "
                    f"ms/req  errors {result['errors']}",
                    flush=True,
                )
    finally:
        for process, _, _ in servers.values():
            process.terminate()
            process.wait(timeout=30)
    ratios = {
        name: round(
            figures["baseline"][name]["p95_ms"] / max(figures["factdesk"][name]["p95_ms"], 0.1), 1
        )
        for name in pages
    }
    print(f"load average (other work on this machine): {os.getloadavg()[0]:.1f}")
    print(
        json.dumps(
            {
                "bench": "web",
                "items": args.items,
                "claims": args.claims,
                "load_average": round(os.getloadavg()[0], 1),
                "rate": args.rate,
                "seconds": args.seconds,
                "workers": args.workers,
                "figures": figures,
                "p95_speedup": ratios,
            }
        )
    )


if __name__ == "__main__":
    main()
