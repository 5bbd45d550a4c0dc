"""The JSON twins of the public pages, and the body of webhook events.

One function per page builds the plain dict the ``.json`` URL returns; the HTML page renders
the same record, so the two never disagree. The webhook payload of a fact-check event is
the fact-check's document, so a partner gets exactly what the public page shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from factdesk.publish.claimreview import claimreview_jsonld
from factdesk.publish.records import Organisation, PublishedFactCheck
from factdesk.publish.urls import (
    absolute,
    archive_json_path,
    archive_path,
    fact_check_json_path,
    fact_check_path,
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def fact_check_summary(fc: PublishedFactCheck, base_url: str) -> dict[str, Any]:
    """The short form used in lists (index, API lists)."""
    return {
        "id": fc.id,
        "status": fc.status,
        "url": absolute(base_url, fact_check_path(fc.id)),
        "json_url": absolute(base_url, fact_check_json_path(fc.id)),
        "claim_reviewed": fc.claim_reviewed,
        "title": fc.title,
        "rating": None if fc.withdrawn else fc.rating.label,
        "summary": None if fc.withdrawn else fc.summary,
        "language": fc.language,
        "date_published": _iso(fc.date_published),
        "date_modified": _iso(fc.date_modified),
        "version": fc.version,
    }


def fact_check_document(fc: PublishedFactCheck, org: Organisation, base_url: str) -> dict[str, Any]:
    """Everything the public page shows, plus its ClaimReview (none for a withdrawal)."""
    doc = fact_check_summary(fc, base_url)
    doc.update(
        {
            "rating": None
            if fc.withdrawn
            else {
                "label": fc.rating.label,
                "value": fc.rating.value,
                "best": fc.rating.best,
                "worst": fc.rating.worst,
            },
            "explanation": None if fc.withdrawn else fc.explanation,
            "claim_date": _iso(fc.claim_date),
            "appearances": [{"url": a.url, "date": _iso(a.date)} for a in fc.appearances],
            "first_appearance": (
                {"url": fc.first_appearance.url, "date": _iso(fc.first_appearance.date)}
                if fc.first_appearance
                else None
            ),
            "citations": [
                {
                    "url": c.url,
                    "quote": c.quote,
                    "publisher": c.publisher,
                    "date": c.source_date,
                    "archived_copy": absolute(base_url, c.archived_path)
                    if c.archived_path
                    else None,
                    "archived_at": _iso(c.archived_at),
                }
                for c in fc.citations
            ],
            "history": [
                {"version": r.version, "kind": r.kind, "at": _iso(r.at), "note": r.note}
                for r in fc.history
            ],
            "withdrawn": fc.withdrawn,
            "withdrawal_note": fc.withdrawal_note,
            "author": {"name": org.name, "url": org.url},
            "claimreview": None if fc.withdrawn else claimreview_jsonld(fc, org, base_url),
        }
    )
    return doc


def index_document(
    items: Sequence[PublishedFactCheck],
    *,
    base_url: str,
    total: int,
    offset: int,
    limit: int,
    query: str = "",
    language: str | None = None,
) -> dict[str, Any]:
    return {
        "query": query,
        "language": language,
        "total": total,
        "offset": offset,
        "limit": limit,
        "fact_checks": [fact_check_summary(fc, base_url) for fc in items],
    }


def archive_document(
    *,
    document_id: int,
    url: str | None,
    title: str | None,
    fetched_at: datetime | None,
    content_hash: str,
    text: str,
    fact_check_ids: Sequence[int],
    base_url: str,
) -> dict[str, Any]:
    return {
        "id": document_id,
        "url": absolute(base_url, archive_path(document_id)),
        "json_url": absolute(base_url, archive_json_path(document_id)),
        "source_url": url,
        "title": title,
        "archived_at": _iso(fetched_at),
        "sha256": content_hash,
        "text": text,
        "cited_by": [absolute(base_url, fact_check_path(i)) for i in fact_check_ids],
    }
