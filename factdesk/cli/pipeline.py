"""`factdesk jobs list|retry|run` and `factdesk sources resume|interval`: the pipeline's jobs
and the polling of sources, from the terminal."""

from __future__ import annotations

import typer

from factdesk.cli.app import jobs_app, open_store, sources_app
from factdesk.cli.render import OutputFormat, console, render_rows
from factdesk.errors import InputError
from factdesk.queue import nudge_jobs
from factdesk.services import jobtable, pipeline, sources

FORMAT = typer.Option(OutputFormat.table, "--format", help="table or json")


@jobs_app.command("list")
def jobs_list(
    status: str = typer.Option(None, help="Only jobs in this status: queued, running, done, dead."),
    kind: str = typer.Option(None, help="Only jobs of this kind: ingest, detect, link, match."),
    limit: int = typer.Option(50, "--limit", min=1, help="How many rows at most."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The newest pipeline jobs, with their attempts and last error."""
    _, factory = open_store()
    with factory() as session:
        jobs = jobtable.list_jobs(session, status=status, kind=kind, limit=limit)
        counts = jobtable.counts(session)
    title = ", ".join(f"{n} {s}" for s, n in counts.items())
    render_rows(
        jobs,
        fmt,
        columns=["id", "kind", "status", "attempts", "run_after", "claimed_by", "last_error"],
        title=title,
    )


@jobs_app.command("retry")
def jobs_retry(
    job_id: int = typer.Argument(None, help="The dead job to queue again."),
    dead: bool = typer.Option(False, "--dead", help="Queue every dead job again."),
) -> None:
    """Queue a dead job again (its attempts start from zero), or every dead job."""
    if (job_id is None) == (not dead):
        raise InputError("give a job id or --dead (one of the two)", where="arguments")
    settings, factory = open_store()
    ids = (
        jobtable.retry_dead(factory, actor="cli")
        if dead
        else [jobtable.retry(factory, job_id, actor="cli").id]
    )
    nudge_jobs(settings, ids)
    console.print(f"queued again: {len(ids)} job(s) {ids[:20]}")


@jobs_app.command("run")
def jobs_run(
    sweep: bool = typer.Option(True, help="Sweep first: poll due sources, catch up, leases."),
) -> None:
    """Run the due pipeline jobs in the foreground until none is due (no worker needed)."""
    settings, factory = open_store()
    stages = pipeline.Stages(settings, factory)
    if sweep:
        pipeline.sweep(settings, factory, linking=lambda: stages.linking)
    ran = pipeline.drain(stages)  # follow-ups are due at once: they run too
    console.print(f"ran {ran} job(s)")


@sources_app.command("resume")
def sources_resume(source_id: int = typer.Argument(...)) -> None:
    """Poll a paused source again (its failure count starts from zero)."""
    _, factory = open_store()
    source = sources.resume(factory, source_id, actor="cli")
    console.print(f"source {source.id} resumed: {source.location}")


@sources_app.command("interval")
def sources_interval(
    source_id: int = typer.Argument(...),
    seconds: int = typer.Argument(None, help="Seconds between polls; leave out for the setting."),
) -> None:
    """Set how often a source is polled (FACTDESK_POLL_INTERVAL when not set)."""
    settings, factory = open_store()
    source = sources.set_interval(factory, source_id, seconds, actor="cli")
    console.print(f"source {source.id}: every {sources.interval(settings, source)} s")
