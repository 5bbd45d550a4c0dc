"""`factdesk library ...` and `factdesk research`: add, list, show, search, withdraw,
restore, reindex; JSON for scripts; one-line errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factdesk.services import research
from tests.cli.conftest import CLI
from tests.pdfgen import make_pdf


@pytest.fixture(autouse=True)
def _lexical(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTDESK_MATCH_DENSE", "false")
    research._cache.clear()


def _files(tmp_path: Path) -> tuple[Path, Path]:
    notes = tmp_path / "masts.md"
    notes.write_text(
        "# Masts and health\n\nRadio waves from masts do not carry viruses.\n\n"
        "Flu spreads from person to person.\n",
        encoding="utf-8",
    )
    pdf = tmp_path / "power.pdf"
    pdf.write_bytes(make_pdf(["Electricity prices rose 4.8% in July, not 50%."], "Tariff"))
    return notes, pdf


def test_cli_library_add_list_show_search(cli: CLI, tmp_path: Path) -> None:
    notes, pdf = _files(tmp_path)
    added = cli("library", "add", str(notes), str(pdf), "--publisher", "Demo Office")
    assert added.code == 0, added.err
    assert "added source" in added.err + added.out
    listed = cli("library", "list", "--format", "json")
    rows = json.loads(listed.out)
    assert {r["title"] for r in rows} == {"Masts and health", "Tariff"}
    assert all(r["publisher"] == "Demo Office" and r["version_count"] == 1 for r in rows)
    masts = next(r["id"] for r in rows if r["title"] == "Masts and health")
    shown = cli("library", "show", str(masts))
    assert (
        shown.code == 0 and "do not carry viruses" in shown.out and "Archived versions" in shown.out
    )
    detail = json.loads(cli("library", "show", str(masts), "--format", "json").out)
    assert len(detail["versions"]) == 1 and len(detail["versions"][0]["content_hash"]) == 64
    found = json.loads(cli("library", "search", "electricity price", "--format", "json").out)
    assert found[0]["source_url"] == "file:power.pdf" and "stance" not in found[0]


def test_cli_research_json_has_text_stance_score_source(cli: CLI, tmp_path: Path) -> None:
    notes, pdf = _files(tmp_path)
    assert cli("library", "add", str(notes), str(pdf)).code == 0
    result = cli("research", "5G masts spread viruses", "--format", "json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert rows and {"text", "stance", "score", "source_url"} <= set(rows[0])
    assert "viruses" in rows[0]["text"] and rows[0]["stance"] == "not_enough_info"
    assert "never a verdict" in result.err
    table = cli("research", "5G masts spread viruses")
    assert "never a verdict" in table.out and "viruses" in table.out


def test_cli_library_bad_file_one_line_error_others_still_added(cli: CLI, tmp_path: Path) -> None:
    notes, _ = _files(tmp_path)
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj <<")
    result = cli("library", "add", str(bad), str(notes))
    assert result.code == 1
    errors = [line for line in (result.err + result.out).splitlines() if "error" in line]
    assert len(errors) == 1 and "broken.pdf" in errors[0] and "corrupt PDF" in errors[0]
    assert len(json.loads(cli("library", "list", "--format", "json").out)) == 1
    quarantined = cli("quarantine", "list", "--format", "json")
    assert "corrupt PDF" in quarantined.out


def test_cli_library_withdraw_restore_reindex(cli: CLI, tmp_path: Path) -> None:
    notes, _ = _files(tmp_path)
    cli("library", "add", str(notes))
    source_id = json.loads(cli("library", "list", "--format", "json").out)[0]["id"]
    assert "withdrawn" in cli("library", "withdraw", str(source_id)).out
    assert json.loads(cli("research", "masts viruses", "--format", "json").out) == []
    assert "in retrieval" in cli("library", "restore", str(source_id)).out
    assert json.loads(cli("research", "masts viruses", "--format", "json").out)
    rebuilt = cli("library", "reindex")
    assert rebuilt.code == 0 and "rebuilt" in rebuilt.out and "2 passages" in rebuilt.out
    missing = cli("library", "show", "999")
    assert missing.code == 1 and "no library source 999" in missing.err
