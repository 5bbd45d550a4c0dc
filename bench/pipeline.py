"""The pipeline on the job queue: items/s through ingest → detect, claims linked/s, queue wait.

Synthetic posts (invented in this script: price rumours, miracle cures, statistics, chatter,
in English and Vietnamese, so claims recur in many wordings) are written as RSS files of
``--per-feed`` entries; each file is a feed source. Every configuration starts from a fresh
database and pushes the same ``--items`` posts through the same code:

  * baseline "foreground": what ``factdesk ingest feed`` + ``factdesk detect`` do in one
    process today - ``ingest_feed`` on every file, then ``detect`` (linking off), SQLite;
  * "embedded": the default install - SQLite database, SQLite queue, worker threads inside
    the process (what ``factdesk serve`` runs), ``FACTDESK_WORKER_THREADS`` threads;
  * "redis+pg xN": PostgreSQL and a Redis queue with N ``factdesk worker`` processes.

Phase 1 (items): sources are added, one sweep puts each on an ingest job, and the clock runs
until every item is detected and no job is left. Linking is off in phase 1: with the e5
encoder at tens of claims/s, linking every claim of 200,000 posts would take hours on this
machine, so phase 2 measures it on a sample: ``--link-claims`` waiting claims put on link jobs,
workers restarted with linking on (fresh vector cache: every claim really encoded), clock
until those jobs are done. ``--link all`` instead keeps linking on in phase 1 (the whole
pipeline as deployed; items/s then include linking).

Per configuration: items/s, claims linked/s, the p95 queue wait (due → claimed) of the jobs,
and items/s per worker process. Needs Redis at ``--redis`` and PostgreSQL at ``--pg`` (a
fresh database is made per run and dropped).

Usage: .venv/bin/python bench/pipeline.py --items 5000 [--workers 1,2,4] [--link sample|all]
Prints one line per configuration and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import detect, ingest, jobtable, pipeline
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import make_engine, session_factory, transaction, upgrade
from factdesk.store.jobtable import PipelineJob

ROOT = Path(__file__).resolve().parents[1]
SUBJECTS = [
    "Petrol prices", "Rice prices", "Electricity bills", "Bus fares", "Rents in Hanoi",
    "Hospital fees", "School fees", "Pork prices", "Water bills", "Train tickets",
]  # fmt: skip
CURES = ["hot lemon water", "garlic tea", "salt water", "ginger juice", "bitter melon", "honey"]
ILLS = ["cancer", "diabetes", "the flu", "high blood pressure", "covid", "asthma"]
PLACES = ["Hanoi", "Da Nang", "Ho Chi Minh City", "Hue", "Can Tho", "Hai Phong"]
VI = [
    "Giá xăng sẽ tăng {n} phần trăm vào tháng tới.",
    "Uống nước chanh nóng chữa khỏi ung thư trong {d} ngày.",
    "Thành phố {p} sẽ cấm xe máy từ năm {y}.",
    "Tỷ lệ thất nghiệp đã tăng lên {n} phần trăm trong năm nay.",
]
CHATTER = [
    "Good morning everyone!", "What a lovely day at the beach.", "I love this song.",
    "Chúc mọi người buổi sáng tốt lành.", "Thanks for watching, see you tomorrow.",
]  # fmt: skip


SYLLABLES = [c + v for c in "bcdghklmnpstv" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


def _name(rng: random.Random) -> str:
    """An invented company name from a vocabulary of ~8,000 (Zipf-like: a few recur often)."""
    index = min(int(rng.paretovariate(0.6)), 8000)
    local = random.Random(index)
    return "".join(local.choice(SYLLABLES) for _ in range(3)).capitalize()


def vocabulary() -> list[str]:
    """Whole English words the shipped model's piece table knows: random sentences of them
    are distinct claims to its static stage (templates differing in a name or two are not -
    they group into one claim, as they should)."""
    pieces = detect.load_model(Settings()).embedder.tokenizer.pieces
    words = [p[1:] for p in pieces if p.startswith("\u2581") and len(p) > 5]
    return sorted({w.lower() for w in words if w.isascii() and w.isalpha()})


def post(rng: random.Random, words: list[str]) -> str:
    """One to three sentences; most carry a claim: some of a few hundred wordings that recur
    often, some about invented companies (they group by template), and one in five a random
    statement of six known words (a distinct claim each, so linking has claims to work on)."""
    out = []
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        n, d, y = rng.choice([5, 10, 20, 30, 50]), rng.randint(2, 7), rng.choice([2028, 2030])
        if roll < 0.2:
            topic = " ".join(rng.choice(words) for _ in range(6)).capitalize()
            out.append(f"{topic} rose by {n} percent last year.")
        elif roll < 0.3:
            out.append(f"{_name(rng)} will close {n} factories in {rng.choice(PLACES)} next year.")
        elif roll < 0.45:
            out.append(f"{rng.choice(SUBJECTS)} will rise by {n} percent next month.")
        elif roll < 0.5:
            out.append(f"Drinking {rng.choice(CURES)} cures {rng.choice(ILLS)} in {d} days.")
        elif roll < 0.6:
            out.append(f"{rng.choice(PLACES)} will ban motorbikes from {y}.")
        elif roll < 0.75:
            out.append(rng.choice(VI).format(n=n, d=d, p=rng.choice(PLACES), y=y))
        else:
            out.append(rng.choice(CHATTER))
    return " ".join(out)


def write_feeds(folder: Path, items: int, per_feed: int, seed: int = 16) -> list[Path]:
    rng = random.Random(seed)
    words = vocabulary()
    folder.mkdir(parents=True, exist_ok=True)
    paths, done = [], 0
    while done < items:
        count = min(per_feed, items - done)
        entries = "".join(
            f"<item><guid>p{done + i}</guid><link>https://example.org/p/{done + i}</link>"
            f"<description>{escape(post(rng, words))}</description>"
            "<pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item>"
            for i in range(count)
        )
        path = folder / f"feed{len(paths):05d}.xml"
        path.write_text(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>'
            f"<link>https://example.org/</link><description>b</description>{entries}"
            "</channel></rss>",
            encoding="utf-8",
        )
        paths.append(path)
        done += count
    return paths


# --- databases ------------------------------------------------------------------------------


@contextmanager
def database(kind: str, pg: str, tmp: Path) -> Iterator[str]:
    """A fresh, migrated database; dropped (PostgreSQL) afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    name = f"factdesk_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(pg).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg.rsplit("/", 1)[0] + "/" + name
    try:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def add_sources(factory: sessionmaker[Session], feeds: list[Path]) -> None:
    with transaction(factory) as session:
        for feed in feeds:
            ingest.add_feed(session, str(feed), actor="bench")


