"""`factdesk serve` and `factdesk users add|list|set-role|disable|enable|password`: run the desk,
manage accounts. Every change goes through ``services.accounts``."""

from __future__ import annotations

import secrets

import typer

from factdesk.cli.app import app, open_store, users_app
from factdesk.cli.render import OutputFormat, console, render_rows
from factdesk.store.db import transaction

ROLES = "viewer, checker, editor or admin"


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 for all)."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
) -> None:
    """Run the web app: the newsroom at /desk, the API at /api/v1, public pages at /."""
    from factdesk.web import serve as run

    settings, _ = open_store()
    console.print(
        f"factdesk on http://{host}:{port}/desk/ (database {settings.effective_database_url})"
    )
    run(settings, host, port)


@users_app.command("add")
def users_add(
    username: str = typer.Argument(..., help="The sign-in name (no spaces)."),
    role: str = typer.Option("viewer", help=f"One of {ROLES}."),
    generate: bool = typer.Option(False, "--generate", help="Make up a password and print it."),
) -> None:
    """Create an account; asks for the password twice unless --generate."""
    from factdesk.services.accounts import add_user

    if generate:
        password = secrets.token_urlsafe(12)
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    _, factory = open_store()
    with transaction(factory) as session:
        user = add_user(session, username, password, role, actor="cli")
    console.print(f"user {user.username} added with role {user.role}")
    if generate:
        console.print(f"password: {password}")


@users_app.command("list")
def users_list(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """List accounts with their roles."""
    from factdesk.services.accounts import list_users

    _, factory = open_store()
    with factory() as session:
        rows = list_users(session)
    render_rows(rows, fmt, columns=["username", "role", "active", "created_at"], title="Users")


@users_app.command("set-role")
def users_set_role(
    username: str = typer.Argument(..., help="The account to change."),
    role: str = typer.Argument(..., help=f"The new role: {ROLES}."),
) -> None:
    """Change an account's role (the user is signed out everywhere)."""
    from factdesk.services.accounts import set_role

    _, factory = open_store()
    with transaction(factory) as session:
        before, after = set_role(session, username, role, actor="cli")
    console.print(f"{username}: {before} → {after}")


@users_app.command("disable")
def users_disable(username: str = typer.Argument(..., help="The account to disable.")) -> None:
    """Disable an account: its sessions end at once and it cannot sign in."""
    from factdesk.services.accounts import set_active

    _, factory = open_store()
    with transaction(factory) as session:
        changed = set_active(session, username, False, actor="cli")
    console.print(f"{username}: {'disabled, signed out everywhere' if changed else 'was disabled'}")


@users_app.command("enable")
def users_enable(username: str = typer.Argument(..., help="The account to enable.")) -> None:
    """Enable a disabled account again."""
    from factdesk.services.accounts import set_active

    _, factory = open_store()
    with transaction(factory) as session:
        changed = set_active(session, username, True, actor="cli")
    console.print(f"{username}: {'enabled' if changed else 'was enabled'}")


@users_app.command("password")
def users_password(
    username: str = typer.Argument(..., help="The account whose password to set."),
    generate: bool = typer.Option(False, "--generate", help="Make up a password and print it."),
) -> None:
    """Set an account's password (asks twice unless --generate); its sessions end at once."""
    from factdesk.services.accounts import set_password

    if generate:
        password = secrets.token_urlsafe(12)
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    _, factory = open_store()
    with transaction(factory) as session:
        set_password(session, username, password, actor="cli")
    console.print(f"{username}: password changed, signed out everywhere")
    if generate:
        console.print(f"password: {password}")
