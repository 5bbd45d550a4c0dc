"""The root Typer application and its command groups.

Each ``factdesk/cli/<area>.py`` module adds its commands to one of these groups; the
modules are imported by :func:`factdesk.cli.main`. Commands stay thin: parse options, call
one function of the core or a service, render the result.
"""

from __future__ import annotations

import typer

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

app.add_typer(ingest_app, name="ingest")
app.add_typer(sources_app, name="sources")
app.add_typer(items_app, name="items")
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")