def state(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as session:
        counts = jobtable.counts(session)
        counts["items"] = int(session.scalar(select(func.count()).select_from(m.Item)) or 0)
        counts["undetected"] = int(
            session.scalar(select(func.count()).where(m.Item.detected_at.is_(None))) or 0
        )
    return counts


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


def waits_p95(factory: sessionmaker[Session], kinds: tuple[str, ...]) -> float:
    with factory() as session:
        waits = session.scalars(
            select(PipelineJob.wait_seconds).where(
                PipelineJob.status == "done", PipelineJob.kind.in_(kinds)
            )
        ).all()
    values = [w for w in waits if w is not None]
    return round(float(np.percentile(values, 95)), 2) if values else 0.0


# --- the configurations --------------------------------------------------------------------


def env_for(url: str, queue: str, name: str, args: argparse.Namespace, data: Path, dense: bool):
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")},
        "PYTHONPATH": str(ROOT),
        "OMP_NUM_THREADS": "1",
        "FACTDESK_DATABASE_URL": url,
        "FACTDESK_DATA_DIR": str(data),
        "FACTDESK_QUEUE": queue,
        "FACTDESK_REDIS_URL": args.redis,
        "FACTDESK_QUEUE_NAME": name,
        "FACTDESK_PIPELINE_BATCH": str(args.batch),
        "FACTDESK_WORKER_THREADS": str(args.threads),
        "FACTDESK_CLUSTER_DENSE": "true" if dense else "false",
        "FACTDESK_VECTOR_CACHE_DIR": str(data / "vectors"),
        "FACTDESK_MATCH_DENSE": "false",
    }


