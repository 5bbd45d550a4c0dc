"""Read helpers every reader shares: the word filter and the mentions-per-day count."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from factdesk.store import models as m


def like_terms(session: Session, column: Any, query: str) -> list[Any]:
    """One condition per word of ``query``: all words must occur, whatever their case.

    LIKE (SQLite) and ILIKE (PostgreSQL under the C collation) fold ASCII letters only, so
    a word with other letters is also tried Capitalised and in UPPER case, the forms words
    take in text (đường, Đường, ĐƯỜNG); no per-row function call is needed.
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    conditions = []
    for word in query.lower().split()[:10]:
        forms = (
            [word]
            if word.isascii()
            else list(dict.fromkeys((word, word.capitalize(), word.upper())))
        )
        patterns = []
        for form in forms:
            escaped = form.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            patterns.append(
                column.like(pattern, escape="\\") if sqlite else column.ilike(pattern, escape="\\")
            )
        conditions.append(or_(*patterns))
    return conditions


def day_counts(session: Session, stmt_filter: list[Any], since: datetime) -> list[tuple[date, int]]:
    """Mentions per day since ``since`` (UTC days), oldest first."""
    day = func.date(m.Mention.seen_at)
    rows = session.execute(
        select(day, func.count()).where(m.Mention.seen_at >= since, *stmt_filter).group_by(day)
    ).all()
    counts = {(d if isinstance(d, date) else date.fromisoformat(str(d)[:10])): n for d, n in rows}
    return sorted(counts.items())
