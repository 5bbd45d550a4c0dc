"""The newsroom's claim page: mentions, chart, matches (recorded, searched, or the linked
fall-back), close claims and merging, taking the claim."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import match
from factdesk.store import models as m
from tests.web.conftest import Persona, seed_claim


def test_claim_page_shows_mentions_chart_matches_and_history(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int
) -> None:
    with db.begin() as session:
        session.add(
            m.FactCheck(
                origin="imported",
                status="published",
                claim_id=claim_id,
                dedupe_key="url:https://checker.example/x",
                claim_reviewed="Vaccine X makes women infertile",
                rating_label="False",
                publisher="Checker Example",
                url="https://checker.example/x",
                content_hash="h",
            )
        )
    page = personas["viewer"].get(f"/desk/claims/{claim_id}")
    assert page.status_code == 200
    assert page.text.count("<rect") == 4  # one bar per day with mentions
    assert "https://news.example/post/0" in page.text
    assert f'hx-get="/desk/claims/{claim_id}/matches"' in page.text  # searched after the page
    matches = personas["viewer"].get(f"/desk/claims/{claim_id}/matches").text
    assert "Checker Example" in matches and "https://checker.example/x" in matches
    assert "Start a fact-check" not in page.text  # viewers cannot
    checker_page = personas["checker"].get(f"/desk/claims/{claim_id}")
    assert "Start a fact-check" in checker_page.text
    personas["checker"].post(f"/desk/claims/{claim_id}/start")
    history = personas["viewer"].get(f"/desk/claims/{claim_id}").text
    assert "checker" in history and "started the fact-check" in history
    assert personas["viewer"].get("/desk/claims/9999").status_code == 404


def test_claim_page_shows_recorded_matches_first(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int
) -> None:
    with db.begin() as session:
        fc = m.FactCheck(
            origin="imported",
            status="published",
            dedupe_key="url:https://c.example/1",
            claim_reviewed="Vaccine X and fertility",
            rating_label="Misleading",
            publisher="Recorded Checker",
            url="https://c.example/1",
            content_hash="h",
        )
        session.add(fc)
        session.flush()
        session.add(m.ClaimMatch(claim_id=claim_id, fact_check_id=fc.id, score=0.93, band="auto"))
    page = personas["viewer"].get(f"/desk/claims/{claim_id}").text
    assert "Recorded Checker" in page and "0.93" in page and "Misleading" in page


def test_claim_page_suggests_close_claims_and_editors_merge_them(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    english = seed_claim(db, "Petrol prices will double next month", mentions=3)
    vietnamese = seed_claim(db, "Giá xăng sẽ tăng gấp đôi vào tháng sau", language="vi", mentions=2)
    with db.begin() as session:  # what linking records when it is close but not sure
        session.execute(
            update(m.Claim)
            .where(m.Claim.id == vietnamese)
            .values(similar_id=english, similar_score=0.47)
        )
    seen = personas["viewer"].get(f"/desk/claims/{english}")
    assert "Possibly the same claim" in seen.text and "Giá xăng sẽ tăng" in seen.text
    assert "0.47" in seen.text and f"/desk/claims/{english}/merge" not in seen.text  # read only
    editor = personas["editor"]
    page = editor.get(f"/desk/claims/{vietnamese}")
    assert f'action="/desk/claims/{vietnamese}/merge"' in page.text
    assert f'name="into" value="{english}"' in page.text
    assert (
        personas["checker"].post(f"/desk/claims/{vietnamese}/merge", {"into": english}).status_code
        == 403
    )
    done = editor.post(f"/desk/claims/{vietnamese}/merge", {"into": english})
    assert done.status_code == 303 and done.headers["location"] == f"/desk/claims/{english}"
    with db() as session:
        source = session.get(m.Claim, vietnamese)
        target = session.get(m.Claim, english)
        assert source is not None and target is not None
        assert source.merged_into_id == english and target.mention_count == 5
        events = session.scalars(
            select(m.AuditEvent).where(m.AuditEvent.action == "claim.merge")
        ).all()
        assert {(e.actor, e.actor_id) for e in events} == {("editor", editor.user_id)}
    after = editor.get(f"/desk/claims/{english}")
    assert "Giá xăng sẽ tăng" not in after.text.split("Possibly the same claim")[-1]
    again = editor.post(f"/desk/claims/{vietnamese}/merge", {"into": english})
    assert again.status_code == 409  # already merged: a conflict, nothing changes
    itself = editor.post(f"/desk/claims/{english}/merge", {"into": english})
    assert itself.status_code == 400


def test_claim_page_matches_fall_back_to_linked_fact_checks_with_a_note(
    personas: dict[str, Persona],
    db: sessionmaker[Session],
    claim_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with db.begin() as session:
        session.add(
            m.FactCheck(
                origin="imported",
                status="published",
                claim_id=claim_id,
                dedupe_key="url:https://linked.example/1",
                claim_reviewed="Vaccine X and infertility",
                rating_label="False",
                publisher="Linked Checker",
                url="https://linked.example/1",
                content_hash="h",
            )
        )
    monkeypatch.setitem(match._broken, "until", 0.0)
    monkeypatch.setitem(match._broken, "note", "")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("index file is corrupt")

    monkeypatch.setattr(match, "match_text", crash)
    response = personas["viewer"].get(f"/desk/claims/{claim_id}/matches")
    assert response.status_code == 200
    assert "matching failed: RuntimeError" in response.text
    assert "Linked Checker" in response.text and "https://linked.example/1" in response.text
    assert "band-linked" in response.text and "1.00" in response.text
    assert personas["viewer"].get("/desk/claims/9999/matches").status_code == 404
