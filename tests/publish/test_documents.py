"""The JSON documents, from hand-written records (no database)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

from factdesk.publish.documents import (
    archive_document,
    claim_document,
    claim_trend_document,
    claims_document,
    delivery_document,
    fact_check_document,
    fact_check_summary,
    webhook_document,
)
from factdesk.publish.pages import quote_segments
from factdesk.types import (
    ArchivedCopy,
    Claim,
    ClaimTrend,
    Delivery,
    FactCheck,
    Organisation,
    Page,
    Rating,
    Webhook,
)

from .conftest import BASE

T = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_fact_check_document_numbers_public_versions_and_links_archived_copies(
    fact_check: FactCheck, org: Organisation
) -> None:
    doc = fact_check_document(fact_check, org, BASE)
    assert doc["version"] == 2  # the public revision; the desk's edit counter is 5
    assert (
        doc["url"] == f"{BASE}/fact-checks/7/" and doc["json_url"] == f"{BASE}/fact-checks/7.json"
    )
    assert doc["citations"][0]["archived_copy"] == f"{BASE}/archive/3/"
    assert doc["citations"][0]["date"] == "2025-11"
    assert doc["first_appearance"] == {
        "url": "https://news.example.com/a/1",
        "date": "2026-02-21T00:00:00+00:00",
    }
    assert [h["version"] for h in doc["history"]] == [1, 2]
    assert doc["claimreview"]["version"] == 2
    assert doc["author"] == {"name": "Example Checks", "url": "https://example.org"}
    uncited = replace(fact_check, citations=(replace(fact_check.citations[0], document_id=None),))
    assert fact_check_document(uncited, org, BASE)["citations"][0]["archived_copy"] is None
    json.dumps(doc)


def test_withdrawn_summary_hides_the_verdict(fact_check: FactCheck, org: Organisation) -> None:
    gone = replace(fact_check, status="withdrawn", withdrawal_note="Forged.")
    summary = fact_check_summary(gone, BASE)
    assert summary["rating"] is None and summary["summary"] is None
    doc = fact_check_document(gone, org, BASE)
    assert doc["claimreview"] is None and doc["withdrawal_note"] == "Forged."


def test_archive_document() -> None:
    copy = ArchivedCopy(3, "https://src.example/a", "A report", T, "ab" * 32, "Text.", (7, 9))
    assert archive_document(copy, BASE) == {
        "id": 3,
        "url": f"{BASE}/archive/3/",
        "json_url": f"{BASE}/archive/3.json",
        "source_url": "https://src.example/a",
        "title": "A report",
        "archived_at": "2026-03-01T09:30:00+00:00",
        "sha256": "ab" * 32,
        "text": "Text.",
        "cited_by": [f"{BASE}/fact-checks/7/", f"{BASE}/fact-checks/9/"],
        "quotes": [],
    }


def test_archive_document_and_page_mark_each_quote() -> None:
    text = "Prices rose 4.8%. Not 50%. Prices rose in July."
    copy = ArchivedCopy(3, None, None, T, "ab" * 32, text, (7,), ((11, 0, 17), (12, 7, 17)))
    doc = archive_document(copy, BASE)
    assert doc["quotes"][0] == {"anchor": "quote-11", "start": 0, "end": 17, "text": text[:17]}
    segments = quote_segments(copy)
    assert segments[0] == ("Prices rose 4.8%.", "quote-11")
    assert segments[1] == ("", "quote-12")  # overlapping: an anchor of its own
    assert "".join(piece for piece, _ in segments) == text


def test_claim_documents_show_our_public_verdict_only_as_a_link() -> None:
    verdict = FactCheck(
        claim_reviewed="Tap water has hormones", rating=Rating("False"), id=4, origin="local"
    )
    claim = Claim(
        text="Tap water has hormones",
        language="en",
        score=0.912345,
        mention_count=3,
        id=11,
        status="published",
        first_seen_at=T,
        last_seen_at=None,
        merged_into_id=None,
        fact_check=verdict,
    )
    row = claim_document(claim, BASE)
    assert row == {
        "id": 11,
        "text": "Tap water has hormones",
        "language": "en",
        "status": "published",
        "score": 0.9123,
        "mention_count": 3,
        "first_seen_at": "2026-03-01T09:30:00+00:00",
        "last_seen_at": None,
        "fact_check": {
            "id": 4,
            "status": "published",
            "rating": "False",
            "url": f"{BASE}/fact-checks/4/",
        },
    }
    withdrawn = replace(claim, fact_check=replace(verdict, status="withdrawn"))
    assert claim_document(withdrawn, BASE)["fact_check"]["rating"] is None
    assert claim_document(replace(claim, fact_check=None), BASE)["fact_check"] is None
    listing = claims_document(Page((claim,), total=7, offset=5, limit=1), BASE)
    assert listing == {"total": 7, "offset": 5, "limit": 1, "claims": [row]}
    trend = claim_trend_document(ClaimTrend(claim, ((date(2026, 3, 1), 2),)), BASE)
    assert trend == {
        **row,
        "merged_into": None,
        "mentions_per_day": [{"date": "2026-03-01", "mentions": 2}],
    }


def test_webhook_and_delivery_documents_never_carry_a_secret() -> None:
    hook = Webhook(1, "https://p.example/h", ("fact_check.corrected", "claim.resurgence"), True, T)
    assert webhook_document(hook) == {
        "id": 1,
        "url": "https://p.example/h",
        "events": "fact_check.corrected,claim.resurgence",
        "active": True,
        "created_at": T,
        "pending": 0,
        "delivered": 0,
        "failed": 0,
    }
    delivery = Delivery(5, 1, "https://p.example/h", "fact_check.corrected", "failed", 8, T, 500)
    assert list(delivery_document(delivery)) == [
        "id",
        "webhook_id",
        "url",
        "event",
        "status",
        "attempts",
        "response_status",
        "last_error",
        "created_at",
        "next_attempt_at",
        "delivered_at",
    ]
    assert delivery_document(delivery)["response_status"] == 500
