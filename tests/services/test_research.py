"""Research: archiving a cited page (its text and bytes, kept once per content) and checking
that the quoted words are on it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import InputError
from factdesk.services.research import check_url, extract_text, quote_in, store_document
from factdesk.store import models as m
from factdesk.types import ArchivedPage


def test_archive_quote_in_ignores_case_space_and_curly_quotes() -> None:
    page = "Bộ Y tế cho biết: “không có thay đổi”\n  về tỷ lệ sinh."
    assert quote_in(page, 'KHÔNG CÓ thay đổi" về tỷ lệ')
    assert not quote_in(page, "có thay đổi lớn")
    assert not quote_in(page, "   ")


def test_archive_extract_text_by_type() -> None:
    html = (
        b"<html><head><title>T</title></head><body><article><p>"
        + b"Words here. " * 30
        + b"</p></article></body></html>"
    )
    text, title = extract_text(html, "http://127.0.0.1/x", "text/html; charset=utf-8")
    assert "Words here." in text and title == "T"
    assert extract_text(b"plain", "u", "text/plain")[0] == "plain"
    assert extract_text(b"%PDF-1.4", "u", "application/pdf") == ("", None)


def _page(text: str) -> ArchivedPage:
    body = text.encode()
    return ArchivedPage(
        url="https://gov.example/report",
        final_url="https://gov.example/report",
        body=body,
        content_type="text/plain",
        text=text,
        title=None,
        content_hash=str(hash(body)),
        fetched_at=datetime.now(UTC),
    )


def test_archive_store_document_keeps_each_content_once(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        first = store_document(session, _page("Version one."), "Gov")
        same = store_document(session, _page("Version one."), None)
        changed = store_document(session, _page("Version two."), "Gov")
    assert isinstance(first, int) and first == same and changed != first
    with db() as session:
        rows = session.execute(select(m.EvidenceDocument.id, m.EvidenceDocument.raw)).all()
        assert session.scalar(select(func.count()).select_from(m.EvidenceDocument)) == 2
    assert dict(rows)[first] == b"Version one."  # the bytes as fetched


def test_archive_check_url_wants_http() -> None:
    assert check_url("  https://gov.example/x ") == "https://gov.example/x"
    for bad in ("ftp://gov.example/x", "gov.example", "https://" + "a" * 2000):
        with pytest.raises(InputError) as caught:
            check_url(bad)
        assert caught.value.where == "url"
