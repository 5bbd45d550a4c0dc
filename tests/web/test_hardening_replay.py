"""The findings of the hardening issue, replayed against the app with its default settings
(``FACTDESK_ALLOW_PRIVATE_FETCH`` off): each is refused with a clear message and nothing is
stored. (Body limits, integer ranges and the tipline's 415: test_limits.py; the sign-in
lockout: test_signin_throttle.py; accounts: test_account_pages.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import AddressRefused
from factdesk.services import webhooks
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.web.app import create_app
from tests.web.conftest import QUOTE, REPORT, Pages, Persona, TestClient, sign_in


@pytest.fixture
def locked_settings(web_settings: Settings) -> Settings:
    return web_settings.model_copy(update={"allow_private_fetch": False})


@pytest.fixture
def locked_app(locked_settings: Settings, engine: Engine) -> FastAPI:
    return create_app(locked_settings, engine=engine)


@pytest.fixture
def people(locked_app: FastAPI, db: sessionmaker[Session]) -> dict[str, Persona]:
    return {role: sign_in(locked_app, db, role, role) for role in ("admin", "checker")}


def _count(db: sessionmaker[Session], model: type) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def fact_check(people: dict[str, Persona], claim_id: int) -> Iterator[int]:
    response = people["checker"].post(f"/desk/claims/{claim_id}/start")
    assert response.status_code == 303
    yield int(response.headers["location"].split("/")[3])


@pytest.mark.parametrize(
    "url",
    [
        "{base}/report.html",
        "http://localhost:{port}/report.html",
        "http://2130706433:{port}/report.html",
        "http://[::ffff:127.0.0.1]:{port}/report.html",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_replay_citing_an_internal_address(
    people: dict[str, Persona],
    db: sessionmaker[Session],
    evidence_server: Pages,
    fact_check: int,
    url: str,
) -> None:
    """Finding 1: a checker cited http://127.0.0.1:<port>/secret and the desk fetched and
    stored it for every viewer (and, once published, for everyone)."""
    evidence_server.add("/report.html", REPORT)
    port = evidence_server.base.rsplit(":", 1)[1]
    target = url.format(base=evidence_server.base, port=port)
    response = people["checker"].post(
        f"/desk/fact-checks/{fact_check}/cite", {"url": target, "quote": QUOTE}
    )
    assert response.status_code == 400
    assert "private or reserved network address" in response.text
    assert _count(db, m.EvidenceDocument) == 0 and _count(db, m.Citation) == 0


def test_replay_closed_and_open_ports_read_the_same(
    people: dict[str, Persona], evidence_server: Pages, fact_check: int
) -> None:
    """Finding 1: different errors for closed ports and HTTP errors made citing a port
    scanner. Every local port now gets the same refusal, before any connection."""
    texts = set()
    for port in (evidence_server.base.rsplit(":", 1)[1], "1", "9"):
        url = f"http://127.0.0.1:{port}/secret"
        response = people["checker"].post(
            f"/desk/fact-checks/{fact_check}/cite", {"url": url, "quote": QUOTE}
        )
        assert response.status_code == 400
        texts.add(response.text.split("<main", 1)[1].replace(url, "URL"))
    assert len(texts) == 1


def test_replay_sources_and_webhooks_to_internal_addresses(
    people: dict[str, Persona], db: sessionmaker[Session], evidence_server: Pages
) -> None:
    """Finding 1: webhook URLs and source URLs went through the same client."""
    admin = people["admin"]
    internal = evidence_server.base + "/feed.xml"
    response = admin.post("/desk/sources", {"url": internal})
    assert response.status_code == 400 and "private or reserved" in response.text
    response = admin.post("/desk/webhooks", {"url": internal})
    assert response.status_code == 400 and "private or reserved" in response.text
    response = admin.client.post(
        "/api/v1/webhooks", json={"url": internal}, headers={"X-CSRF-Token": admin.csrf}
    )
    assert response.status_code == 400 and response.json()["where"] == "url"
    assert _count(db, m.Source) == 0 and _count(db, m.Webhook) == 0


def test_replay_delivery_to_a_webhook_that_became_internal(
    locked_settings: Settings, db: sessionmaker[Session], evidence_server: Pages
) -> None:
    """A webhook registered while the setting was on (or whose name now resolves
    privately) is refused at delivery, through the same chokepoint."""
    with transaction(db) as s:
        webhooks.add_webhook(s, evidence_server.base + "/hook", allow_private=True)
        (delivery,) = webhooks.record_event(s, "fact_check.published", {"event": "x"})
    outcome = webhooks.deliver(locked_settings, db, delivery)
    assert outcome.status is None and AddressRefused.MESSAGE in (outcome.error or "")


@pytest.mark.parametrize(
    ("stored_type", "served_type", "download"),
    [
        ("text/html", "text/plain; charset=utf-8", False),
        ("image/svg+xml", "text/plain; charset=utf-8", False),
        ("application/xhtml+xml", "text/plain; charset=utf-8", False),
        (None, "text/plain; charset=utf-8", False),
        ("application/pdf", "application/octet-stream", True),
        ("image/png", "application/octet-stream", True),
    ],
)
def test_replay_archived_original_is_never_html(
    app: FastAPI,
    personas: dict[str, Persona],
    db: sessionmaker[Session],
    stored_type: str | None,
    served_type: str,
    download: bool,
) -> None:
    """Finding 7: /desk/evidence/{id}/raw served hostile HTML on the desk's origin, safe
    only while the browser honoured the CSP."""
    hostile = b"<html><body><script>alert(document.cookie)</script><svg onload=alert(1)>"
    with db.begin() as session:
        doc = m.EvidenceDocument(
            url="https://hostile.example/",
            content_hash="0" * 64,
            text="",
            raw=hostile,
            raw_type=stored_type,
        )
        session.add(doc)
        session.flush()
        doc_id = doc.id
    response: Any = personas["viewer"].get(f"/desk/evidence/{doc_id}/raw")
    assert response.status_code == 200 and response.content == hostile
    assert response.headers["content-type"] == served_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("sandbox")
    disposition = response.headers.get("content-disposition", "")
    assert disposition.startswith("attachment") is download


def test_replay_the_setting_relaxes_the_rules(
    personas: dict[str, Persona], evidence_server: Pages, claim_id: int, db: sessionmaker[Session]
) -> None:
    """The suite's own app runs with FACTDESK_ALLOW_PRIVATE_FETCH on: an intranet desk."""
    checker = personas["checker"]
    fc = int(checker.post(f"/desk/claims/{claim_id}/start").headers["location"].split("/")[3])
    url = evidence_server.add("/report.html", REPORT)
    assert (
        checker.post(f"/desk/fact-checks/{fc}/cite", {"url": url, "quote": QUOTE}).status_code
        == 303
    )
    assert _count(db, m.EvidenceDocument) == 1


def test_replay_outsider_is_unaffected(locked_app: FastAPI) -> None:
    assert TestClient(locked_app).get("/").status_code == 200
