"""Newsroom pages where the day starts: the dashboard and the claim queue."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from factdesk.store.reads import answers
from factdesk.store.reads import desk as queries
from factdesk.types import Actor
from factdesk.web import charts
from factdesk.web.csvfile import csv_response
from factdesk.web.deps import db, desk, require
from factdesk.web.render import listing
from factdesk.workflow import Permission, State

router = APIRouter(prefix="/desk")
QUEUE_COLUMNS = [
    "id",
    "text",
    "language",
    "score",
    "status",
    "mention_count",
    "first_seen_at",
    "last_seen_at",
]


@router.get("/")
def dashboard(
    request: Request,
    actor: Actor = Depends(require(Permission.READ)),
    session: Session = Depends(db),
) -> Response:
    state = desk(request)

    def figures() -> dict[str, object]:
        # Read only when rendered (web/fragments.py): may be a few seconds old, never older
        # than the user's own last change.
        settings = state.desk_settings(session)
        data = state.cache.get(
            ("dashboard", settings), lambda: queries.dashboard(session, settings)
        )
        chart = charts.bar_chart(
            charts.fill_days(list(data.mentions), days=30), label="mentions per day"
        )
        found = answers.answers(session, [c.id for c in data.top if c.id])
        return {"data": data, "chart": chart, "thresholds": settings, "answers": found}

    return listing(request, "_dashboard_body.html", figures, layout="dashboard.html")


@router.get("/queue")
@router.get("/queue.csv", name="queue_csv")
def queue(
    request: Request,
    actor: Actor = Depends(require(Permission.READ)),
    session: Session = Depends(db),
) -> Response:
    f = queries.QueueFilter.from_params(request.query_params)
    if request.url.path.endswith(".csv"):
        return csv_response(
            "queue", QUEUE_COLUMNS, queries.queue(session, f, limit=queries.EXPORT_LIMIT)
        )
    state = desk(request)

    def lists() -> dict[str, object]:
        # Read only when the list is rendered: a cached one (web/fragments.py) reads nothing.
        # The rows may be a few seconds old, never older than the user's own last change.
        rows = queries.queue(session, f)
        key = f.query_string(page=1, sort="score")
        return {
            "rows": rows,
            "answers": answers.answers(session, [c.id for c in rows if c.id]),  # earlier checks
            "total": state.cache.get(("queue-total", key), lambda: queries.queue_total(session, f)),
            "f": f,
            "sources": state.cache.get("source-choices", lambda: queries.source_choices(session)),
            "languages": state.desk_settings(session).languages,
            "states": list(State),
            "page_size": queries.PAGE_SIZE,
        }

    if request.headers.get("hx-request"):
        return listing(request, "_queue_rows.html", lists)
    return listing(request, "_queue_body.html", lists, layout="queue.html")
