"""What the benchmarks share. The index benchmarks (``match.py``, ``research.py``): the
synthetic words their texts are made of, latency percentiles, peak memory, and running one
side in a fresh child. The web benchmarks (``web.py``, ``public.py``): the benchmark
database (built once, kept in ``bench/out/``), their servers, the open-loop load, and the
background process that ingests and detects beside them.

The index texts are pseudo-words drawn from a Zipf law over a fixed 50,000-word vocabulary,
so BM25 sees a realistic long tail without any dataset text; vectors are made by each script.
The web texts are drawn from a few dozen generated words (``WEB_WORDS``).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

DIM = 384
TOPICS = 2000
VOCAB = 50_000


def _vocab() -> list[str]:
    rng = np.random.default_rng(12345)
    syll = [c + v for c in "bcdfghklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    out: set[str] = set()
    while len(out) < VOCAB:
        out.add("".join(rng.choice(syll, size=int(rng.integers(1, 4)))))
    return sorted(out)


_WORDS = _vocab()


def zipf_words(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` words of the vocabulary, frequent ones often (Zipf, s = 1.15)."""
    ranks = np.minimum(rng.zipf(1.15, size=n), VOCAB) - 1
    return [_WORDS[r] for r in ranks.tolist()]


def percentiles(times: list[float]) -> dict[str, float]:
    """p50 and p95 of ``times`` (seconds), in milliseconds."""
    ms = np.array(times) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_child(
    script: str, kind: str, n: int, count: int, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``script --child KIND`` in a fresh process (so its peak memory is its own) and
    return the JSON object on its last line."""
    proc = subprocess.run(
        [sys.executable, script, "--child", kind, "--sizes", str(n), "--queries", str(count)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{kind} at {n} failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def free_port() -> int:
    """A loopback port nothing listens on now (for a benchmark's own server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the web benchmarks ---------------------------------------------------------------------

OUT = Path(__file__).parent / "out"
TIMEOUT = 30.0  # seconds before a request counts as an error (a stuck server ends the run)
WEB_WORDS = (
    "giá xăng tăng gấp đôi vaccine gây vô sinh lũ lụt miền trung thủ tướng tuyên bố "
    "the city bans cars unemployment fell prices doubled election results rigged "
    "school closes bridge collapsed water poisoned minister resigned"
).split()


def sentence(rng: random.Random, n: int) -> str:
    """``n`` generated words, capitalised (no dataset text)."""
    return " ".join(rng.choice(WEB_WORDS) for _ in range(n)).capitalize()


def bench_database(path: Path, fill: Callable[[Any], None]) -> bool:
    """A migrated SQLite database at ``path`` filled by ``fill(connection)`` in one
    transaction; nothing when the file exists (built once, kept). Built beside it and renamed,
    so an interrupted build never leaves a half-filled file behind. True when built now."""
    from factdesk.store.db import make_engine, upgrade  # only the web benchmarks need it

    if path.exists():
        return False
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{tmp}")
    upgrade(engine)
    with engine.begin() as conn:
        fill(conn)
    engine.dispose()
    tmp.rename(path)
    return True


def start_server(
    db: Path, env: dict[str, str], workers: int, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """``factdesk`` under uvicorn on ``db`` (``env``: the variant's settings), in its own
    process, once it answers ``/healthz``; returns the process and its base URL."""
    import httpx

    port = free_port()
    env = (
        os.environ
        | {
            "FACTDESK_DATABASE_URL": f"sqlite:///{db}",
            "FACTDESK_DATA_DIR": str(db.parent / "data"),
            "FACTDESK_EMBEDDED_WORKER": "0",
            "FACTDESK_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        }
        | env
    )
    command = [sys.executable, "-m", "uvicorn", "--factory", "factdesk.web.app:app_from_env",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
               "--log-level", "warning", "--no-access-log"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code in (200, 503):
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server did not start; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


class Connections:
    """Keep-alive HTTP/1.1 connections speaking just enough of the protocol for GETs.

    A general client (httpx) spends more CPU per request than the pages it measures, and on a
    2-core machine the load generator must not starve the server; this one costs ~0.1 ms.
    """

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port = host, port
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )
        self.size = size
        self.opened = 0
        self.writers: list[asyncio.StreamWriter] = []  # every connection opened, to close

    async def get(self, path: str, cookie: str = "") -> int:
        if self.idle.empty() and self.opened < self.size:
            self.opened += 1
            conn = await asyncio.open_connection(self.host, self.port)
            self.writers.append(conn[1])
        else:
            conn = await self.idle.get()
        try:
            return await asyncio.wait_for(self._exchange(conn, path, cookie), TIMEOUT)
        except (OSError, asyncio.IncompleteReadError, TypeError, TimeoutError):
            conn[1].close()
            self.opened -= 1
            return 0

    async def _exchange(
        self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], path: str, cookie: str
    ) -> int:
        reader, writer = conn
        extra = f"Cookie: {cookie}\r\n" if cookie else ""
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{extra}\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        await reader.readexactly(int(length[1]) if length else 0)
        self.idle.put_nowait(conn)
        return status


async def open_loop(
    base: str,
    paths: list[str],
    rate: float,
    seconds: float,
    cookie: str = "",
    backlog_seconds: float | None = None,
) -> dict[str, float]:
    """Open loop: request i is due at i/rate whatever happened before; its latency counts
    from then, so time spent queueing for a connection or in the server's backlog shows.
    A request answered with anything but 200 counts as an error.

    ``backlog_seconds``: how long, once the last request is due, to wait for the ones not
    answered yet (a server that cannot keep up otherwise makes the run last its whole
    backlog); those still unanswered then are given up, counted in ``unfinished`` (and as
    errors) with their latency so far, a lower bound: percentiles that include them are
    lower bounds too (``lower_bound``)."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    host, port = base.removeprefix("http://").split(":")
    pool = Connections(host, int(port), size=256)
    dues: dict[asyncio.Task[None], float] = {}

    async def one(path: str, due: float) -> None:
        nonlocal errors
        if await pool.get(path, cookie) != 200:
            errors += 1
        latencies.append(time.perf_counter() - due)

    start = time.perf_counter()
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        dues[asyncio.create_task(one(paths[i % len(paths)], due))] = due
    _, pending = await asyncio.wait(list(dues), timeout=backlog_seconds)
    given_up = time.perf_counter()
    for task in pending:
        task.cancel()
        latencies.append(given_up - dues[task])
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    elapsed = given_up - start
    for writer in pool.writers:  # idle ones, and those of requests given up
        writer.close()
    latencies.sort()

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1)

    answered = total - len(pending)
    return {"p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "rps": round(answered / elapsed, 1), "errors": errors + len(pending),
            "requests": total, "unfinished": len(pending),
            "lower_bound": bool(pending)}  # fmt: skip


def ingest_and_detect(db: Path, stop_after: float, log: Path) -> subprocess.Popen[bytes]:
    """Ingest generated posts and detect claims in them on ``db``, in a loop, in another
    process (the work a pipeline worker does: ``factdesk ingest file`` + ``factdesk detect``,
    2,000 posts a batch), until ``stop_after`` seconds have passed or it is killed; it
    exits with an error as soon as a command fails (:func:`items_in` shows it did work)."""
    script = f"""
import json, os, random, subprocess, sys, time
CLI = "import sys; from factdesk.cli import main; sys.argv[0] = 'factdesk'; main()"
rng = random.Random(3)
words = {WEB_WORDS!r}
env = dict(os.environ, FACTDESK_DATABASE_URL="sqlite:///{db}")
end = time.monotonic() + {stop_after}
batch = 0
while time.monotonic() < end:
    path = "{db.parent}/bg-%d-%d.jsonl" % (os.getpid(), batch)
    with open(path, "w") as out:
        for i in range(2000):
            text = " ".join(rng.choice(words) for _ in range(25)).capitalize() + "."
            url = "https://bg.example/%d/%d/%d" % (os.getpid(), batch, i)
            out.write(json.dumps({{"text": text, "url": url}}) + "\\n")
    for command in (["ingest", "file", path, "--format", "jsonl"], ["detect"]):
        done = subprocess.run([sys.executable, "-c", CLI, *command], env=env)
        if done.returncode != 0:
            sys.exit("factdesk %s failed" % command[0])
    os.unlink(path)
    batch += 1
print("background batches", batch)
"""
    return subprocess.Popen([sys.executable, "-c", script], stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, env=os.environ | {"OMP_NUM_THREADS": "1"},
                            start_new_session=True)  # fmt: skip


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    """Kill the loop of :func:`ingest_and_detect` and the command it is running (its own
    process group), so no batch goes on writing after the measurement."""
    import signal

    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(30)


def items_in(db: Path) -> int:
    """Items stored in ``db`` now (how much the background process ingested)."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM items").fetchone()[0])
