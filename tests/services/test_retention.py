"""Retention blanks old items' raw text and old quarantined excerpts, and nothing else:
the claim, its mention count and mentions' sentences, the fact-check and the audit trail
stay; fresh items keep their text; retention 0 touches nothing; each run is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from factdesk.services import audit
from factdesk.services.retention import purge
from factdesk.settings import Settings
from factdesk.store import models as m
from tests.web.conftest import seed_claim

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _seed(db: sessionmaker[Session]) -> int:
    claim_id = seed_claim(db, "Bananas are radioactive enough to harm", mentions=3)
    with db.begin() as session:
        ids = sorted(session.scalars(select(m.Item.id)))
        session.execute(update(m.Item).values(ingested_at=NOW - timedelta(days=1)))
        session.execute(
            update(m.Item)
            .where(m.Item.id.in_(ids[:2]))
            .values(ingested_at=NOW - timedelta(days=40))
        )
        session.add(m.FactCheck(claim_id=claim_id, dedupe_key="fc:1", claim_reviewed="Bananas",
                                rating_label="False", content_hash="x"))  # fmt: skip
        session.add_all([
            m.QuarantineRecord(at=NOW - timedelta(days=40), origin="f.csv", kind="csv",
                               location="line 2", reason="no text", raw="old,raw,line"),
            m.QuarantineRecord(at=NOW, origin="f.csv", kind="csv", location="line 3",
                               reason="no text", raw="new,raw,line"),
        ])  # fmt: skip
        audit.record(session, "editor", "claim.status", "claim", claim_id)
    return claim_id


def test_retention_blanks_old_text_and_keeps_the_work(
    db: sessionmaker[Session], settings: Settings
) -> None:
    claim_id = _seed(db)
    report = purge(settings.model_copy(update={"retain_item_text_days": 30}), db, now=NOW)
    assert (report.items_blanked, report.quarantine_blanked) == (2, 1)
    with db() as session:
        texts = [t for t in session.scalars(select(m.Item.text).order_by(m.Item.id))]
        assert texts[:2] == ["", ""] and texts[2].startswith("Post")
        assert session.scalar(select(func.count()).select_from(m.Item)) == 3
        claim = session.get(m.Claim, claim_id)
        assert claim is not None and claim.mention_count == 3
        mentions = list(session.scalars(select(m.Mention.text)))
        assert mentions == ["Bananas are radioactive enough to harm"] * 3
        assert session.scalar(select(m.FactCheck.claim_reviewed)) == "Bananas"
        raws = sorted(session.scalars(select(m.QuarantineRecord.raw)))
        assert raws == ["", "new,raw,line"]
        actions = list(session.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.id)))
        assert actions == ["claim.status", "retention.purge"]
        event = session.scalars(
            select(m.AuditEvent).where(m.AuditEvent.action == "retention.purge")
        ).one()
        assert event.after is not None and event.after["items"] == 2
    again = purge(settings, db, days=30, now=NOW)  # idempotent: nothing left to blank
    assert again.items_blanked == 0


def test_retention_zero_keeps_everything(db: sessionmaker[Session], settings: Settings) -> None:
    _seed(db)
    report = purge(settings, db, now=NOW)  # the default: 0, keep forever
    assert report.cutoff is None and report.items_blanked == 0
    with db() as session:
        assert all(session.scalars(select(m.Item.text)))
        assert "retention.purge" not in set(session.scalars(select(m.AuditEvent.action)))


def test_retention_cli_reports(db: sessionmaker[Session], settings: Settings, monkeypatch) -> None:
    from factdesk.cli import load_commands
    from factdesk.cli.app import app
    from factdesk.settings import get_settings

    _seed(db)
    monkeypatch.setenv("FACTDESK_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("FACTDESK_RETAIN_ITEM_TEXT_DAYS", "10000")
    get_settings.cache_clear()
    load_commands()
    result = CliRunner().invoke(app, ["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "blanked the text of 0 items" in result.output
    result = CliRunner().invoke(app, ["retention", "run", "--days", "5"])
    assert "blanked the text of 3 items and 2 quarantined" in result.output  # all seeded before now
