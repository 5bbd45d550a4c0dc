"""Fact-checks as a list for scripts: ours and imported ones, with what each says.

``factdesk fact-checks list`` prints these. Ours carry the URL of their public page (on
the public base URL) and the organisation's name as publisher; imported ones what their
ClaimReview said. Only what a fact-check *says* is listed: never who wrote or posted it.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdesk.publish.urls import absolute, fact_check_path
from factdesk.store import models as m
from factdesk.store.reads.common import as_fact_check

Origin = Literal["ours", "imported"]
_ORIGINS = {"ours": "local", "imported": "imported"}
MAX_ROWS = 100_000


def fact_check_rows(
    session: Session,
    *,
    base_url: str,
    org_name: str,
    origin: Origin | None = None,
    language: str | None = None,
    limit: int = MAX_ROWS,
) -> list[dict[str, Any]]:
    """One plain row per fact-check, newest first (by publication date, then id):
    ``id, origin, status, url, language, date_published, rating, rating_value,
    publisher, appearance_urls, claim_reviewed``."""
    stmt = select(m.FactCheck)
    if origin is not None:
        stmt = stmt.where(m.FactCheck.origin == _ORIGINS[origin])
    if language:
        stmt = stmt.where(m.FactCheck.language == language.strip().lower())
    stmt = stmt.order_by(
        m.FactCheck.date_published.desc().nulls_last(), m.FactCheck.id.desc()
    ).limit(max(1, min(limit, MAX_ROWS)))
    rows = []
    for row in session.scalars(stmt):
        fc = as_fact_check(row)
        ours = fc.ours
        rows.append(
            {
                "id": fc.id,
                "origin": "ours" if ours else "imported",
                "status": fc.status,
                "url": absolute(base_url, fact_check_path(fc.id)) if ours else fc.url,
                "language": fc.language,
                "date_published": fc.date_published,
                "rating": fc.rating.label,
                "rating_value": fc.rating.value,
                "publisher": org_name if ours else fc.publisher,
                "appearance_urls": [a.url for a in fc.appearances],
                "claim_reviewed": fc.claim_reviewed,
            }
        )
    return rows
