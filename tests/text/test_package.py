"""The public surface of factdesk.text, and its place in the functional core."""

from __future__ import annotations

import subprocess
import sys

import factdesk.text


def test_text_all_names_are_exported() -> None:
    for name in factdesk.text.__all__:
        assert hasattr(factdesk.text, name), name
    assert sorted(factdesk.text.__all__) == factdesk.text.__all__


def test_text_imports_no_shell_packages() -> None:
    code = (
        "import sys, factdesk.text\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'fastapi', 'typer', 'httpx', 'huey', 'redis') "
        "or m.split('.')[:2] in (['factdesk', 'store'], ['factdesk', 'web'], ['factdesk', 'jobs'], "
        "['factdesk', 'cli'], ['factdesk', 'publish']))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
