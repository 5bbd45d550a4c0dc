"""Claims as the desk reads and edits them (``services.claims``), on a real database:
the ranking, one claim in full, merge and split, alerts, resurgence."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.detect.model import CheckWorthinessModel
from factdesk.errors import Conflict, InputError, NotFound, WorkflowError
from factdesk.services import claims
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.types import Actor, Alert, Claim, ClaimLink, FactCheck, Mention, RankedClaim
from factdesk.workflow import Role
from tests.services.detecting import (
    LEMON_EN,
    LEMON_VI,
    PETROL,
    add_item,
    day,
    false_check,
    keyword_model,
    run,
)


@pytest.fixture
def model(tmp_path: Path) -> CheckWorthinessModel:
    return keyword_model(tmp_path)


def _ids_by_text(db: sessionmaker[Session]) -> list[int]:
    """The live claims' ids in the order of their texts."""
    return [r.claim.id or 0 for r in sorted(claims.list_claims(db), key=lambda r: r.claim.text)]


def _fact_check(
    session: Session, key: str, rating: str, *, claim_id: int | None = None
) -> m.FactCheck:
    row = m.FactCheck(
        dedupe_key=key,
        claim_reviewed=LEMON_EN,
        rating_label=rating,
        claim_id=claim_id,
        publisher=f"Checker {key}",
        url=f"https://checks.example/{key}",
        language="en",
        content_hash=key,
        date_published=day("2026-01-10"),
    )
    session.add(row)
    session.flush()
    return row


