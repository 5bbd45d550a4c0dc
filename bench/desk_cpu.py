"""CPU per request of the desk pages bench/web.py drives, one request at a time on one core.

bench/web.py measures latency under an open-loop load with a worker beside, where the
server's CPU per request is the figure that decides whether 200 requests/s fit on a core.
This one measures that figure alone, without a server, a network or other load: the app
is called in-process (the ASGI app, a request at a time, worker-thread hops run inline)
signed in as an editor (and, anonymous with the public cache off, public fact-check
pages: one render each, what pre-rendering costs per page), and each page is asked for ``--requests`` times after a warm-up;
it prints the CPU milliseconds per request (``time.process_time``) and the SQL statements
per request. ``--profile PAGE`` prints the top of a cProfile of that page instead.

Variants, in the same run, each in a fresh child process on its own copy of the database:
  * baseline: the code in ``--baseline-tree`` (default: a ``git worktree`` of main);
  * factdesk: the code this script belongs to.
Both with the desk cache at its default (``FACTDESK_WEB_CACHE_SECONDS=5``) and, as
``nocache``, with it off (every figure and list computed per request).

``--worker`` runs a process ingesting and detecting on the same database copy beside each
variant (bench/web.py's worker): SQLite's page cache of every server connection is dropped
each time another process commits, so this shows what the worker's writes cost the pages.
``--no-baseline`` measures this tree alone; ``--pages`` picks pages.

Usage:  python bench/desk_cpu.py --baseline-tree ../wt-base [--items 100000]
        [--claims 10000] [--requests 200] [--profile claim] [--worker] [--no-baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

HERE = Path(__file__).resolve().parent
TREE = HERE.parent


def pages(claims: int) -> dict[str, list[str]]:
    rng = random.Random(1)
    return {
        "dashboard": ["/desk/"],
        "queue": ["/desk/queue"],
        "queue_search": [f"/desk/queue?q={quote(w)}" for w in ("xăng", "vaccine", "bridge", "lũ")],
        "claim": [f"/desk/claims/{rng.randint(1, claims)}" for _ in range(2000)],
        "jobs": ["/desk/jobs", "/desk/jobs?status=dead"],
        # anonymous, public cache off: what one render of a public page costs (the work
        # the public cache's pre-rendering does for each page)
        "public_page": [f"/fact-checks/{n}/" for n in range(3, 300, 4)],
    }


async def _call(app: Any, path: str, cookie: str) -> int:
    route, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000),
        "root_path": "", "path": unquote(route), "raw_path": route.encode(),
        "query_string": query.encode(),
        "headers": [(b"host", b"127.0.0.1:8000"), (b"cookie", cookie.encode())],
    }  # fmt: skip
    status = [0]

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status[0] = message["status"]

    await app(scope, receive, send)
    return status[0]


def child(args: argparse.Namespace) -> None:
    """Run in the variant's tree: measure every page, print one JSON line."""
    import anyio.to_thread
    from sqlalchemy import event

    async def inline(func: Any, *fargs: Any, **_: Any) -> Any:
        return func(*fargs)  # one core, one thread: the profile sees everything

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    sys.path.insert(0, str(HERE))
    from web import sign_in

    from factdesk.settings import Settings
    from factdesk.web.app import create_app

    db = Path(args.db)
    settings = Settings(  # type: ignore[call-arg]
        database_url=f"sqlite:///{db}",
        data_dir=db.parent / "data",
        web_cache_seconds=float(args.cache),
        public_cache_seconds=0.0,
        embedded_worker=False,
    )
    app = create_app(settings)
    engine = app.state.desk.engine
    statements = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def count(*_: Any) -> None:
        statements[0] += 1

    cookie = f"fd_session={sign_in(db)}"
    loop = asyncio.new_event_loop()
    out: dict[str, Any] = {}
    chosen = pages(args.claims)
    wanted = set(args.pages.split(",")) if args.pages else set(chosen)
    for name, paths in chosen.items():
        if (args.profile and name != args.profile) or (not args.profile and name not in wanted):
            continue
        who = "" if name.startswith("public") else cookie
        for n in range(20):  # warm: templates compiled, caches filled
            assert loop.run_until_complete(_call(app, paths[n % len(paths)], who)) == 200
        profile = cProfile.Profile() if args.profile else None
        statements[0] = 0
        cpu, wall = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        for n in range(args.requests):
            loop.run_until_complete(_call(app, paths[(n + 20) % len(paths)], who))
        if profile:
            profile.disable()
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats("factdesk/", 40)
            print(text.getvalue())
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(30)
            print(text.getvalue())
        out[name] = {
            "cpu_ms": round((time.process_time() - cpu) / args.requests * 1000, 2),
            "wall_ms": round((time.perf_counter() - wall) / args.requests * 1000, 2),
            "statements": round(statements[0] / args.requests, 1),
        }
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline-tree", type=Path, default=TREE.parent / "wt-base")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", default="", help="a page: print its cProfile instead")
    parser.add_argument("--worker", action="store_true", help="ingest+detect beside")
    parser.add_argument("--no-baseline", action="store_true", help="this tree only")
    parser.add_argument("--pages", default="", help="comma-separated pages (default: all)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", default="", help=argparse.SUPPRESS)
    parser.add_argument("--cache", default="5", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    variants = (
        {"factdesk": TREE}
        if args.profile or args.no_baseline
        else {"baseline": args.baseline_tree, "factdesk": TREE}
    )
    figures: dict[str, dict[str, Any]] = {}
    for cache in ("5", "0"):
        for variant, tree in variants.items():
            label = variant if cache == "5" else f"{variant} nocache"
            out = tree / "bench" / "out"
            out.mkdir(exist_ok=True)
            source = out / f"web-{args.items}-{args.claims}.db"  # bench/web.py's, built there
            if not source.exists():
                build = [sys.executable, "-c", "import sys; sys.path.insert(0, 'bench'); "
                         f"import web; from pathlib import Path; web.build(Path('{source}'), "
                         f"{args.items}, {args.claims})"]  # fmt: skip
                subprocess.run(
                    build, cwd=tree, check=True, env=os.environ | {"PYTHONPATH": str(tree)}
                )
            db = out / f"desk-cpu-{variant}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.copy(source, db)
            # this script measures both trees (the same requests, the same counting); only
            # the factdesk package imported differs (PYTHONPATH)
            command = [sys.executable, str(HERE / "desk_cpu.py"), "--child",
                       "--db", str(db), "--cache", cache, "--claims", str(args.claims),
                       "--requests", str(args.requests), "--profile", args.profile,
                       "--pages", args.pages]  # fmt: skip
            worker = None
            if args.worker:
                sys.path.insert(0, str(HERE))
                from synthetic import ingest_and_detect, stop_worker

                worker = ingest_and_detect(db, 3600, out / "desk-cpu-worker.log")
                time.sleep(5)  # it has started ingesting
            try:
                done = subprocess.run(
                    command, capture_output=True, text=True, check=False,
                    env=os.environ | {"PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"},
                )  # fmt: skip
            finally:
                if worker is not None:
                    stop_worker(worker)
            if done.returncode != 0:
                raise SystemExit(f"{label} failed:\n{done.stderr[-3000:]}")
            if args.profile:
                print(done.stdout)
                return
            figures[label] = json.loads(done.stdout.strip().splitlines()[-1])
            for page, row in figures[label].items():
                print(f"{label:17} {page:13} {row['cpu_ms']:6.2f} ms CPU/request  "
                      f"{row['statements']:5.1f} statements/request", flush=True)  # fmt: skip
    print(f"load average: {os.getloadavg()[0]:.1f}")
    print(json.dumps({"bench": "desk_cpu", "items": args.items, "claims": args.claims,
                      "requests": args.requests, "figures": figures}))  # fmt: skip


if __name__ == "__main__":
    main()
