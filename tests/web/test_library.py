"""The library pages and the claim page's research panel: add (URL or upload), browse,
withdraw, search with stance and highlights, cite in one click; roles and CSRF on every
write; the public page links each passage quote to its archived copy."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import library
from factdesk.settings import Settings
from factdesk.store import models as m
from tests.httpserver import LocalServer
from tests.pdfgen import make_pdf
from tests.web.conftest import Persona
from tests.web.test_flow import act, write_verdict

NOTE = (
    b"Vaccine X does not cause infertility, a review of trials in 20,000 women found.\n\n"
    b"Side effects of vaccine X in women were mild and short-lived."
)


def _upload(persona: Persona, name: str, data: bytes, **form: str) -> object:
    return persona.client.post(
        "/desk/library",
        data={"csrf": persona.csrf, **form},
        files={"upload": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


def test_library_upload_browse_and_show_versions(personas: dict[str, Persona]) -> None:
    checker = personas["checker"]
    added = _upload(checker, "review.txt", NOTE, publisher="Health Agency", published="2026-01")
    assert added.status_code == 303  # type: ignore[attr-defined]
    where = added.headers["location"]  # type: ignore[attr-defined]
    assert where.startswith("/desk/library/") and where.endswith("?added=added")
    again = _upload(checker, "review.txt", NOTE + b"\n\nUpdated in March.")
    assert again.headers["location"].endswith("?added=new_version")  # type: ignore[attr-defined]
    shown = personas["viewer"].get(where.split("?")[0])
    assert shown.status_code == 200 and "Health Agency" in shown.text
    assert shown.text.count("/raw") == 2  # both versions archived, each downloadable
    listing = personas["viewer"].get("/desk/library")
    assert "review.txt" in listing.text and "Add a source" not in listing.text  # viewer
    found = personas["viewer"].get("/desk/library", params={"q": "vaccine infertility"})
    assert "<mark>" in found.text and "never a verdict" in found.text


def test_library_add_by_url_and_bad_upload(personas: dict[str, Persona]) -> None:
    checker = personas["checker"]
    with LocalServer() as server:
        server.route("/n.pdf", body=make_pdf(["Masts do not spread flu."], "Masts"))
        added = checker.post("/desk/library", {"url": server.url("/n.pdf")})
    assert added.status_code == 303
    assert "Masts" in checker.get(added.headers["location"]).text
    bad = _upload(checker, "broken.pdf", b"%PDF-1.4\n1 0 obj <<")
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert "corrupt PDF" in bad.text  # type: ignore[attr-defined]
    assert checker.post("/desk/library", {}).status_code == 400


def test_library_upload_over_the_limit_is_refused(
    app: FastAPI, personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    settings: Settings = app.state.desk.settings
    app.state.desk.settings = settings.model_copy(update={"library_max_bytes": 100})
    refused = _upload(personas["checker"], "big.txt", b"word " * 100)
    assert refused.status_code == 413  # type: ignore[attr-defined]
    assert "100-byte limit (FACTDESK_LIBRARY_MAX_BYTES)" in refused.text  # type: ignore[attr-defined]
    with db() as session:
        assert session.scalars(select(m.LibrarySource)).first() is None


def test_library_roles_and_csrf(personas: dict[str, Persona], db: sessionmaker[Session]) -> None:
    assert _upload(personas["viewer"], "a.txt", NOTE).status_code == 403  # type: ignore[attr-defined]
    assert personas["outsider"].get("/desk/library").status_code in (302, 303)
    no_csrf = personas["checker"].client.post(
        "/desk/library", files={"upload": ("a.txt", NOTE)}, follow_redirects=False
    )
    assert no_csrf.status_code == 403
    added = _upload(personas["checker"], "a.txt", NOTE)
    source = added.headers["location"].split("?")[0]  # type: ignore[attr-defined]
    assert personas["checker"].post(f"{source}/withdraw").status_code == 403
    assert personas["editor"].post(f"{source}/withdraw").status_code == 303
    assert "withdrawn" in personas["viewer"].get(source).text
    assert personas["editor"].post(f"{source}/restore").status_code == 303


def test_research_panel_cites_in_one_click_and_public_quote_links_archive(
    app: FastAPI,
    personas: dict[str, Persona],
    db: sessionmaker[Session],
    claim_id: int,
) -> None:
    settings = app.state.desk.settings
    added = library.add_bytes(settings, db, NOTE, name="r.txt", url="https://health.example/r")
    page = personas["viewer"].get(f"/desk/claims/{claim_id}")
    assert f'hx-get="/desk/claims/{claim_id}/research"' in page.text
    panel = personas["viewer"].get(f"/desk/claims/{claim_id}/research")
    assert "does not cause <mark>infertility</mark>" in panel.text or "<mark>" in panel.text
    assert "Cite this passage" not in panel.text  # viewers cannot cite
    checker = personas["checker"]
    panel = checker.get(f"/desk/claims/{claim_id}/research")
    assert panel.text.count("Cite this passage") == 2
    passages = library.show_source(db, added.source.id).passages
    assert (
        personas["viewer"]
        .post(f"/desk/claims/{claim_id}/research/cite", {"passage_id": passages[0].id})
        .status_code
        == 403
    )
    for p in passages:  # the first click starts the fact-check too
        cited = checker.post(f"/desk/claims/{claim_id}/research/cite", {"passage_id": p.id})
        assert cited.status_code == 303
    panel = checker.get(f"/desk/claims/{claim_id}/research")
    assert panel.text.count(">cited<") == 2 and "Cite this passage" not in panel.text
    with db() as session:
        rows = session.scalars(select(m.Citation).order_by(m.Citation.id)).all()
        assert [r.passage_id for r in rows] == [p.id for p in passages]
        assert all(r.document_id == added.version_id for r in rows)
        fc_id = rows[0].fact_check_id
    _publish(checker, personas["editor"], db, fc_id)
    public = personas["outsider"].get(f"/fact-checks/{fc_id}/")
    assert public.status_code == 200, public.text
    for row in rows:
        link = f"/archive/{added.version_id}/#quote-{row.id}"
        assert link in public.text
    with db() as session:
        frozen = session.scalars(
            select(m.FactCheckVersion).where(m.FactCheckVersion.fact_check_id == fc_id)
        ).one()
    cited = frozen.snapshot["citations"]
    assert [c["passage_id"] for c in cited] == [p.id for p in passages]
    assert cited[0]["quote_end"] - cited[0]["quote_start"] == len(rows[0].quote)
    assert cited[0]["document_id"] == added.version_id and len(cited[0]["content_hash"]) == 64
    archive = personas["outsider"].get(f"/archive/{added.version_id}/")
    assert f'<mark id="quote-{rows[0].id}" class="quote">{rows[0].quote}</mark>' in archive.text


def _publish(author: Persona, editor: Persona, db: sessionmaker[Session], fc_id: int) -> None:
    """The normal two-person flow: the checker drafts and submits, an editor approves and
    publishes (the same helpers as the workflow tests)."""
    assert act(author, db, fc_id, "draft") == 303
    write_verdict(author, db, fc_id)
    assert act(author, db, fc_id, "submit") == 303
    assert act(editor, db, fc_id, "approve", note="Read both passages in the archive.") == 303
    assert act(editor, db, fc_id, "publish") == 303


def test_library_upload_of_binary_bytes_passes_the_request_limits(
    personas: dict[str, Persona],
) -> None:
    """A real PDF holds NUL bytes: the library route takes them in the file part (stored as
    bytes), while a NUL in a text field is still refused."""
    pdf = make_pdf(["Masts do not spread flu."], "Masts")
    pdf = pdf.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%\x00\xe2\xe3\n", 1)  # a binary comment line
    added = _upload(personas["checker"], "masts.pdf", pdf)
    assert added.status_code == 303, added.text  # type: ignore[attr-defined]
    refused = _upload(personas["checker"], "notes.txt", NOTE, publisher="Health\x00Agency")
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "NUL" in refused.text  # type: ignore[attr-defined]