class Processes:
    """N ``factdesk worker`` processes (or, for the embedded case, worker threads here)."""

    def __init__(self, env: dict[str, str], count: int, embedded: bool) -> None:
        self.env, self.count, self.embedded = env, count, embedded
        self.procs: list[subprocess.Popen[bytes]] = []
        self.worker: Any = None
        self.queue: Any = None

    def __enter__(self) -> Processes:
        if self.embedded:
            from factdesk.jobs import Worker
            from factdesk.queue import JobQueue

            self.queue = JobQueue(self.settings())
            self.worker = Worker(self.queue)
            self.worker.start()
        else:
            log = Path(self.env["FACTDESK_DATA_DIR"]) / "workers.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            for _ in range(self.count):
                with log.open("ab") as err:
                    self.procs.append(
                        subprocess.Popen(
                            [
                                sys.executable,
                                "-c",
                                "from factdesk.cli import main; main()",
                                "worker",
                            ],
                            env=self.env,
                            stdout=subprocess.DEVNULL,
                            stderr=err,
                        )
                    )
        return self

    def warm(self, factory: sessionmaker[Session]) -> None:
        """Before the clock: one empty detect job per worker thread, so every process has
        started, connected and loaded its model and claim index (once per process
        lifetime in a deployment, not per batch)."""
        threads = self.count * int(self.env["FACTDESK_WORKER_THREADS"])
        with transaction(factory) as session:
            made = [jobtable.enqueue(session, "detect", [0], batch=1)[0] for _ in range(threads)]
        self.ring(made)

        def warmed() -> bool:
            if not self.alive():
                raise SystemExit("a worker died while starting")
            with factory() as session:
                return not session.scalar(
                    select(func.count()).where(
                        PipelineJob.id.in_(made), PipelineJob.status != "done"
                    )
                )

        wait_until(warmed, 600, "the workers to start")
        with transaction(factory) as session:
            session.execute(PipelineJob.__table__.delete().where(PipelineJob.id.in_(made)))

    def settings(self) -> Settings:
        values = {
            k[len("FACTDESK_") :].lower(): v
            for k, v in self.env.items()
            if k.startswith("FACTDESK_")
        }
        return Settings(**values)  # type: ignore[arg-type]

    def ring(self, job_ids: list[int]) -> None:
        from factdesk.queue import JobQueue

        queue = self.queue or JobQueue(self.settings())
        queue.run_jobs_soon(job_ids)
        if queue is not self.queue:
            queue.close()

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.procs)

    def __exit__(self, *_: object) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.queue.flush()
            self.queue.close()
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
        if self.procs:
            from factdesk.queue import JobQueue

            queue = JobQueue(self.settings())
            queue.flush()
            queue.close()


def run_queued(
    label: str, kind: str, count: int, args: argparse.Namespace, feeds: list[Path], tmp: Path
) -> dict[str, Any]:
    embedded = kind == "sqlite"
    with database(kind, args.pg, tmp) as url:
        factory = session_factory(make_engine(url))
        name = f"bench_{uuid.uuid4().hex[:8]}"
        data = tmp / name
        link_all = args.link == "all"
        env = env_for(url, "sqlite" if embedded else "redis", name, args, data, link_all)
        with Processes(env, count, embedded) as workers:
            workers.warm(factory)
            started = time.perf_counter()
            add_sources(factory, feeds)
            swept = pipeline.sweep(workers.settings(), factory, linking=False)
            workers.ring(swept.made)

            def items_done() -> bool:
                if not workers.alive():
                    raise SystemExit(f"{label}: a worker died (see {data}/workers.log)")
                s = state(factory)
                return (
                    s["items"] == args.items
                    and not s["undetected"]
                    and not s["queued"]
                    and not s["running"]
                )

            wait_until(items_done, args.timeout, f"{label} items")
            seconds = time.perf_counter() - started
        with factory() as session:
            mentions = int(session.scalar(select(func.count()).select_from(m.Mention)) or 0)
            claims = int(session.scalar(select(func.count()).select_from(m.Claim)) or 0)
        result: dict[str, Any] = {
            "config": label,
            "processes": count,
            "items": args.items,
            "seconds": round(seconds, 1),
            "items_per_s": round(args.items / seconds, 1),
            "items_per_s_per_process": round(args.items / seconds / count, 1),
            "queue_wait_p95_s": waits_p95(factory, ("ingest", "detect")),
            "mentions": mentions,
            "claims": claims,
        }
        if not link_all:
            result |= link_sample(label, env, count, embedded, factory, args)
        factory.kw["bind"].dispose()
    print(json.dumps(result), flush=True)
    return result


