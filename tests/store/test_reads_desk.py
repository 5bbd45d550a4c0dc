"""The newsroom's reads return records: the dashboard, the queue and its filter, the
fact-check editor with its claim, citations, comments and history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import NotFound
from factdesk.services import review
from factdesk.store import models as m
from factdesk.store.reads import desk as reads
from factdesk.store.reads.desk import QueueFilter
from factdesk.types import (
    Actor,
    Alert,
    ArchivedPage,
    AuditEvent,
    Citation,
    Claim,
    Comment,
    DeskSettings,
    Draft,
    FactCheck,
)
from factdesk.workflow import Role, State
from tests.web.conftest import add_user, seed_claim

PAGE = ArchivedPage(
    url="https://stats.example/r",
    final_url="https://stats.example/r",
    body=b"The rate fell by 2 points.",
    content_type="text/plain",
    text="The rate fell by 2 points.",
    title="R",
    content_hash="b" * 64,
    fetched_at=datetime.now(UTC),
)


def test_queue_filter_reads_leniently_and_round_trips() -> None:
    f = QueueFilter.from_params(
        {
            "q": " vaccine ",
            "min_score": "0.5",
            "min_mentions": "1",
            "page": "-3",
            "sort": "bogus",
            "since": "2024-02-30",
        }
    )
    assert (f.q, f.min_score, f.min_mentions, f.page, f.sort) == ("vaccine", 0.5, 1, 1, "score")
    assert f.problems == ["since"]
    again = QueueFilter.from_params(dict(p.split("=") for p in f.query_string().split("&")))
    assert (again.q, again.min_score, again.min_mentions) == ("vaccine", 0.5, 1)
    assert "page=2" in f.query_string(page=2) and "page" not in f.query_string()


def test_reads_queue_and_dashboard_are_records(db: sessionmaker[Session]) -> None:
    hot = seed_claim(db, "Hot claim", score=0.95, mentions=12)
    seed_claim(db, "Dull claim", score=0.1, mentions=1)
    with db.begin() as session:
        session.add(m.Alert(claim_id=hot, kind="resurgence", key="k", message="It is back"))
    with db() as session:
        claims = reads.queue(session, QueueFilter(sort="spread"))
        total = reads.queue_total(session, QueueFilter(q="claim"))
        board = reads.dashboard(session, DeskSettings())
    assert all(isinstance(c, Claim) for c in claims) and total == 2
    assert [c.text for c in claims] == ["Hot claim", "Dull claim"]
    assert claims[0].id == hot and claims[0].mention_count == 12
    assert claims[0].status == State.NEW.value
    assert board.grid[0][2] == 1 and board.grid[2][0] == 1 and board.new_count == 2
    assert [c.id for c in board.top] == [hot]
    assert [(a.claim_id, a.message) for a in board.alerts] == [(hot, "It is back")]
    assert isinstance(board.alerts[0], Alert) and sum(n for _, n in board.mentions) == 13


def test_reads_fact_check_page_with_citations_comments_history(
    db: sessionmaker[Session],
) -> None:
    claim_id = seed_claim(db)
    author = Actor(add_user(db, "w", "checker"), "w", Role.CHECKER)
    with db.begin() as session:
        fc_id = review.start(session, author, claim_id)
        review.cite(session, author, fc_id, PAGE, "fell by 2 points", "Stats Office", "2024")
        review.edit(session, author, fc_id, 1, Draft("False", "No."), DeskSettings())
        review.comment(session, author, fc_id, "Second source?")
    with db() as session:
        fc, claim = reads.fact_check_page(session, fc_id)
        cited = reads.citations(session, fc_id)
        comments = reads.comments(session, fc_id)
        history = reads.history(session, claim_id, fc_id)
        wip = reads.work_in_progress(session)
        names = reads.usernames(session, [fc.author_id, None])
        with pytest.raises(NotFound):
            reads.fact_check(session, 9999)
    assert isinstance(fc, FactCheck) and isinstance(claim, Claim)
    assert (fc.id, fc.claim_id, fc.origin, fc.status) == (fc_id, claim_id, "local", "researching")
    assert fc.rating.label == "False" and fc.summary == "No." and fc.version == 2
    assert claim.id == claim_id and claim.status == State.RESEARCHING.value
    assert [type(c) for c in cited] == [Citation] and cited[0].publisher == "Stats Office"
    assert comments == [Comment("comment", "Second source?", 2, comments[0].created_at, "w")]
    assert all(isinstance(e, AuditEvent) for e in history)
    assert [e.action for e in history] == [
        "fact_check.comment",
        "fact_check.edit",
        "fact_check.cite",
        "fact_check.start",
    ]
    assert [(w.fact_check.id, w.author) for w in wip] == [(fc_id, "w")]
    assert names == {author.id: "w"}


def test_reads_holdings_and_titles(db: sessionmaker[Session]) -> None:
    seed_claim(db, mentions=2)
    with db() as session:
        held = reads.holdings(session)
        assert reads.fact_check_titled(session, "Nothing") is None
    assert held == {
        "sources": 1,
        "items": 2,
        "fact-checks": 0,
        "mentions": 2,
        "claims": 1,
        "quarantined": 0,
    }
