"""The review service: workflow rules applied as conditional updates, under concurrency too;
publishing announces itself; results come back as records."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import Conflict, InputError, NotFound, WorkflowError
from factdesk.services import review as desk
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.types import Actor, ArchivedPage, Citation, DeskSettings, Draft
from factdesk.workflow import Action, Role, State
from tests.web.conftest import add_user, seed_claim

PAGE = ArchivedPage(
    url="http://127.0.0.1:1/r",
    final_url="http://127.0.0.1:1/r",
    body=b"<p>x</p>",
    content_type="text/html",
    text="The rate fell by 2 points.",
    title="R",
    content_hash="a" * 64,
    fetched_at=datetime.now(UTC),
)


def _actor(db: sessionmaker[Session], name: str, role: str) -> Actor:
    return Actor(add_user(db, name, role), name, Role(role))


def _race(db: sessionmaker[Session], work: list) -> list[object]:  # type: ignore[type-arg]
    """Run each callable in its own thread and transaction at the same moment."""
    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)

    def run(i: int) -> None:
        barrier.wait()
        try:
            with db.begin() as session:
                results[i] = work[i](session)
        except Exception as exc:  # the loser's error is the result under test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_desk_two_people_start_the_same_claim_one_wins(db: sessionmaker[Session]) -> None:
    claim_id = seed_claim(db)
    a, b = _actor(db, "a", "checker"), _actor(db, "b", "checker")
    results = _race(
        db, [lambda s: desk.start(s, a, claim_id), lambda s: desk.start(s, b, claim_id)]
    )
    wins = [r for r in results if isinstance(r, int)]
    losses = [r for r in results if isinstance(r, Conflict | WorkflowError)]
    assert len(wins) == 1 and len(losses) == 1, results
    with db() as session:
        assert session.scalar(select(func.count()).select_from(m.FactCheck)) == 1
        fact_check_events = select(func.count()).where(m.AuditEvent.entity_type == "fact_check")
        assert session.scalar(fact_check_events) == 1  # the loser left no trace


def test_desk_concurrent_transitions_from_same_version_one_wins(db: sessionmaker[Session]) -> None:
    claim_id = seed_claim(db)
    author, e1, e2 = (
        _actor(db, "w", "checker"),
        _actor(db, "e1", "editor"),
        _actor(db, "e2", "editor"),
    )
    scale = DeskSettings()
    with db.begin() as session:
        fc_id = desk.start(session, author, claim_id)
        desk.cite(session, author, fc_id, PAGE, "fell by 2 points", "Office", "2024")
        desk.transition(session, author, fc_id, Action.DRAFT, 1)
        desk.edit(session, author, fc_id, 2, Draft("False", "No."), scale)
        desk.transition(session, author, fc_id, Action.SUBMIT, 3)
    results = _race(
        db,
        [
            lambda s: desk.transition(s, e1, fc_id, Action.APPROVE, 4),
            lambda s: desk.transition(s, e2, fc_id, Action.SEND_BACK, 4, note="Needs more"),
        ],
    )
    assert sum(isinstance(r, Conflict | WorkflowError) for r in results) == 1, results
    with db() as session:
        fc = session.get_one(m.FactCheck, fc_id)
        assert fc.version == 5
        moves = session.scalar(
            select(func.count())
            .select_from(m.AuditEvent)
            .where(m.AuditEvent.action.in_(["fact_check.approve", "fact_check.send_back"]))
        )
    assert moves == 1  # the loser left no trace


def test_desk_edit_records_only_changed_fields(db: sessionmaker[Session]) -> None:
    claim_id = seed_claim(db)
    author = _actor(db, "w", "checker")
    with db.begin() as session:
        fc_id = desk.start(session, author, claim_id)
        assert desk.edit(session, author, fc_id, 1, Draft("False", "No."), DeskSettings())
        assert not desk.edit(session, author, fc_id, 2, Draft("False", "No."), DeskSettings())
    with db() as session:
        event = session.scalars(
            select(m.AuditEvent).where(m.AuditEvent.action == "fact_check.edit")
        ).one()
    assert event.before == {
        "rating_label": "",
        "rating_value": None,
        "rating_best": None,
        "rating_worst": None,
        "summary": None,
        "version": 1,
    }
    assert event.after["rating_label"] == "False" and event.after["version"] == 2


def test_desk_rejects_unknown_records_and_non_transitions(db: sessionmaker[Session]) -> None:
    claim_id = seed_claim(db)
    author = _actor(db, "w", "checker")
    with db.begin() as session:
        with pytest.raises(NotFound):
            desk.start(session, author, 999)
        with pytest.raises(NotFound):
            desk.transition(session, author, 999, Action.SUBMIT, 1)
        fc_id = desk.start(session, author, claim_id)
        with pytest.raises(WorkflowError):
            desk.transition(session, author, fc_id, Action.EDIT, 1)
        with pytest.raises(NotFound):
            desk.uncite(session, author, fc_id, 12345)
        imported = m.FactCheck(
            origin="imported",
            status="published",
            dedupe_key="url:x",
            claim_reviewed="x",
            rating_label="False",
            content_hash="h",
        )
        session.add(imported)
        session.flush()
        with pytest.raises(NotFound):  # other publishers' fact-checks are not ours to edit
            desk.edit(session, author, imported.id, 1, Draft(), DeskSettings())


def _to_review(db: sessionmaker[Session], author: Actor) -> int:
    """A fact-check with evidence and a verdict, submitted for review (version 4)."""
    claim_id = seed_claim(db)
    with db.begin() as session:
        fc_id = desk.start(session, author, claim_id)
        desk.cite(session, author, fc_id, PAGE, "fell by 2 points", "Office", "2024")
        desk.transition(session, author, fc_id, Action.DRAFT, 1)
        desk.edit(session, author, fc_id, 2, Draft("False", "No."), DeskSettings())
        desk.transition(session, author, fc_id, Action.SUBMIT, 3)
    return fc_id


def test_review_cite_returns_the_citation_record(db: sessionmaker[Session]) -> None:
    claim_id = seed_claim(db)
    author = _actor(db, "w", "checker")
    with db.begin() as session:
        fc_id = desk.start(session, author, claim_id)
        cited = desk.cite(session, author, fc_id, PAGE, "FELL by 2 points", "Office", "2024-05")
        again = desk.cite(session, author, fc_id, PAGE, "rose", "", "")
    assert isinstance(cited, Citation)
    assert (cited.url, cited.publisher, cited.source_date) == (PAGE.url, "Office", "2024-05")
    assert cited.quote_found and not again.quote_found
    assert cited.id is not None and cited.document_id is not None
    assert again.document_id == cited.document_id  # the same archived copy, kept once
    with db() as session:
        assert session.scalar(select(func.count()).select_from(m.EvidenceDocument)) == 1


def test_review_publish_and_withdraw_announce_in_the_same_transaction(
    db: sessionmaker[Session], settings: Settings
) -> None:
    author, editor = _actor(db, "w", "checker"), _actor(db, "e", "editor")
    fc_id = _to_review(db, author)
    with db.begin() as session:
        session.add(m.Webhook(url="http://127.0.0.1:1/hook", secret="s", events=["*"]))
    with db.begin() as session:
        desk.transition(session, editor, fc_id, Action.APPROVE, 4)
        state = desk.transition(session, editor, fc_id, Action.PUBLISH, 5, settings=settings)
    assert state is State.PUBLISHED
    with db.begin() as session:
        desk.transition(
            session, editor, fc_id, Action.WITHDRAW, 6, "Wrong office", settings=settings
        )
    with db() as session:
        events = session.scalars(
            select(m.WebhookDelivery.event).order_by(m.WebhookDelivery.id)
        ).all()
        versions = session.scalars(
            select(m.FactCheckVersion.version)
            .where(m.FactCheckVersion.fact_check_id == fc_id)
            .order_by(m.FactCheckVersion.version)
        ).all()
        claim_status = session.scalar(
            select(m.Claim.status).join(m.FactCheck, m.FactCheck.claim_id == m.Claim.id)
        )
    assert events == ["fact_check.published", "fact_check.withdrawn"]
    assert versions == [6, 7] and claim_status == State.WITHDRAWN.value


def test_review_invalid_claimreview_refuses_the_publication(
    db: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The announcement runs inside the transition: when it refuses, nothing is published."""
    author, editor = _actor(db, "w", "checker"), _actor(db, "e", "editor")
    fc_id = _to_review(db, author)
    with db.begin() as session:
        desk.transition(session, editor, fc_id, Action.APPROVE, 4)

    def refuse(*args: object, **kwargs: object) -> list[int]:
        raise InputError("not valid ClaimReview", where="claimReviewed")

    monkeypatch.setattr(desk, "on_published", refuse)
    with pytest.raises(InputError), db.begin() as session:
        desk.transition(session, editor, fc_id, Action.PUBLISH, 5, settings=settings)
    with db() as session:
        fc = session.get_one(m.FactCheck, fc_id)
        assert (fc.status, fc.version) == (State.IN_REVIEW.value, 5)
        assert session.scalar(select(func.count()).select_from(m.FactCheckVersion)) == 0


def test_review_context_and_may_cite(db: sessionmaker[Session]) -> None:
    author, viewer = _actor(db, "w", "checker"), _actor(db, "v", "viewer")
    fc_id = _to_review(db, author)
    with db() as session:
        ctx = desk.context(session, author, fc_id)
        assert author.id in ctx.author_ids and ctx.evidence_count == 1
        assert ctx.has_rating and ctx.has_verdict and ctx.reviewer_id is None
        with pytest.raises(WorkflowError):  # in review: the evidence is frozen
            desk.may_cite(session, author, fc_id)
        with pytest.raises(NotFound):
            desk.context(session, viewer, 999)
