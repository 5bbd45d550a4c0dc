"""The JSON documents: the twins of the public pages, the API's bodies, and webhook events.

One function per page builds the plain dict the ``.json`` URL returns; the HTML page renders
the same record, so the two never disagree. The webhook payload of a fact-check event is
the fact-check's document, so a partner gets exactly what the public page shows. The API's
claims, webhooks and deliveries are documents too, built here from the records the store
and the services return.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from factdesk.publish.claimreview import claimreview_jsonld
from factdesk.publish.urls import (
    absolute,
    archive_json_path,
    archive_path,
    fact_check_json_path,
    fact_check_path,
)
from factdesk.types import (
    ArchivedCopy,
    Claim,
    ClaimTrend,
    Delivery,
    FactCheck,
    Organisation,
    Page,
    Webhook,
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def fact_check_summary(fc: FactCheck, base_url: str) -> dict[str, Any]:
    """The short form used in lists (index, API lists). ``version`` is the public revision
    (1 at publication, +1 per correction or withdrawal)."""
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
        "date_published": _iso(fc.published_at),
        "date_modified": _iso(fc.date_modified),
        "version": fc.revision,
    }


def fact_check_document(fc: FactCheck, org: Organisation, base_url: str) -> dict[str, Any]:
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
                    "archived_copy": absolute(base_url, archive_path(c.document_id))
                    if c.document_id is not None
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
    items: Sequence[FactCheck],
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


def archive_document(copy: ArchivedCopy, base_url: str) -> dict[str, Any]:
    """An archived copy of cited evidence, with the public fact-checks that cite it."""
    return {
        "id": copy.id,
        "url": absolute(base_url, archive_path(copy.id)),
        "json_url": absolute(base_url, archive_json_path(copy.id)),
        "source_url": copy.url,
        "title": copy.title,
        "archived_at": _iso(copy.fetched_at),
        "sha256": copy.content_hash,
        "text": copy.text,
        "cited_by": [absolute(base_url, fact_check_path(i)) for i in copy.fact_check_ids],
        "quotes": [
            {"anchor": f"quote-{cid}", "start": start, "end": end, "text": copy.text[start:end]}
            for cid, start, end in copy.quotes
        ],
    }


# --- the partner API ----------------------------------------------------------------------


def _verdict(fc: FactCheck | None, base_url: str) -> dict[str, Any] | None:
    """A claim's public fact-check in a claim's document: a link and the rating."""
    if fc is None:
        return None
    return {
        "id": fc.id,
        "status": fc.status,
        "rating": None if fc.withdrawn else fc.rating.label,
        "url": absolute(base_url, fact_check_path(fc.id)),
    }


def claim_document(claim: Claim, base_url: str) -> dict[str, Any]:
    """A claim as the API shows it: text, language, counts and dates, never who posted it;
    ``fact_check`` is our verdict once it is public."""
    return {
        "id": claim.id,
        "text": claim.text,
        "language": claim.language,
        "status": claim.status,
        "score": round(claim.score, 4),
        "mention_count": claim.mention_count,
        "first_seen_at": _iso(claim.first_seen_at),
        "last_seen_at": _iso(claim.last_seen_at),
        "fact_check": _verdict(claim.fact_check, base_url),
    }


def claims_document(page: Page[Claim], base_url: str) -> dict[str, Any]:
    return {
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "claims": [claim_document(c, base_url) for c in page.items],
    }


def claim_trend_document(trend: ClaimTrend, base_url: str) -> dict[str, Any]:
    """One claim with the claim it was merged into and its mentions per day."""
    doc = claim_document(trend.claim, base_url)
    doc["merged_into"] = trend.claim.merged_into_id
    doc["mentions_per_day"] = [
        {"date": day.isoformat(), "mentions": count} for day, count in trend.mentions_per_day
    ]
    return doc


def webhook_document(hook: Webhook) -> dict[str, Any]:
    """A webhook as listed (the API and ``factdesk webhooks list``): never its secret.
    Dates stay datetimes here: the API writes them as its JSON encoder does, the CLI in
    ISO 8601, as they always have."""
    return {
        "id": hook.id,
        "url": hook.url,
        "events": ",".join(hook.events),
        "active": hook.active,
        "created_at": hook.created_at,
        "pending": hook.pending,
        "delivered": hook.delivered,
        "failed": hook.failed,
    }


def delivery_document(delivery: Delivery) -> dict[str, Any]:
    """One line of the delivery log (dates as in :func:`webhook_document`)."""
    return {
        "id": delivery.id,
        "webhook_id": delivery.webhook_id,
        "url": delivery.url,
        "event": delivery.event,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "response_status": delivery.response_status,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "next_attempt_at": delivery.next_attempt_at,
        "delivered_at": delivery.delivered_at,
    }
