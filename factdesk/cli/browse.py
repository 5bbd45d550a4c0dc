"""`factdesk sources|items|quarantine`: look at what has been ingested."""

from __future__ import annotations

import json
from typing import Any

import typer

from factdesk.cli.app import items_app, open_store, quarantine_app, sources_app
from factdesk.cli.render import OutputFormat, console, render_rows
from factdesk.errors import NotFound
from factdesk.services import ingest
from factdesk.store.db import transaction
from factdesk.store.reads import desk_lists as lists
from factdesk.types import Source, StoredItem

FORMAT = typer.Option(OutputFormat.table, "--format", help="table or json")
LIMIT = typer.Option(50, "--limit", min=1, help="How many rows at most.")
# The keys --format json prints, in order (the stored columns, bytes and people left out).
SOURCE_KEYS = (
    "id",
    "kind",
    "location",
    "name",
    "language",
    "active",
    "etag",
    "last_modified",
    "last_fetched_at",
    "last_status",
    "last_error",
    "item_count",
    "created_at",
    "fetch_interval",
    "failures",
    "next_fetch_at",
    "paused_reason",
)
QUARANTINE_KEYS = ("id", "at", "source_id", "origin", "kind", "location", "reason", "raw")


@sources_app.command("add")
def sources_add(
    location: str = typer.Argument(..., help="Feed URL (or local feed file)."),
    name: str = typer.Option(None, help="A name to show for this source."),
    fetch: bool = typer.Option(True, help="Fetch it once now."),
) -> None:
    """Register a feed to fetch regularly."""
    settings, factory = open_store()
    with transaction(factory) as session:
        source = ingest.add_feed(session, location, actor="cli", name=name, existing_ok=True)
        console.print(f"source {source.id}: {location}")
    if fetch:
        console.print(ingest.ingest_feed(settings, factory, location).summary())


@sources_app.command("fetch")
def sources_fetch() -> None:
    """Fetch every active feed source now; one failing source does not stop the others."""
    settings, factory = open_store()
    failed = 0
    for location in [source.location for source in ingest.feed_sources(factory)]:
        try:
            console.print(ingest.ingest_feed(settings, factory, location).summary())
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
        rows = [_source(s) for s in lists.sources(session, export=True).items]
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
            "next_fetch_at",
            "paused_reason",
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
    with factory() as session:
        listed = lists.items(session, limit=limit, language=language or "", source=source)
    rows = [_item(i, with_key=False) for i in listed.items]
    for row in rows:
        row["text"] = row["text"][:200]
    render_rows(
        rows,
        fmt,
        columns=["id", "language", "platform", "published_at", "text"],
        title=f"{len(rows)} of {listed.total} items",
    )


@items_app.command("show")
def items_show(item_id: int = typer.Argument(...), fmt: OutputFormat = FORMAT) -> None:
    """One item in full."""
    _, factory = open_store()
    with factory() as session:
        item = lists.item(session, item_id)
    if item is None:
        raise NotFound(f"no item with id {item_id}")
    row = _item(item)
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
    with factory() as session:
        listed = lists.quarantine(session, origin=origin or "", limit=limit)
    rows = [_keys(q, QUARANTINE_KEYS) for q in listed.items]
    render_rows(rows, fmt, columns=["id", "at", "kind", "location", "reason"])


def _keys(record: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: getattr(record, key) for key in keys}


def _source(source: Source) -> dict[str, Any]:
    return _keys(source, SOURCE_KEYS)


def _item(stored: StoredItem, *, with_key: bool = True) -> dict[str, Any]:
    """An item as the stored columns, in their order (``dedupe_key`` only when shown whole)."""
    item = stored.item
    return {
        "id": stored.id,
        "source_id": stored.source_id,
        **({"dedupe_key": stored.dedupe_key} if with_key else {}),
        "url": item.url,
        "external_id": item.external_id,
        "title": item.title,
        "text": item.text,
        "language": item.language,
        "platform": item.platform,
        "content_hash": item.content_hash,
        "published_at": item.published_at,
        "ingested_at": stored.ingested_at,
        "detected_at": stored.detected_at,
    }