def link_sample(
    label: str,
    env: dict[str, str],
    count: int,
    embedded: bool,
    factory: sessionmaker[Session],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Phase 2: ``--link-claims`` waiting claims on link jobs, workers with linking on."""
    with transaction(factory) as session:
        sample = session.scalars(
            select(m.Claim.id)
            .where(m.Claim.linked_at.is_(None), m.Claim.merged_into_id.is_(None))
            .order_by((m.Claim.score * m.Claim.mention_count).desc(), m.Claim.id)
            .limit(args.link_claims)
        ).all()
        # not due yet: in flight (so no worker's sweep queues every waiting claim), not run
        later = datetime.now(UTC) + timedelta(days=1)
        made = jobtable.enqueue(session, "link", sample, batch=args.link_batch, run_after=later)
    env = {**env, "FACTDESK_CLUSTER_DENSE": "true"}
    with Processes(env, count, embedded) as workers:
        workers.warm(factory)
        started = time.perf_counter()
        with transaction(factory) as session:
            session.execute(
                update(PipelineJob)
                .where(PipelineJob.id.in_(made))
                .values(run_after=datetime.now(UTC))
            )
        workers.ring(made)

        def linked() -> bool:
            with factory() as session:
                return not session.scalar(
                    select(func.count()).where(
                        PipelineJob.kind == "link", PipelineJob.status.in_(("queued", "running"))
                    )
                )

        wait_until(linked, args.timeout, f"{label} linking")
        seconds = time.perf_counter() - started
    return {
        "link_claims": len(sample),
        "link_seconds": round(seconds, 1),
        "claims_linked_per_s": round(len(sample) / seconds, 1),
        "link_wait_p95_s": waits_p95(factory, ("link",)),
    }


def run_baseline(args: argparse.Namespace, feeds: list[Path], tmp: Path) -> dict[str, Any]:
    """``factdesk ingest feed`` on every file, then ``factdesk detect``: one process, SQLite."""
    with database("sqlite", args.pg, tmp) as url:
        settings = Settings(database_url=url, data_dir=tmp / "baseline", cluster_dense=False)  # type: ignore[call-arg]
        factory = session_factory(make_engine(url))
        model = detect.load_model(settings)  # loaded before the clock, as the workers' are
        model.threshold  # noqa: B018 - reads the artefacts now
        started = time.perf_counter()
        for feed in feeds:
            ingest.ingest_feed(settings, factory, str(feed))
        detect.detect(settings, factory, match=False, model=model)
        seconds = time.perf_counter() - started
        result: dict[str, Any] = {
            "config": "baseline foreground (ingest + detect, one process, SQLite)",
            "processes": 1,
            "items": args.items,
            "seconds": round(seconds, 1),
            "items_per_s": round(args.items / seconds, 1),
            "items_per_s_per_process": round(args.items / seconds, 1),
        }
        if args.link != "all":
            dense_settings = settings.model_copy(
                update={"cluster_dense": True, "vector_cache_dir": tmp / "baseline" / "vectors"}
            )
            model = detect.load_model(dense_settings)
            dense = detect.dense_encoder(dense_settings, model)
            if dense is not None:
                from factdesk.detect.vectors import MentionVectoriser

                started = time.perf_counter()
                with factory() as session:
                    index = detect.load_index(
                        session, MentionVectoriser(model.embedder), dense_settings, dense
                    )
                report = detect.link_claims(factory, index, dense, limit=args.link_claims)
                seconds = time.perf_counter() - started
                result |= {
                    "link_claims": report.linked,
                    "link_seconds": round(seconds, 1),
                    "claims_linked_per_s": round(report.linked / seconds, 1),
                }
        factory.kw["bind"].dispose()
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--per-feed", type=int, default=1000, help="entries per feed file")
    parser.add_argument("--workers", default="1,2,4", help="worker processes on Redis + PG")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker")
    parser.add_argument("--batch", type=int, default=500, help="FACTDESK_PIPELINE_BATCH")
    parser.add_argument("--link", choices=("sample", "all"), default="sample")
    parser.add_argument("--link-claims", type=int, default=1000, help="phase 2 sample size")
    parser.add_argument("--link-batch", type=int, default=50, help="claims per link job")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--timeout", type=float, default=4 * 3600)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="factdesk-bench-pipeline-") as folder:
        tmp = Path(folder)
        feeds = write_feeds(tmp / "feeds", args.items, args.per_feed)
        results = []
        if not args.skip_baseline:
            results.append(run_baseline(args, feeds, tmp))
        results.append(
            run_queued("embedded (SQLite, in-process threads)", "sqlite", 1, args, feeds, tmp)
        )
        for n in [int(x) for x in args.workers.split(",") if x]:
            results.append(run_queued(f"redis+pg x{n}", "postgresql", n, args, feeds, tmp))
    base = results[0]["items_per_s"] if not args.skip_baseline else None
    for r in results:
        ratio = f" ({r['items_per_s'] / base:.2f}x baseline)" if base else ""
        link = (
            f"; linking {r['claims_linked_per_s']} claims/s ({r['link_claims']} claims)"
            if "claims_linked_per_s" in r
            else ""
        )
        wait = f"; queue wait p95 {r['queue_wait_p95_s']} s" if "queue_wait_p95_s" in r else ""
        print(
            f"{r['config']}: {r['items_per_s']} items/s{ratio}, "
            f"{r['items_per_s_per_process']} per process{wait}{link}"
        )
    print(json.dumps({"items": args.items, "link": args.link, "results": results}))


if __name__ == "__main__":
    main()
