"""`factdesk sources|items|quarantine`: look at what has been ingested."""

from __future__ import annotations

import json
from typing import Any

import typer
from sqlalchemy import func, select

from factdesk.cli.app import items_app, open_store, quarantine_app, sources_app
from factdesk.cli.render import OutputFormat, console, render_rows
from factdesk.errors import NotFound
from factdesk.services import ingest as pipeline
from factdesk.store import models
from factdesk.store.db import transaction

FORMAT = typer.Option(OutputFormat.table, "--format", help="table or json")
LIMIT = typer.Option(50, "--limit", min=1, help="How many rows at most.")


@sources_app.command("add")
def sources_add(
    location: str = typer.Argument(..., help="Feed URL (or local feed file)."),
    name: str = typer.Option(None, help="A name to show for this source."),
    fetch: bool = typer.Option(True, help="Fetch it once now."),
) -> None:
    """Register a feed to fetch regularly."""
    settings, factory = open_store()
    with transaction(factory) as session:
        source = pipeline.get_or_create_source(session, "feed", location, name)
        console.print(f"source {source.id}: {location}")
    if fetch:
        console.print(pipeline.ingest_feed(settings, factory, location).summary())


@sources_app.command("fetch")
def sources_fetch() -> None:
    """Fetch every active feed source now; one failing source does not stop the others."""
    settings, factory = open_store()
    with factory() as session:
        locations = session.scalars(
            select(models.Source.location).where(models.Source.kind == "feed", models.Source.active)
        ).all()
    failed = 0
    for location in locations:
        try:
            console.print(pipeline.ingest_feed(settings, factory, location).summary())
        except Exception as exc:  # report and go on to the next source
            failed += 1
            console.print(f"[red]{location}: {exc}[/red]")
    if failed:
        raise typer.Exit(1)


@sources_app.command("list")
def sources_list(fmt: OutputFormat = FORMAT) -> None:
    """Sources with their last fetch status and item counts."""
    _, factory = open_store()
    with factory() as session:
        rows = [_row(s) for s in session.scalars(select(models.Source).order_by(models.Source.id))]
    render_rows(
        rows,
        fmt,
        columns=[
            "id",
            "kind",
            "name",
            "location",
            "item_count",
            "last_status",
            "last_fetched_at",
            "last_error",
        ],
    )


@items_app.command("list")
def items_list(
    fmt: OutputFormat = FORMAT,
    limit: int = LIMIT,
    language: str = typer.Option(None, help="Only items in this language."),
    source: int = typer.Option(None, help="Only items from this source id."),
) -> None:
    """The newest ingested items."""
    _, factory = open_store()
    query = select(models.Item).order_by(models.Item.id.desc()).limit(limit)
    if language:
        query = query.where(models.Item.language == language)
    if source:
        query = query.where(models.Item.source_id == source)
    with factory() as session:
        total = session.scalar(select(func.count()).select_from(models.Item))
        rows = [_row(i, exclude=frozenset({"dedupe_key"})) for i in session.scalars(query)]
    for row in rows:
        row["text"] = row["text"][:200]
    render_rows(
        rows,
        fmt,
        columns=["id", "language", "platform", "published_at", "text"],
        title=f"{len(rows)} of {total} items",
    )


@items_app.command("show")
def items_show(item_id: int = typer.Argument(...), fmt: OutputFormat = FORMAT) -> None:
    """One item in full."""
    _, factory = open_store()
    with factory() as session:
        item = session.get(models.Item, item_id)
        if item is None:
            raise NotFound(f"no item with id {item_id}")
        row = _row(item)
    if fmt is OutputFormat.json:
        print(json.dumps(row, ensure_ascii=False, default=str))
        return
    for key, value in row.items():
        if key != "text":
            console.print(f"[bold]{key}[/bold]: {value}")
    console.print(row["text"], markup=False, highlight=False)


@quarantine_app.command("list")
def quarantine_list(
    fmt: OutputFormat = FORMAT,
    limit: int = LIMIT,
    origin: str = typer.Option(None, help="Only records from this file or URL."),
) -> None:
    """Records that could not be used, where they were and why."""
    _, factory = open_store()
    query = select(models.QuarantineRecord).order_by(models.QuarantineRecord.id.desc()).limit(limit)
    if origin:
        query = query.where(models.QuarantineRecord.origin == origin)
    with factory() as session:
        rows = [_row(q) for q in session.scalars(query)]
    render_rows(rows, fmt, columns=["id", "at", "kind", "location", "reason"])


def _row(obj: Any, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {
        c.name: getattr(obj, c.name)
        for c in obj.__table__.columns
        if c.name not in exclude and not isinstance(getattr(obj, c.name), bytes)
    }
