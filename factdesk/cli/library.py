"""`factdesk library add|list|show|search|withdraw|restore|reindex` and `factdesk research`:
thin shells over :mod:`factdesk.services.library` and :mod:`factdesk.services.research`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import Progress

from factdesk.cli.app import app, open_store
from factdesk.cli.render import OutputFormat, console, err_console, render_rows
from factdesk.types import Evidence, PassageHit

library_app = typer.Typer(
    help="The evidence library: sources archived as versions, cut into passages.",
    no_args_is_help=True,
)
app.add_typer(library_app, name="library")

STANCE_NOTE = (
    "Stance is a model's reading, an aid to the person checking — never a verdict. "
    "Read each passage in its source."
)
STANCE_STYLE = {"supports": "green", "refutes": "red", "not_enough_info": "dim"}


@library_app.command("add")
def add(
    sources: list[str] = typer.Argument(..., help="URLs (http/https) or files to add."),
    title: str | None = typer.Option(None, help="Title (default: from the document)."),
    publisher: str | None = typer.Option(None, help="Who published it."),
    published: str | None = typer.Option(None, help="Its date: YYYY, YYYY-MM or YYYY-MM-DD."),
    language: str | None = typer.Option(None, help="Language code (detected when omitted)."),
    url: str | None = typer.Option(None, help="For one file: the URL it is published at."),
) -> None:
    """Archive sources (HTML, PDF, text, Markdown, CSV) and index their passages. Adding a
    changed source again keeps both versions; a bad file is quarantined with its reason."""
    from factdesk.services import library

    if url is not None and len(sources) != 1:
        raise typer.BadParameter("--url goes with exactly one file", param_hint="--url")
    settings, factory = open_store()
    meta: dict[str, Any] = {
        "title": title,
        "publisher": publisher,
        "published": published,
        "language": language,
    }
    failed = 0
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("adding sources", total=len(sources))
        for source in sources:
            try:
                if source.startswith(("http://", "https://")):
                    result = library.add_url(settings, factory, source, **meta)
                else:
                    result = library.add_file(settings, factory, Path(source), url=url, **meta)
            except Exception as exc:  # one bad source does not stop the others
                from factdesk.errors import FactdeskError

                if not isinstance(exc, FactdeskError):
                    raise
                failed += 1
                progress.console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
            else:
                progress.console.print(escape(result.summary), highlight=False)
            progress.advance(task)
    if failed:
        raise typer.Exit(1)


@library_app.command("list")
def list_sources(
    active: bool = typer.Option(False, "--active", help="Hide withdrawn sources."),
    limit: int = typer.Option(200, min=1, max=10_000, help="At most this many sources."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """Sources of the library, newest first."""
    from factdesk.services import library

    _, factory = open_store()
    rows = library.list_sources(factory, include_withdrawn=not active, limit=limit)
    render_rows(
        rows,
        fmt,
        columns=("id", "title", "publisher", "language", "kind", "version_count", "withdrawn"),
        title="Evidence library",
    )


@library_app.command("show")
def show(
    source_id: int = typer.Argument(..., help="The source's id."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """A source: where it is from, its archived versions and its current passages."""
    from dataclasses import asdict

    from factdesk.services import library

    _, factory = open_store()
    detail = library.show_source(factory, source_id)
    if fmt is OutputFormat.json:
        print(json.dumps(asdict(detail), ensure_ascii=False, default=str))
        return
    s = detail.source
    console.print(f"[bold]{escape(s.title or s.location)}[/bold]", highlight=False)
    console.print(
        f"{escape(s.url or s.location)} · {s.publisher or 'publisher unknown'} · "
        f"{s.published or 'undated'} · {s.language or '?'}"
        + (" · [red]withdrawn[/red]" if s.withdrawn else ""),
        highlight=False,
    )
    render_rows(
        detail.versions,
        OutputFormat.table,
        columns=("version", "id", "retrieved_at", "content_hash", "size", "passage_count"),
        title="Archived versions (the id is the archived copy)",
    )
    for p in detail.passages:
        console.print(f"[dim]#{p.id} [{p.start}:{p.end}][/dim] {escape(p.text)}", highlight=False)


@library_app.command("search")
def search(
    query: str = typer.Argument(..., help="Words or a claim to look for."),
    k: int = typer.Option(10, "-k", "--top", min=1, max=50, help="How many passages."),
    language: str | None = typer.Option(None, help="Language of QUERY (detected when omitted)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """Passages of the library for QUERY, with the matching words marked (no stance)."""
    _show(_research(query, k, language, with_stance=False), fmt, stance=False)


@app.command("research")
def research_claim(
    claim: str = typer.Argument(..., help="The claim to find evidence for."),
    k: int = typer.Option(8, "-k", "--top", min=1, max=50, help="How many passages."),
    language: str | None = typer.Option(None, help="Language of CLAIM (detected when omitted)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """Evidence passages for CLAIM from the library, with their stance (an aid, never a
    verdict), source and score."""
    _show(_research(claim, k, language, with_stance=True), fmt, stance=True)


@library_app.command("withdraw")
def withdraw(source_id: int = typer.Argument(..., help="The source's id.")) -> None:
    """Take a source out of retrieval (its archived versions stay for existing citations)."""
    _set(source_id, True)


@library_app.command("restore")
def restore(source_id: int = typer.Argument(..., help="The source's id.")) -> None:
    """Bring a withdrawn source back into retrieval."""
    _set(source_id, False)


@library_app.command("reindex")
def reindex() -> None:
    """Build the passage index again from the database (vectors come from the cache)."""
    from factdesk.services import library

    settings, factory = open_store()
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("indexing passages", total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = library.reindex(settings, factory, progress=step)
    console.print(report.summary)


def _set(source_id: int, withdrawn: bool) -> None:
    from factdesk.services import library

    settings, factory = open_store()
    source = library.set_withdrawn(settings, factory, source_id, withdrawn)
    state = "withdrawn" if source.withdrawn else "in retrieval"
    console.print(f"source {source.id} ({escape(source.title or source.location)}): {state}")


class _NoStance:
    name = ""

    def predict(self, pairs: Any) -> list[Any]:
        from factdesk.types import Verdict

        return [Verdict("not_enough_info", 0.0) for _ in pairs]


def _research(text: str, k: int, language: str | None, *, with_stance: bool) -> list[Evidence]:
    from factdesk.services.research import research

    settings, factory = open_store()
    with factory() as session:
        return research(
            settings,
            session,
            text,
            k=k,
            language=language,
            stance=None if with_stance else _NoStance(),
        )


def evidence_row(e: Evidence, *, stance: bool = True) -> dict[str, Any]:
    """One passage as the JSON object scripts read (``text``, ``stance``, ``score``,
    ``source_url`` and the rest)."""
    row: dict[str, Any] = {
        "text": e.passage.text,
        "score": e.hit.score,
        "source_url": e.source_url,
        "source_title": e.source.title,
        "publisher": e.source.publisher,
        "published": e.source.published,
        "language": e.passage.language,
        "source_id": e.source.id,
        "version_id": e.passage.version_id,
        "passage_id": e.passage.id,
        "start": e.passage.start,
        "end": e.passage.end,
        "highlights": [list(span) for span in e.hit.highlights],
        "words": e.hit.words,
    }
    if stance:
        row["stance"] = e.verdict.stance
        row["stance_confidence"] = round(e.verdict.confidence, 4)
        row["stance_model"] = e.stance_model
    return row


def _marked(hit: PassageHit) -> str:
    out, last = [], 0
    for start, end in hit.highlights:
        out.append(escape(hit.text[last:start]))
        out.append(f"[bold yellow]{escape(hit.text[start:end])}[/bold yellow]")
        last = end
    out.append(escape(hit.text[last:]))
    return "".join(out)


def _show(found: list[Evidence], fmt: OutputFormat, *, stance: bool) -> None:
    if fmt is OutputFormat.json:
        print(json.dumps([evidence_row(e, stance=stance) for e in found], ensure_ascii=False))
        if stance:
            err_console.print(f"[dim]{STANCE_NOTE}[/dim]", highlight=False)
        return
    if not found:
        console.print("No passage of the library matches. Add sources: `factdesk library add`.")
        return
    for n, e in enumerate(found, start=1):
        label = ""
        if stance:
            style = STANCE_STYLE[e.verdict.stance]
            label = f"[{style}]{e.verdict.stance} {e.verdict.confidence:.2f}[/{style}]  "
        console.print(f"[bold]{n}.[/bold] {label}score {e.hit.score:.2f}", highlight=False)
        console.print(f"   {_marked(e.hit)}", highlight=False)
        if e.hit.words:  # the marks are lost when the output is not a terminal
            console.print(
                f"   [dim]matched: {escape(', '.join(e.hit.words))}[/dim]", highlight=False
            )
        console.print(
            f"   [dim]{escape(e.source.title or '')} · {escape(e.source.publisher or '?')} · "
            f"{escape(e.source_url)} · passage {e.passage.id}[/dim]",
            highlight=False,
        )
    if stance:
        console.print(f"[dim]{STANCE_NOTE} (model: {found[0].stance_model})[/dim]")
