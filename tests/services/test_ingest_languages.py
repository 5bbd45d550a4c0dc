"""Every stored item and fact-check gets its true language, and a review its date as written."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import ingest as pipeline
from factdesk.services.match import new_matcher
from factdesk.settings import Settings
from factdesk.store import models
from factdesk.store.reads.common import as_fact_check

WORLD = Path(__file__).parents[1] / "fixtures" / "claimreview_world"


def test_items_in_other_languages_keep_their_own(
    db: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    posts = [
        ("es", "El gobierno no va a prohibir el dinero en efectivo a partir de enero."),
        ("de", "Die Regierung will ab Sommer alle Dieselautos in den Innenstädten verbieten."),
        ("ar", "لم تعلن الحكومة عن إغلاق جميع المدارس لمدة عام كامل."),
        ("vi", "Bộ Y tế yêu cầu người dân đeo khẩu trang bắt buộc từ tuần sau."),
        ("en", "The government did not announce that every school will close for a year."),
        ("fr", "Déclaré en français, quel que soit le texte: the declaration wins."),
    ]
    lines = [
        {"text": text, "url": f"https://example.net/p/{n}", "lang": "fr" if code == "fr" else ""}
        for n, (code, text) in enumerate(posts)
    ]
    export = tmp_path / "posts.jsonl"
    export.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    assert settings.languages == ["vi", "en"]  # the desk works in two languages ...
    pipeline.ingest_file(settings, db, export, "jsonl")
    with db() as session:
        stored = dict(session.execute(select(models.Item.url, models.Item.language)).all())
    # ... but every item is stored in its own
    assert [stored[f"https://example.net/p/{n}"] for n in range(len(posts))] == [
        code for code, _ in posts
    ]


def test_imported_review_keeps_language_zone_and_reports_drops(
    db: sessionmaker[Session], settings: Settings
) -> None:
    hindi = pipeline.ingest_file(settings, db, WORLD / "hi_01_notes.json", "claimreview")
    person = pipeline.ingest_file(settings, db, WORLD / "vi_02_gia_xang.json", "claimreview")
    assert hindi.fact_checks_added == person.fact_checks_added == 1
    assert hindi.notes == []
    assert person.notes == [
        f"{WORLD / 'vi_02_gia_xang.json'} element 1: publisher dropped: no organisation named "
        "(author: a Person)"
    ]
    with db() as session:
        row = session.scalars(
            select(models.FactCheck).where(models.FactCheck.language == "hi")
        ).one()
        assert row.date_published_offset == 330
        fc = as_fact_check(row)
    assert fc.date_published is not None
    assert fc.date_published.isoformat() == "2022-12-01T00:30:00+05:30"
    assert fc.rating.label == "झूठ" and fc.publisher == "BOOM Demo"


def test_matcher_judges_queries_by_their_true_language(settings: Settings) -> None:
    matcher = new_matcher(settings)
    assert matcher.detect_language is not None
    assert matcher.detect_language("Las vacunas no contienen microchips ni antenas 5G.") == "es"
    assert matcher.detect_language("Giá xăng sẽ tăng mạnh vào tuần tới.") == "vi"


def test_re_importing_fixes_a_language_stored_by_an_earlier_version(
    db: sessionmaker[Session], settings: Settings
) -> None:
    path = WORLD / "es_02_jubilaciones.json"
    pipeline.ingest_file(settings, db, path, "claimreview")
    with db() as session:  # what the vi/en-restricted import stored
        row = session.scalars(select(models.FactCheck)).one()
        row.language, row.content_hash, row.date_published_offset = "en", "old", None
        session.commit()
    again = pipeline.ingest_file(settings, db, path, "claimreview")
    assert again.fact_checks_updated == 1
    with db() as session:
        row = session.scalars(select(models.FactCheck)).one()
        assert (row.language, row.version, row.date_published_offset) == ("es", 2, -180)
