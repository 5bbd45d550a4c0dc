"""CSV exports of list pages: UTF-8 with a byte-order mark (so spreadsheet programs read
Vietnamese correctly), and cells that a spreadsheet would run as a formula defused.

A row is a record: each column is read as its attribute, or as the dotted path a view maps
it to (``{"rating_label": "fact_check.rating.label"}``) where the record nests it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from fastapi.responses import Response

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, default=str)
    text = str(value)
    # A leading quote keeps "=HYPERLINK(...)" from being evaluated (CSV injection).
    return "'" + text if text.startswith(_FORMULA_START) else text


def value(row: Any, path: str) -> Any:
    """``row``'s attribute (or key) ``path``, following dots; None where a step is missing."""
    for name in path.split("."):
        if row is None:
            return None
        row = row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)
    return row


def to_csv(
    columns: Sequence[str], rows: Iterable[Any], paths: Mapping[str, str] | None = None
) -> str:
    """The CSV text of ``rows``: one column each, read at ``paths[column]`` or ``column``."""
    paths = paths or {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(value(row, paths.get(c, c))) for c in columns])
    return "\ufeff" + out.getvalue()


def csv_response(
    name: str, columns: Sequence[str], rows: Iterable[Any], paths: Mapping[str, str] | None = None
) -> Response:
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return Response(
        to_csv(columns, rows, paths),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="factdesk-{name}-{stamp}.csv"'},
    )
