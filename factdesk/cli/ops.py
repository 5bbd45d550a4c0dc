"""`factdesk backup`, `restore` and `retention run`: the operations a desk runs on
(docs/deploy.md). Each calls one function of ``services.backup`` or
``services.retention`` and shows a progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from factdesk.cli.app import app, open_store
from factdesk.cli.render import console

retention_app = typer.Typer(help="Keep raw item text only as long as needed.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")


@contextmanager
def _bar() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar per step (database, tables, files), fed by the service."""
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description:>9}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=False,
    ) as progress:

        def update(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(step, total=max(total, 1))
            progress.update(tasks[step], completed=done, total=max(total, 1))

        yield update


@app.command()
def backup(
    target: Path = typer.Argument(..., help="A new or empty folder to write the backup into."),
    portable: bool = typer.Option(
        False, "--portable", help="Tables as JSON lines (any database, restorable into any)."
    ),
) -> None:
    """Back up the database (online) and the data dir's files, with a checked manifest."""
    from factdesk.services.backup import backup as run

    settings, factory = open_store()
    with _bar() as progress:
        manifest = run(settings, factory.kw["bind"], target, portable=portable, progress=progress)
    rows = sum(manifest.counts.values())
    console.print(
        f"backed up {rows} rows and {len(manifest.checksums)} files to {target} ({manifest.method})"
    )


@app.command()
def restore(
    source: Path = typer.Argument(..., help="A folder written by `factdesk backup`."),
    force: bool = typer.Option(
        False, "--force", help="Replace the contents of a database that already holds rows."
    ),
) -> None:
    """Restore a backup into the configured database (empty unless --force) and data dir."""
    from factdesk.services.backup import restore as run

    settings, factory = open_store()
    with _bar() as progress:
        manifest = run(settings, factory.kw["bind"], source, force=force, progress=progress)
    console.print(
        f"restored {sum(manifest.counts.values())} rows from {source} "
        f"(made {manifest.created_at} by factdesk {manifest.factdesk_version}, {manifest.method})"
    )


@retention_app.command("run")
def retention_run(
    days: int = typer.Option(
        None, min=0, help="Override FACTDESK_RETAIN_ITEM_TEXT_DAYS for this run (0: keep all)."
    ),
) -> None:
    """Blank the raw text of items older than the retention period; claims, mention counts,
    fact-checks and the audit trail are kept. Audited."""
    from factdesk.services.retention import purge

    settings, factory = open_store()
    report = purge(settings, factory, days=days, actor="cli")
    if report.cutoff is None:
        console.print("retention is off (FACTDESK_RETAIN_ITEM_TEXT_DAYS=0): nothing purged")
        return
    console.print(
        f"blanked the text of {report.items_blanked} items and {report.quarantine_blanked} "
        f"quarantined records older than {report.days} days (before {report.cutoff:%Y-%m-%d})"
    )
