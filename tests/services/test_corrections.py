"""Corrections: a typo goes out with one editor, a verdict change waits for a second one
while the public keeps the approved version; quotes not found block approval until an
editor records why they stay; links are public only when an editor chose them; drafts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import Conflict, InputError, PermissionDenied, WorkflowError
from factdesk.services import appearances, citations, corrections, drafts
from factdesk.services import review as desk
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.reads.public import load_public
from factdesk.types import Actor, ArchivedPage, DeskSettings, Draft
from factdesk.workflow import Action, Change, Role, State
from tests.web.conftest import add_user, seed_claim

PAGE = ArchivedPage(
    url="http://127.0.0.1:1/r",
    final_url="http://127.0.0.1:1/r",
    body=b"<p>x</p>",
    content_type="text/html",
    text="The rate fell by 2 points in 2024.",
    title="R",
    content_hash="a" * 64,
    fetched_at=datetime.now(UTC),
)
SCALE = DeskSettings()
VERDICT = Draft("False", "False: the rate fell by 2 points.", "The office says so.", "No rise")


def _actor(db: sessionmaker[Session], name: str, role: str) -> Actor:
    return Actor(add_user(db, name, role), name, Role(role))


def _published(
    db: sessionmaker[Session], settings: Settings, quote: str = "fell by 2 points"
) -> tuple[int, Actor, Actor, Actor]:
    """A published fact-check (version 6): written by a checker, approved by editor e1."""
    author, e1, e2 = (
        _actor(db, "w", "checker"),
        _actor(db, "e1", "editor"),
        _actor(db, "e2", "editor"),
    )
    claim_id = seed_claim(db)
    with db.begin() as s:
        fc_id = desk.start(s, author, claim_id)
        desk.cite(s, author, fc_id, PAGE, quote, "Office", "2024")
        desk.transition(s, author, fc_id, Action.DRAFT, 1)
        desk.edit(s, author, fc_id, 2, VERDICT, SCALE)
        desk.transition(s, author, fc_id, Action.SUBMIT, 3)
    if quote != "fell by 2 points":
        return fc_id, author, e1, e2
    with db.begin() as s:
        desk.transition(s, e1, fc_id, Action.APPROVE, 4)
        desk.transition(s, e1, fc_id, Action.PUBLISH, 5, settings=settings)
        s.add(m.Webhook(url="http://127.0.0.1:1/hook", secret="s", events=["*"]))
    return fc_id, author, e1, e2


def _events(db: sessionmaker[Session]) -> list[str]:
    with db() as s:
        return list(s.scalars(select(m.WebhookDelivery.event).order_by(m.WebhookDelivery.id)))


def test_corrections_typo_is_published_by_one_editor_and_listed(
    db: sessionmaker[Session], settings: Settings
) -> None:
    fc_id, _, e1, _ = _published(db, settings)
    typo = Draft(VERDICT.rating_label, VERDICT.summary, VERDICT.explanation, "No rsie")
    with db.begin() as s:
        kind = corrections.propose(s, e1, fc_id, 6, typo, "Fixed a typo.", SCALE, settings=settings)
    assert kind is Change.TYPO
    with db() as s:
        public = load_public(s, fc_id)
        assert corrections.pending(s, fc_id) is None
    assert public.title == "No rsie" and public.status == "corrected"
    assert [(r.kind, r.note) for r in public.history][-1] == ("corrected", "Fixed a typo.")
    assert _events(db) == ["fact_check.corrected"]


def test_corrections_verdict_change_waits_for_a_second_editor(
    db: sessionmaker[Session], settings: Settings
) -> None:
    fc_id, author, e1, e2 = _published(db, settings)
    flipped = Draft("True", "True: the rate rose.", VERDICT.explanation, VERDICT.title)
    with db.begin() as s:
        kind = corrections.propose(
            s, e1, fc_id, 6, flipped, "We misread.", SCALE, settings=settings
        )
    assert kind is Change.SUBSTANTIVE
    with db() as s:
        public = load_public(s, fc_id)
        pending = corrections.pending(s, fc_id)
    # the public page, ClaimReview and webhooks still show the approved verdict
    assert public.rating.label == "False" and public.status == "published"
    assert _events(db) == []
    assert pending is not None and pending.draft.rating_label == "True"
    assert "rating changed" in pending.reasons
    # nobody corrects the verdict alone: not through the proposer, not around the service
    with pytest.raises(WorkflowError, match="you proposed"), db.begin() as s:
        corrections.approve(s, e1, pending.id, settings=settings)
    with pytest.raises(PermissionDenied), db.begin() as s:
        corrections.approve(s, author, pending.id, settings=settings)
    with pytest.raises(WorkflowError, match="second editor"), db.begin() as s:
        desk.transition(s, e2, fc_id, Action.CORRECT, 6, "x", flipped, SCALE, settings=settings)
    with pytest.raises(Conflict, match="already under review"), db.begin() as s:
        corrections.propose(s, e2, fc_id, 6, VERDICT, "again", SCALE, settings=settings)
    with db.begin() as s:
        assert corrections.approve(s, e2, pending.id, settings=settings) is State.CORRECTED
    with db() as s:
        public = load_public(s, fc_id)
        actions = s.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.id)).all()
        row = s.get_one(m.FactCheckCorrection, pending.id)
    assert public.rating.label == "True" and public.status == "corrected"
    assert public.history[-1].note == "We misread."
    assert _events(db) == ["fact_check.corrected"]
    assert (row.status, row.reviewer_id, row.pending_of) == ("published", e2.id, None)
    assert (
        actions[-3:]
        == ["correction.approve", "fact_check.correct", "fact_check.correct"][: len(actions[-3:])]
        or "correction.approve" in actions
    )
    with pytest.raises(Conflict), db.begin() as s:  # decided once
        corrections.approve(s, e2, pending.id, settings=settings)


def test_corrections_reject_nothing_changed_and_stale(
    db: sessionmaker[Session], settings: Settings
) -> None:
    fc_id, _, e1, e2 = _published(db, settings)
    with pytest.raises(WorkflowError, match="nothing changed"), db.begin() as s:
        corrections.propose(s, e1, fc_id, 6, VERDICT, "n", SCALE, settings=settings)
    flipped = Draft("True", "True: it rose.", VERDICT.explanation, VERDICT.title)
    with pytest.raises(Conflict), db.begin() as s:
        corrections.propose(s, e1, fc_id, 5, flipped, "n", SCALE, settings=settings)
    with pytest.raises(WorkflowError, match="note"), db.begin() as s:
        corrections.propose(s, e1, fc_id, 6, flipped, "", SCALE, settings=settings)
    with db.begin() as s:
        corrections.propose(s, e1, fc_id, 6, flipped, "n", SCALE, settings=settings)
        pending = corrections.pending(s, fc_id)
    assert pending is not None
    with pytest.raises(InputError), db.begin() as s:
        corrections.reject(s, e2, pending.id, " ")
    with db.begin() as s:
        corrections.reject(s, e2, pending.id, "The source says it fell.")
    with db() as s:
        assert corrections.pending(s, fc_id) is None
        assert load_public(s, fc_id).rating.label == "False"
    with db.begin() as s:  # a new proposal is possible again
        corrections.propose(s, e2, fc_id, 6, flipped, "n", SCALE, settings=settings)


def test_citations_quote_not_found_blocks_approval_until_an_editor_says_why(
    db: sessionmaker[Session], settings: Settings
) -> None:
    fc_id, author, e1, _ = _published(db, settings, quote="rose by 5 points")
    with db() as s:
        ctx = desk.context(s, e1, fc_id)
        citation_id = s.scalar(select(m.Citation.id).where(m.Citation.fact_check_id == fc_id))
    assert ctx.unverified_quotes == 1 and citation_id is not None
    with pytest.raises(WorkflowError, match="archived copy"), db.begin() as s:
        desk.transition(s, e1, fc_id, Action.APPROVE, 4)
    with pytest.raises(PermissionDenied), db.begin() as s:
        citations.keep_quote(s, author, fc_id, citation_id, "the table says so")
    with pytest.raises(InputError), db.begin() as s:
        citations.keep_quote(s, e1, fc_id, citation_id, "  ")
    reason = "The figure is in the report's table, which the archive lost when extracting text."
    with db.begin() as s:
        citations.keep_quote(s, e1, fc_id, citation_id, reason)
        desk.transition(s, e1, fc_id, Action.APPROVE, 4)
        desk.transition(s, e1, fc_id, Action.PUBLISH, 5, settings=settings)
    with db() as s:
        public = load_public(s, fc_id)
        audit = s.scalar(select(m.AuditEvent).where(m.AuditEvent.action == "citation.override"))
    assert public.citations[0].override_reason == reason and not public.citations[0].quote_found
    assert audit is not None and audit.after is not None and audit.after["reason"] == reason


def test_appearances_are_internal_until_an_editor_chooses_them(
    db: sessionmaker[Session], settings: Settings
) -> None:
    fc_id, author, e1, _ = _published(db, settings)
    with db.begin() as s:
        claim_id = s.get_one(m.FactCheck, fc_id).claim_id
        assert claim_id is not None
        item = m.Item(
            dedupe_key="file-item", url="file:///srv/feeds/a.html", text="t", content_hash="h"
        )
        s.add(item)
        s.flush()
        s.add(m.Mention(item_id=item.id, claim_id=claim_id, text="t", start=0, end=1, score=1.0))
    with db() as s:
        rows = appearances.for_claim(s, claim_id)
        assert load_public(s, fc_id).appearances == ()  # nothing public by default
    assert len(rows) == 5 and all(r.public is None for r in rows)
    local = next(r for r in rows if r.url.startswith("file:"))
    assert not local.eligible
    with pytest.raises(PermissionDenied), db.begin() as s:
        appearances.mark(s, author, claim_id, rows[0].url, True)
    with pytest.raises(InputError, match="http"), db.begin() as s:
        appearances.mark(s, e1, claim_id, local.url, True)
    web = [r for r in rows if r.eligible]
    with db.begin() as s:
        appearances.mark(s, e1, claim_id, web[0].url, True)
    with db() as s:
        assert [a.url for a in load_public(s, fc_id).appearances] == [web[0].url]
    source_id = web[1].source_id
    assert source_id is not None
    with db.begin() as s:
        assert appearances.mark_source(s, e1, claim_id, source_id) == 3  # the other web links
        appearances.mark(s, e1, claim_id, web[2].url, False)  # and hide one again
    with db() as s:
        shown = {a.url for a in load_public(s, fc_id).appearances}
        marks = {r.url: r.public for r in appearances.for_claim(s, claim_id)}
    assert shown == {web[0].url, web[1].url, web[3].url}
    assert marks[web[2].url] is False and marks[local.url] is None
    # a link written on the fact-check itself is public until an editor hides it
    with db.begin() as s:
        s.get_one(m.FactCheck, fc_id).appearances = ["https://written.example/a", "/relative"]
    with db() as s:
        written = {r.url: r for r in appearances.for_claim(s, claim_id)}
        assert "https://written.example/a" in {a.url for a in load_public(s, fc_id).appearances}
    assert written["https://written.example/a"].public is True
    assert not written["/relative"].eligible and written["/relative"].public is None
    with db.begin() as s:
        appearances.mark(s, e1, claim_id, "https://written.example/a", False)
    with db() as s:
        assert "https://written.example/a" not in {a.url for a in load_public(s, fc_id).appearances}


def test_drafts_are_kept_per_person_and_form(db: sessionmaker[Session], settings: Settings) -> None:
    fc_id, author, e1, _ = _published(db, settings)
    typed = Draft("True", "typed but not saved", "", "")
    with db.begin() as s:
        saved = drafts.save(s, author, fc_id, "verdict", typed, base_version=3)
    assert saved.draft == typed and saved.base_version == 3
    with db.begin() as s:
        drafts.save(s, author, fc_id, "verdict", Draft(summary="newer"), note="n")
    with db() as s:
        mine = drafts.load(s, author, fc_id, "verdict")
        assert drafts.load(s, e1, fc_id, "verdict") is None  # private to its writer
        assert drafts.load(s, author, fc_id, "correction") is None
    assert mine is not None and mine.draft.summary == "newer" and mine.note == "n"
    with pytest.raises(InputError), db.begin() as s:
        drafts.save(s, author, fc_id, "other", typed)
    with pytest.raises(InputError), db.begin() as s:
        drafts.save(s, author, fc_id, "verdict", Draft(summary="x" * 1001))
    viewer = _actor(db, "v", "viewer")
    with pytest.raises(PermissionDenied), db.begin() as s:
        drafts.save(s, viewer, fc_id, "verdict", typed)
    with db.begin() as s:
        drafts.discard(s, author, fc_id, "verdict")
    with db() as s:
        assert drafts.load(s, author, fc_id, "verdict") is None


def test_corrections_two_approvers_at_once_publish_it_once(
    db: sessionmaker[Session], settings: Settings
) -> None:
    import threading

    fc_id, _, e1, e2 = _published(db, settings)
    e3 = _actor(db, "e3", "editor")
    flipped = Draft("True", "True: the rate rose.", VERDICT.explanation, VERDICT.title)
    with db.begin() as s:
        corrections.propose(s, e1, fc_id, 6, flipped, "We misread.", SCALE, settings=settings)
        pending = corrections.pending(s, fc_id)
    assert pending is not None
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def approve(i: int, who: Actor) -> None:
        barrier.wait()
        try:
            with db.begin() as s:
                results[i] = corrections.approve(s, who, pending.id, settings=settings)
        except Exception as exc:  # the loser's error is the result under test
            results[i] = exc

    threads = [threading.Thread(target=approve, args=(i, w)) for i, w in enumerate((e2, e3))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(type(r).__name__ for r in results) in (
        ["Conflict", "State"],
        ["OperationalError", "State"],  # SQLite may refuse the second writer outright
    ), results
    with db() as s:
        versions = s.scalars(
            select(m.FactCheckVersion.id).where(m.FactCheckVersion.fact_check_id == fc_id)
        ).all()
    assert len(versions) == 2  # published once, corrected once
    assert _events(db) == ["fact_check.corrected"]
