"""`factdesk publish|webhooks|tokens|worker` in-process against the test database."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from factdesk.store.db import transaction
from tests.cli.conftest import CLI
from tests.publish.seed import T0, add_fact_check, withdraw


def test_webhooks_add_list_pause_and_log(cli: CLI) -> None:
    added = cli(
        "webhooks",
        "add",
        "https://partner.example/hook",
        "--event",
        "fact_check.corrected",
        "--event",
        "fact_check.withdrawn",
    )
    assert added.code == 0, added.err
    assert "secret: whsec_" in added.out
    listed = json.loads(cli("webhooks", "list", "--format", "json").out)
    assert listed[0]["events"] == "fact_check.corrected,fact_check.withdrawn"
    assert "secret" not in listed[0]
    assert cli("webhooks", "set-active", str(listed[0]["id"]), "--paused").code == 0
    assert json.loads(cli("webhooks", "list", "--format", "json").out)[0]["active"] is False
    assert json.loads(cli("webhooks", "deliveries", "--format", "json").out) == []
    bad = cli("webhooks", "add", "https://x.example/h", "--event", "nope")
    assert bad.code == 1 and bad.err.startswith("error: events: unknown event 'nope'")
    missing = cli("webhooks", "retry", "999")
    assert missing.code == 1 and "no undelivered webhook delivery 999" in missing.err


def test_tokens_add_list_revoke(cli: CLI) -> None:
    added = cli("tokens", "add", "Partner newsroom")
    assert added.code == 0
    token = added.out.strip().splitlines()[-1]
    assert token.startswith("fdt_")
    (row,) = json.loads(cli("tokens", "list", "--format", "json").out)
    assert row["name"] == "Partner newsroom" and token not in json.dumps(row)
    assert cli("tokens", "revoke", str(row["id"])).code == 0
    assert cli("tokens", "revoke", str(row["id"])).code == 1


def test_publish_export_writes_the_site_and_refuses_foreign_dirs(
    cli: CLI, db: sessionmaker[Session], tmp_path: Path
) -> None:
    with transaction(db) as s:
        live = add_fact_check(s, claim="Lemon water cures cancer", language="en")
        gone = add_fact_check(s, claim="Dam broke", language="vi")
        withdraw(s, gone, note="Staged photo.", at=T0)
    site = tmp_path / "site"
    result = cli("publish", "export", str(site))
    assert result.code == 0, result.err
    assert "2 fact-checks" in " ".join(result.out.split())  # Rich may wrap the line
    for path in (
        "index.html",
        "index.json",
        f"fact-checks/{live}/index.html",
        f"fact-checks/{live}.json",
        f"fact-checks/{gone}/index.html",
        "feed.atom",
        "feed/en.atom",
        "feed/vi.atom",
        "sitemap.xml",
        "claimreview.json",
        "robots.txt",
        "static/app.css",
    ):
        assert (site / path).is_file(), path
    assert "Staged photo." in (site / f"fact-checks/{gone}/index.html").read_text()
    assert cli("publish", "export", str(site)).code == 0  # an earlier export is replaced
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    refused = cli("publish", "export", str(foreign))
    assert refused.code == 1 and "not an earlier factdesk export" in refused.err
    assert (foreign / "keep.txt").read_text() == "mine"


def test_publish_validate_reports_invalid_markup(cli: CLI, db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        add_fact_check(s, claim="Fine claim")
    ok = cli("publish", "validate", "--format", "json")
    assert ok.code == 0 and json.loads(ok.out)[0]["errors"] == ""
    with transaction(db) as s:
        add_fact_check(s, claim="Published without a rating", label="")
    bad = cli("publish", "validate", "--format", "json")
    assert bad.code == 1
    assert any("alternateName" in row["errors"] for row in json.loads(bad.out))


def test_worker_status_prints_the_queue(cli: CLI) -> None:
    result = cli("worker", "--status")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {
        "backend": "sqlite",
        "name": "factdesk",
        "pending": 0,
        "scheduled": 0,
    }
