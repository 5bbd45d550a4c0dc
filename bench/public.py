"""The public read path under load: fact-check pages, the Atom feed and /api/v1 reads.

Builds (once, kept in bench/out/) a SQLite desk with ``--fact-checks`` published
fact-checks, then starts two servers side by side (uvicorn, ``--workers`` processes each):

  * baseline: the public cache off (FACTDESK_PUBLIC_CACHE_SECONDS=0): every request is
    routed, reads the database and renders, as before this cache existed;
  * factdesk: the defaults (public answers kept in memory FACTDESK_PUBLIC_CACHE_SECONDS, default 5 s).

Part 1, throughput: for each endpoint, wrk (a second process, ``apt-get install wrk``)
drives ``--connections`` keep-alive connections for ``--seconds`` against each server in
turn; prints requests/s and p50/p95/p99 latency. The endpoints: one hot fact-check page
(a viral one), pages spread over 200 fact-checks (first in a fresh process, mostly misses;
then the same again, cached), the Atom feed, one API fact-check, the API list.

Part 2, latency while the desk works: a fixed open-loop rate of ``--rate`` requests/s
(latency counted from each request's scheduled start, so queueing shows) over a mix of
public pages, feed and API reads, while a background process ingests generated posts and
runs detection on the same database in a loop (``factdesk ingest file`` + ``factdesk
detect``, standing in for a worker). Both servers, the same background load.

Usage:  .venv/bin/python bench/public.py [--fact-checks 2000] [--seconds 8]
        [--connections 32] [--workers 1] [--rate 200] [--load-seconds 20]
Prints one line per measurement and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert
from synthetic import (
    OUT,
    bench_database,
    ingest_and_detect,
    items_in,
    open_loop,
    sentence,
    start_server,
    stop,
)

from factdesk.store import models as m

LUA = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format('RESULT {"requests": %%d, "seconds": %%f, "errors": %%d, '
    .. '"p50_ms": %%f, "p95_ms": %%f, "p99_ms": %%f}\\n', summary.requests,
    summary.duration / 1e6, errors, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def build(path: Path, count: int, seed: int = 7) -> None:
    """Published fact-checks, each about its own claim; skipped when the file exists."""
    rng = random.Random(seed)
    now = datetime.now(UTC)

    def fill(conn: Any) -> None:
        conn.execute(
            insert(m.Claim),
            [
                {"text": sentence(rng, 12), "language": rng.choice(["vi", "en"]),
                 "score": 0.9, "status": "published", "mention_count": 1 + i % 7,
                 "first_seen_at": now - timedelta(days=i % 90), "last_seen_at": now}
                for i in range(count)
            ],
        )  # fmt: skip
        conn.execute(
            insert(m.FactCheck),
            [
                {"origin": "local", "status": "published", "claim_id": i + 1,
                 "dedupe_key": f"local:{i}", "claim_reviewed": sentence(rng, 12),
                 "rating_label": rng.choice(["False", "Misleading", "True"]),
                 "rating_value": 1.0, "rating_best": 5.0, "rating_worst": 1.0,
                 "title": sentence(rng, 8), "summary": sentence(rng, 20),
                 "explanation": " ".join(sentence(rng, 15) + "." for _ in range(12)),
                 "language": rng.choice(["vi", "en"]), "publisher": "Bench Desk",
                 "date_published": now - timedelta(hours=i), "content_hash": f"{i:064d}",
                 "version": 1, "appearances": [], "created_at": now, "updated_at": now}
                for i in range(count)
            ],
        )  # fmt: skip

    bench_database(path, fill)


def server(db: Path, cache: float, workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    return start_server(db, {"FACTDESK_PUBLIC_CACHE_SECONDS": str(cache)}, workers, log)


def wrk(base: str, paths: list[str], seconds: float, connections: int) -> dict[str, float]:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(LUA % ", ".join(json.dumps(p) for p in paths), encoding="utf-8")
    try:
        done = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s",
             "-s", str(script), base],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        script.unlink()
    line = next(row for row in done.stdout.splitlines() if row.startswith("RESULT "))
    result: dict[str, float] = json.loads(line[7:])
    result["rps"] = result["requests"] / max(result["seconds"], 1e-9)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fact-checks", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--load-seconds", type=float, default=20.0)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/public.py needs wrk: apt-get install wrk")
    OUT.mkdir(exist_ok=True)
    source = OUT / f"public-{args.fact_checks}.db"
    build(source, args.fact_checks)
    db = OUT / "public-run.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(source, db)
    servers = {}
    for variant, cache in (("baseline", 0.0), ("factdesk", 5.0)):
        servers[variant] = server(db, cache, args.workers, OUT / f"public-{variant}.log")
    rng = random.Random(1)
    spread = [f"/fact-checks/{rng.randint(1, args.fact_checks)}/" for _ in range(200)]
    endpoints = {
        "page (one viral)": ["/fact-checks/1/"],
        "pages (200 spread)": spread,  # a fresh process: mostly first renders (misses)
        "pages (spread, again)": spread,  # the same, now cached (re-rendered as they expire)
        "feed.atom": ["/feed.atom"],
        "api fact-check": ["/api/v1/fact-checks/1"],
        "api list": ["/api/v1/fact-checks?limit=20"],
    }
    figures: dict[str, dict[str, dict[str, float]]] = {"baseline": {}, "factdesk": {}}
    try:
        for name, paths in endpoints.items():
            for variant in ("baseline", "factdesk"):
                for path in paths[:3]:  # warm: the first answer renders and fills the cache
                    httpx.get(servers[variant][1] + path, timeout=30)
                result = wrk(servers[variant][1], paths, args.seconds, args.connections)
                figures[variant][name] = result
                print(f"{variant:9} {name:20} {result['rps']:8.0f} req/s  p50 "
                      f"{result['p50_ms']:6.1f} ms  p95 {result['p95_ms']:6.1f} ms  p99 "
                      f"{result['p99_ms']:6.1f} ms  errors {result['errors']}", flush=True)  # fmt: skip
        mix = [*spread[:20], "/feed.atom", "/api/v1/fact-checks/1", "/api/v1/fact-checks?limit=20",
               "/fact-checks/1/", "/"]  # fmt: skip
        before = items_in(db)
        worker = ingest_and_detect(db, args.load_seconds * 2 + 30, OUT / "public-background.log")
        time.sleep(3)  # the background process has started ingesting
        for variant in ("baseline", "factdesk"):
            result = asyncio.run(open_loop(servers[variant][1], mix, args.rate, args.load_seconds))
            figures[variant]["mix at fixed rate, ingest+detect running"] = result
            print(f"{variant:9} {'mix @ ' + str(int(args.rate)) + ' req/s + ingest':20} "
                  f"p50 {result['p50_ms']:6.1f} ms  p95 {result['p95_ms']:6.1f} ms  p99 "
                  f"{result['p99_ms']:6.1f} ms  errors {result['errors']}", flush=True)  # fmt: skip
        worker.kill()  # a batch in progress is cut short; the next run starts from a fresh copy
        worker.wait(30)
        figures["factdesk"]["items ingested beside"] = {"items": items_in(db) - before}
        print(f"items ingested (and detected) beside the load: {items_in(db) - before}")
    finally:
        for process, _ in servers.values():
            stop(process)
    ratios = {
        name: round(
            figures["factdesk"][name]["rps"] / max(figures["baseline"][name]["rps"], 1e-9), 1
        )
        for name in endpoints
    }
    print(json.dumps({"cores": os.cpu_count(), "workers": args.workers,
                      "connections": args.connections, "figures": figures,
                      "throughput_ratio_vs_baseline": ratios}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
