"""The generated references match the code: a new command or setting must be documented."""

from pathlib import Path

from factdesk.cli.docs import cli_reference, settings_reference

DOCS = Path(__file__).parents[1] / "docs"


def test_docs_cli_reference_is_current() -> None:
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == cli_reference(), (
        "docs/cli.md is stale: run `make docs`"
    )


def test_docs_settings_reference_is_current() -> None:
    assert (DOCS / "settings.md").read_text(encoding="utf-8") == settings_reference(), (
        "docs/settings.md is stale: run `make docs`"
    )
