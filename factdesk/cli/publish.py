"""`factdesk publish|webhooks|tokens|worker`: the public site, partners, background jobs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import typer

from factdesk.cli.app import app, open_store, publish_app, tokens_app, webhooks_app
from factdesk.cli.render import OutputFormat, console, err_console, render_rows
from factdesk.store.db import transaction

FORMAT = typer.Option(OutputFormat.table, "--format", help="table or json")


@publish_app.command("export")
def publish_export(
    directory: Path = typer.Argument(
        ..., help="Where to write the site (empty, new, or an earlier export)."
    ),
) -> None:
    """Write the whole public site as static files any web server can serve."""
    from factdesk.services.publish import export_site

    settings, factory = open_store()
    report = export_site(settings, factory, directory)
    console.print(report.summary())
    console.print(f"links assume the site is served at {settings.public_base_url}/")


@publish_app.command("validate")
def publish_validate(fmt: OutputFormat = FORMAT) -> None:
    """Check the ClaimReview markup of every public fact-check; exits 1 on any error."""
    from factdesk.services.publish import validate_public

    settings, factory = open_store()
    with factory() as session:
        checks = validate_public(settings, session)
    rows = [
        {
            "id": check.fact_check_id,
            "status": check.status,
            "errors": "; ".join(check.errors),
            "warnings": "; ".join(check.warnings),
        }
        for check in checks
    ]
    render_rows(
        rows,
        fmt,
        columns=["id", "status", "errors", "warnings"],
        title="ClaimReview of public fact-checks",
    )
    if not all(check.valid for check in checks):
        raise typer.Exit(1)


@webhooks_app.command("add")
def webhooks_add(
    url: str = typer.Argument(..., help="The receiver's URL (http or https)."),
    event: list[str] = typer.Option(
        ["*"],
        "--event",
        help="An event to send (repeat the option); '*' for all: "
        "fact_check.published, fact_check.corrected, fact_check.withdrawn, claim.resurgence.",
    ),
    secret: str = typer.Option(
        None, help="Signing secret, whsec_<base64 key>; a random one is made when left out."
    ),
) -> None:
    """Register a webhook and print its signing secret (shown this once)."""
    from factdesk.services.webhooks import add_webhook

    settings, factory = open_store()
    with transaction(factory) as session:
        hook, key = add_webhook(
            session, url, event, secret, actor="cli", allow_private=settings.allow_private_fetch
        )
        console.print(f"webhook {hook.id}: {hook.url} ({', '.join(hook.events)})")
    console.print(f"secret: {key}")


@webhooks_app.command("list")
def webhooks_list(fmt: OutputFormat = FORMAT) -> None:
    """Webhooks with their pending, delivered and failed deliveries."""
    from factdesk.publish.documents import webhook_document
    from factdesk.services.webhooks import list_webhooks

    _, factory = open_store()
    with factory() as session:
        rows = [webhook_document(hook) for hook in list_webhooks(session)]
    render_rows(
        rows,
        fmt,
        columns=["id", "url", "events", "active", "pending", "delivered", "failed"],
        title="Webhooks",
    )


@webhooks_app.command("set-active")
def webhooks_set_active(
    webhook_id: int = typer.Argument(..., help="The webhook's id."),
    active: bool = typer.Option(..., "--active/--paused", help="Resume or pause deliveries."),
) -> None:
    """Pause or resume a webhook (a paused one gets no new deliveries)."""
    from factdesk.services.webhooks import set_active

    _, factory = open_store()
    with transaction(factory) as session:
        set_active(session, webhook_id, active, actor="cli")
    console.print(f"webhook {webhook_id} {'active' if active else 'paused'}")


@webhooks_app.command("deliveries")
def webhooks_deliveries(
    webhook: int = typer.Option(None, "--webhook", help="Only this webhook's deliveries."),
    status: str = typer.Option(None, help="pending, delivered or failed."),
    limit: int = typer.Option(50, min=1, max=1000, help="How many rows at most."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The delivery log, newest first: attempts, answers and errors."""
    from factdesk.publish.documents import delivery_document
    from factdesk.services.webhooks import list_deliveries

    _, factory = open_store()
    with factory() as session:
        found = list_deliveries(session, webhook_id=webhook, status=status, limit=limit)
    rows = [delivery_document(d) for d in found]
    render_rows(
        rows,
        fmt,
        columns=[
            "id",
            "webhook_id",
            "event",
            "status",
            "attempts",
            "response_status",
            "last_error",
            "created_at",
            "next_attempt_at",
            "delivered_at",
        ],
        title="Deliveries",
    )


