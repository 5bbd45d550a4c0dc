"""The newsroom's webhooks page: admins only, secret shown once, log, pause, send again."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import webhooks
from factdesk.store import models as m
from factdesk.store.db import transaction

from .conftest import Persona


def test_webhooks_page_is_for_admins(personas: dict[str, Persona]) -> None:
    assert personas["admin"].get("/desk/webhooks").status_code == 200
    assert personas["editor"].get("/desk/webhooks").status_code == 403
    assert personas["outsider"].get("/desk/webhooks").status_code == 303  # to sign-in
    assert (
        personas["admin"]
        .client.post("/desk/webhooks", data={"url": "https://x.example/h"})
        .status_code
        == 403
    )  # no CSRF token


def test_webhooks_page_add_pause_and_send_again(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    admin = personas["admin"]
    added = admin.post(
        "/desk/webhooks", {"url": "https://partner.example/hook", "events": "fact_check.corrected"}
    )
    assert added.status_code == 200
    (secret,) = re.findall(r"<code>(whsec_[^<]+)</code>", added.text)
    with db() as s:
        hook = s.scalars(select(m.Webhook)).one()
        assert hook.secret == secret and hook.events == ["fact_check.corrected"]
    assert secret not in admin.get("/desk/webhooks").text  # shown once only
    with transaction(db) as s:
        (delivery_id,) = webhooks.record_event(s, "fact_check.corrected", {"n": 1})
        s.execute(
            m.WebhookDelivery.__table__.update().values(
                status="failed", attempts=8, last_error="HTTP 500"
            )
        )
    log = admin.get("/desk/webhooks?status=failed").text
    assert "HTTP 500" in log and f"/desk/webhooks/deliveries/{delivery_id}/retry" in log
    assert admin.post(f"/desk/webhooks/deliveries/{delivery_id}/retry").status_code == 303
    assert admin.post(f"/desk/webhooks/{hook.id}/active", {"active": "false"}).status_code == 303
    with db() as s:
        delivery = s.get_one(m.WebhookDelivery, delivery_id)
        assert (delivery.status, delivery.attempts) == ("pending", 0)
        assert s.get_one(m.Webhook, hook.id).active is False
        actions = s.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.id)).all()
    assert actions[-3:] == ["webhook.add", "webhook.retry", "webhook.pause"]


def test_webhooks_page_sends_a_test_event_and_issues_a_new_secret(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    from standardwebhooks.webhooks import Webhook

    from tests.publish.receiver import receiver

    admin = personas["admin"]
    with receiver([418]) as rec:
        added = admin.post("/desk/webhooks", {"url": rec.url})
        with db() as s:
            hook_id = s.scalars(select(m.Webhook.id)).one()
        rotated = admin.post(f"/desk/webhooks/{hook_id}/rotate-secret")
        (secret,) = re.findall(r"<code>(whsec_[^<]+)</code>", rotated.text)
        assert secret not in added.text  # a different secret, shown once
        pinged = admin.post(f"/desk/webhooks/{hook_id}/ping")
        (request,) = rec.requests
    assert pinged.status_code == 200 and "HTTP 418" in pinged.text
    assert Webhook(secret).verify(request.body, request.headers)["event"] == "webhook.ping"
    with db() as s:
        actions = s.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.id)).all()
    assert actions[-2:] == ["webhook.rotate", "webhook.ping"]
