"""The public tipline: form and API, no account, items in the queue, and its defences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import tipline
from factdesk.settings import Settings
from factdesk.store import models as m
from tests.web.conftest import Persona, TestClient


def _count(db: sessionmaker[Session], model: type) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_tipline_api_stores_item_of_submission_source(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    response = personas["outsider"].client.post(
        "/api/v1/submissions",
        json={
            "text": "Giá xăng sẽ tăng gấp đôi vào tháng tới",
            "url": "https://social.example/p/1",
            "contact": "reader@example.org",
        },
    )
    assert response.status_code == 201 and response.json() == {"status": "received"}
    with db() as session:
        sub = session.scalars(select(m.Submission)).one()
        item = session.get_one(m.Item, sub.item_id)
        source = session.get_one(m.Source, item.source_id)
    assert source.kind == "submission" and source.location == tipline.SOURCE_LOCATION
    assert "Giá xăng" in item.text and "https://social.example/p/1" in item.text
    assert item.detected_at is None  # detection will pick it up for the queue
    assert sub.contact == "reader@example.org" and sub.language == "vi"


def test_tipline_form_works_without_javascript_or_account(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    client = personas["outsider"].client
    form = client.get("/submit")
    assert form.status_code == 200 and 'name="website"' in form.text  # the honeypot
    token = client.cookies.get("fd_csrf")
    sent = client.post(
        "/submit", data={"text": "The river is poisoned", "csrf": token}, follow_redirects=True
    )
    assert sent.status_code == 200 and "the desk has received it" in sent.text
    assert _count(db, m.Submission) == 1
    assert client.post("/submit", data={"text": "x", "csrf": "forged"}).status_code == 403


def test_tipline_same_text_twice_is_one_item(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    client = personas["outsider"].client
    for _ in range(2):
        assert client.post("/api/v1/submissions", json={"text": "Same claim"}).status_code == 201
    assert _count(db, m.Submission) == 2 and _count(db, m.Item) == 1


def test_tipline_honeypot_pretends_and_drops(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    response = personas["outsider"].client.post(
        "/api/v1/submissions", json={"text": "Buy pills", "website": "http://spam.example"}
    )
    assert response.status_code == 201
    assert _count(db, m.Submission) == 0 and _count(db, m.Item) == 0


def test_tipline_rejects_bad_input_with_field(
    personas: dict[str, Persona], web_settings: Settings
) -> None:
    client = personas["outsider"].client
    cases = [
        ({}, "text"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"text": "x" * (web_settings.tipline_max_chars + 1)}, "text"),
        ({"text": "ok", "contact": "c" * 301}, "contact"),
    ]
    for body, where in cases:
        response = client.post("/api/v1/submissions", json=body)
        assert response.status_code == 400 and response.json()["where"] == where, body
    broken = client.post(
        "/api/v1/submissions", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400 and broken.json()["where"] == "body"
    form = client.get("/submit")
    again = client.post("/submit", data={"text": "", "csrf": client.cookies.get("fd_csrf")})
    assert again.status_code == 400 and "write the claim" in again.text
    assert form.status_code == 200


def test_tipline_size_limit(personas: dict[str, Persona], db: sessionmaker[Session]) -> None:
    big = b'{"text": "' + b"a" * (tipline.MAX_BODY + 10) + b'"}'
    response = personas["outsider"].client.post(
        "/api/v1/submissions", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    chunked = personas["outsider"].client.post(
        "/api/v1/submissions",
        content=iter([big[:1000], big[1000:]]),
        headers={"content-type": "application/json"},
    )
    assert chunked.status_code == 413 and _count(db, m.Submission) == 0


def test_tipline_rate_limit_per_address(
    personas: dict[str, Persona], db: sessionmaker[Session], web_settings: Settings
) -> None:
    client = personas["outsider"].client
    for i in range(web_settings.tipline_per_hour):
        assert client.post("/api/v1/submissions", json={"text": f"claim {i}"}).status_code == 201
    refused = client.post("/api/v1/submissions", json={"text": "one more"})
    assert refused.status_code == 429 and "retry-after" in refused.headers
    with db.begin() as session:
        session.execute(update(m.RateEvent).values(at=datetime.now(UTC) - timedelta(hours=2)))
    assert client.post("/api/v1/submissions", json={"text": "later"}).status_code == 201


def test_tipline_contact_only_for_editors(personas: dict[str, Persona]) -> None:
    personas["outsider"].client.post(
        "/api/v1/submissions", json={"text": "A tip", "contact": "secret@example.org"}
    )
    assert "secret@example.org" in personas["editor"].get("/desk/submissions").text
    assert personas["checker"].get("/desk/submissions").status_code == 403
    assert "secret@example.org" not in personas["viewer"].get("/desk/queue").text


def test_tipline_documented_in_openapi(app: object) -> None:
    schema = TestClient(app).get("/api/v1/openapi.json").json()  # type: ignore[arg-type]
    operation = schema["paths"]["/api/v1/submissions"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert {"text", "url", "contact"} <= set(body["properties"])