@webhooks_app.command("retry")
def webhooks_retry(delivery_id: int = typer.Argument(..., help="The delivery's id.")) -> None:
    """Send a failed delivery again (its attempts start afresh)."""
    from factdesk.queue import nudge_deliveries
    from factdesk.services.webhooks import retry_now

    settings, factory = open_store()
    with transaction(factory) as session:
        retry_now(session, delivery_id, actor="cli")
    nudge_deliveries(settings, [delivery_id])
    console.print(f"delivery {delivery_id} queued again")


@webhooks_app.command("ping")
def webhooks_ping(webhook_id: int = typer.Argument(..., help="The webhook's id.")) -> None:
    """Send a signed test event (webhook.ping) now and print the receiver's answer; exits 1
    unless the receiver answered 2xx."""
    from factdesk.services.webhooks import ping

    settings, factory = open_store()
    result = ping(settings, factory, webhook_id, actor="cli")
    console.print(f"webhook {webhook_id}: {result.url} (webhook-id {result.message_id})")
    if result.status is not None:
        console.print(f"status: {result.status}")
        console.print(f"answer: {result.answer}" if result.answer else "answer: (empty)")
    if result.error:
        err_console.print(f"[red]error:[/red] {result.error}")
    if not result.ok:
        raise typer.Exit(1)


@webhooks_app.command("rotate-secret")
def webhooks_rotate_secret(
    webhook_id: int = typer.Argument(..., help="The webhook's id."),
) -> None:
    """Give a webhook a fresh signing secret and print it (shown this once); deliveries
    from now on are signed with it."""
    from factdesk.services.webhooks import rotate_secret

    _, factory = open_store()
    with transaction(factory) as session:
        secret = rotate_secret(session, webhook_id, actor="cli")
    console.print(f"webhook {webhook_id}: new secret: {secret}")


@tokens_app.command("add")
def tokens_add(name: str = typer.Argument(..., help="The partner the token is for.")) -> None:
    """Issue a read token for the API and print it (shown this once)."""
    from factdesk.services.accounts import create_token

    _, factory = open_store()
    with transaction(factory) as session:
        row, token = create_token(session, name)
        console.print(f"token {row.id} for {row.name}")
    print(token)


@tokens_app.command("list")
def tokens_list(fmt: OutputFormat = FORMAT) -> None:
    """Read tokens (never the tokens themselves): who, created, last used, revoked."""
    from factdesk.services.accounts import list_tokens

    _, factory = open_store()
    with factory() as session:
        rows = list_tokens(session)
    render_rows(
        rows,
        fmt,
        columns=["id", "name", "created_at", "last_used_at", "revoked_at"],
        title="API tokens",
    )


@tokens_app.command("revoke")
def tokens_revoke(token_id: int = typer.Argument(..., help="The token's id.")) -> None:
    """Revoke a read token at once."""
    from factdesk.services.accounts import revoke_token

    _, factory = open_store()
    with transaction(factory) as session:
        revoke_token(session, token_id)
    console.print(f"token {token_id} revoked")


@app.command()
def worker(
    threads: int = typer.Option(
        None, min=1, max=64, help="Worker threads (default FACTDESK_WORKER_THREADS)."
    ),
    status: bool = typer.Option(False, "--status", help="Print the queue's state and exit."),
) -> None:
    """Run queued background jobs (webhook deliveries, the outbox sweep, the pipeline's
    source polls and ingest/detect/link/match jobs) until stopped.

    With FACTDESK_QUEUE=redis run one on each machine; with the default SQLite queue the web
    server already runs worker threads (FACTDESK_EMBEDDED_WORKER)."""
    from factdesk.jobs import Worker
    from factdesk.queue import get_queue

    settings, _ = open_store()
    queue = get_queue(settings)
    if status:
        print(json.dumps(queue.describe()))
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    console.print(
        f"worker: {threads or settings.worker_threads} threads on the "
        f"{settings.queue} queue {settings.queue_name!r} (Ctrl-C to stop)"
    )
    Worker(queue, threads=threads).run()
