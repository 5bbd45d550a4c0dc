"""The public list's first query with and without migration 0013's index.

Every public list (the index, the API list) asks for our public fact-checks newest first;
imported fact-checks (other publishers' ClaimReview, kept for matching) share the table and
usually outnumber ours. Builds (once, in bench/out/) a SQLite desk with ``--local``
published fact-checks of ours and ``--imported`` imported ones, and times
``search_public`` (first page of 20, no words: what ``/api/v1/fact-checks`` and ``/`` read)
and ``newest_ids`` (what the public cache renders at start-up):

  * baseline: a copy of the database without ``ix_fact_checks_public`` (as before 0013);
  * factdesk: the database as migrated.

Usage:  .venv/bin/python bench/public_list.py [--local 2000] [--imported 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from synthetic import OUT, bench_database, sentence

from factdesk.store import models as m
from factdesk.store.db import make_engine, session_factory
from factdesk.store.reads import public as queries


def build(path: Path, local: int, imported: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC)

    def fill(conn: Any) -> None:
        rows = []
        every = max((local + imported) // max(local, 1), 1)  # ours spread among the others
        for n in range(local + imported):
            ours = n % every == 0
            rows.append(
                {"origin": "local" if ours else "imported", "status": "published",
                 "dedupe_key": f"k:{n}", "claim_reviewed": sentence(rng, 12),
                 "rating_label": "False", "title": sentence(rng, 8),
                 "summary": sentence(rng, 20), "explanation": sentence(rng, 120),
                 "language": rng.choice(["vi", "en"]), "publisher": "Bench",
                 "date_published": now - timedelta(minutes=n), "content_hash": f"{n:064d}",
                 "version": 1, "appearances": [], "created_at": now, "updated_at": now}
            )  # fmt: skip
            if len(rows) == 5000:
                conn.execute(insert(m.FactCheck), rows)
                rows = []
        if rows:
            conn.execute(insert(m.FactCheck), rows)

    bench_database(path, fill)


def timed(path: Path, repeats: int) -> dict[str, float]:
    factory = session_factory(make_engine(f"sqlite:///{path}"))
    out: dict[str, float] = {}
    with factory() as session:
        ours = session.scalar(text("SELECT count(*) FROM fact_checks WHERE origin = 'local'"))
        for name, call in (
            ("api list (first 20)", lambda: queries.search_public(session, limit=20)),
            ("api list, page 10", lambda: queries.search_public(session, offset=180, limit=20)),
            ("newest 1500 ids", lambda: queries.newest_ids(session, limit=1500)),
        ):
            call()
            began = time.perf_counter()
            for _ in range(repeats):
                call()
            out[name] = round((time.perf_counter() - began) / repeats * 1000, 2)
    out["ours"] = float(ours or 0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--local", type=int, default=2000)
    parser.add_argument("--imported", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    source = OUT / f"public-list-{args.local}-{args.imported}.db"
    build(source, args.local, args.imported)
    baseline = OUT / "public-list-baseline.db"
    shutil.copy(source, baseline)
    with make_engine(f"sqlite:///{baseline}").begin() as conn:
        conn.execute(text("DROP INDEX IF EXISTS ix_fact_checks_public"))
    figures = {"baseline": timed(baseline, args.repeats), "factdesk": timed(source, args.repeats)}
    for variant, row in figures.items():
        print(variant, json.dumps(row))
    print(json.dumps({"bench": "public_list", "local": args.local, "imported": args.imported,
                      "figures": figures}))  # fmt: skip


if __name__ == "__main__":
    main()
