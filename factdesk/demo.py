"""`factdesk demo`: load the bundled sample data and run every pipeline stage on it.

The sample files (invented, see ``factdesk/data/sample/README.md``) go through exactly the
same code as real input, so the demo shows real de-duplication, quarantine, detection and
matching on a fresh machine. Loading twice changes nothing (ingestion is idempotent).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk import pipeline
from factdesk.settings import Settings
from factdesk.store import models

SAMPLE = resources.files("factdesk") / "data" / "sample"

# (file, how to ingest it), in the order a desk would: fact-checks first, then content.
SAMPLE_INPUTS: tuple[tuple[str, str], ...] = (
    ("claimreviews.jsonld", "claimreview"),
    ("claimreview-single.json", "claimreview"),
    ("page-factcheck.html", "page"),
    ("feed-vi.xml", "feed"),
    ("feed-en.atom", "feed"),
    ("posts.csv", "csv"),
    ("posts.jsonl", "jsonl"),
)


def sample_path(name: str) -> Path:
    return Path(str(SAMPLE / name))


def load_samples(settings: Settings, factory: sessionmaker[Session]) -> list[pipeline.IngestReport]:
    """Ingest every bundled sample file; a file that fails is reported, not fatal."""
    reports = []
    for name, kind in SAMPLE_INPUTS:
        path = sample_path(name)
        if kind == "feed":
            reports.append(pipeline.ingest_feed(settings, factory, str(path)))
        elif kind == "page":
            reports.append(pipeline.ingest_page(settings, factory, str(path)))
        else:
            reports.append(pipeline.ingest_file(settings, factory, path, kind))  # type: ignore[arg-type]
    return reports


def counts(factory: sessionmaker[Session]) -> dict[str, int]:
    tables = {
        "sources": models.Source,
        "items": models.Item,
        "fact-checks": models.FactCheck,
        "mentions": models.Mention,
        "claims": models.Claim,
        "quarantined": models.QuarantineRecord,
    }
    with factory() as session:
        return {
            name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in tables.items()
        }


def run_demo(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    console: Console,
    serve: bool = False,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    console.rule("factdesk demo")
    console.print(f"database: {settings.effective_database_url}")
    for report in load_samples(settings, factory):
        console.print("  " + report.summary())
    table = Table(title="What the desk holds now")
    table.add_column("records")
    table.add_column("count", justify="right")
    for name, count in counts(factory).items():
        table.add_row(name, str(count))
    console.print(table)
    console.print("Next: `factdesk items list`, `factdesk quarantine list`, `factdesk doctor`.")
    if serve:
        console.print(
            "[yellow]The web app is not part of this version yet; nothing to serve.[/yellow]"
        )
