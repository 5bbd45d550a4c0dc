from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import NotFound
from factdesk.store.db import transaction
from factdesk.store.reads import public as queries
from factdesk.store.reads.public import (
    MAX_APPEARANCES,
    load_archived,
    load_public,
    public_languages,
    recent_changes,
    search_public,
)
from tests.publish.seed import T0, add_fact_check, correct, withdraw


def test_load_public_assembles_ledger_citations_and_history(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        fc_id = add_fact_check(
            s,
            claim="Tap water causes cancer",
            appearances=[
                ("https://b.example/2", T0 - timedelta(days=2)),
                ("https://a.example/1", T0 - timedelta(days=4)),
                ("https://a.example/1", T0 - timedelta(days=1)),  # same URL, seen again
            ],
        )
        correct(
            s,
            fc_id,
            label="Misleading",
            value=2,
            note="The dose was misquoted.",
            at=T0 + timedelta(days=2),
        )
    with db() as s:
        fc = load_public(s, fc_id)
    assert fc.status == "corrected" and fc.rating.label == "Misleading"
    assert [a.url for a in fc.appearances] == ["https://a.example/1", "https://b.example/2"]
    assert fc.first_appearance is not None
    assert fc.first_appearance.date == T0 - timedelta(days=4)
    assert fc.ours and fc.citations[0].document_id is not None
    assert fc.citations[0].quote_found and fc.citations[0].url == "https://stats.example.gov/report"
    assert [(r.version, r.kind, r.note) for r in fc.history] == [
        (1, "published", None),
        (2, "corrected", "The dose was misquoted."),
    ]
    assert fc.revision == 2  # published versions, as the public counts them
    assert fc.version == 4  # the desk's edit counter
    assert fc.date_modified == T0 + timedelta(days=2)


def test_load_public_hides_drafts_and_imported_fact_checks(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        draft = add_fact_check(s, claim="A draft", status="draft")
        imported = add_fact_check(s, claim="Someone else's", origin="imported")
    with db() as s:
        for fc_id in (draft, imported, 99999):
            with pytest.raises(NotFound):
                load_public(s, fc_id)
        assert search_public(s).total == 0


def test_withdrawn_fact_check_keeps_its_reason(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        fc_id = add_fact_check(s, claim="Bridge collapsed")
        withdraw(s, fc_id, note="Our source was a staged photo.", at=T0 + timedelta(days=1))
    with db() as s:
        fc = load_public(s, fc_id)
    assert fc.withdrawn and fc.withdrawal_note == "Our source was a staged photo."


def test_search_public_filters_words_accents_and_language(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        vi = add_fact_check(s, claim="Uống nước chanh chữa khỏi ung thư", language="vi")
        en = add_fact_check(
            s, claim="Lemon water cures cancer", language="en", published=T0 + timedelta(hours=1)
        )
        add_fact_check(
            s,
            claim="Unrelated claim about bridges",
            language="en",
            published=T0 + timedelta(hours=2),
        )
    with db() as s:
        assert [f.id for f in search_public(s, query="ung thu").items] == [vi]
        assert [f.id for f in search_public(s, query="UNG THƯ").items] == [vi]
        assert search_public(s, query="ung thủ").items == ()  # accents typed are respected
        assert [f.id for f in search_public(s, query="cancer lemon").items] == [en]
        assert {f.id for f in search_public(s, language="vi").items} == {vi}
        page = search_public(s, limit=2)
        assert page.total == 3 and len(page.items) == 2
        assert page.items[0].claim_reviewed.startswith("Unrelated")  # newest first
        assert public_languages(s) == ["en", "vi"]


def test_recent_changes_orders_by_last_change(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        old = add_fact_check(s, claim="Old claim", published=T0)
        new = add_fact_check(s, claim="New claim", published=T0 + timedelta(days=1))
        correct(s, old, label="True", value=5, note="Re-checked.", at=T0 + timedelta(days=3))
    with db() as s:
        assert [f.id for f in recent_changes(s, limit=10)] == [old, new]
        assert [f.id for f in recent_changes(s, limit=1)] == [old]


def test_appearances_are_capped(db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "MAX_APPEARANCES", 2)
    with transaction(db) as s:
        fc_id = add_fact_check(
            s,
            claim="Viral claim",
            appearances=[(f"https://x.example/{n}", T0 - timedelta(days=n)) for n in range(5)],
        )
    with db() as s:
        fc = load_public(s, fc_id)
    assert [a.url for a in fc.appearances] == ["https://x.example/4", "https://x.example/3"]
    assert MAX_APPEARANCES == 50


def test_load_archived_only_for_public_citations(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        public = add_fact_check(s, claim="Cited publicly")
        draft = add_fact_check(s, claim="Cited in a draft", status="draft")
    with db() as s:
        fc = load_public(s, public)
        doc_id = fc.citations[0].document_id
        assert doc_id is not None
        copy = load_archived(s, doc_id)
        assert copy.text.startswith("The figure is 12 per cent") and copy.fact_check_ids == (
            public,
        )
        from sqlalchemy import select

        from factdesk.store import models as m

        draft_doc = s.scalar(
            select(m.Citation.document_id).where(m.Citation.fact_check_id == draft)
        )
        with pytest.raises(NotFound):
            load_archived(s, int(draft_doc or 0))
