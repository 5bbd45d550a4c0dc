"""Ingestion end to end: parse, store in one transaction, de-duplicate, quarantine; and the
sources to fetch (added and fetched with an audit row)."""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk import types
from factdesk.errors import FetchError, InputError, NotFound, ParseError, RobotsDisallowed
from factdesk.services import ingest as pipeline
from factdesk.settings import Settings
from factdesk.store import models
from tests.httpserver import LocalServer, Request, Response

FIXTURES = Path(__file__).parents[1] / "fixtures" / "pipeline"


def _count(db: sessionmaker[Session], model: type) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_ingest_file_csv_keeps_good_rows_and_quarantines_bad(
    db: sessionmaker[Session], settings: Settings
) -> None:
    report = pipeline.ingest_file(settings, db, FIXTURES / "posts.csv", "csv")
    assert report.added == 3
    assert report.quarantined == 2  # the empty text and the unreadable date
    with db() as session:
        reasons = session.scalars(select(models.QuarantineRecord.location)).all()
        languages = dict(session.execute(select(models.Item.url, models.Item.language)).all())
    assert all("posts.csv line" in where for where in reasons)
    assert languages["https://example.net/p/1"] == "vi"
    assert languages["https://example.net/p/2"] == "en"


def test_ingest_file_never_stores_author_columns(
    db: sessionmaker[Session], settings: Settings
) -> None:
    pipeline.ingest_file(settings, db, FIXTURES / "posts.csv", "csv")
    pipeline.ingest_file(settings, db, FIXTURES / "posts.jsonl", "jsonl")
    with db() as session:
        stored = " ".join(
            str(value)
            for model in (models.Item, models.QuarantineRecord, models.Source)
            for row in session.scalars(select(model))
            for value in vars(row).values()
        )
    assert "someone_0" not in stored


def test_ingest_file_is_idempotent(db: sessionmaker[Session], settings: Settings) -> None:
    first = pipeline.ingest_file(settings, db, FIXTURES / "posts.jsonl", "jsonl")
    second = pipeline.ingest_file(settings, db, FIXTURES / "posts.jsonl", "jsonl")
    assert first.added == 3 and first.quarantined == 2
    assert second.added == 0 and second.duplicates == 3
    assert _count(db, models.Item) == 3


