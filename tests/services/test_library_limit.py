"""The library's size cap, FACTDESK_LIBRARY_MAX_BYTES: one setting, enforced the same way
for bytes (a web upload), a command-line file and a fetched URL, refused with one line that
names the limit, quarantined, nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import ConfigError, TooLarge
from factdesk.services import library
from factdesk.settings import Settings, load_settings
from factdesk.store import models as m
from tests.httpserver import LocalServer

LINE = "Radio waves from mobile masts do not carry viruses and cannot spread the flu.\n\n"
MESSAGE = "over the library's 300-byte limit (FACTDESK_LIBRARY_MAX_BYTES)"


@pytest.fixture
def capped(settings: Settings) -> Settings:
    # the general body cap stays high: the library's own cap is what refuses
    return settings.model_copy(
        update={"match_dense": False, "library_max_bytes": 300, "max_body_bytes": 10_000_000}
    )


def _stored(db: sessionmaker[Session]) -> tuple[int, int, list[str]]:
    with db() as s:
        sources = s.scalar(select(func.count()).select_from(m.LibrarySource)) or 0
        documents = s.scalar(select(func.count()).select_from(m.EvidenceDocument)) or 0
        reasons = list(s.scalars(select(m.QuarantineRecord.reason)))
    return sources, documents, reasons


def test_bytes_file_and_url_over_the_cap_are_refused_alike(
    capped: Settings, db: sessionmaker[Session], tmp_path: Path
) -> None:
    big = (LINE * 5).encode()  # 400 bytes
    assert len(big) > 300
    with pytest.raises(TooLarge) as upload:
        library.add_bytes(capped, db, big, name="upload.txt")
    assert (upload.value.message, upload.value.where) == (MESSAGE, "upload.txt")
    path = tmp_path / "notes.txt"
    path.write_bytes(big)
    with pytest.raises(TooLarge) as file:
        library.add_file(capped, db, path)
    assert (file.value.message, file.value.where) == (MESSAGE, str(path))
    with LocalServer() as server:
        server.route("/big.txt", body=big, headers={"content-type": "text/plain"})
        url = server.url("/big.txt")
        with pytest.raises(TooLarge) as fetched:
            library.add_url(capped, db, url)
    assert (fetched.value.message, fetched.value.where) == (MESSAGE, url)
    sources, documents, reasons = _stored(db)
    assert (sources, documents) == (0, 0) and reasons == [MESSAGE] * 3


def test_a_document_within_the_cap_is_added_from_each_way_in(
    capped: Settings, db: sessionmaker[Session], tmp_path: Path
) -> None:
    small = LINE.encode()
    assert library.add_bytes(capped, db, small, name="a.txt").outcome == "added"
    path = tmp_path / "b.txt"
    path.write_bytes(small + b"Second line.")
    assert library.add_file(capped, db, path).outcome == "added"
    with LocalServer() as server:
        server.route("/c.txt", body=small + b"Third.", headers={"content-type": "text/plain"})
        assert library.add_url(capped, db, server.url("/c.txt")).outcome == "added"
    assert _stored(db)[:2] == (3, 3)


def test_the_setting_reads_from_the_environment_within_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings.model_fields["library_max_bytes"].default == 10_000_000
    monkeypatch.setenv("FACTDESK_LIBRARY_MAX_BYTES", "2000000")
    assert load_settings().library_max_bytes == 2_000_000
    monkeypatch.setenv("FACTDESK_LIBRARY_MAX_BYTES", str(16 * 1024 * 1024))
    with pytest.raises(ConfigError, match="FACTDESK_LIBRARY_MAX_BYTES"):
        load_settings()
