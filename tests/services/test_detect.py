"""The detection pipeline against a real database (SQLite, or PostgreSQL in CI): mentions,
claims, linking, matching new claims and raising resurgence alerts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.detect.model import CheckWorthinessModel
from factdesk.services import claims, detect, detect_batch, match
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from tests.services.detecting import (
    GREETING,
    LEMON_EN,
    LEMON_VI,
    PETROL,
    FakeDense,
    add_item,
    day,
    false_check,
    keyword_model,
    run,
)


@pytest.fixture
def model(tmp_path: Path) -> CheckWorthinessModel:
    return keyword_model(tmp_path)


def test_linking_merges_a_later_translation_into_the_claim(
    settings: Settings,
    db: sessionmaker[Session],
    model: CheckWorthinessModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(detect, "dense_encoder", lambda _s, _m: FakeDense())
    settings.cluster_link_budget = 100  # one claim per sentence: every claim links in-run
    add_item(db, "a", LEMON_EN, "2026-01-01")
    add_item(db, "b", PETROL, "2026-01-02")
    first = detect.detect(settings, db, model=model, match=False)
    assert (first.new_claims, first.linked_claims, first.waiting_claims) == (2, 2, 0)
    add_item(db, "c", LEMON_VI, "2026-01-03", language="vi")  # a later run: exemplars rebuilt
    report = detect.detect(settings, db, model=model, match=False)
    assert (report.new_claims, report.updated_claims, report.merged_claims) == (0, 1, 1)
    rows = {r.claim.text: r for r in claims.list_claims(db)}
    assert rows[LEMON_EN].claim.mention_count == 2 and LEMON_VI not in rows
    assert set(rows[LEMON_EN].languages) == {"en", "vi"}
    with db() as session:
        actors = session.scalars(
            select(m.AuditEvent.actor).where(m.AuditEvent.action == "claim.merge")
        ).all()
        assert set(actors) == {"detect"}  # automatic merges are audited like an editor's


def test_linking_budget_defers_claims_and_link_all_drains_them(
    settings: Settings,
    db: sessionmaker[Session],
    model: CheckWorthinessModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encoded: list[str] = []

    class Counting(FakeDense):
        def encode(self, texts: list[str], languages: list[str | None]) -> np.ndarray:
            encoded.extend(texts)
            return super().encode(texts, languages)

    monkeypatch.setattr(detect, "dense_encoder", lambda _s, _m: Counting())
    settings.cluster_link_budget = 0
    add_item(db, "a", LEMON_EN, "2026-01-01")
    add_item(db, "b", LEMON_VI, "2026-01-01", language="vi")
    add_item(db, "c", f"{PETROL} {PETROL}", "2026-01-02")  # said twice: linked first
    report = detect.detect(settings, db, model=model, match=False)
    assert (report.new_claims, report.linked_claims, report.waiting_claims) == (3, 0, 3)
    assert encoded == []
    drained = detect.detect(settings, db, model=model, match=False)  # nothing new to detect
    assert (drained.items, drained.linked_claims, drained.merged_claims) == (0, 3, 1)
    assert drained.waiting_claims == 0
    assert encoded[0] == PETROL  # most check-worthy x most repeated first
    assert len(claims.list_claims(db)) == 2
    again = detect.detect(settings, db, model=model, match=False, link_all=True)
    assert again.linked_claims == 0  # each claim is linked once
    # a new run rebuilds the dense exemplars from the very texts linking encoded, so in the
    # desk (a vector cache around e5) they are cache hits, not new encodings
    assert sorted(encoded[3:]) == sorted(encoded[:3])


def test_linking_never_merges_away_a_claim_an_editor_took(
    settings: Settings,
    db: sessionmaker[Session],
    model: CheckWorthinessModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(detect, "dense_encoder", lambda _s, _m: FakeDense())
    settings.cluster_link_budget = 0
    add_item(db, "a", LEMON_EN, "2026-01-01")
    add_item(db, "b", LEMON_VI, "2026-01-02", language="vi")
    detect.detect(settings, db, model=model, match=False)
    with transaction(db) as session:
        vi = session.scalars(select(m.Claim).where(m.Claim.language == "vi")).one()
        vi.status = "researching"  # an editor took it (web: Start)
    add_item(db, "c", GREETING, "2026-01-03")  # a busy run: only --link-all links past the budget
    report = detect.detect(settings, db, model=model, match=False, link_all=True)
    assert (report.linked_claims, report.merged_claims) == (2, 0)
    assert len(claims.list_claims(db)) == 2


def test_linking_keeps_a_close_call_as_a_suggestion_for_editors(
    settings: Settings,
    db: sessionmaker[Session],
    model: CheckWorthinessModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Close(FakeDense):
        """Petrol sits at cosine 0.55 from lemon: under 0.60 (same language), within 0.10."""

        def encode(self, texts: list[str], languages: list[str | None]) -> np.ndarray:
            out = super().encode(texts, languages)
            out[out[:, 1] == 1] = np.array([1.0, 1.5, 0.0]) / np.linalg.norm([1.0, 1.5, 0.0])
            return out

    monkeypatch.setattr(detect, "dense_encoder", lambda _s, _m: Close())
    add_item(db, "a", f"{LEMON_EN} {LEMON_EN}", "2026-01-01")  # linked first (more repeated)
    add_item(db, "b", PETROL, "2026-01-02")
    report = detect.detect(settings, db, model=model, match=False, link_all=True)
    assert (report.new_claims, report.merged_claims) == (2, 0)
    rows = {r.claim.text: r.claim.id for r in claims.list_claims(db)}
    with db() as session:
        (lemon_side,) = claims.similar_claims(session, rows[LEMON_EN])
        (petrol_side,) = claims.similar_claims(session, rows[PETROL])
    assert lemon_side.claim.id == rows[PETROL] and petrol_side.claim.id == rows[LEMON_EN]
    assert lemon_side.similarity == petrol_side.similarity == pytest.approx(0.555, abs=1e-3)
    claims.merge_claims(db, rows[LEMON_EN], [rows[PETROL]], actor="alice")
    with db() as session:
        assert claims.similar_claims(session, rows[LEMON_EN]) == []  # one claim now


def test_detect_writes_mentions_for_worthy_sentences_only(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    text = f"{GREETING}. {PETROL}"
    item_id = add_item(db, "a", text, "2026-01-05T08:00:00")
    report = run(settings, db, model)
    assert (report.items, report.mentions, report.new_claims) == (1, 1, 1)
    with db() as session:
        (mention,) = session.scalars(select(m.Mention)).all()
        assert text[mention.start : mention.end] == mention.text == PETROL
        assert mention.seen_at == day("2026-01-05T08:00:00")
        assert {"prediction", "comparison"} <= set(mention.signals)
        assert session.get(m.Item, item_id).detected_at is not None  # type: ignore[union-attr]


def test_detect_uses_ingested_at_when_no_publication_time(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    add_item(db, "a", PETROL, None)
    run(settings, db, model)
    with db() as session:
        mention = session.scalars(select(m.Mention)).one()
        item = session.scalars(select(m.Item)).one()
        assert mention.seen_at == item.ingested_at


def test_detect_is_idempotent_and_incremental(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    add_item(db, "a", PETROL, "2026-01-01")
    run(settings, db, model)
    assert run(settings, db, model).items == 0
    add_item(db, "b", PETROL, "2026-01-02")  # the same claim again, in a later run
    report = run(settings, db, model)
    assert (report.items, report.new_claims, report.updated_claims) == (1, 0, 1)
    with db() as session:
        claim = session.scalars(select(m.Claim)).one()
        assert claim.mention_count == 2
        assert claim.first_seen_at == day("2026-01-01") and claim.last_seen_at == day("2026-01-02")


def test_detect_is_resumable_in_batches(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    for i in range(5):
        add_item(db, f"k{i}", PETROL, f"2026-01-0{i + 1}")
    settings.detect_batch_items = 2
    seen: list[int] = []
    assert run(settings, db, model, limit=3, progress=seen.append).items == 3
    assert seen == [2, 1]
    assert detect.pending_count(db) == 2
    assert run(settings, db, model).items == 2
    with db() as session:
        assert session.scalar(select(func.count()).select_from(m.Claim)) == 1
        assert session.scalar(select(func.count()).select_from(m.Mention)) == 5


def test_detect_skips_items_another_run_took(
    settings: Settings,
    db: sessionmaker[Session],
    model: CheckWorthinessModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_item(db, "a", PETROL, "2026-01-01")
    real = detect_batch.extract_mentions

    def racing(items, mdl, **options):  # type: ignore[no-untyped-def]
        with transaction(db) as session:  # a concurrent run stamps the item meanwhile
            session.execute(m.Item.__table__.update().values(detected_at=day("2026-01-01")))
        return real(items, mdl, **options)

    monkeypatch.setattr(detect_batch, "extract_mentions", racing)
    report = run(settings, db, model)
    assert report.skipped_batches == 1 and report.mentions == 0
    with db() as session:
        assert session.scalar(select(func.count()).select_from(m.Mention)) == 0


def test_merged_claim_no_longer_attracts_mentions(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    add_item(db, "a", LEMON_EN, "2026-01-01")
    add_item(db, "b", PETROL, "2026-01-02")
    run(settings, db, model)
    lemon, petrol = (r.claim.id for r in sorted(claims.list_claims(db), key=lambda r: r.claim.text))
    claims.merge_claims(db, lemon, [petrol])
    add_item(db, "c", PETROL, "2026-01-05")
    run(settings, db, model)
    with db() as session:
        mention = session.scalars(select(m.Mention).order_by(m.Mention.id.desc())).first()
        assert mention is not None and mention.claim_id == lemon


def test_new_claims_are_matched_through_the_matching_stage(
    settings: Settings,
    db: sessionmaker[Session],
    model: CheckWorthinessModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []

    def match_claim(_settings: Settings, session: Session, claim_id: int) -> list[str]:
        seen.append(claim_id)
        fc = session.scalars(select(m.FactCheck)).one()
        fc.claim_id = claim_id  # the simplest link the matching stage can make
        return ["match"]

    monkeypatch.setattr(match, "match_claim", match_claim)
    with transaction(db) as session:
        session.add(
            m.FactCheck(
                dedupe_key="fc",
                claim_reviewed=LEMON_EN,
                rating_label="Sai sự thật",
                content_hash="x",
                date_published=day("2025-12-01"),
            )
        )
    add_item(db, "a", LEMON_EN, "2026-01-01")
    settings.cluster_dense = False
    report = detect.detect(settings, db, model=model)
    assert report.matched_claims == 1 and len(seen) == 1
    (row,) = claims.list_claims(db)
    assert row.link is not None
    assert row.link.band == "linked" and row.link.fact_check.rating.label == "Sai sự thật"
    with db() as session:
        assert [fc.id for fc in claims.false_fact_checks(session, row.claim.id)]


def test_resurgence_alert_for_false_claim_after_quiet_period(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    add_item(db, "a", LEMON_EN, "2026-01-05")
    add_item(db, "b", LEMON_EN, "2026-01-20")
    add_item(db, "c", LEMON_EN, "2026-02-10")
    run(settings, db, model)
    with db() as session:
        claim_id = session.scalars(select(m.Claim.id)).one()
    false_check(db, claim_id)
    add_item(db, "d", LEMON_EN, "2026-11-02")
    assert run(settings, db, model).alerts == 0  # one comeback mention is not yet a wave
    add_item(db, "e", LEMON_EN, "2026-11-04")
    assert run(settings, db, model).alerts == 1
    (alert,) = claims.list_alerts(db)
    assert alert.claim_id == claim_id and alert.details["started_at"].startswith("2026-11-02")
    assert alert.details["mentions_in_window"] == 2
    assert alert.details["quiet_days"] == pytest.approx(265, abs=1)
    assert claims.check_resurgence(settings, db, [claim_id]) == 0  # never twice
    with db() as session:  # the alert went to the webhook outbox in the same transaction
        assert session.scalar(select(func.count()).select_from(m.Alert)) == 1


def test_no_resurgence_when_claim_is_not_rated_false(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    for key, when in (("a", "2026-01-05"), ("b", "2026-11-02"), ("c", "2026-11-03")):
        add_item(db, key, LEMON_EN, when)
    assert run(settings, db, model).alerts == 0
