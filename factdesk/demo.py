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

from factdesk.services import ingest as pipeline
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
    """How many records of each kind the desk holds."""
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
    """Load, detect, match, publish a few verdicts through the real workflow, then serve."""
    from factdesk.publish.demo import publish_samples
    from factdesk.services import claims, detect
    from factdesk.store.db import transaction
    from factdesk.web.demo import ensure_demo_users

    console.rule("factdesk demo")
    console.print(f"database: {settings.effective_database_url}")
    for report in load_samples(settings, factory):
        console.print("  " + report.summary().replace(str(SAMPLE) + "/", ""))
    with console.status("detecting check-worthy claims and matching them to fact-checks"):
        detected = detect.detect(settings, factory, link_all=True)
    console.print("  detect: " + detected.summary())
    with transaction(factory) as session:
        accounts = ensure_demo_users(session)
    for line in publish_samples(settings, factory):
        console.print("  published: " + line)
    _show_counts(console, factory)
    _show_claims(console, factory)
    for alert in claims.list_alerts(factory, limit=5):
        console.print(f"[red]resurgence alert[/red] claim {alert.claim_id}: {alert.message}")
    if not serve:
        console.print('Next: `factdesk claims list`, `factdesk match "..."`, `factdesk serve`.')
        return
    from factdesk.web import serve as serve_app

    console.rule("demo logins (new passwords each run)")
    for username, password, role in accounts:
        console.print(f"  {role:<8} {username} / {password}")
    console.print(f"Newsroom: http://{host}:{port}/desk   Public site: http://{host}:{port}/")
    serve_app(settings, host, port)


def _show_counts(console: Console, factory: sessionmaker[Session]) -> None:
    table = Table(title="What the desk holds now")
    table.add_column("records")
    table.add_column("count", justify="right")
    for name, count in counts(factory).items():
        table.add_row(name, str(count))
    console.print(table)


def _show_claims(console: Console, factory: sessionmaker[Session]) -> None:
    from factdesk.services import claims

    table = Table(title="Top claims by worthiness x spread")
    for column in ("id", "claim", "mentions", "languages", "fact-check"):
        table.add_column(column)
    for ranked in claims.list_claims(factory, limit=8):
        link = ranked.link
        match = f"{link.band} {link.fact_check.rating.label}" if link else ""
        table.add_row(
            str(ranked.claim.id),
            ranked.claim.text[:70],
            str(ranked.claim.mention_count),
            ",".join(ranked.languages),
            match.strip(),
        )
    console.print(table)
