"""`factdesk fact-checks list` and the interop evals (`eval claimreview`, `eval langid`)."""

from __future__ import annotations

import enum
import json
from pathlib import Path

import typer

from factdesk.cli.app import eval_app, fact_checks_app, open_store
from factdesk.cli.render import OutputFormat, console, render_rows
from factdesk.types import FactCheck


@eval_app.command("claimreview")
def eval_claimreview(
    data: Path = typer.Option(
        ..., "--data", exists=True, file_okay=False, help="Folder of ClaimReview *.json files."
    ),
    truth: Path = typer.Option(
        ..., "--truth", exists=True, dir_okay=False, help="JSON: file name → expected fields."
    ),
) -> None:
    """Language, publication date, appearances and publisher as the import reads them,
    against a truth file; misses on stderr, last line is JSON."""
    from factdesk.eval.claimreview import evaluate_claimreview, read_truth
    from factdesk.ingest.claimreview import parse_claimreview, with_languages

    def importer(name: str, raw: bytes) -> list[FactCheck]:
        """What `factdesk ingest file --format claimreview` stores (language filled in)."""
        return with_languages(parse_claimreview(raw, origin=name).records)

    score = evaluate_claimreview(data, read_truth(truth), importer)
    for miss in score.misses:
        typer.echo(f"miss: {miss}", err=True)
    console.print(f"{score.parsed}/{score.reviews} reviews imported")
    print(json.dumps({"data": data.name, **score.figures()}))


@eval_app.command("langid")
def eval_langid(
    data: Path = typer.Option(
        ..., "--data", exists=True, dir_okay=False, help="TSV of language<TAB>text lines."
    ),
) -> None:
    """Language-id accuracy: factdesk's identifier and, as the baseline in the same run, the
    detector restricted to FACTDESK_LANGUAGES; last line is JSON."""
    from factdesk.eval.langid import evaluate_langid, read_langid_tsv
    from factdesk.settings import get_settings
    from factdesk.text.langid import detect_language, identify_language

    languages = get_settings().languages
    figures = evaluate_langid(
        read_langid_tsv(data),
        {
            "factdesk": identify_language,
            "baseline_restricted": lambda text: detect_language(text, languages),
        },
    )
    print(json.dumps({"data": data.name, **figures}, ensure_ascii=False))


class OriginChoice(enum.StrEnum):
    ours = "ours"
    imported = "imported"


@fact_checks_app.command("list")
def fact_checks_list(
    origin: OriginChoice = typer.Option(
        None, "--origin", help="ours (the desk's own) or imported (other publishers')."
    ),
    language: str = typer.Option(None, "--language", help="Only this language (ISO 639-1)."),
    limit: int = typer.Option(1000, min=1, max=100_000, help="How many at most."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """Fact-checks, newest first: url, language, date_published, rating, publisher and
    appearance_urls (JSON: every field, dates as written in their own zone)."""
    from factdesk.store.reads.factchecks import fact_check_rows

    settings, factory = open_store()
    with factory() as session:
        rows = fact_check_rows(
            session,
            base_url=settings.public_base_url,
            org_name=settings.org_name,
            origin=origin.value if origin else None,
            language=language,
            limit=limit,
        )
    render_rows(
        rows,
        fmt,
        columns=["id", "origin", "language", "date_published", "rating", "publisher", "url"],
        title="Fact-checks",
    )
