"""Has this claim been answered already? The best earlier answer per claim, from recorded
matches (auto beats suggest, then score) and from the linking's near-duplicate with a
published fact-check of ours; never the claim's own fact-check, a draft or a withdrawal."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.store.reads.answers import answers
from tests.publish.seed import add_fact_check


def _match(session: Session, claim_id: int, fc_id: int, score: float, band: str) -> None:
    session.add(m.ClaimMatch(claim_id=claim_id, fact_check_id=fc_id, score=score, band=band))


def test_answers_pick_the_best_live_answer_for_each_claim(db: sessionmaker[Session]) -> None:
    with transaction(db) as session:
        sure = add_fact_check(session, claim="Bridge collapsed", label="False")
        maybe = add_fact_check(session, claim="Bridge fell", label="Misleading")
        draft = add_fact_check(session, claim="Bridge draft", status="draft")
        gone = add_fact_check(session, claim="Bridge gone", status="withdrawn")
        theirs = add_fact_check(session, claim="Bridge theirs", origin="imported")
        own = session.get_one(m.FactCheck, sure).claim_id
        assert own is not None
        asking = m.Claim(text="The bridge collapsed", language="en", score=0.9, status="new",
                         mention_count=1)  # fmt: skip
        near = m.Claim(text="A bridge collapsed?", language="en", score=0.5, status="new",
                       mention_count=1, similar_id=own, similar_score=0.87)  # fmt: skip
        lonely = m.Claim(text="Nothing to see", language="en", score=0.5, status="new",
                         mention_count=1)  # fmt: skip
        session.add_all([asking, near, lonely])
        session.flush()
        _match(session, asking.id, maybe, 0.95, "suggest")
        _match(session, asking.id, sure, 0.80, "auto")  # auto wins over a higher suggest
        _match(session, asking.id, draft, 0.99, "auto")  # not published: never an answer
        _match(session, asking.id, gone, 0.99, "auto")  # withdrawn: never an answer
        _match(session, lonely.id, theirs, 0.70, "suggest")  # another publisher's: fine
        _match(session, own, sure, 1.0, "auto")  # its own fact-check is no earlier answer
        ids = (asking.id, near.id, lonely.id, own)
    with db() as session:
        found = answers(session, [*ids, asking.id])
    assert found[ids[0]].band == "auto" and found[ids[0]].fact_check.id == sure
    assert found[ids[1]].band == "suggest" and found[ids[1]].fact_check.id == sure
    assert found[ids[1]].score == 0.87
    assert found[ids[2]].fact_check.id == theirs
    assert own not in found
    with db() as session:
        assert answers(session, []) == {}
