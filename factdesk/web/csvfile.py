"""CSV exports of list pages: UTF-8 with a byte-order mark (so spreadsheet programs read
Vietnamese correctly), and cells that a spreadsheet would run as a formula defused."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
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


def to_csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])
    return "\ufeff" + out.getvalue()


def csv_response(name: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Response:
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return Response(
        to_csv(columns, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="factdesk-{name}-{stamp}.csv"'},
    )
