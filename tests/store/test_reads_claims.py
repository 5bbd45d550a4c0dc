"""The claim page's reads (``store.reads.claims``) return records, not rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import audit
from factdesk.store import models as m
from factdesk.store.reads import claims as reads
from factdesk.types import Claim, ClaimPage, FactCheck, Match, Mention

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _claim_with_mentions(db: sessionmaker[Session]) -> int:
    """A claim seen three times: twice in a named feed, once in an item without a source."""
    with db.begin() as session:
        feed = m.Source(kind="feed", location="https://feed.example/rss", name="Feed Example")
        session.add(feed)
        claim = m.Claim(text="Petrol will double", language="en", score=0.8, mention_count=3)
        session.add(claim)
        session.flush()
        for n in range(3):
            item = m.Item(
                dedupe_key=f"i{n}",
                text="Petrol will double",
                url=f"https://news.example/{n}",
                title=f"Post {n}",
                platform="web",
                language="en",
                content_hash=f"h{n}",
                source_id=feed.id if n < 2 else None,
            )
            session.add(item)
            session.flush()
            session.add(
                m.Mention(
                    item_id=item.id,
                    claim_id=claim.id,
                    text="Petrol will double",
                    start=0,
                    end=18,
                    score=0.8,
                    language="en",
                    signals=["prediction"],
                    seen_at=NOW - timedelta(days=n),
                )
            )
        return claim.id


def _fact_check(session: Session, claim_id: int, origin: str) -> int:
    row = m.FactCheck(
        origin=origin,
        status="draft" if origin == "local" else "published",
        claim_id=claim_id,
        dedupe_key=f"fc:{origin}",
        claim_reviewed="Petrol will double",
        rating_label="False",
        rating_value=1.0,
        rating_best=5.0,
        rating_worst=1.0,
        publisher=f"{origin} checker",
        url=f"https://checks.example/{origin}",
        appearances=["https://news.example/0"],
        content_hash=origin,
    )
    session.add(row)
    session.flush()
    return row.id


def test_claim_page_is_the_claim_and_its_own_fact_check_as_records(
    db: sessionmaker[Session],
) -> None:
    claim_id = _claim_with_mentions(db)
    with db() as session:
        bare = reads.claim_page(session, claim_id)
    assert isinstance(bare, ClaimPage) and bare.fact_check is None
    assert bare.citations == () and bare.history == ()
    with db.begin() as session:
        local = _fact_check(session, claim_id, "local")
        _fact_check(session, claim_id, "imported")
        session.add(
            m.Citation(
                fact_check_id=local,
                url="https://source.example",
                quote="q",
                content_hash="c",
                archived_at=NOW,
            )
        )
        audit.record(session, "checker", "fact_check.start", "fact_check", local)
        audit.record(session, "checker", "claim.merge", "claim", claim_id)
    with db() as session:
        page = reads.claim_page(session, claim_id)
        assert reads.claim_page(session, 9999) is None
        assert reads.get_claim(session, 9999) is None
        claim = reads.get_claim(session, claim_id)
    assert page is not None and claim == page.claim
    assert isinstance(page.claim, Claim) and page.claim.id == claim_id
    assert (page.claim.text, page.claim.score, page.claim.mention_count) == (
        "Petrol will double",
        0.8,
        3,
    )
    assert isinstance(page.fact_check, FactCheck) and page.fact_check.id == local
    assert page.fact_check.ours and page.fact_check.status == "draft"
    assert page.fact_check.rating.label == "False" and page.fact_check.rating.best == 5.0
    assert [a.url for a in page.fact_check.appearances] == ["https://news.example/0"]
    assert [c.url for c in page.citations] == ["https://source.example"]
    assert [e.action for e in page.history] == ["claim.merge", "fact_check.start"]  # newest first


def test_claim_mentions_are_records_newest_first(db: sessionmaker[Session]) -> None:
    claim_id = _claim_with_mentions(db)
    with db() as session:
        mentions = reads.claim_mentions(session, claim_id)
        assert len(reads.claim_mentions(session, claim_id, limit=2)) == 2
    assert all(isinstance(x, Mention) for x in mentions)
    assert [x.url for x in mentions] == [f"https://news.example/{n}" for n in range(3)]
    newest = mentions[0]
    assert newest.seen_at == NOW and newest.claim_id == claim_id and newest.id is not None
    assert (newest.title, newest.platform, newest.source) == ("Post 0", "web", "Feed Example")
    assert newest.signals == ("prediction",) and (newest.start, newest.end) == (0, 18)
    assert mentions[2].source is None  # an item without a source


def test_linked_fact_checks_are_the_imported_ones_as_linked_matches(
    db: sessionmaker[Session],
) -> None:
    claim_id = _claim_with_mentions(db)
    with db.begin() as session:
        _fact_check(session, claim_id, "local")
        imported = _fact_check(session, claim_id, "imported")
    with db() as session:
        (found,) = reads.linked_fact_checks(session, claim_id)
    assert isinstance(found, Match) and found.id == str(imported)
    assert (found.band, found.score, found.why) == ("linked", 1.0, None)
    assert found.fact_check.publisher == "imported checker" and not found.fact_check.ours
