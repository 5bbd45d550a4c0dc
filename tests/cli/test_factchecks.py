"""`factdesk fact-checks list`, `eval claimreview` and `eval langid` in-process."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from factdesk.store.db import transaction
from tests.cli.conftest import CLI
from tests.publish.seed import add_fact_check

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
WORLD = FIXTURES / "claimreview_world"


def test_fact_checks_list_ours_and_imported_with_true_languages(
    cli: CLI, db: sessionmaker[Session], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FACTDESK_PUBLIC_BASE_URL", "https://checks.example.org")
    monkeypatch.setenv("FACTDESK_ORG_NAME", "Example Checks")
    with transaction(db) as session:
        ours = add_fact_check(session, claim="Trà sữa chữa được cảm cúm.", language="vi")
    for name in ("hi_01_notes.json", "es_01_vacunas.json", "vi_02_gia_xang.json"):
        result = cli("ingest", "file", str(WORLD / name), "--format", "claimreview")
        assert result.code == 0, result.err
        if name.startswith("vi_02"):  # a Person author: the publisher is dropped, and said
            assert "publisher dropped: no organisation named (author: a Person)" in result.err
            assert "Nguyễn" not in result.err  # people are not named, not even in notes
    imported = json.loads(
        cli("fact-checks", "list", "--origin", "imported", "--format", "json").out
    )
    by_language = {row["language"]: row for row in imported}
    assert sorted(by_language) == ["es", "hi", "vi"]
    hindi = by_language["hi"]
    assert hindi["url"] == "https://boom-demo.in/hindi/fake-news/old-notes-1234"
    assert hindi["date_published"] == "2022-12-01T00:30:00+05:30"  # as written, in its zone
    assert (hindi["rating"], hindi["rating_value"]) == ("झूठ", 1.0)
    assert hindi["publisher"] == "BOOM Demo"
    assert hindi["appearance_urls"] == ["https://social.example.com/posts/hi-42"]
    assert by_language["es"]["publisher"] == "Verifica ES"  # not the Person author
    assert by_language["vi"]["publisher"] is None
    (mine,) = json.loads(cli("fact-checks", "list", "--origin", "ours", "--format", "json").out)
    assert mine["url"] == f"https://checks.example.org/fact-checks/{ours}/"
    assert (mine["publisher"], mine["language"]) == ("Example Checks", "vi")
    spanish = json.loads(cli("fact-checks", "list", "--language", "ES", "--format", "json").out)
    assert [row["language"] for row in spanish] == ["es"]
    table = cli("fact-checks", "list")
    assert table.code == 0 and "BOOM Demo" in table.out
    assert cli("fact-checks", "list", "--origin", "theirs").code == 2


def test_eval_claimreview_scores_the_world_fixtures(cli: CLI) -> None:
    result = cli(
        "eval",
        "claimreview",
        "--data",
        str(WORLD),
        "--truth",
        str(FIXTURES / "claimreview_world_truth.json"),
    )
    assert result.code == 0, result.err
    figures = json.loads(result.out.strip().splitlines()[-1])
    assert figures["reviews"] == figures["parsed"] == 22
    assert figures["language"] >= 0.95
    assert figures["date"] == figures["appearances"] == figures["publisher"] == 1.0


def test_eval_langid_scores_ours_against_the_restricted_baseline(cli: CLI) -> None:
    result = cli("eval", "langid", "--data", str(FIXTURES / "langid_multilingual.tsv"))
    assert result.code == 0, result.err
    figures = json.loads(result.out.strip().splitlines()[-1])
    assert figures["languages"] >= 10
    assert figures["factdesk"]["accuracy"] >= 0.95
    assert figures["baseline_restricted"]["accuracy"] < 0.2  # only vi and en can be right
