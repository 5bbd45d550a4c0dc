"""The newsroom's list pages are pages of records; the CLI's lists too."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from factdesk.store import models as m
from factdesk.store.reads import desk_lists as lists
from factdesk.types import Account, AuditEvent, Page, Quarantined, Source, StoredItem
from tests.web.conftest import add_user, seed_claim


def test_lists_page_through_records(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        for n in range(lists.PAGE_SIZE + 5):
            session.add(
                m.QuarantineRecord(
                    origin="feed.xml" if n % 2 else "posts.csv",
                    kind="feed",
                    location=f"entry {n}",
                    reason="no text",
                )
            )
    with db() as session:
        first = lists.quarantine(session)
        second = lists.quarantine(session, page=2)
        export = lists.quarantine(session, export=True)
        only = lists.quarantine(session, origin="posts.csv", limit=3)
    assert isinstance(first, Page) and isinstance(first.items[0], Quarantined)
    assert (first.total, first.pages, first.page, second.page) == (105, 2, 1, 2)
    assert len(first.items) == lists.PAGE_SIZE and len(second.items) == 5
    assert first.items[0].location == "entry 104"  # newest first
    assert len(export.items) == 105
    assert [q.location for q in only.items] == ["entry 104", "entry 102", "entry 100"]
    assert only.total == 53


def test_lists_sources_users_audit_evidence_and_items(db: sessionmaker[Session]) -> None:
    seed_claim(db, mentions=3)
    add_user(db, "zed", "viewer")
    with db.begin() as session:
        session.add(
            m.EvidenceDocument(
                url="https://gov.example/a", content_hash="h", text="Fertility rates", raw=b"abc"
            )
        )
    with db() as session:
        sources = lists.sources(session)
        users = lists.users(session)
        events = lists.audit(session, action="user.add")
        evidence = lists.evidence(session, q="FERTILITY")
        found = lists.evidence_document(session, evidence.items[0].id)
        raw = lists.archived_bytes(session, evidence.items[0].id)
        items = lists.items(session, limit=2)
        one = lists.item(session, items.items[0].id)
        missing = lists.item(session, 9999)
        review = lists.review(session)
    assert [type(s) for s in sources.items] == [Source] and sources.items[0].item_count == 0
    assert [(u.username, u.role) for u in users.items] == [("zed", "viewer")]
    assert isinstance(users.items[0], Account)
    assert [type(e) for e in events.items] == [AuditEvent] and events.items[0].after == {
        "username": "zed",
        "role": "viewer",
    }
    assert evidence.total == 1 and evidence.items[0].citations == 0
    assert found is not None and found[0].raw_size == 3 and found[0].text == "Fertility rates"
    assert found[1] == [] and raw == (b"abc", None)
    assert items.total == 3 and len(items.items) == 2 and isinstance(one, StoredItem)
    assert one.item.text.endswith("infertility in 50% of women") and one.dedupe_key
    assert missing is None and review.total == 0
