"""Round trip: the ClaimReview one factdesk publishes, imported into a fresh factdesk by the
ClaimReview importer, gives back the same fact-checks, field for field."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk import types
from factdesk.publish.feeds import claimreview_feed
from factdesk.services import ingest as pipeline
from factdesk.services.publish import export_site, organisation
from factdesk.settings import Settings
from factdesk.store.db import make_engine, session_factory, transaction, upgrade
from factdesk.store.models import FactCheck
from factdesk.store.reads.public import iter_public, last_change
from tests.publish.seed import T0, add_fact_check, correct, withdraw


@pytest.fixture
def source(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        vi = add_fact_check(
            s,
            claim="Uống nước chanh nóng chữa khỏi ung thư",
            language="vi",
            title="Nước chanh không chữa ung thư",
            summary="Không có nghiên cứu nào chứng minh.",
            appearances=[
                ("https://social.example/p/1", T0 - timedelta(days=6)),
                ("https://news.example/a/2", T0 - timedelta(days=2)),
            ],
        )
        add_fact_check(
            s,
            claim="Unproven claim about 5G towers",
            language="en",
            label="Unproven",
            value=None,
            appearances=[("https://video.example/v/9", T0)],
        )
        correct(
            s, vi, label="Misleading", value=2, note="Sửa liều lượng.", at=T0 + timedelta(days=1)
        )
        gone = add_fact_check(s, claim="Withdrawn claim", language="en")
        withdraw(s, gone, note="Retracted.", at=T0 + timedelta(days=2))


@pytest.fixture
def fresh(tmp_path: Path) -> sessionmaker[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh' / 'factdesk.db'}")
    upgrade(engine)
    return session_factory(engine)


def _expected(fc: types.FactCheck, settings: Settings) -> dict[str, object]:
    org = organisation(settings)
    return {
        "claim_reviewed": fc.claim_reviewed,
        "rating": (fc.rating.label, fc.rating.value, fc.rating.best, fc.rating.worst),
        "url": f"{settings.public_base_url}/fact-checks/{fc.id}/",
        "title": fc.title,
        "summary": fc.summary,
        "publisher": org.name,
        "publisher_url": org.url,
        "language": fc.language,
        "date_published": fc.date_published,
        "claim_date": fc.claim_date,
        "appearances": [a.url for a in fc.appearances],
    }


def _imported(row: FactCheck) -> dict[str, object]:
    return {
        "claim_reviewed": row.claim_reviewed,
        "rating": (row.rating_label, row.rating_value, row.rating_best, row.rating_worst),
        "url": row.url,
        "title": row.title,
        "summary": row.summary,
        "publisher": row.publisher,
        "publisher_url": row.publisher_url,
        "language": row.language,
        "date_published": row.date_published,
        "claim_date": row.claim_date,
        "appearances": list(row.appearances),
    }


def _compare(db: sessionmaker[Session], fresh: sessionmaker[Session], settings: Settings) -> int:
    with db() as s:
        expected = {
            f"{settings.public_base_url}/fact-checks/{fc.id}/": _expected(fc, settings)
            for fc in iter_public(s, live_only=True)
        }
    with fresh() as s:
        rows = s.scalars(select(FactCheck)).all()
        got = {row.url: _imported(row) for row in rows}
        assert all(row.origin == "imported" for row in rows)  # theirs, not republished as ours
    assert got == expected
    return len(got)


def test_roundtrip_datafeed_into_a_fresh_desk(
    source: None,
    db: sessionmaker[Session],
    fresh: sessionmaker[Session],
    settings: Settings,
    tmp_path: Path,
) -> None:
    with db() as s:
        feed = claimreview_feed(
            iter_public(s, live_only=True),
            organisation(settings),
            settings.public_base_url,
            last_change(s),
        )
    path = tmp_path / "claimreview.json"
    path.write_text(json.dumps(feed, ensure_ascii=False), encoding="utf-8")
    report = pipeline.ingest_file(settings, fresh, path, "claimreview")
    assert report.fact_checks_added == 2 and report.quarantined == 0
    assert _compare(db, fresh, settings) == 2
    # importing the same feed again changes nothing
    again = pipeline.ingest_file(settings, fresh, path, "claimreview")
    assert again.fact_checks_added == 0 and again.fact_checks_updated == 0


def test_roundtrip_exported_pages_into_a_fresh_desk(
    source: None,
    db: sessionmaker[Session],
    fresh: sessionmaker[Session],
    settings: Settings,
    tmp_path: Path,
) -> None:
    """The static export's HTML pages, read by the page importer (JSON-LD in HTML)."""
    site = tmp_path / "site"
    export_site(settings, db, site)
    pages = sorted(site.glob("fact-checks/*/index.html"))
    assert len(pages) == 3  # the withdrawal's tombstone has no markup to import
    added = sum(pipeline.ingest_page(settings, fresh, str(p)).fact_checks_added for p in pages)
    assert added == 2
    assert _compare(db, fresh, settings) == 2


def test_export_writes_a_feed_for_every_configured_language(
    db: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    import feedparser

    from tests.publish.atomcheck import rfc4287_problems

    with transaction(db) as s:
        add_fact_check(s, claim="Die Erde ist eine Scheibe", language="de")
    report = export_site(settings, db, tmp_path / "site")
    assert report.languages == ["de"]  # what was published ...
    for language, entries in (("vi", 0), ("en", 0), ("de", 1)):  # ... and the desk's own
        feed = (tmp_path / "site" / "feed" / f"{language}.atom").read_bytes()
        assert rfc4287_problems(feed) == []
        assert len(feedparser.parse(feed).entries) == entries
