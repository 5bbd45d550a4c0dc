from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

CLI = Any

FIXTURES = Path(__file__).parents[1] / "fixtures" / "pipeline"


def test_init_reports_up_to_date_database(cli: CLI) -> None:
    result = cli("init")
    assert result.code == 0 and "database" in result.out


def test_doctor_json_lists_settings_and_checks(cli: CLI) -> None:
    result = cli("doctor", "--format", "json")
    assert result.code == 0
    report = json.loads(result.out)
    names = {row["setting"] for row in report["settings"]}
    assert "FACTDESK_DATABASE_URL" in names
    checks = {row["check"]: row for row in report["checks"]}
    assert checks["database"]["ok"] is True
    assert checks["language id"]["ok"] is True


def test_doctor_bad_setting_fails_with_one_line(cli: CLI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTDESK_FETCH_TIMEOUT", "soon")
    result = cli("doctor")
    assert result.code == 1
    assert result.err.strip().count("\n") == 0 and "FACTDESK_FETCH_TIMEOUT" in result.err


def test_ingest_file_then_list_items_and_quarantine(cli: CLI) -> None:
    result = cli("ingest", "file", str(FIXTURES / "posts.csv"), "--format", "csv")
    assert result.code == 0, result.err
    assert "3 new items" in result.out and "2 quarantined" in result.out
    items = json.loads(cli("items", "list", "--format", "json").out)
    assert len(items) == 3 and all("author_handle" not in row for row in items)
    shown = json.loads(cli("items", "show", str(items[0]["id"]), "--format", "json").out)
    assert shown["text"] == items[0]["text"] or shown["text"].startswith(items[0]["text"])
    quarantined = json.loads(cli("quarantine", "list", "--format", "json").out)
    assert {q["location"] for q in quarantined} == {
        f"{FIXTURES / 'posts.csv'} line 4",
        f"{FIXTURES / 'posts.csv'} line 5",
    }


def test_ingest_feed_malformed_exits_nonzero_naming_source(cli: CLI) -> None:
    result = cli("ingest", "feed", str(FIXTURES / "broken-feed.xml"))
    assert result.code == 1
    assert "broken-feed.xml" in result.err and result.err.startswith("error:")


def test_items_show_unknown_id_fails(cli: CLI) -> None:
    result = cli("items", "show", "999")
    assert result.code == 1 and "999" in result.err


def test_sources_add_local_feed_and_list(cli: CLI) -> None:
    assert cli("sources", "add", str(FIXTURES / "feed.xml"), "--name", "Test").code == 0
    sources = json.loads(cli("sources", "list", "--format", "json").out)
    assert sources[0]["name"] == "Test" and sources[0]["item_count"] == 2
    assert cli("sources", "fetch").code == 0


def test_every_command_has_help(cli: CLI) -> None:
    from factdesk.cli.docs import cli_reference

    reference = cli_reference()
    for command in (
        "init",
        "doctor",
        "demo",
        "ingest feed",
        "ingest page",
        "ingest file",
        "sources add",
        "items list",
        "quarantine list",
    ):
        assert f"## `factdesk {command}`" in reference
