"""The ``factdesk`` command. Errors end here: one line on stderr, a non-zero exit."""

from __future__ import annotations

import sys

import typer

from factdesk.cli.app import app, close_stores
from factdesk.errors import FactdeskError


def load_commands() -> None:
    """Import the modules that register commands on the groups in ``factdesk.cli.app``."""
    # In the order their commands are listed by `factdesk --help`.
    from factdesk.cli import (  # noqa: F401, I001
        core,
        ingest,
        browse,
        web,
        detect,
        detect_eval,
        publish,
        match,
        factchecks,
        library,
        stance,
        ops,
        pipeline,
    )


def _configure_logging() -> None:
    """Warnings and errors on stderr in FACTDESK_LOG_FORMAT, secrets redacted (``serve``
    lowers the level to info for its request log)."""
    import logging

    from factdesk import logs
    from factdesk.settings import get_settings

    logs.configure(get_settings(), level=logging.WARNING)


def main() -> None:
    load_commands()
    try:
        _configure_logging()
        code = app(standalone_mode=False)
    except FactdeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 1
    except (typer.Abort, KeyboardInterrupt):
        print("error: interrupted", file=sys.stderr)
        code = 130
    except Exception as exc:
        # Usage errors of the click inside Typer: they know how to show themselves.
        show, exit_code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if not (callable(show) and isinstance(exit_code, int)):
            raise
        show()
        code = exit_code
    finally:
        close_stores()
    sys.exit(code if isinstance(code, int) else 0)
