"""Publishing speed: the public records behind pages, feeds and the export, and webhooks.

Runs, in one process and one run, on a fresh SQLite file holding N published fact-checks
(each with a claim seen in 5 items, one citation and two published versions):

  * assemble: every public fact-check as the export and DataFeed read it —
    ``queries.iter_public`` (four queries per chunk of 500) — against the baseline
    "per-row": ``queries.load_public`` once per fact-check (four queries each), what a first
    version looping over ids would do;
  * export: ``factdesk publish export`` (``services.publish.export_site``) of the whole
    site (pages, JSON twins, feeds, sitemap, DataFeed), fact-checks per second;
  * webhooks: M deliveries to a receiver on 127.0.0.1 that takes 20 ms to answer (a
    nearby server) by the worker (2 threads, the SQLite queue) against the baseline
    "inline": the same deliveries sent one after the other by ``webhooks.deliver`` in the
    calling thread. Both share one HTTP client and write the same outbox rows.

Usage:  .venv/bin/python bench/publish.py [--fact-checks 1000] [--deliveries 200]
Prints one line per measurement and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.jobs import Worker
from factdesk.queue import JobQueue
from factdesk.services import webhooks
from factdesk.services.publish import export_site
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import make_engine, session_factory, transaction, upgrade
from factdesk.store.reads import public as queries

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def seed(factory: sessionmaker[Session], count: int) -> None:
    with transaction(factory) as s:
        for n in range(count):
            claim = m.Claim(
                text=f"Claim number {n} about prices", language="en", status="published"
            )
            s.add(claim)
            s.flush()
            for k in range(5):
                item = m.Item(
                    dedupe_key=f"url:https://x.example/{n}/{k}",
                    url=f"https://x.example/{n}/{k}",
                    text=f"post {n} {k}",
                    language="en",
                    content_hash=f"{n:032d}{k:032d}",
                    published_at=T0 + timedelta(hours=k),
                )
                s.add(item)
                s.flush()
                s.add(
                    m.Mention(
                        item_id=item.id,
                        claim_id=claim.id,
                        text="x",
                        start=0,
                        end=1,
                        score=0.9,
                        seen_at=T0 + timedelta(hours=k),
                    )
                )
            fc = m.FactCheck(
                origin="local",
                status="corrected",
                claim_id=claim.id,
                dedupe_key=f"local:{n}",
                claim_reviewed=claim.text,
                rating_label="False",
                rating_value=1,
                rating_best=5,
                rating_worst=1,
                title=f"Title {n}",
                summary="Short verdict.",
                explanation="**Why** it is false.",
                language="en",
                date_published=T0 + timedelta(days=1),
                date_modified=T0 + timedelta(days=2),
                content_hash="x",
                version=2,
            )
            s.add(fc)
            s.flush()
            for v, (status, note) in enumerate(
                (("published", "publish"), ("corrected", "Fixed a date.")), 1
            ):
                s.add(
                    m.FactCheckVersion(
                        fact_check_id=fc.id,
                        version=v,
                        snapshot={"status": status},
                        note=note,
                        created_at=T0 + timedelta(days=v),
                    )
                )
            doc = m.EvidenceDocument(
                url=f"https://stats.example/{n}",
                title="Report",
                content_hash="ab" * 32,
                text="The figure is 12.",
                fetched_at=T0,
            )
            s.add(doc)
            s.flush()
            s.add(
                m.Citation(
                    fact_check_id=fc.id,
                    url=doc.url or "",
                    quote="12",
                    document_id=doc.id,
                    content_hash=doc.content_hash,
                    archived_at=T0,
                    quote_found=True,
                )
            )


def timed(label: str, fn, unit_count: int, unit: str) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"{label}: {unit_count / seconds:,.0f} {unit}/s ({seconds:.2f} s for {unit_count})")
    return unit_count / seconds


class _Sink(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(0.02)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


def deliveries(factory: sessionmaker[Session], url: str, count: int) -> list[int]:
    with transaction(factory) as s:
        if not s.scalar(select(m.Webhook.id).where(m.Webhook.url == url)):
            webhooks.add_webhook(s, url)
        ids = []
        for n in range(count):
            ids += webhooks.record_event(s, "fact_check.published", {"n": n, "text": "x" * 2000})
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fact-checks", type=int, default=1000)
    parser.add_argument("--deliveries", type=int, default=200)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="fdbench-publish-"))
    settings = Settings(data_dir=root / "data", queue_name="bench_publish")  # type: ignore[call-arg]
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    factory = session_factory(engine)
    seed(factory, args.fact_checks)
    n = args.fact_checks

    def batched() -> None:
        with factory() as s:
            assert sum(1 for _ in queries.iter_public(s)) == n

    def per_row() -> None:
        with factory() as s:
            ids = s.scalars(select(m.FactCheck.id)).all()
            assert sum(1 for i in ids if queries.load_public(s, i)) == n

    figures: dict[str, float] = {}
    figures["assemble_per_s"] = timed("assemble (iter_public, batched)", batched, n, "fact-checks")
    figures["assemble_baseline_per_row_per_s"] = timed(
        "baseline per-row (load_public each)", per_row, n, "fact-checks"
    )
    figures["export_per_s"] = timed(
        "static export (whole site)",
        lambda: export_site(settings, factory, root / "site"),
        n,
        "fact-checks",
    )

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    k = args.deliveries

    queue = JobQueue(settings, factory=factory)

    def inline() -> None:
        for delivery_id in deliveries(factory, url, k):
            webhooks.deliver(settings, factory, delivery_id, send=queue.send)

    def queued() -> None:
        queue.flush()
        queue.deliver_soon(deliveries(factory, url, k))
        with Worker(queue, threads=2, periodic=False):
            while True:
                with factory() as s:
                    pending = s.scalar(
                        select(func.count())
                        .select_from(m.WebhookDelivery)
                        .where(m.WebhookDelivery.status == "pending")
                    )
                if not pending:
                    break
                time.sleep(0.01)

    figures["webhooks_worker_per_s"] = timed(
        "webhooks by the worker (2 threads, SQLite queue)", queued, k, "deliveries"
    )
    figures["webhooks_baseline_inline_per_s"] = timed(
        "baseline inline (deliver() in a loop)", inline, k, "deliveries"
    )
    server.shutdown()
    queue.close()
    figures["assemble_speedup"] = (
        figures["assemble_per_s"] / figures["assemble_baseline_per_row_per_s"]
    )
    figures["fact_checks"] = n
    figures["deliveries"] = k
    engine.dispose()
    shutil.rmtree(root, ignore_errors=True)
    print(json.dumps({key: round(value, 2) for key, value in figures.items()}))


if __name__ == "__main__":
    sys.exit(main())
