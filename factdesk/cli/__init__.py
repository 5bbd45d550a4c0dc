"""The ``factdesk`` command. Errors end here: one line on stderr, a non-zero exit."""

from __future__ import annotations

import importlib
import sys

from factdesk.cli.app import app
from factdesk.errors import FactdeskError

# Modules that register commands on the groups in ``factdesk.cli.app``.
COMMAND_MODULES = ("core", "ingest", "browse")


def load_commands() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"factdesk.cli.{name}")


def main() -> None:
    load_commands()
    try:
        app(standalone_mode=False)
    except FactdeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # click's own usage errors come through here too
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            print("error: aborted", file=sys.stderr)
            sys.exit(1)
        raise
