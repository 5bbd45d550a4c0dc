"""Where a pipeline worker spends its time: the stages run in ONE thread of this process on a
fresh database, with every SQL statement and commit counted, the worker's CPU time, and (on
PostgreSQL) the server backends' CPU time read from /proc (server on this machine).

Not a race between configurations (``bench/pipeline.py`` is): a count of the work one worker
asks of the database per item, which the machine's load does not change, and, with
``--profile``, a cProfile of the run.

Usage: OMP_NUM_THREADS=1 .venv/bin/python bench/pipeline_profile.py --items 5000
           [--db postgresql|sqlite] [--profile]
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pipeline as bench  # noqa: E402  (bench/pipeline.py: feeds, databases, sources)

from factdesk.services import pipeline  # noqa: E402
from factdesk.settings import Settings  # noqa: E402
from factdesk.store.db import make_engine, session_factory  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="factdesk-bench-profile-") as folder:
        tmp = Path(folder)
        feeds = bench.write_feeds(tmp / "feeds", args.items, 1000)
        with bench.database(args.db, args.pg, tmp) as url:
            run(args, url, feeds, tmp)


def run(args: argparse.Namespace, url: str, feeds: list[Path], tmp: Path) -> None:
    engine = make_engine(url)
    statements: collections.Counter[str] = collections.Counter()
    commits, backends = [0], set[int]()

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_conn: Any, _cur: Any, sql: str, _p: Any, _ctx: Any, many: bool) -> None:
        statements[" ".join(sql.split())[:90] + (" [many]" if many else "")] += 1

    @event.listens_for(engine, "commit")
    def _commit(_conn: Any) -> None:
        commits[0] += 1

    @event.listens_for(engine, "connect")
    def _backend(dbapi: Any, _record: Any) -> None:
        if args.db == "postgresql":
            cursor = dbapi.cursor()
            cursor.execute("select pg_backend_pid()")
            backends.add(cursor.fetchone()[0])
            cursor.close()

    def server_cpu() -> float:
        ticks = 0
        for pid in backends:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    factory = session_factory(engine)
    settings = Settings(  # type: ignore[call-arg]
        database_url=url, data_dir=tmp / "data", cluster_dense=False, match_dense=False
    )
    stages = pipeline.Stages(settings, factory)
    stages.warm()  # the model and index, as a running worker has them
    bench.add_sources(factory, feeds)
    pipeline.sweep(settings, factory, linking=False)
    statements.clear()
    commits[0] = 0
    seconds: collections.Counter[str] = collections.Counter()
    plain = stages.run

    def timed(job: Any) -> Any:
        started = time.perf_counter()
        try:
            return plain(job)
        finally:
            seconds[job.kind] += time.perf_counter() - started

    stages.run = timed  # type: ignore[method-assign]
    profile = cProfile.Profile()
    wall, cpu, server = time.perf_counter(), time.process_time(), server_cpu()
    if args.profile:
        profile.enable()
    jobs = pipeline.drain(stages)
    if args.profile:
        profile.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    server = server_cpu() - server
    n = args.items
    print(f"{args.db}: {jobs} jobs, {n / wall:.1f} items/s in one thread (wall {wall:.1f} s)")
    print("stage seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
    print(f"statements {sum(statements.values())}, commits {commits[0]} for {n} items")
    print(f"worker CPU {cpu:.2f} s ({cpu / n * 1000:.2f} s per 1000 items)", end="")
    print(f"; server CPU {server:.2f} s" if args.db == "postgresql" else "")
    for sql, count in statements.most_common(12):
        print(f"{count:7d}  {sql}")
    if args.profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    engine.dispose()


if __name__ == "__main__":
    main()
