"""Web latency while the desk works: newsroom and public pages at a fixed request rate, with
a worker process ingesting and detecting on the same database.

Builds (once, kept in bench/out/) a SQLite desk with ``--items`` items, ``--claims`` claims
and one mention per item (claim sizes skewed, spread over 90 days), plus work in progress,
published fact-checks, pipeline jobs and audit history; then starts two servers on it
(``factdesk`` under uvicorn, ``--workers`` processes each) and, while another process ingests
generated posts and detects claims in them on the same database in a loop (``factdesk ingest
file`` + ``factdesk detect``, the work of a pipeline worker; ``--no-worker`` to leave it
out), sends each page an open-loop load (requests start on schedule whether or not earlier
ones finished, so queueing shows) of ``--rate`` requests/s for ``--seconds``. Latency is
measured from each request's scheduled start.

Pages: the desk signed in as an editor (dashboard, claim queue, queue search, claim pages,
the jobs page) and the public reads, anonymous (fact-check pages spread over the published
ones, the Atom feed, the API list and an API fact-check).

Variants, in the same run, both servers up and measured back to back page by page (so a
change in the machine's other load, the worker included, hits both alike):
  * baseline: no caching (FACTDESK_WEB_CACHE_SECONDS=0, FACTDESK_PUBLIC_CACHE_SECONDS=0):
    every request reads the database and renders;
  * factdesk: the defaults (desk figures cached 5 s per process, public answers 5 s).

Target (issue 16): p95 <= 50 ms at 200 req/s on loopback while a worker ingests and detects.

Usage:  .venv/bin/python bench/web.py [--items 100000] [--claims 10000] [--rate 200]
        [--seconds 10] [--workers 2] [--pages dashboard,queue,...] [--no-worker]
        [--backlog-seconds 30]
A variant still answering its backlog 30 s after its last request was due is given up on
(its percentiles are then lower bounds, said so); the servers are left to go idle before
the next measurement.
Prints one line per page and variant and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import insert, text
from synthetic import (
    OUT,
    bench_database,
    ingest_and_detect,
    items_in,
    open_loop,
    sentence,
    start_server,
    stop,
    stop_worker,
)

from factdesk.services.accounts import HASHER, token_hash
from factdesk.store import models as m
from factdesk.store.db import make_engine
from factdesk.store.jobtable import PipelineJob

WORK = 300  # claims with a fact-check in progress or published (ids 1..WORK)
TARGET_MS = 50.0
ALIASES = {"search": "queue_search", "public": "public_page", "feed": "public_feed"}


def build(path: Path, items: int, claims: int, seed: int = 5) -> None:
    """The desk to measure against; skipped when the file exists."""
    rng = random.Random(seed)
    now = datetime.now(UTC)

    def fill(conn: Any) -> None:
        conn.execute(
            insert(m.Source),
            [
                {"kind": "feed", "location": f"https://news{i}.example/rss",
                 "name": f"News {i}", "active": True, "item_count": 0, "created_at": now}
                for i in range(20)
            ],
        )  # fmt: skip
        conn.execute(
            insert(m.Claim),
            [
                {"text": sentence(rng, rng.randint(8, 20)), "language": rng.choice(("vi", "en")),
                 "score": rng.random(), "status": "new", "mention_count": 0, "created_at": now}
                for _ in range(claims)
            ],
        )  # fmt: skip
        weights = [1 / (rank + 1) for rank in range(claims)]  # a few claims spread widely
        owners = rng.choices(range(1, claims + 1), weights=weights, k=items)
        batch: list[dict[str, object]] = []
        mentions: list[dict[str, object]] = []
        for n in range(items):
            seen = now - timedelta(days=rng.random() * 90)
            body = sentence(rng, rng.randint(15, 40))
            batch.append(
                {"source_id": rng.randint(1, 20), "dedupe_key": f"hash:{n}",
                 "url": f"https://news.example/p/{n}", "text": body, "language": "vi",
                 "content_hash": f"{n:064x}", "published_at": seen, "ingested_at": seen,
                 "detected_at": seen}
            )  # fmt: skip
            mentions.append(
                {"item_id": n + 1, "claim_id": owners[n], "text": body[:120], "start": 0,
                 "end": 120, "score": rng.random(), "language": "vi", "signals": [],
                 "seen_at": seen}
            )  # fmt: skip
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
            [{"username": "bench", "role": "editor", "active": True,
              "password_hash": HASHER.hash(secrets.token_hex(16)), "created_at": now}],
        )  # fmt: skip
        for claim_id in range(1, WORK + 1):  # work in progress, published work, its history
            status = ("researching", "draft", "in_review", "published")[claim_id % 4]
            conn.execute(
                text("UPDATE claims SET status = :s WHERE id = :i"), {"s": status, "i": claim_id}
            )
            conn.execute(
                insert(m.FactCheck),
                [{"origin": "local", "status": status, "claim_id": claim_id,
                  "dedupe_key": f"local:claim:{claim_id}", "claim_reviewed": sentence(rng, 12),
                  "rating_label": "False", "rating_value": 1.0, "rating_best": 5.0,
                  "rating_worst": 1.0, "title": sentence(rng, 8), "summary": sentence(rng, 20),
                  "explanation": " ".join(sentence(rng, 15) + "." for _ in range(12)),
                  "language": rng.choice(("vi", "en")), "content_hash": f"{claim_id:064d}",
                  "version": 2, "author_id": 1, "appearances": [],
                  "date_published": now - timedelta(hours=claim_id) if status == "published"
                  else None, "created_at": now, "updated_at": now}],
            )  # fmt: skip
            conn.execute(
                insert(m.AuditEvent),
                [{"at": now, "actor_id": 1, "actor": "bench", "action": "fact_check.start",
                  "entity_type": "fact_check", "entity_id": claim_id}],
            )  # fmt: skip
        conn.execute(
            insert(PipelineJob),
            [
                {"kind": ("ingest", "detect", "link", "match")[n % 4], "payload": [n],
                 "status": "dead" if n % 50 == 0 else "done", "attempts": 1,
                 "run_after": now, "created_at": now - timedelta(seconds=n),
                 "finished_at": now, "last_error": "timeout" if n % 50 == 0 else None}
                for n in range(2000)
            ],
        )  # fmt: skip

    bench_database(path, fill)


def sign_in(path: Path) -> str:
    """A session for the bench editor (what the login form would create)."""
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


def pages_to_measure(claims: int) -> dict[str, tuple[list[str], bool]]:
    """Each page's paths (spread over many, so a cache is not always hit) and whether the
    request is signed in (desk) or anonymous (public)."""
    rng = random.Random(1)
    published = [n for n in range(1, WORK + 1) if n % 4 == 3]  # fact-check id == claim id
    return {
        "dashboard": (["/desk/"], True),
        "queue": (["/desk/queue"], True),
        "queue_search": ([f"/desk/queue?q={quote(w)}" for w in ("xăng", "vaccine", "bridge", "lũ")],
                         True),
        "claim": ([f"/desk/claims/{rng.randint(1, claims)}" for _ in range(2000)], True),
        "jobs": (["/desk/jobs", "/desk/jobs?status=dead"], True),
        "public_page": ([f"/fact-checks/{n}/" for n in published], False),
        "public_feed": (["/feed.atom"], False),
        "api_list": (["/api/v1/fact-checks?limit=20", "/api/v1/fact-checks?limit=20&offset=20"],
                     False),
        "api_item": ([f"/api/v1/fact-checks/{n}" for n in published[:10]], False),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--pages",
        default="dashboard,queue,queue_search,claim,jobs,public_page,public_feed,api_list,api_item",
        help="comma-separated subset of the pages to measure",
    )
    parser.add_argument("--no-worker", action="store_true", help="no ingest+detect beside")
    parser.add_argument(
        "--backlog-seconds",
        type=float,
        default=30.0,
        help="after a page's last request is due, give up on those unanswered after this long "
        "(a variant that cannot keep up; its percentiles are then lower bounds)",
    )
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    source = OUT / f"web-{args.items}-{args.claims}.db"
    began = time.perf_counter()
    build(source, args.items, args.claims)
    print(
        f"database: {source} ({args.items} items, {args.claims} claims; "
        f"{time.perf_counter() - began:.0f} s to prepare)"
    )
    db = OUT / "web-run.db"  # a fresh copy each run: the worker adds to it
    copy(source, db)
    every = pages_to_measure(args.claims)
    chosen = [ALIASES.get(name, name) for name in args.pages.split(",") if name]
    unknown = [name for name in chosen if name not in every]
    if unknown:
        raise SystemExit(f"unknown pages {unknown}; known: {', '.join(every)}")
    pages = {name: every[name] for name in chosen}
    servers = {}
    for variant, cache in (("baseline", "0"), ("factdesk", "5")):
        env = {"FACTDESK_WEB_CACHE_SECONDS": cache, "FACTDESK_PUBLIC_CACHE_SECONDS": cache}
        process, base = start_server(db, env, args.workers, OUT / f"web-{variant}.log")
        servers[variant] = (process, base)
    cookie = f"fd_session={sign_in(db)}"
    figures: dict[str, dict[str, dict[str, float]]] = {"baseline": {}, "factdesk": {}}
    worker: subprocess.Popen[bytes] | None = None
    try:
        for _, base in servers.values():  # warm up both
            asyncio.run(open_loop(base, every["claim"][0][:200], args.rate, 2, cookie))
        items_before = items_in(db)
        if not args.no_worker:
            worker = ingest_and_detect(db, 86_400, OUT / "web-worker.log")  # killed at the end
            time.sleep(3)  # the worker has started ingesting
        for name, (paths, signed_in) in pages.items():  # variants back to back, page by page
            for variant, (process, base) in servers.items():
                settle([p for p, _ in servers.values()])  # no backlog left from the last page
                cpu = cpu_seconds(process.pid)
                result = asyncio.run(
                    open_loop(base, paths, args.rate, args.seconds, cookie if signed_in else "",
                              backlog_seconds=args.backlog_seconds)
                )  # fmt: skip
                result["load_average"] = round(os.getloadavg()[0], 1)
                if result["unfinished"]:
                    # what it still does for requests given up on counts too: CPU per
                    # request answered is then an upper bound
                    settle([p for p, _ in servers.values()])
                answered = result["requests"] - result["unfinished"]
                result["server_cpu_ms"] = round(
                    (cpu_seconds(process.pid) - cpu) / max(answered, 1) * 1000, 2
                )
                figures[variant][name] = result
                print(
                    f"{variant:9s} {name:13s} p50 {result['p50_ms']:7.1f} ms  p95 "
                    f"{result['p95_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms  "
                    f"{result['rps']:6.1f} req/s  server CPU {result['server_cpu_ms']:5.2f} "
                    f"ms/req  errors {result['errors']}  load {result['load_average']}"
                    + (
                        f"  GAVE UP on {result['unfinished']} (p95 a lower bound, CPU an upper one)"
                        if result["unfinished"]
                        else ""
                    ),
                    flush=True,
                )
            if worker is not None and worker.poll() is not None:
                raise SystemExit("the worker stopped; see bench/out/web-worker.log")
        ingested = items_in(db) - items_before
        print(f"items ingested (and detected) beside the load: {ingested}")
        if worker is not None and ingested == 0:
            raise SystemExit("the worker ingested nothing; see bench/out/web-worker.log")
    finally:
        if worker is not None:
            stop_worker(worker)  # a batch in progress is cut short; the next run copies afresh
        for process, _ in servers.values():
            stop(process)
    ratios = {
        name: round(
            figures["baseline"][name]["p95_ms"] / max(figures["factdesk"][name]["p95_ms"], 0.1), 1
        )
        for name in pages
    }
    met = {name: figures["factdesk"][name]["p95_ms"] <= TARGET_MS for name in pages}
    print(f"p95 <= {TARGET_MS:.0f} ms at {args.rate:.0f} req/s"
          f"{'' if args.no_worker else ' with ingest+detect beside'}: "
          + ", ".join(f"{n} {'met' if ok else 'NOT met'}" for n, ok in met.items()))  # fmt: skip
    print(f"load average (other work on this machine): {os.getloadavg()[0]:.1f}")
    print(
        json.dumps(
            {"bench": "web", "items": args.items, "claims": args.claims,
             "load_average": round(os.getloadavg()[0], 1), "rate": args.rate,
             "seconds": args.seconds, "workers": args.workers, "worker": not args.no_worker,
             "items_ingested_beside": ingested,
             "figures": figures, "p95_speedup": ratios, "target_met": met}
        )
    )  # fmt: skip


def settle(processes: list[subprocess.Popen[bytes]], most: float = 60.0) -> None:
    """Wait (at most ``most`` seconds) until the servers are idle: a variant given up on
    with requests in flight must not spend the next one's CPU finishing them."""
    end = time.monotonic() + most
    while time.monotonic() < end:
        before = sum(cpu_seconds(p.pid) for p in processes)
        time.sleep(0.5)
        if sum(cpu_seconds(p.pid) for p in processes) - before < 0.05:
            return


def copy(source: Path, target: Path) -> None:
    """A consistent copy (SQLite's backup API: a WAL left beside the source is included)."""
    import sqlite3

    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


if __name__ == "__main__":
    main()
