"""How list commands print: a Rich table for people, JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


console = Console()
err_console = Console(stderr=True)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def plain(record: Any) -> dict[str, Any]:
    """A record (a dataclass from ``factdesk.types``) or a mapping as a plain dict."""
    if is_dataclass(record) and not isinstance(record, type):
        return {f.name: getattr(record, f.name) for f in fields(record)}
    return dict(record)


def render_rows(
    records: Sequence[Any], fmt: OutputFormat, *, columns: Sequence[str], title: str = ""
) -> None:
    """Print ``records`` as a table (only ``columns``) or as a JSON array (every field)."""
    rows = [plain(r) for r in records]
    if fmt is OutputFormat.json:
        print(json.dumps([{k: _plain(v) for k, v in r.items()} for r in rows], ensure_ascii=False))
        return
    table = Table(title=title or None, show_lines=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(
            *("" if row.get(c) is None else str(_plain(row.get(c)))[:120] for c in columns)
        )
    console.print(table)
    if not rows:
        console.print("[dim](nothing to show)[/dim]")
