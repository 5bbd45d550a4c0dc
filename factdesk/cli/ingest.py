"""`factdesk ingest feed|page|file`: bring content in, quarantine what cannot be used."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import cast

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from factdesk.cli.app import ingest_app, open_store
from factdesk.cli.render import console, err_console
from factdesk.services import ingest
from factdesk.types import IngestReport


class FileKind(enum.StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    claimreview = "claimreview"


def _finish(report: IngestReport) -> None:
    console.print(report.summary())
    for note in report.notes:
        err_console.print(f"[yellow]note:[/yellow] {note}")
    if report.quarantined:
        err_console.print(
            f"[yellow]{report.quarantined} record(s) quarantined[/yellow] — see `factdesk quarantine list`"
        )


@ingest_app.command("feed")
def ingest_feed(location: str = typer.Argument(..., help="Feed URL or local file.")) -> None:
    """Fetch an RSS or Atom feed (conditional GET on re-fetch) and store its entries."""
    settings, factory = open_store()
    _finish(ingest.ingest_feed(settings, factory, location))


@ingest_app.command("page")
def ingest_page(location: str = typer.Argument(..., help="Page URL or local HTML file.")) -> None:
    """Fetch a web page: its main text becomes an item; ClaimReview JSON-LD in it is imported."""
    settings, factory = open_store()
    _finish(ingest.ingest_page(settings, factory, location))


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


@ingest_app.command("file")
def ingest_file(
    path: Path = typer.Argument(..., help="The file to import."),
    fmt: FileKind = typer.Option(..., "--format", help="csv, jsonl (posts) or claimreview."),
    text_column: str = typer.Option(None, "--text-column", help="Column/key holding the text."),
    url_column: str = typer.Option(None, "--url-column", help="Column/key holding the URL."),
    time_column: str = typer.Option(None, "--time-column", help="Column/key holding the time."),
    platform_column: str = typer.Option(
        None, "--platform-column", help="Column/key of the platform."
    ),
    language_column: str = typer.Option(
        None, "--language-column", help="Column/key of the language."
    ),
) -> None:
    """Import an export of posts (CSV, JSONL) or a ClaimReview file. Author, handle and
    user columns are dropped and never stored."""
    settings, factory = open_store()
    mapping = None
    columns = {
        "text": text_column,
        "url": url_column,
        "time": time_column,
        "platform": platform_column,
        "language": language_column,
    }
    if any(columns.values()):
        from factdesk.ingest.exports import ColumnMapping

        mapping = ColumnMapping(**{k: v for k, v in columns.items() if v})
    kind = cast(ingest.FileFormat, str(fmt.value))
    if fmt is FileKind.claimreview or not path.is_file():
        _finish(ingest.ingest_file(settings, factory, path, kind, mapping=mapping))
        return
    total = max(_count_lines(path) - (1 if fmt is FileKind.csv else 0), 0)
    columns_shown = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns_shown, console=err_console, transient=True) as bar:
        task = bar.add_task(f"importing {path.name}", total=total or None)
        report = ingest.ingest_file(
            settings,
            factory,
            path,
            kind,
            mapping=mapping,
            progress=lambda n: bar.advance(task, n),
        )
    _finish(report)
