"""The public read path under load: fact-check pages, the Atom feed and /api/v1 reads.

Builds (once, kept in bench/out/) a SQLite desk with ``--fact-checks`` published
fact-checks, then starts two servers side by side (uvicorn, ``--workers`` processes each):

  * baseline: the public cache off (FACTDESK_PUBLIC_CACHE_SECONDS=0): every request is
    routed, reads the database and renders, as before this cache existed;
  * factdesk: the defaults (public answers kept in memory FACTDESK_PUBLIC_CACHE_SECONDS, default 5 s).

Part 1, throughput: for each endpoint, wrk (a second process, ``apt-get install wrk``)
drives ``--connections`` keep-alive connections for ``--seconds`` against each server in
turn; prints requests/s and p50/p95/p99 latency. The endpoints: one hot fact-check page
(a viral one), pages spread over 200 fact-checks, the Atom feed, one API fact-check, the
API list.

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
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert
from synthetic import free_port

from factdesk.store import models as m
from factdesk.store.db import make_engine, upgrade

OUT = Path(__file__).parent / "out"
WORDS = (
    "giá xăng tăng gấp đôi vaccine gây vô sinh lũ lụt miền trung thủ tướng tuyên bố "
    "the city bans cars unemployment fell prices doubled election results rigged "
    "school closes bridge collapsed water poisoned minister resigned"
).split()
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


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def build(path: Path, count: int, seed: int = 7) -> None:
    """Published fact-checks, each about its own claim; skipped when the file exists."""
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
            insert(m.Claim),
            [
                {"text": _sentence(rng, 12), "language": rng.choice(["vi", "en"]),
                 "score": 0.9, "status": "published", "mention_count": 1 + i % 7,
                 "first_seen_at": now - timedelta(days=i % 90), "last_seen_at": now}
                for i in range(count)
            ],
        )  # fmt: skip
        conn.execute(
            insert(m.FactCheck),
            [
                {"origin": "local", "status": "published", "claim_id": i + 1,
                 "dedupe_key": f"local:{i}", "claim_reviewed": _sentence(rng, 12),
                 "rating_label": rng.choice(["False", "Misleading", "True"]),
                 "rating_value": 1.0, "rating_best": 5.0, "rating_worst": 1.0,
                 "title": _sentence(rng, 8), "summary": _sentence(rng, 20),
                 "explanation": " ".join(_sentence(rng, 15) + "." for _ in range(12)),
                 "language": rng.choice(["vi", "en"]), "publisher": "Bench Desk",
                 "date_published": now - timedelta(hours=i), "content_hash": f"{i:064d}",
                 "version": 1, "appearances": [], "created_at": now, "updated_at": now}
                for i in range(count)
            ],
        )  # fmt: skip
    engine.dispose()
    tmp.rename(path)


def start_server(
    db: Path, cache: float, workers: int, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = os.environ | {
        "FACTDESK_DATABASE_URL": f"sqlite:///{db}",
        "FACTDESK_DATA_DIR": str(db.parent / "public-data"),
        "FACTDESK_PUBLIC_CACHE_SECONDS": str(cache),
        "FACTDESK_EMBEDDED_WORKER": "0",
        "FACTDESK_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "factdesk.web.app:app_from_env",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
               "--log-level", "warning", "--no-access-log"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server did not start; see {log}")


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
    result = json.loads(line[7:])
    result["rps"] = result["requests"] / max(result["seconds"], 1e-9)
    return result


async def open_loop(base: str, paths: list[str], rate: float, seconds: float) -> dict[str, float]:
    """Request i is due at i/rate whatever happened before; latency from that moment."""
    host, port = base.removeprefix("http://").split(":")
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    latencies: list[float] = []
    errors = 0

    async def one(path: str, due: float) -> None:
        nonlocal errors
        conn = (
            pool.get_nowait()
            if not pool.empty()
            else await asyncio.open_connection(host, int(port))
        )
        reader, writer = conn
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            await reader.readexactly(int(length[1]) if length else 0)
            if head[9:10] != b"2":
                errors += 1
            latencies.append(time.perf_counter() - due)
            pool.put_nowait(conn)
        except (OSError, asyncio.IncompleteReadError, TimeoutError):
            errors += 1
            writer.close()

    start = time.perf_counter()
    total = int(rate * seconds)
    tasks = []
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(paths[i % len(paths)], due)))
    await asyncio.gather(*tasks)
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {"requests": total, "errors": errors, "p50_ms": pick(0.5), "p95_ms": pick(0.95),
            "p99_ms": pick(0.99), "rps": total / (time.perf_counter() - start)}  # fmt: skip


def background(db: Path, stop_after: float, log: Path) -> subprocess.Popen[bytes]:
    """Ingest generated posts and detect claims in them on ``db``, in a loop, in another
    process (the work a worker does), until ``stop_after`` seconds have passed."""
    script = f"""
import json, os, random, subprocess, sys, time
rng = random.Random(3)
words = {WORDS!r}
env = dict(os.environ, FACTDESK_DATABASE_URL="sqlite:///{db}")
end = time.monotonic() + {stop_after}
batch = 0
while time.monotonic() < end:
    path = "{db.parent}/bg-%d.jsonl" % batch
    with open(path, "w") as out:
        for i in range(2000):
            text = " ".join(rng.choice(words) for _ in range(25)).capitalize() + "."
            out.write(json.dumps({{"text": text, "url": "https://bg.example/%d/%d" % (batch, i)}}) + "\\n")
    subprocess.run([sys.executable, "-m", "factdesk.cli", "ingest", "file", path], env=env)
    subprocess.run([sys.executable, "-m", "factdesk.cli", "detect"], env=env)
    os.unlink(path)
    batch += 1
print("background batches", batch)
"""
    return subprocess.Popen([sys.executable, "-c", script], stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, env=os.environ | {"OMP_NUM_THREADS": "1"})  # fmt: skip


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
        servers[variant] = start_server(db, cache, args.workers, OUT / f"public-{variant}.log")
    rng = random.Random(1)
    spread = [f"/fact-checks/{rng.randint(1, args.fact_checks)}/" for _ in range(200)]
    endpoints = {
        "page (one viral)": ["/fact-checks/1/"],
        "pages (200 spread)": spread,
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
        worker = background(db, args.load_seconds * 2 + 30, OUT / "public-background.log")
        time.sleep(3)  # the background process has started ingesting
        for variant in ("baseline", "factdesk"):
            result = asyncio.run(open_loop(servers[variant][1], mix, args.rate, args.load_seconds))
            figures[variant]["mix at fixed rate, ingest+detect running"] = result
            print(f"{variant:9} {'mix @ ' + str(int(args.rate)) + ' req/s + ingest':20} "
                  f"p50 {result['p50_ms']:6.1f} ms  p95 {result['p95_ms']:6.1f} ms  p99 "
                  f"{result['p99_ms']:6.1f} ms  errors {result['errors']}", flush=True)  # fmt: skip
        worker.kill()  # a batch in progress is cut short; the next run starts from a fresh copy
        worker.wait(30)
    finally:
        for process, _ in servers.values():
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
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
