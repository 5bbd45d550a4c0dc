"""The whole desk flow in-process: from a detected claim to a published fact-check, and
every shortcut the app must refuse on the way."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.store import models as m
from tests.web.conftest import QUOTE, REPORT, Pages, Persona, article


def _fc_id(response_location: str) -> int:
    match = re.search(r"/desk/fact-checks/(\d+)", response_location)
    assert match, response_location
    return int(match[1])


def _version(db: sessionmaker[Session], fc_id: int) -> int:
    with db() as session:
        return session.get_one(m.FactCheck, fc_id).version


def _status(db: sessionmaker[Session], fc_id: int) -> str:
    with db() as session:
        return session.get_one(m.FactCheck, fc_id).status


def start(p: Persona, claim_id: int) -> int:
    response = p.post(f"/desk/claims/{claim_id}/start")
    assert response.status_code == 303, response.text
    return _fc_id(response.headers["location"])


def act(p: Persona, db: sessionmaker[Session], fc_id: int, action: str, **extra: str) -> int:
    response = p.post(
        f"/desk/fact-checks/{fc_id}/transition",
        {"action": action, "version": _version(db, fc_id), **extra},
    )
    return response.status_code


def cite(p: Persona, fc_id: int, url: str, quote: str = QUOTE) -> int:
    response = p.post(
        f"/desk/fact-checks/{fc_id}/cite",
        {"url": url, "quote": quote, "publisher": "Health ministry", "date": "2024-05-02"},
    )
    return response.status_code


def write_verdict(p: Persona, db: sessionmaker[Session], fc_id: int) -> None:
    response = p.post(
        f"/desk/fact-checks/{fc_id}/edit",
        {
            "version": _version(db, fc_id),
            "rating_label": "False",
            "summary": "No: a three-year study found no change in fertility.",
            "explanation": "The ministry's **three-year study** found no effect.\n\n<script>x()</script>",
            "title": "Vaccine X does not cause infertility",
        },
    )
    assert response.status_code == 303, response.text


def prepare_for_review(
    p: Persona, db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> int:
    url = evidence_server.add("/report.html", REPORT)
    fc_id = start(p, claim_id)
    assert cite(p, fc_id, url) == 303
    assert act(p, db, fc_id, "draft") == 303
    write_verdict(p, db, fc_id)
    assert act(p, db, fc_id, "submit") == 303
    return fc_id


def test_flow_two_people_take_claim_to_published(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    checker, editor = personas["checker"], personas["editor"]
    fc_id = prepare_for_review(checker, db, claim_id, evidence_server)
    assert _status(db, fc_id) == "in_review"

    assert editor.get(f"/desk/fact-checks/{fc_id}/review").status_code == 200
    assert act(editor, db, fc_id, "approve", note="Checked the report myself.") == 303
    assert act(editor, db, fc_id, "publish") == 303
    assert _status(db, fc_id) == "published"

    public = personas["outsider"].get(f"/fact-checks/{fc_id}/")
    assert public.status_code == 200
    assert "Vaccine X does not cause infertility" in public.text
    assert "<strong>three-year study</strong>" in public.text
    assert "<script>x()</script>" not in public.text  # raw HTML in Markdown is escaped
    assert QUOTE in public.text
    with db() as session:
        claim = session.get_one(m.Claim, claim_id)
        fc = session.get_one(m.FactCheck, fc_id)
        assert claim.status == "published"
        assert fc.date_published is not None and fc.reviewer_id == editor.user_id
        versions = session.scalars(
            select(m.FactCheckVersion).where(m.FactCheckVersion.fact_check_id == fc_id)
        ).all()
        assert len(versions) == 1 and versions[0].snapshot["citations"][0]["url"].endswith(
            "/report.html"
        )
        actions = session.scalars(
            select(m.AuditEvent.action)
            .where(m.AuditEvent.entity_id == fc_id, m.AuditEvent.entity_type == "fact_check")
            .order_by(m.AuditEvent.id)
        ).all()
    assert actions == [
        "fact_check.start",
        "fact_check.cite",
        "fact_check.draft",
        "fact_check.edit",
        "fact_check.submit",
        "fact_check.approve",
        "fact_check.publish",
    ]


def test_flow_audit_records_who_before_and_after(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    fc_id = prepare_for_review(personas["checker"], db, claim_id, evidence_server)
    with db() as session:
        event = session.scalars(
            select(m.AuditEvent).where(m.AuditEvent.action == "fact_check.submit")
        ).one()
    assert event.actor == "checker" and event.actor_id == personas["checker"].user_id
    assert event.before["status"] == "draft" and event.after["status"] == "in_review"
    assert event.after["version"] == event.before["version"] + 1
    assert event.at is not None and event.entity_id == fc_id


def test_flow_refuses_self_approval(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    editor = personas["editor"]
    fc_id = prepare_for_review(editor, db, claim_id, evidence_server)
    assert act(editor, db, fc_id, "approve") == 409
    assert act(editor, db, fc_id, "publish") == 409
    assert _status(db, fc_id) == "in_review"


def test_flow_refuses_approval_by_anyone_who_edited(
    personas: dict[str, Persona],
    db: sessionmaker[Session],
    claim_id: int,
    evidence_server: Pages,
    second_editor: Persona,
) -> None:
    """A co-author (who only saved the verdict once) is an author too."""
    checker, editor = personas["checker"], personas["editor"]
    url = evidence_server.add("/report.html", REPORT)
    fc_id = start(checker, claim_id)
    assert cite(checker, fc_id, url) == 303
    write_verdict(editor, db, fc_id)
    assert act(checker, db, fc_id, "draft") == 303
    assert act(checker, db, fc_id, "submit") == 303
    assert act(editor, db, fc_id, "approve") == 409
    assert act(second_editor, db, fc_id, "approve") == 303


def test_flow_refuses_publish_without_approval_or_evidence(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    checker, editor = personas["checker"], personas["editor"]
    fc_id = start(checker, claim_id)
    write_verdict(checker, db, fc_id)
    assert act(checker, db, fc_id, "draft") == 409  # no evidence yet
    assert act(editor, db, fc_id, "publish") == 409
    assert _status(db, fc_id) == "researching"
    assert cite(checker, fc_id, evidence_server.add("/r.html", REPORT)) == 303
    assert act(checker, db, fc_id, "draft") == 303
    assert act(checker, db, fc_id, "submit") == 303
    assert act(editor, db, fc_id, "publish") == 409  # not approved yet
    # Evidence cannot be removed once in review, so an approval always covers it.
    with db() as session:
        citation_id = session.scalars(select(m.Citation.id)).one()
    assert (
        checker.post(f"/desk/fact-checks/{fc_id}/citations/{citation_id}/delete").status_code == 409
    )
    assert _status(db, fc_id) == "in_review"


def test_flow_refuses_viewer_and_checker_shortcuts(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    viewer, checker = personas["viewer"], personas["checker"]
    assert viewer.post(f"/desk/claims/{claim_id}/start").status_code == 403
    fc_id = prepare_for_review(personas["editor"], db, claim_id, evidence_server)
    assert (
        viewer.post(
            f"/desk/fact-checks/{fc_id}/edit", {"version": _version(db, fc_id), "summary": "x"}
        ).status_code
        == 403
    )
    assert act(viewer, db, fc_id, "approve") == 403
    assert act(checker, db, fc_id, "approve") == 403  # checkers write, editors review
    assert act(checker, db, fc_id, "publish") == 403
    assert _status(db, fc_id) == "in_review"


def test_flow_stale_version_conflicts(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int
) -> None:
    checker = personas["checker"]
    fc_id = start(checker, claim_id)
    seen = _version(db, fc_id)
    write_verdict(checker, db, fc_id)
    response = checker.post(
        f"/desk/fact-checks/{fc_id}/edit", {"version": seen, "summary": "an older draft"}
    )
    assert response.status_code == 409
    assert personas["editor"].post(f"/desk/claims/{claim_id}/start").status_code == 409


def test_flow_send_back_needs_comment_and_clears_approval(
    personas: dict[str, Persona],
    db: sessionmaker[Session],
    claim_id: int,
    evidence_server: Pages,
    second_editor: Persona,
) -> None:
    checker, editor = personas["checker"], personas["editor"]
    fc_id = prepare_for_review(checker, db, claim_id, evidence_server)
    assert act(editor, db, fc_id, "approve") == 303
    assert act(second_editor, db, fc_id, "send_back") == 409  # no comment
    assert act(second_editor, db, fc_id, "send_back", note="Cite the raw data too.") == 303
    with db() as session:
        fc = session.get_one(m.FactCheck, fc_id)
        assert fc.status == "draft" and fc.reviewer_id is None
        comments = session.scalars(
            select(m.ReviewComment.body).where(m.ReviewComment.kind == "send_back")
        ).all()
    assert comments == ["Cite the raw data too."]
    page = checker.get(f"/desk/fact-checks/{fc_id}")
    assert "Cite the raw data too." in page.text


def test_flow_correction_and_withdrawal_keep_versions(
    personas: dict[str, Persona],
    db: sessionmaker[Session],
    claim_id: int,
    evidence_server: Pages,
    second_editor: Persona,
) -> None:
    checker, editor = personas["checker"], personas["editor"]
    fc_id = prepare_for_review(checker, db, claim_id, evidence_server)
    act(editor, db, fc_id, "approve")
    act(editor, db, fc_id, "publish")
    changed = {
        "rating_label": "Mostly false",
        "summary": "Mostly not.",
        "explanation": "Updated.",
        "title": "",
    }
    assert act(editor, db, fc_id, "correct", **changed, note="") == 409  # a note is needed
    assert act(checker, db, fc_id, "correct", **changed, note="Typo") == 403
    # the rating changes: nobody publishes that alone, on any path
    assert act(editor, db, fc_id, "correct", **changed, note="The study size was 12,000.") == 409
    proposed = editor.post(
        f"/desk/fact-checks/{fc_id}/correct",
        {"version": _version(db, fc_id), **changed, "note": "The study size was 12,000."},
    )
    assert proposed.status_code == 303
    with db() as session:
        pending = session.scalar(select(m.FactCheckCorrection.id))
    waiting = second_editor.get("/desk/review").text
    assert f"/desk/fact-checks/{fc_id}#correction" in waiting and "rating changed" in waiting
    assert editor.post(f"/desk/corrections/{pending}/approve", {}).status_code == 409
    assert second_editor.post(f"/desk/corrections/{pending}/approve", {}).status_code == 303
    assert act(editor, db, fc_id, "withdraw", note="Source retracted.") == 303
    with db() as session:
        fc = session.get_one(m.FactCheck, fc_id)
        notes = session.scalars(
            select(m.FactCheckVersion.note)
            .where(m.FactCheckVersion.fact_check_id == fc_id)
            .order_by(m.FactCheckVersion.version)
        ).all()
    assert fc.status == "withdrawn" and fc.rating_label == "Mostly false" and fc.rating_value == 2
    assert notes == ["publish", "The study size was 12,000.", "Source retracted."]
    assert "withdrawn" in personas["outsider"].get(f"/fact-checks/{fc_id}/").text


def test_flow_archived_citation_survives_source_change_and_loss(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    checker = personas["checker"]
    url = evidence_server.add("/report.html", REPORT)
    fc_id = start(checker, claim_id)
    assert cite(checker, fc_id, url) == 303
    with db() as session:
        citation = session.scalars(select(m.Citation)).one()
        document = session.get_one(m.EvidenceDocument, citation.document_id)
    assert citation.quote_found and citation.archived_at is not None
    assert document.raw == REPORT.encode() and citation.content_hash == document.content_hash
    assert QUOTE in document.text

    evidence_server.add("/report.html", article("Page moved", ["Nothing here any more."]))
    assert cite(checker, fc_id, url, quote="Nothing here any more.") == 303
    del evidence_server.pages["/report.html"]
    assert cite(checker, fc_id, url) == 502  # the source is gone: nothing to archive
    with db() as session:
        assert session.scalar(select(func.count()).select_from(m.EvidenceDocument)) == 2
    archived = checker.get(f"/desk/evidence/{citation.document_id}")
    assert archived.status_code == 200 and QUOTE in archived.text
    raw = checker.get(f"/desk/evidence/{citation.document_id}/raw")
    assert raw.content == REPORT.encode()
    assert raw.headers["content-security-policy"].startswith("sandbox")


def test_flow_quote_missing_from_page_is_flagged(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int, evidence_server: Pages
) -> None:
    checker = personas["checker"]
    fc_id = start(checker, claim_id)
    assert (
        cite(checker, fc_id, evidence_server.add("/r.html", REPORT), quote="vaccine X is dangerous")
        == 303
    )
    with db() as session:
        assert session.scalars(select(m.Citation.quote_found)).one() is False
    assert "quote not found on the archived page" in checker.get(f"/desk/fact-checks/{fc_id}").text


def test_flow_cite_validates_input_before_fetching(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int
) -> None:
    checker = personas["checker"]
    fc_id = start(checker, claim_id)
    assert cite(checker, fc_id, "ftp://example.org/x") == 400
    assert cite(checker, fc_id, "http://127.0.0.1:9/x", quote=" ") == 400
    assert (
        personas["viewer"]
        .post(f"/desk/fact-checks/{fc_id}/cite", {"url": "http://127.0.0.1:9/", "quote": "q"})
        .status_code
        == 403
    )


def test_flow_comments_and_preview(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int
) -> None:
    checker = personas["checker"]
    fc_id = start(checker, claim_id)
    assert (
        checker.post(
            f"/desk/fact-checks/{fc_id}/comment", {"body": "Need a 2nd source"}
        ).status_code
        == 303
    )
    assert (
        personas["viewer"].post(f"/desk/fact-checks/{fc_id}/comment", {"body": "hi"}).status_code
        == 403
    )
    assert "Need a 2nd source" in checker.get(f"/desk/fact-checks/{fc_id}").text
    preview = checker.client.post(
        "/desk/preview",
        data={"explanation": "*hi* <b>x</b>"},
        headers={"X-CSRF-Token": checker.csrf},
    )
    assert preview.status_code == 200
    assert "<em>hi</em>" in preview.text and "<b>" not in preview.text
