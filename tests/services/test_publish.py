"""factdesk.services.publish: what the workflow calls inside a publish/correct/withdraw."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import InputError
from factdesk.queue import JobQueue
from factdesk.services import webhooks
from factdesk.services.publish import on_published, on_resurgence
from factdesk.settings import Settings
from factdesk.store.db import transaction
from factdesk.store.models import FactCheck, WebhookDelivery
from tests.publish.seed import T0, add_fact_check, correct, withdraw


@pytest.fixture
def pub_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={
            "public_base_url": "https://checks.example.org",
            "org_name": "Example Checks",
            "queue": "sqlite",
            "queue_name": "pubtest",
            "data_dir": tmp_path / "q",
        }
    )


def _deliveries(db: sessionmaker[Session]) -> list[WebhookDelivery]:
    with db() as s:
        return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_on_published_records_deliveries_and_nudges_the_queue_after_commit(
    db: sessionmaker[Session], pub_settings: Settings
) -> None:
    queue = JobQueue(pub_settings)  # the same SQLite queue file the nudge writes to
    queue.flush()
    with transaction(db) as s:
        webhooks.add_webhook(s, "https://partner.example/hook")
        fc_id = add_fact_check(s, claim="Vaccines contain microchips", title="No microchips")
    with transaction(db) as s:
        ids = on_published(s, fc_id, "published", settings=pub_settings)
        assert len(ids) == 1
        assert queue.pending_count() == 0  # nothing is enqueued before the commit
    assert queue.pending_count() == 1
    (row,) = _deliveries(db)
    assert row.event == "fact_check.published" and row.status == "pending"
    data = row.payload["data"]
    assert data["url"] == f"https://checks.example.org/fact-checks/{fc_id}/"
    assert data["claimreview"]["claimReviewed"] == "Vaccines contain microchips"
    assert data["claimreview"]["author"]["name"] == "Example Checks"
    assert len(row.payload["id"]) == 32
    queue.flush()


def test_on_published_rolled_back_leaves_no_delivery_and_no_nudge(
    db: sessionmaker[Session], pub_settings: Settings
) -> None:
    queue = JobQueue(pub_settings)
    queue.flush()
    with transaction(db) as s:
        webhooks.add_webhook(s, "https://partner.example/hook")
        fc_id = add_fact_check(s, claim="Rolled back")
    with pytest.raises(RuntimeError), transaction(db) as s:
        on_published(s, fc_id, "published", settings=pub_settings)
        raise RuntimeError("the workflow change failed later in the transaction")
    assert _deliveries(db) == []
    assert queue.pending_count() == 0


def test_on_published_refuses_invalid_claimreview_and_the_change_rolls_back(
    db: sessionmaker[Session], pub_settings: Settings
) -> None:
    with transaction(db) as s:
        webhooks.add_webhook(s, "https://partner.example/hook")
        fc_id = add_fact_check(s, claim="No rating yet", status="in_review", label="")
    with pytest.raises(InputError) as info, transaction(db) as s:
        fc = s.get_one(FactCheck, fc_id)
        fc.status = "published"  # what the workflow's publish did a moment before
        s.flush()
        on_published(s, fc_id, "publish", settings=pub_settings)
    assert "reviewRating.alternateName: missing" in str(info.value)
    assert str(info.value).startswith(f"fact-check {fc_id}: cannot publish")
    with db() as s:
        assert s.get_one(FactCheck, fc_id).status == "in_review"
        assert s.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


def test_on_published_correction_and_withdrawal_carry_their_notes(
    db: sessionmaker[Session], pub_settings: Settings
) -> None:
    with transaction(db) as s:
        webhooks.add_webhook(s, "https://partner.example/hook")
        fc_id = add_fact_check(s, claim="Dam will burst tomorrow")
    with transaction(db) as s:
        correct(
            s,
            fc_id,
            label="Misleading",
            value=2,
            note="Dates were wrong.",
            at=T0 + timedelta(days=1),
        )
        on_published(s, fc_id, "corrected", settings=pub_settings)
    with transaction(db) as s:
        withdraw(s, fc_id, note="The report was retracted.", at=T0 + timedelta(days=2))
        on_published(s, fc_id, "withdraw", settings=pub_settings)
    corrected, withdrawn = _deliveries(db)
    assert corrected.event == "fact_check.corrected"
    review = corrected.payload["data"]["claimreview"]
    assert review["dateModified"] == (T0 + timedelta(days=1)).isoformat()
    assert review["reviewRating"]["alternateName"] == "Misleading"
    assert corrected.payload["data"]["history"][-1]["note"] == "Dates were wrong."
    assert withdrawn.event == "fact_check.withdrawn"
    assert withdrawn.payload["data"]["withdrawal_note"] == "The report was retracted."
    assert withdrawn.payload["data"]["claimreview"] is None
    JobQueue(pub_settings).flush()


def test_on_published_unknown_event_and_resurgence(
    db: sessionmaker[Session], pub_settings: Settings
) -> None:
    with transaction(db) as s:
        webhooks.add_webhook(s, "https://partner.example/hook", ["claim.resurgence"])
        fc_id = add_fact_check(s, claim="Old hoax")
        with pytest.raises(InputError, match="unknown publishing event"):
            on_published(s, fc_id, "deleted", settings=pub_settings)
        assert on_published(s, fc_id, "published", settings=pub_settings) == []  # not subscribed
        ids = on_resurgence(s, 42, {"mentions_last_day": 17}, settings=pub_settings)
    (row,) = _deliveries(db)
    assert [row.id] == ids and row.payload["data"] == {"claim_id": 42, "mentions_last_day": 17}
    JobQueue(pub_settings).flush()
