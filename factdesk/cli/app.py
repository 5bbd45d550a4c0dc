"""The root Typer application and its command groups.

Each ``factdesk/cli/<area>.py`` module adds its commands to one of these groups; the
modules are imported by :func:`factdesk.cli.main`. Commands stay thin: parse options, call
one function of the core or a service, render the result.
"""

from __future__ import annotations

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import StoreError
from factdesk.settings import Settings, get_settings

app = typer.Typer(
    name="factdesk",
    help="factdesk: an open-source fact-checking desk.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

ingest_app = typer.Typer(help="Ingest feeds, web pages and exported files.", no_args_is_help=True)
sources_app = typer.Typer(help="Manage the sources items come from.", no_args_is_help=True)
items_app = typer.Typer(help="Look at ingested items.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Input that could not be used, and why.", no_args_is_help=True)
eval_app = typer.Typer(help="Score factdesk on public benchmark datasets.", no_args_is_help=True)
train_app = typer.Typer(help="Train the small models factdesk ships.", no_args_is_help=True)
users_app = typer.Typer(help="Newsroom accounts and their roles.", no_args_is_help=True)
claims_app = typer.Typer(help="Distinct claims found by `factdesk detect`.", no_args_is_help=True)
alerts_app = typer.Typer(help="Resurgence alerts about claims rated false.", no_args_is_help=True)
publish_app = typer.Typer(
    help="The public site: static export, ClaimReview checks.", no_args_is_help=True
)
webhooks_app = typer.Typer(
    help="Webhooks for partners and their delivery log.", no_args_is_help=True
)
tokens_app = typer.Typer(help="Read tokens for API partners.", no_args_is_help=True)
fact_checks_app = typer.Typer(
    help="Fact-checks: the desk's own and imported ones.", no_args_is_help=True
)

app.add_typer(ingest_app, name="ingest")
app.add_typer(sources_app, name="sources")
app.add_typer(items_app, name="items")
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")
app.add_typer(users_app, name="users")
app.add_typer(claims_app, name="claims")
app.add_typer(alerts_app, name="alerts")
app.add_typer(publish_app, name="publish")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(tokens_app, name="tokens")
app.add_typer(fact_checks_app, name="fact-checks")
jobs_app = typer.Typer(
    help="The pipeline's jobs (ingest, detect, link, match) and dead letters.",
    no_args_is_help=True,
)
app.add_typer(jobs_app, name="jobs")


_engines: list[Engine] = []


def close_stores() -> None:
    """Close every connection pool a command opened (called once, when the command ends)."""
    while _engines:
        _engines.pop().dispose()


def open_store(*, create: bool = True) -> tuple[Settings, sessionmaker[Session]]:
    """Settings and a session factory for the configured database.

    An empty database is created on first use (as ``factdesk init`` would); one at an older
    schema is refused with a pointer to ``factdesk init``, so no command runs on a schema it
    does not know.
    """
    from factdesk.store.db import (
        current_revisions,
        engine_for,
        head_revisions,
        session_factory,
        upgrade,
    )

    settings = get_settings()
    engine = engine_for(settings)
    _engines.append(engine)
    revisions = current_revisions(engine)
    if not revisions and create:
        upgrade(engine)
    elif revisions != head_revisions():
        raise StoreError("the database schema is out of date: run `factdesk init` to migrate it")
    return settings, session_factory(engine)
