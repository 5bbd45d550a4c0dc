"""`factdesk init`, `doctor` and `demo`: set up, inspect, and try the desk."""

from __future__ import annotations

import json

import typer
from rich.markup import escape

from factdesk.cli.app import app, open_store
from factdesk.cli.render import OutputFormat, console, render_rows
from factdesk.settings import get_settings


@app.command()
def init() -> None:
    """Create the database, or migrate it to the newest schema."""
    from factdesk.store.db import current_revisions, make_engine, upgrade

    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    before = current_revisions(engine)
    upgrade(engine)
    after = current_revisions(engine)
    engine.dispose()
    state = "created" if not before else ("migrated" if before != after else "already up to date")
    console.print(f"database {state}: {settings.effective_database_url}")


@app.command()
def doctor(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """Print the effective settings, database reachability, extras and models."""
    from factdesk.services import diagnostics

    settings = get_settings()
    checks = [
        diagnostics.database_check(settings),
        diagnostics.queue_check(settings),
        *diagnostics.extra_checks(),
        *diagnostics.model_checks(settings),
    ]
    rows = [{"check": c.name, "ok": c.ok, "detail": c.detail} for c in checks]
    if fmt is OutputFormat.json:
        print(
            json.dumps(
                {"settings": diagnostics.settings_rows(settings), "checks": rows},
                ensure_ascii=False,
            )
        )
        return
    render_rows(
        diagnostics.settings_rows(settings),
        fmt,
        columns=["setting", "value", "from"],
        title="Settings",
    )
    for row in rows:
        mark = "[green]ok[/green]" if row["ok"] else "[yellow]--[/yellow]"
        console.print(f"{mark}  {escape(str(row['check']))}: {escape(str(row['detail']))}")


@app.command()
def demo(
    serve: bool = typer.Option(False, help="Start the desk's web server when loaded."),
    host: str = typer.Option("127.0.0.1", help="Address to serve on (with --serve)."),
    port: int = typer.Option(8000, help="Port to serve on (with --serve)."),
) -> None:
    """Load the bundled sample data into the configured database and run the pipeline."""
    from factdesk.demo import run_demo

    settings, factory = open_store()
    run_demo(settings, factory, console=console, serve=serve, host=host, port=port)