def test_ingest_file_changed_text_updates_item(
    db: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text(
        '{"id": "1", "text": "Petrol will cost more next week.", "url": "https://example.net/x"}\n'
    )
    pipeline.ingest_file(settings, db, path, "jsonl")
    path.write_text(
        '{"id": "1", "text": "Petrol will cost much more next week.", "url": "https://example.net/x"}\n'
    )
    report = pipeline.ingest_file(settings, db, path, "jsonl")
    assert report.updated == 1
    with db() as session:
        assert session.scalar(select(models.Item.text)) == "Petrol will cost much more next week."


def test_ingest_file_crash_mid_batch_writes_nothing(
    db: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ingest_batch_size = 1
    real = pipeline.prepare_items
    calls = {"n": 0}

    def flaky(items):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real(items)

    monkeypatch.setattr(pipeline, "prepare_items", flaky)
    with pytest.raises(RuntimeError):
        pipeline.ingest_file(settings, db, FIXTURES / "posts.csv", "csv")
    assert _count(db, models.Item) == 0
    assert _count(db, models.QuarantineRecord) == 0


def test_ingest_file_claimreview_imports_and_quarantines(
    db: sessionmaker[Session], settings: Settings
) -> None:
    report = pipeline.ingest_file(settings, db, FIXTURES / "reviews.json", "claimreview")
    assert report.fact_checks_added == 1 and report.quarantined == 1
    with db() as session:
        fc = session.scalars(select(models.FactCheck)).one()
        versions = session.scalars(select(models.FactCheckVersion)).all()
    assert fc.rating_label == "False" and fc.rating_worst == 1 and fc.language == "en"
    assert fc.publisher == "Test Check Desk"
    assert [v.version for v in versions] == [1]
    again = pipeline.ingest_file(settings, db, FIXTURES / "reviews.json", "claimreview")
    assert again.fact_checks_added == 0 and again.fact_checks_updated == 0


def test_ingest_feed_from_file(db: sessionmaker[Session], settings: Settings) -> None:
    report = pipeline.ingest_feed(settings, db, str(FIXTURES / "feed.xml"))
    assert report.added == 2
    with db() as session:
        source = session.scalars(select(models.Source)).one()
    assert source.name == "Test Feed" and source.last_status == "ok" and source.item_count == 2


def test_ingest_feed_malformed_is_quarantined_whole(
    db: sessionmaker[Session], settings: Settings
) -> None:
    with pytest.raises(ParseError) as failure:
        pipeline.ingest_feed(settings, db, str(FIXTURES / "broken-feed.xml"))
    assert "broken-feed.xml" in str(failure.value)
    with db() as session:
        record = session.scalars(select(models.QuarantineRecord)).one()
        source = session.scalars(select(models.Source)).one()
    assert record.kind == "feed" and record.reason
    assert record.raw == ""  # a raw feed can carry bylines: the origin says where it is
    assert source.last_status == "error"


def test_ingest_file_missing_file_names_it(
    db: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="nope.csv"):
        pipeline.ingest_file(settings, db, tmp_path / "nope.csv", "csv")


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: letters with their vowel marks, tone marks combining."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
            out += (base + "".join(c for c in parts if c in TONE_MARKS)).encode("cp1258")
    return bytes(out)


def test_ingest_file_legacy_vietnamese_encoding(
    db: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    text = "id,text\n1,Giá điện sẽ tăng vào tháng sau.\n"
    path = tmp_path / "legacy.csv"
    path.write_bytes(_cp1258(text))
    report = pipeline.ingest_file(settings, db, path, "csv")
    assert report.added == 1
    with db() as session:
        stored = session.scalar(select(models.Item.text))
    assert stored is not None and "điện" in stored


def test_ingest_file_mixed_encodings_repaired_line_by_line(
    db: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.jsonl"
    utf8 = '{"id": "1", "text": "Giá xăng sẽ tăng gấp đôi vào tuần tới."}\n'.encode()
    legacy = _cp1258('{"id": "2", "text": "Điện sẽ bị cắt cả tuần ở quận này."}\n')
    path.write_bytes(utf8 + legacy)
    report = pipeline.ingest_file(settings, db, path, "jsonl")
    assert report.added == 2
    with db() as session:
        texts = set(session.scalars(select(models.Item.text)))
    assert "Điện sẽ bị cắt cả tuần ở quận này." in texts
    assert "Giá xăng sẽ tăng gấp đôi vào tuần tới." in texts


def test_ingest_file_copy_in_other_place_is_duplicate(
    db: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    pipeline.ingest_file(settings, db, FIXTURES / "posts.jsonl", "jsonl")
    copy = tmp_path / "copy.jsonl"
    shutil.copy(FIXTURES / "posts.jsonl", copy)
    report = pipeline.ingest_file(settings, db, copy, "jsonl")
    assert report.added == 0 and report.duplicates == 3


def test_ingest_sources_added_listed_and_fetched_with_audit(
    db: sessionmaker[Session], settings: Settings
) -> None:
    feed = str(FIXTURES / "feed.xml")
    with db.begin() as session:
        added = pipeline.add_feed(session, feed, actor="cli", name="  Local feed ", language="en ")
    with pytest.raises(InputError, match="already a source") as refused, db.begin() as session:
        pipeline.add_feed(session, feed, actor="cli")
    assert refused.value.where == "url"
    with db.begin() as session:  # the CLI adds idempotently: nothing new, nothing audited
        again = pipeline.add_feed(session, feed, actor="cli", existing_ok=True)
        page_id = pipeline.get_or_create_source(session, "page", "https://x.example/p")
    assert isinstance(added, types.Source) and again.id == added.id != page_id
    assert (added.kind, added.name, added.language, added.item_count) == (
        "feed",
        "Local feed",
        "en",
        0,
    )
    assert [s.id for s in pipeline.feed_sources(db)] == [added.id]  # feeds only
    report = pipeline.fetch_source(settings, db, added.id, actor="cli")
    assert report.added == 2
    with pytest.raises(NotFound):
        pipeline.fetch_source(settings, db, page_id, actor="cli")
    with db() as session:
        events = session.scalars(select(models.AuditEvent).order_by(models.AuditEvent.id)).all()
    assert [(e.actor, e.action, e.entity_id) for e in events] == [
        ("cli", "source.add", added.id),
        ("cli", "source.fetch", added.id),
    ]
    assert events[0].after == {"location": feed, "name": "Local feed"}
    assert events[1].after == {"summary": report.summary()}


# --- over real HTTP on 127.0.0.1 ------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        running.route("/robots.txt", body=b"User-agent: *\nDisallow: /private\n")
        yield running


def test_ingest_feed_over_http_refetch_is_conditional(
    db: sessionmaker[Session], settings: Settings, server: LocalServer
) -> None:
    feed = (FIXTURES / "feed.xml").read_bytes()

    def conditional(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, feed

    server.handle("/feed.xml", conditional)
    first = pipeline.ingest_feed(settings, db, server.url("/feed.xml"))
    second = pipeline.ingest_feed(settings, db, server.url("/feed.xml"))
    assert first.added == 2
    assert second.not_modified and "not modified" in second.summary()
    with db() as session:
        source = session.scalars(select(models.Source)).one()
    assert source.etag == '"v1"' and source.last_status == "not_modified"


def test_ingest_feed_http_error_marks_source_and_raises(
    db: sessionmaker[Session], settings: Settings, server: LocalServer
) -> None:
    server.route("/gone.xml", status=500, body=b"oops")
    with pytest.raises(FetchError, match="500"):
        pipeline.ingest_feed(settings, db, server.url("/gone.xml"))
    with db() as session:
        source = session.scalars(select(models.Source)).one()
    assert source.last_status == "error" and "500" in (source.last_error or "")
    assert _count(db, models.Item) == 0


def test_ingest_feed_disallowed_by_robots(
    db: sessionmaker[Session], settings: Settings, server: LocalServer
) -> None:
    server.route("/private/feed.xml", body=(FIXTURES / "feed.xml").read_bytes())
    with pytest.raises(RobotsDisallowed):
        pipeline.ingest_feed(settings, db, server.url("/private/feed.xml"))
    assert "/private/feed.xml" not in server.paths()


def test_ingest_page_over_http_imports_item_and_claimreview(
    db: sessionmaker[Session], settings: Settings, server: LocalServer
) -> None:
    page = b"""<!doctype html><html lang="en"><head><title>Checked: lemon water</title>
    <script type="application/ld+json">{"@context": "https://schema.org", "@type": "ClaimReview",
     "url": "https://example.org/checks/lemon", "claimReviewed": "Hot lemon water cures diabetes.",
     "datePublished": "2026-02-10", "author": {"@type": "Organization", "name": "Test Desk"},
     "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1,
     "alternateName": "False"}}</script></head><body><nav>Home | About</nav><article>
    <h1>No, hot lemon water does not cure diabetes</h1>
    <p>A message shared widely this week says that drinking hot lemon water every morning cures
    diabetes. Doctors at the city hospital said there is no evidence for this claim, and that
    people with diabetes should keep taking the treatment their doctor prescribed.</p>
    <p>Lemon water is harmless for most people, but it does not lower blood sugar in any
    clinically meaningful way, according to the health agency's guidance published last year.</p>
    </article><footer>Contact us</footer></body></html>"""
    server.route("/article", body=page, headers={"Content-Type": "text/html; charset=utf-8"})
    report = pipeline.ingest_page(settings, db, server.url("/article"))
    assert report.added == 1 and report.fact_checks_added == 1
    with db() as session:
        item = session.scalars(select(models.Item)).one()
        fc = session.scalars(select(models.FactCheck)).one()
    assert "lemon water" in item.text and "Home | About" not in item.text
    assert item.language == "en"
    assert fc.claim_reviewed == "Hot lemon water cures diabetes." and fc.rating_label == "False"
