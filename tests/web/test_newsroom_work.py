"""Work never lost and buttons never mute, in-process: submitting saves what is typed, a
stale save shows both texts, a form posted after the session ended survives sign-in,
autosave keeps drafts, staff never get shared-cached pages, greyed buttons say why, and
claims already answered say so before anyone starts."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import drafts as draft_store
from factdesk.store import models as m
from factdesk.types import Actor
from factdesk.workflow import Role
from tests.web.conftest import PASSWORD, Pages, Persona, TestClient
from tests.web.test_flow import _version, act, cite, prepare_for_review, start, write_verdict


def _draft_ready(p: Persona, db: sessionmaker[Session], claim_id: int, server: Pages) -> int:
    from tests.web.conftest import REPORT

    fc_id = start(p, claim_id)
    assert cite(p, fc_id, server.add("/report.html", REPORT)) == 303
    assert act(p, db, fc_id, "draft") == 303
    write_verdict(p, db, fc_id)
    return fc_id


def _fc(db: sessionmaker[Session], fc_id: int) -> m.FactCheck:
    with db() as session:
        return session.get_one(m.FactCheck, fc_id)


def test_submit_saves_the_typed_text_first(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    checker = personas["checker"]
    fc_id = _draft_ready(checker, db, claim_id, evidence_server)
    page = checker.get(f"/desk/fact-checks/{fc_id}").text
    # the workflow bar's "Submit for review" submits the verdict form itself
    assert re.search(r'form="verdict-form"[^>]*name="then" value="submit"', page)
    typed = "No: the three-year study of 12,000 women found no change at all."
    response = checker.post(
        f"/desk/fact-checks/{fc_id}/edit",
        {
            "version": _version(db, fc_id),
            "rating_label": "False",
            "summary": typed,
            "explanation": "Typed, never saved separately.",
            "title": "",
            "then": "submit",
        },
    )
    assert response.status_code == 303
    fc = _fc(db, fc_id)
    assert (fc.status, fc.summary) == ("in_review", typed)


def test_stale_save_shows_both_texts_and_keeps_the_typed_one(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    checker = personas["checker"]
    fc_id = _draft_ready(checker, db, claim_id, evidence_server)
    stale = _version(db, fc_id) - 1
    mine = "My carefully typed verdict that must not be lost."
    response = checker.post(
        f"/desk/fact-checks/{fc_id}/edit",
        {"version": stale, "rating_label": "False", "summary": mine, "explanation": "x"},
    )
    assert response.status_code == 409
    text = unescape(response.text)
    assert "Someone saved first" in text
    assert mine in text  # what I typed, in a form I can save again
    assert "No: a three-year study found no change in fertility." in text  # what is saved
    assert f'name="version" value="{_version(db, fc_id)}"' in response.text
    with db() as session:
        kept = draft_store.load(session, _actor(checker), fc_id, "verdict")
    assert kept is not None and kept.draft.summary == mine
    offer = checker.get(f"/desk/fact-checks/{fc_id}").text
    assert "You have unsaved text" in offer
    restored = checker.get(f"/desk/fact-checks/{fc_id}?restore=verdict").text
    assert f'value="{mine}"' in restored


def _actor(p: Persona) -> Actor:
    assert p.user_id is not None
    return Actor(p.user_id, p.name, Role(p.name if p.name != "outsider" else "viewer"))


def test_post_after_the_session_ended_keeps_the_text_through_sign_in(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    checker = personas["checker"]
    fc_id = _draft_ready(checker, db, claim_id, evidence_server)
    with db.begin() as session:  # the session runs out while the checker types
        for row in session.scalars(
            select(m.WebSession).where(m.WebSession.user_id == checker.user_id)
        ):
            row.expires_at = row.created_at
    typed = "Typed during a long lunch break."
    form = {"version": _version(db, fc_id), "summary": typed, "rating_label": "False"}
    elsewhere = checker.post(
        f"/desk/fact-checks/{fc_id}/edit", form, headers={"origin": "https://evil.example"}
    )
    assert elsewhere.status_code == 303 and "stash" not in elsewhere.text  # not our form
    response = checker.post(
        f"/desk/fact-checks/{fc_id}/edit", form, headers={"origin": "http://testserver"}
    )
    assert response.status_code == 401
    assert "Sign in to the desk" in response.text and typed in unescape(response.text)
    stash = unescape(re.search(r'name="stash" value="([^"]*)"', response.text)[1])  # type: ignore[index]
    browser = TestClient(checker.client.app)
    browser.cookies.set("fd_lang", "en")
    browser.get("/desk/login")
    signed = browser.post(
        "/desk/login",
        data={
            "csrf": browser.cookies.get("fd_csrf") or "",
            "username": "checker",
            "password": PASSWORD,
            "next": f"/desk/fact-checks/{fc_id}",
            "stash": stash,
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303 and signed.headers["location"] == f"/desk/fact-checks/{fc_id}"
    page = browser.get(f"/desk/fact-checks/{fc_id}").text
    assert "You have unsaved text" in page
    assert typed in unescape(browser.get(f"/desk/fact-checks/{fc_id}?restore=verdict").text)
    assert _fc(db, fc_id).summary != typed  # a draft, not a silent save


def test_autosave_keeps_a_private_draft(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    checker, editor = personas["checker"], personas["editor"]
    fc_id = _draft_ready(checker, db, claim_id, evidence_server)
    response = checker.post(
        f"/desk/fact-checks/{fc_id}/autosave",
        {"form": "verdict", "version": _version(db, fc_id), "summary": "half a thou"},
    )
    assert response.status_code == 200 and "data-saved=" in response.text
    assert "You have unsaved text" in checker.get(f"/desk/fact-checks/{fc_id}").text
    assert "You have unsaved text" not in editor.get(f"/desk/fact-checks/{fc_id}").text
    assert checker.post(f"/desk/fact-checks/{fc_id}/drafts/verdict/discard").status_code == 303
    assert "You have unsaved text" not in checker.get(f"/desk/fact-checks/{fc_id}").text


def test_staff_never_get_a_shared_cached_public_page(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    checker, editor, outsider = personas["checker"], personas["editor"], personas["outsider"]
    fc_id = prepare_for_review(checker, db, claim_id, evidence_server)
    act(editor, db, fc_id, "approve")
    act(editor, db, fc_id, "publish")
    anonymous = outsider.get(f"/fact-checks/{fc_id}/")
    assert anonymous.headers["cache-control"] == "public, max-age=60"
    assert "Cookie" in anonymous.headers["vary"]
    staff = editor.get(f"/fact-checks/{fc_id}/")
    assert staff.headers["cache-control"] == "private, no-store"
    assert editor.get("/feed.atom").headers["cache-control"] == "private, no-store"


def test_greyed_buttons_say_why_in_english_and_vietnamese(
    personas: dict[str, Persona],
    db: sessionmaker[Session],
    claim_id: int,
    evidence_server: Pages,
    second_editor: Persona,
) -> None:
    editor, checker = personas["editor"], personas["checker"]
    fc_id = start(editor, claim_id)
    page = editor.get(f"/desk/fact-checks/{fc_id}").text
    assert "needs one cited source" in page  # "start writing" is grey until a source
    fc_id2 = prepare_for_review(editor, db, _other_claim(db), evidence_server)
    own = editor.get(f"/desk/fact-checks/{fc_id2}").text
    assert re.search(r'data-action="approve"\s+disabled', own)
    assert "you wrote this version: another editor must approve" in own
    assert "needs another editor&#39;s approval first" in own
    editor.client.cookies.set("fd_lang", "vi")
    assert (
        "bạn viết phiên bản này: một biên tập viên khác phải duyệt"
        in editor.get(f"/desk/fact-checks/{fc_id2}").text
    )
    checker.client.cookies.set("fd_lang", "vi")
    checker_page = checker.get(f"/desk/fact-checks/{fc_id2}").text
    assert "chỉ biên tập viên mới làm được việc này" in checker_page
    assert (
        "needs"
        not in second_editor.get(f"/desk/fact-checks/{fc_id2}").text.split('data-action="approve"')[
            1
        ][:200]
    )


def _other_claim(db: sessionmaker[Session]) -> int:
    from tests.web.conftest import seed_claim

    return seed_claim(db, "The river water cures colds", mentions=1)


def test_answered_claims_are_badged_and_starting_asks_first(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    checker, editor = personas["checker"], personas["editor"]
    fc_id = prepare_for_review(checker, db, claim_id, evidence_server)
    act(editor, db, fc_id, "approve")
    act(editor, db, fc_id, "publish")
    twin = _other_claim(db)
    maybe = _other_claim(db)
    with db.begin() as session:
        session.add(m.ClaimMatch(claim_id=twin, fact_check_id=fc_id, score=1.0, band="auto"))
        session.add(m.ClaimMatch(claim_id=maybe, fact_check_id=fc_id, score=0.61, band="suggest"))
    queue = checker.get("/desk/queue?status=new").text
    rows = {
        int(row[0]): row[1]
        for row in re.findall(r'<tr><td><a href="/desk/claims/(\d+)">(.*?)</tr>', queue, re.S)
    }
    assert "already answered" in rows[twin] and f"/desk/fact-checks/{fc_id}" in rows[twin]
    assert "1.00" in rows[twin]
    assert "possible match" in rows[maybe] and "already answered" not in rows[maybe]
    with db.begin() as session:  # new claims above the threshold: on the dashboard too
        session.execute(update(m.Claim).where(m.Claim.id == twin).values(score=0.99))
    dashboard = checker.get("/desk/").text
    assert "already answered" in dashboard.split(f'href="/desk/claims/{twin}"')[1][:1500]
    claim_page = checker.get(f"/desk/claims/{twin}").text
    assert "1 mention ·" in claim_page  # one, not "1 mentions"
    assert "already answered" in claim_page and 'name="confirm"' in claim_page
    assert checker.post(f"/desk/claims/{twin}/start").status_code == 409
    assert checker.post(f"/desk/claims/{twin}/start", {"confirm": "yes"}).status_code == 303
    assert checker.post(f"/desk/claims/{maybe}/start").status_code == 303  # only a maybe


def test_fact_check_page_lists_links_to_curate(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    checker, editor = personas["checker"], personas["editor"]
    fc_id = prepare_for_review(checker, db, claim_id, evidence_server)
    with db.begin() as session:
        item = m.Item(dedupe_key="local-file", url="file:///srv/x.html", text="t", content_hash="h")
        session.add(item)
        session.flush()
        session.add(
            m.Mention(item_id=item.id, claim_id=claim_id, text="t", start=0, end=1, score=1)
        )
    page = editor.get(f"/desk/fact-checks/{fc_id}").text
    assert "Where the claim appeared" in page
    assert page.count(">Make public</button>") == 4  # the four web links, not the file
    assert "not a web link: stays internal" in page
    assert "Make all links from this source public:" in page
    assert ">Make public</button>" not in checker.get(f"/desk/fact-checks/{fc_id}").text
