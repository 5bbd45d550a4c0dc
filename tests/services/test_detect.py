"""The detection service against a real database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.detect.model import CheckWorthinessModel, write_keyword_model
from factdesk.errors import Conflict, InputError, NotFound, WorkflowError
from factdesk.services import detect as detection
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction

LEMON_EN = "Hot lemon water cures cancer in three days."
LEMON_VI = "Nước chanh nóng chữa khỏi ung thư trong ba ngày."
PETROL = "Petrol prices will double next month."
GREETING = "Good morning to all our readers"


@pytest.fixture
def model(tmp_path: Path) -> CheckWorthinessModel:
    write_keyword_model(tmp_path / "model", [LEMON_EN, LEMON_VI, PETROL, GREETING])
    return CheckWorthinessModel(tmp_path / "model")


def _d(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _item(
    factory: sessionmaker[Session],
    key: str,
    text: str,
    when: str | None,
    language: str = "en",
    source: int | None = None,
) -> int:
    with transaction(factory) as session:
        item = m.Item(
            dedupe_key=key,
            text=text,
            language=language,
            content_hash=key,
            published_at=_d(when) if when else None,
            source_id=source,
        )
        session.add(item)
        session.flush()
        return item.id


def _run(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel, **kw: object
) -> detection.DetectReport:
    settings.cluster_dense = False  # the transformer stage is tested with a fake encoder below
    return detection.detect(settings, db, model=model, match=False, **kw)  # type: ignore[arg-type]


class FakeDense:
    """A deterministic stand-in for multilingual-e5: translations share a vector."""

    dim = 3

    def encode(self, texts: list[str], languages: list[str | None]) -> np.ndarray:
        out = np.zeros((len(texts), 3), dtype=np.float32)
        for i, text in enumerate(texts):
            lower = text.lower()
            out[i] = [1, 0, 0] if ("lemon" in lower or "chanh" in lower) else [0, 1, 0]
        return out


def test_linking_merges_a_later_translation_into_the_claim(
    settings: Settings,
    db: sessionmaker[Session],
    model: CheckWorthinessModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(detection, "dense_encoder", lambda _s, _m: FakeDense())
    settings.cluster_link_budget = 100  # one claim per sentence: every claim links in-run
    _item(db, "a", LEMON_EN, "2026-01-01")
    _item(db, "b", PETROL, "2026-01-02")
    first = detection.detect(settings, db, model=model, match=False)
    assert (first.new_claims, first.linked_claims, first.waiting_claims) == (2, 2, 0)
    _item(db, "c", LEMON_VI, "2026-01-03", language="vi")  # a later run: exemplars rebuilt
    report = detection.detect(settings, db, model=model, match=False)
    assert (report.new_claims, report.updated_claims, report.merged_claims) == (0, 1, 1)
    rows = {r["text"]: r for r in detection.list_claims(db)}
    assert rows[LEMON_EN]["mentions"] == 2 and LEMON_VI not in rows
    assert set(rows[LEMON_EN]["languages"].split(",")) == {"en", "vi"}
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

    monkeypatch.setattr(detection, "dense_encoder", lambda _s, _m: Counting())
    settings.cluster_link_budget = 0
    _item(db, "a", LEMON_EN, "2026-01-01")
    _item(db, "b", LEMON_VI, "2026-01-01", language="vi")
    _item(db, "c", f"{PETROL} {PETROL}", "2026-01-02")  # said twice: linked first
    report = detection.detect(settings, db, model=model, match=False)
    assert (report.new_claims, report.linked_claims, report.waiting_claims) == (3, 0, 3)
    assert encoded == []
    drained = detection.detect(settings, db, model=model, match=False)  # nothing new to detect
    assert (drained.items, drained.linked_claims, drained.merged_claims) == (0, 3, 1)
    assert drained.waiting_claims == 0
    assert encoded[0] == PETROL  # most check-worthy x most repeated first
    assert len(detection.list_claims(db)) == 2
    again = detection.detect(settings, db, model=model, match=False, link_all=True)
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
    monkeypatch.setattr(detection, "dense_encoder", lambda _s, _m: FakeDense())
    settings.cluster_link_budget = 0
    _item(db, "a", LEMON_EN, "2026-01-01")
    _item(db, "b", LEMON_VI, "2026-01-02", language="vi")
    detection.detect(settings, db, model=model, match=False)
    with transaction(db) as session:
        vi = session.scalars(select(m.Claim).where(m.Claim.language == "vi")).one()
        vi.status = "researching"  # an editor took it (web: Start)
    _item(db, "c", GREETING, "2026-01-03")  # a busy run: only --link-all links past the budget
    report = detection.detect(settings, db, model=model, match=False, link_all=True)
    assert (report.linked_claims, report.merged_claims) == (2, 0)
    assert len(detection.list_claims(db)) == 2


def test_detect_writes_mentions_for_worthy_sentences_only(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    text = f"{GREETING}. {PETROL}"
    item_id = _item(db, "a", text, "2026-01-05T08:00:00")
    report = _run(settings, db, model)
    assert (report.items, report.mentions, report.new_claims) == (1, 1, 1)
    with db() as session:
        (mention,) = session.scalars(select(m.Mention)).all()
        assert text[mention.start : mention.end] == mention.text == PETROL
        assert mention.seen_at == _d("2026-01-05T08:00:00")
        assert {"prediction", "comparison"} <= set(mention.signals)
        assert session.get(m.Item, item_id).detected_at is not None  # type: ignore[union-attr]


def test_detect_uses_ingested_at_when_no_publication_time(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    _item(db, "a", PETROL, None)
    _run(settings, db, model)
    with db() as session:
        mention = session.scalars(select(m.Mention)).one()
        item = session.scalars(select(m.Item)).one()
        assert mention.seen_at == item.ingested_at


def test_detect_is_idempotent_and_incremental(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    _item(db, "a", PETROL, "2026-01-01")
    _run(settings, db, model)
    assert _run(settings, db, model).items == 0
    _item(db, "b", PETROL, "2026-01-02")  # the same claim again, in a later run
    report = _run(settings, db, model)
    assert (report.items, report.new_claims, report.updated_claims) == (1, 0, 1)
    with db() as session:
        claim = session.scalars(select(m.Claim)).one()
        assert claim.mention_count == 2
        assert claim.first_seen_at == _d("2026-01-01") and claim.last_seen_at == _d("2026-01-02")


def test_detect_is_resumable_in_batches(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    for i in range(5):
        _item(db, f"k{i}", PETROL, f"2026-01-0{i + 1}")
    settings.detect_batch_items = 2
    seen: list[int] = []
    assert _run(settings, db, model, limit=3, progress=seen.append).items == 3
    assert seen == [2, 1]
    assert detection.pending_count(db) == 2
    assert _run(settings, db, model).items == 2
    with db() as session:
        assert session.scalar(select(func.count()).select_from(m.Claim)) == 1
        assert session.scalar(select(func.count()).select_from(m.Mention)) == 5


def test_detect_skips_items_another_run_took(
    settings: Settings,
    db: sessionmaker[Session],
    model: CheckWorthinessModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _item(db, "a", PETROL, "2026-01-01")
    real = detection.extract_mentions

    def racing(items, mdl, **options):  # type: ignore[no-untyped-def]
        with transaction(db) as session:  # a concurrent run stamps the item meanwhile
            session.execute(m.Item.__table__.update().values(detected_at=_d("2026-01-01")))
        return real(items, mdl, **options)

    monkeypatch.setattr(detection, "extract_mentions", racing)
    report = _run(settings, db, model)
    assert report.skipped_batches == 1 and report.mentions == 0
    with db() as session:
        assert session.scalar(select(func.count()).select_from(m.Mention)) == 0


def _false_check(
    factory: sessionmaker[Session], claim_id: int, published: str = "2026-01-10"
) -> None:
    with transaction(factory) as session:
        session.add(
            m.FactCheck(
                dedupe_key="fc",
                claim_reviewed=LEMON_EN,
                rating_label="False",
                claim_id=claim_id,
                content_hash="x",
                date_published=_d(published),
            )
        )


def test_resurgence_alert_for_false_claim_after_quiet_period(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    _item(db, "a", LEMON_EN, "2026-01-05")
    _item(db, "b", LEMON_EN, "2026-01-20")
    _item(db, "c", LEMON_EN, "2026-02-10")
    _run(settings, db, model)
    with db() as session:
        claim_id = session.scalars(select(m.Claim.id)).one()
    _false_check(db, claim_id)
    _item(db, "d", LEMON_EN, "2026-11-02")
    assert _run(settings, db, model).alerts == 0  # one comeback mention is not yet a wave
    _item(db, "e", LEMON_EN, "2026-11-04")
    assert _run(settings, db, model).alerts == 1
    (alert,) = detection.list_alerts(db)
    assert alert["claim_id"] == claim_id and alert["started_at"].startswith("2026-11-02")
    assert alert["mentions_in_window"] == 2 and alert["quiet_days"] == pytest.approx(265, abs=1)
    assert detection.check_resurgence(settings, db, [claim_id]) == 0  # never twice
    with db() as session:  # the alert went to the webhook outbox in the same transaction
        assert session.scalar(select(func.count()).select_from(m.Alert)) == 1


def test_no_resurgence_when_claim_is_not_rated_false(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    for key, day in (("a", "2026-01-05"), ("b", "2026-11-02"), ("c", "2026-11-03")):
        _item(db, key, LEMON_EN, day)
    assert _run(settings, db, model).alerts == 0


def test_list_claims_ranks_by_worthiness_and_spread(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    for i in range(3):
        _item(db, f"l{i}", LEMON_EN, f"2026-01-0{i + 1}")
    _item(db, "p", PETROL, "2026-01-01")
    _run(settings, db, model)
    rows = detection.list_claims(db)
    assert [r["text"] for r in rows] == [LEMON_EN, PETROL]
    assert rows[0]["mentions"] == 3 and rows[0]["rank"] > rows[1]["rank"]
    shown = detection.show_claim(db, rows[0]["id"])
    assert sum(shown["daily_counts"].values()) == 3
    assert "cause and effect" in shown["mentions"][0]["why"]
    with pytest.raises(NotFound):
        detection.show_claim(db, 999)


def test_merge_and_split_are_audited(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    _item(db, "a", LEMON_EN, "2026-01-01")
    _item(db, "b", PETROL, "2026-01-02")
    _item(db, "c", PETROL, "2026-01-03")
    _run(settings, db, model)
    lemon, petrol = (r["id"] for r in sorted(detection.list_claims(db), key=lambda r: r["text"]))
    result = detection.merge_claims(db, lemon, [petrol], actor="editor1")
    assert result["mentions"] == 3
    with pytest.raises(Conflict):
        detection.merge_claims(db, lemon, [petrol])
    assert [r["id"] for r in detection.list_claims(db)] == [lemon]
    mentions = detection.show_claim(db, lemon)["mentions"]
    petrol_mentions = [x["mention_id"] for x in mentions if x["text"] == PETROL]
    split = detection.split_claim(db, lemon, petrol_mentions, actor="editor1")
    assert split["moved"] == 2
    assert detection.show_claim(db, split["new_claim"])["mention_count"] == 2
    assert detection.show_claim(db, lemon)["mention_count"] == 1
    with pytest.raises(InputError):
        detection.split_claim(
            db, lemon, [x["mention_id"] for x in mentions if x["text"] == LEMON_EN]
        )
    with db() as session:
        actions = session.scalars(
            select(m.AuditEvent.action).where(m.AuditEvent.actor == "editor1")
        ).all()
        assert actions.count("claim.merge") == 2 and actions.count("claim.split") == 2


def test_a_claim_with_a_fact_check_is_merged_into_never_away(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    _item(db, "a", LEMON_EN, "2026-01-01")
    _item(db, "b", LEMON_VI, "2026-01-02", language="vi")
    _run(settings, db, model)
    rows = {r["text"]: r["id"] for r in detection.list_claims(db)}
    with transaction(db) as session:
        claim = session.get(m.Claim, rows[LEMON_EN])
        assert claim is not None
        claim.status = "draft"  # a checker is writing its verdict
    with pytest.raises(WorkflowError, match="merge the other claim into it"):
        detection.merge_claims(db, rows[LEMON_VI], [rows[LEMON_EN]])
    assert detection.merge_claims(db, rows[LEMON_EN], [rows[LEMON_VI]])["mentions"] == 2


def test_merged_claim_no_longer_attracts_mentions(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    _item(db, "a", LEMON_EN, "2026-01-01")
    _item(db, "b", PETROL, "2026-01-02")
    _run(settings, db, model)
    lemon, petrol = (r["id"] for r in sorted(detection.list_claims(db), key=lambda r: r["text"]))
    detection.merge_claims(db, lemon, [petrol])
    _item(db, "c", PETROL, "2026-01-05")
    _run(settings, db, model)
    with db() as session:
        mention = session.scalars(select(m.Mention).order_by(m.Mention.id.desc())).first()
        assert mention is not None and mention.claim_id == lemon


def test_acknowledge_alert_is_conditional(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    _item(db, "a", LEMON_EN, "2026-01-01")
    _run(settings, db, model)
    with db() as session:
        claim_id = session.scalars(select(m.Claim.id)).one()
    with transaction(db) as session:
        session.add(m.Alert(claim_id=claim_id, kind="resurgence", key="k", message="back"))
    (alert,) = detection.list_alerts(db)
    detection.acknowledge_alert(db, alert["id"])
    assert detection.list_alerts(db) == []
    assert len(detection.list_alerts(db, include_acknowledged=True)) == 1
    with pytest.raises(Conflict):
        detection.acknowledge_alert(db, alert["id"])
    with pytest.raises(NotFound):
        detection.acknowledge_alert(db, 12345)


def test_new_claims_are_matched_through_the_matching_stage(
    settings: Settings,
    db: sessionmaker[Session],
    model: CheckWorthinessModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys
    import types

    seen: list[int] = []

    def match_claim(_settings: Settings, session: Session, claim_id: int) -> list[str]:
        seen.append(claim_id)
        fc = session.scalars(select(m.FactCheck)).one()
        fc.claim_id = claim_id  # the simplest link the matching stage can make
        return ["match"]

    fake = types.ModuleType("factdesk.services.match")
    fake.match_claim = match_claim  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "factdesk.services.match", fake)
    with transaction(db) as session:
        session.add(
            m.FactCheck(
                dedupe_key="fc",
                claim_reviewed=LEMON_EN,
                rating_label="Sai sự thật",
                content_hash="x",
                date_published=_d("2025-12-01"),
            )
        )
    _item(db, "a", LEMON_EN, "2026-01-01")
    settings.cluster_dense = False
    report = detection.detect(settings, db, model=model)
    assert report.matched_claims == 1 and len(seen) == 1
    (row,) = detection.list_claims(db)
    assert row["fact_check_band"] == "linked" and row["fact_check_rating"] == "Sai sự thật"
    with db() as session:
        assert [fc.id for fc in detection.false_fact_checks(session, row["id"])]


def test_detect_notes_when_matching_is_missing(
    settings: Settings,
    db: sessionmaker[Session],
    model: CheckWorthinessModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "factdesk.services.match", None)  # import fails
    _item(db, "a", LEMON_EN, "2026-01-01")
    settings.cluster_dense = False
    report = detection.detect(settings, db, model=model)
    assert report.matched_claims == 0 and "not installed" in report.notes[0]


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

    monkeypatch.setattr(detection, "dense_encoder", lambda _s, _m: Close())
    _item(db, "a", f"{LEMON_EN} {LEMON_EN}", "2026-01-01")  # linked first (more repeated)
    _item(db, "b", PETROL, "2026-01-02")
    report = detection.detect(settings, db, model=model, match=False, link_all=True)
    assert (report.new_claims, report.merged_claims) == (2, 0)
    rows = {r["text"]: r["id"] for r in detection.list_claims(db)}
    with db() as session:
        (lemon_side,) = detection.similar_claims(session, rows[LEMON_EN])
        (petrol_side,) = detection.similar_claims(session, rows[PETROL])
    assert lemon_side["id"] == rows[PETROL] and petrol_side["id"] == rows[LEMON_EN]
    assert lemon_side["similarity"] == petrol_side["similarity"] == pytest.approx(0.555, abs=1e-3)
    detection.merge_claims(db, rows[LEMON_EN], [rows[PETROL]], actor="alice")
    with db() as session:
        assert detection.similar_claims(session, rows[LEMON_EN]) == []  # one claim now