def test_list_claims_ranks_by_worthiness_and_spread(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    for i in range(3):
        add_item(db, f"l{i}", LEMON_EN, f"2026-01-0{i + 1}")
    add_item(db, "p", PETROL, "2026-01-01")
    run(settings, db, model)
    rows = claims.list_claims(db)
    assert [r.claim.text for r in rows] == [LEMON_EN, PETROL]
    assert rows[0].claim.mention_count == 3 and rows[0].rank > rows[1].rank
    assert rows[0].claim.id is not None
    shown = claims.show_claim(db, rows[0].claim.id)
    assert sum(shown.daily_counts.values()) == 3
    assert "cause and effect" in shown.mentions[0].why
    with pytest.raises(NotFound):
        claims.show_claim(db, 999)


def test_merge_and_split_are_audited(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    add_item(db, "a", LEMON_EN, "2026-01-01")
    add_item(db, "b", PETROL, "2026-01-02")
    add_item(db, "c", PETROL, "2026-01-03")
    run(settings, db, model)
    lemon, petrol = _ids_by_text(db)
    result = claims.merge_claims(db, lemon, [petrol], actor="editor1")
    assert result.mentions == 3
    with pytest.raises(Conflict):
        claims.merge_claims(db, lemon, [petrol])
    assert [r.claim.id for r in claims.list_claims(db)] == [lemon]
    mentions = claims.show_claim(db, lemon).mentions
    petrol_mentions = [x.id for x in mentions if x.text == PETROL and x.id is not None]
    split = claims.split_claim(db, lemon, petrol_mentions, actor="editor1")
    assert split.moved == 2
    assert claims.show_claim(db, split.new_claim).claim.mention_count == 2
    assert claims.show_claim(db, lemon).claim.mention_count == 1
    with pytest.raises(InputError):
        claims.split_claim(
            db, lemon, [x.id for x in mentions if x.text == LEMON_EN and x.id is not None]
        )
    with db() as session:
        actions = session.scalars(
            select(m.AuditEvent.action).where(m.AuditEvent.actor == "editor1")
        ).all()
        assert actions.count("claim.merge") == 2 and actions.count("claim.split") == 2


def test_a_claim_with_a_fact_check_is_merged_into_never_away(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    add_item(db, "a", LEMON_EN, "2026-01-01")
    add_item(db, "b", LEMON_VI, "2026-01-02", language="vi")
    run(settings, db, model)
    rows = {r.claim.text: r.claim.id for r in claims.list_claims(db)}
    with transaction(db) as session:
        claim = session.get(m.Claim, rows[LEMON_EN])
        assert claim is not None
        claim.status = "draft"  # a checker is writing its verdict
    with pytest.raises(WorkflowError, match="merge the other claim into it"):
        claims.merge_claims(db, rows[LEMON_VI], [rows[LEMON_EN]])
    assert claims.merge_claims(db, rows[LEMON_EN], [rows[LEMON_VI]]).mentions == 2


def test_acknowledge_alert_is_conditional(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    add_item(db, "a", LEMON_EN, "2026-01-01")
    run(settings, db, model)
    with db() as session:
        claim_id = session.scalars(select(m.Claim.id)).one()
    with transaction(db) as session:
        session.add(m.Alert(claim_id=claim_id, kind="resurgence", key="k", message="back"))
    (alert,) = claims.list_alerts(db)
    claims.acknowledge_alert(db, alert.id)
    assert claims.list_alerts(db) == []
    assert len(claims.list_alerts(db, include_acknowledged=True)) == 1
    with pytest.raises(Conflict):
        claims.acknowledge_alert(db, alert.id)
    with pytest.raises(NotFound):
        claims.acknowledge_alert(db, 12345)


def test_list_claims_returns_ranked_records_with_their_best_link(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    add_item(db, "a", LEMON_EN, "2026-01-01")
    add_item(db, "b", LEMON_VI, "2026-01-02", language="vi")
    add_item(db, "c", LEMON_EN, "2026-01-03")
    add_item(db, "d", PETROL, "2026-01-04")
    run(settings, db, model)
    lemon_en = next(r for r in claims.list_claims(db) if r.claim.text == LEMON_EN)
    assert lemon_en.claim.id is not None
    false_check(db, lemon_en.claim.id)
    with transaction(db) as session:
        session.add(m.Alert(claim_id=lemon_en.claim.id, kind="resurgence", key="k", message="x"))
    ranked = {r.claim.text: r for r in claims.list_claims(db)}
    lemon = ranked[LEMON_EN]
    assert isinstance(lemon, RankedClaim) and isinstance(lemon.claim, Claim)
    assert lemon.claim.mention_count == 2 and lemon.sources == 2  # items without a source
    assert lemon.languages == ("en",) and lemon.alert
    assert lemon.link is not None and lemon.link.band == "linked" and lemon.link.rated_false
    assert isinstance(lemon.link.fact_check, FactCheck)
    assert lemon.link.fact_check.rating.label == "False"
    assert ranked[PETROL].link is None and not ranked[PETROL].alert
    assert [r.claim.text for r in claims.list_claims(db, language="vi")] == [LEMON_VI]
    assert claims.list_claims(db, status="draft") == []
    assert len(claims.list_claims(db, limit=1)) == 1


def test_show_claim_returns_the_claim_in_records(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    with transaction(db) as session:
        feed = m.Source(kind="rss", location="https://feed.example/rss", name="Feed Example")
        session.add(feed)
        session.flush()
        feed_id = feed.id
    add_item(db, "a", LEMON_EN, "2026-01-01", source=feed_id)
    add_item(db, "b", LEMON_EN, "2026-01-03")
    run(settings, db, model)
    (ranked,) = claims.list_claims(db)
    claim_id = ranked.claim.id
    assert claim_id is not None
    with transaction(db) as session:
        own = _fact_check(session, "own", "Mostly true", claim_id=claim_id)
        auto = _fact_check(session, "auto", "False")
        suggest = _fact_check(session, "suggest", "Sai")
        weaker = _fact_check(session, "weaker", "False")
        for fc, band, score in ((suggest, "suggest", 0.7), (weaker, "auto", 0.91)):
            session.add(
                m.ClaimMatch(claim_id=claim_id, fact_check_id=fc.id, score=score, band=band)
            )
        session.add(m.ClaimMatch(claim_id=claim_id, fact_check_id=auto.id, score=0.97, band="auto"))
        session.add(m.Alert(claim_id=claim_id, kind="resurgence", key="k", message="back"))
        ids = {"own": own.id, "auto": auto.id, "suggest": suggest.id, "weaker": weaker.id}
    shown = claims.show_claim(db, claim_id)
    assert isinstance(shown.claim, Claim) and shown.claim.id == claim_id
    assert shown.claim.text == LEMON_EN and shown.claim.mention_count == 2
    assert shown.claim.linked_at is None and shown.claim.merged_into_id is None
    assert shown.daily_counts == {date(2026, 1, 1): 1, date(2026, 1, 3): 1}
    assert "cause and effect" in shown.why
    assert all(isinstance(x, ClaimLink) for x in shown.links)
    # its own first, then auto (best first), then suggest; each with the matcher's score
    assert [(x.fact_check.id, x.band, x.score) for x in shown.links] == [
        (ids["own"], "linked", None),
        (ids["auto"], "auto", 0.97),
        (ids["weaker"], "auto", 0.91),
        (ids["suggest"], "suggest", 0.7),
    ]
    assert [x.rated_false for x in shown.links] == [False, True, True, True]
    assert shown.links[1].fact_check.publisher == "Checker auto"
    (alert,) = shown.alerts
    assert isinstance(alert, Alert) and alert.message == "back" and alert.claim_id == claim_id
    first, second = shown.mentions
    assert isinstance(first, Mention) and first.id is not None and first.item_id is not None
    assert first.seen_at == day("2026-01-01") and second.seen_at == day("2026-01-03")
    assert first.source == "Feed Example" and second.source is None  # no source: no name
    assert first.claim_id == claim_id and first.text == LEMON_EN and first.language == "en"
    assert "cause and effect" in first.why and first.signals
    assert shown.similar == ()


def test_merge_and_split_record_the_signed_in_actor(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    add_item(db, "a", LEMON_EN, "2026-01-01")
    add_item(db, "b", PETROL, "2026-01-02")
    add_item(db, "c", PETROL, "2026-01-03")
    run(settings, db, model)
    with transaction(db) as session:
        user = m.User(username="erin", password_hash="-", role="editor")
        session.add(user)
        session.flush()
        erin = Actor(user.id, "erin", Role.EDITOR)
    lemon, petrol = _ids_by_text(db)
    merged = claims.merge_claims(db, lemon, [petrol, petrol], actor=erin)
    assert (merged.target, merged.merged, merged.mentions) == (lemon, (petrol,), 3)
    moved = [x.id or 0 for x in claims.show_claim(db, lemon).mentions if x.text == PETROL]
    split = claims.split_claim(db, lemon, moved, actor=erin)
    assert (split.claim, split.moved) == (lemon, 2) and split.new_claim not in (lemon, petrol)
    with db() as session:
        events = session.scalars(select(m.AuditEvent)).all()
    assert {(e.action, e.actor, e.actor_id) for e in events} == {
        ("claim.merge", "erin", erin.id),
        ("claim.split", "erin", erin.id),
    }
    with pytest.raises(InputError):
        claims.merge_claims(db, lemon, [lemon])


def test_list_alerts_returns_records_with_the_claim_text(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel
) -> None:
    add_item(db, "a", LEMON_EN, "2026-01-01")
    run(settings, db, model)
    with db() as session:
        claim_id = session.scalars(select(m.Claim.id)).one()
    with transaction(db) as session:
        for key in ("first", "second"):
            session.add(
                m.Alert(
                    claim_id=claim_id,
                    kind="resurgence",
                    key=key,
                    message=f"back ({key})",
                    details={"quiet_days": 200.5},
                )
            )
    newest, oldest = claims.list_alerts(db)
    assert newest.message == "back (second)" and oldest.message == "back (first)"
    assert newest.claim_text == LEMON_EN and newest.details == {"quiet_days": 200.5}
    assert newest.acknowledged_at is None and newest.created_at is not None
    assert [a.id for a in claims.list_alerts(db, limit=1)] == [newest.id]


def test_resurgence_is_announced_through_the_publish_service(
    settings: Settings,
    db: sessionmaker[Session],
    model: CheckWorthinessModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    announced: list[tuple[int, dict[str, Any], Settings | None]] = []

    def on_resurgence(
        session: Session, claim_id: int, details: dict[str, Any], *, settings: Settings
    ) -> list[int]:
        # the alert is written in the transaction that announces it (the outbox)
        alert = session.scalars(select(m.Alert).where(m.Alert.claim_id == claim_id)).one()
        assert alert.details == details
        announced.append((claim_id, details, settings))
        return []

    monkeypatch.setattr(claims, "on_resurgence", on_resurgence)
    for key, when in (("a", "2026-01-05"), ("b", "2026-11-02"), ("c", "2026-11-04")):
        add_item(db, key, LEMON_EN, when)
    run(settings, db, model)
    with db() as session:
        claim_id = session.scalars(select(m.Claim.id)).one()
    false_check(db, claim_id)
    assert claims.check_resurgence(settings, db, [claim_id]) == 1
    ((announced_id, details, passed),) = announced
    assert announced_id == claim_id and passed is settings
    assert details["rating"] == "False" and details["mentions_in_window"] == 2
    assert details["started_at"].startswith("2026-11-02")
    with db() as session:
        (fc,) = claims.false_fact_checks(session, claim_id)
    assert isinstance(fc, FactCheck) and fc.rating.label == "False" and fc.claim_id == claim_id
