"""The publishing JSON API: public reads, token reads, admin writes; and its OpenAPI schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import accounts
from factdesk.store.db import transaction
from tests.publish.seed import T0, add_claim, add_fact_check

from .conftest import Persona


@pytest.fixture
def desk_data(db: sessionmaker[Session]) -> dict[str, int]:
    with transaction(db) as s:
        live = add_fact_check(
            s,
            claim="Lemon water cures cancer",
            language="en",
            appearances=[("https://a.example/1", T0 - timedelta(days=1))],
        )
        draft = add_fact_check(s, claim="Bridge tolls doubled overnight", status="draft")
        imported = add_fact_check(s, claim="Lemon water cures cancer in a week", origin="imported")
        loose = add_claim(s, "Tap water contains hormones", "en", [("https://b.example/2", T0)])
        _, token = accounts.create_token(s, "Partner newsroom")
    from factdesk.store import models as m

    with db() as s:
        live_claim = s.get_one(m.FactCheck, live).claim_id
    return {
        "live": live,
        "draft": draft,
        "imported": imported,
        "loose": loose,
        "live_claim": live_claim or 0,
        "token": token,
    }  # type: ignore[dict-item]


def bearer(token: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_api_fact_checks_are_public(
    personas: dict[str, Persona], desk_data: dict[str, int]
) -> None:
    outsider = personas["outsider"]
    listing = outsider.get("/api/v1/fact-checks").json()
    assert [f["id"] for f in listing["fact_checks"]] == [desk_data["live"]]
    one = outsider.get(f"/api/v1/fact-checks/{desk_data['live']}").json()
    assert one["claimreview"]["@type"] == "ClaimReview"
    assert outsider.get(f"/api/v1/fact-checks/{desk_data['draft']}").status_code == 404
    assert outsider.get(f"/api/v1/fact-checks/{desk_data['draft']}").json()["error"]


def test_api_claims_need_a_token_or_a_session(
    personas: dict[str, Persona], desk_data: dict[str, int]
) -> None:
    outsider = personas["outsider"]
    assert outsider.get("/api/v1/claims").status_code == 401
    assert outsider.get("/api/v1/claims", headers=bearer("fdt_wrong")).status_code == 401
    listing = outsider.get("/api/v1/claims", headers=bearer(desk_data["token"])).json()
    by_id = {c["id"]: c for c in listing["claims"]}
    assert by_id[desk_data["live_claim"]]["fact_check"]["id"] == desk_data["live"]
    assert by_id[desk_data["loose"]]["fact_check"] is None
    # the draft's claim is listed, its draft verdict is not
    assert all(
        c["fact_check"] is None or c["fact_check"]["id"] == desk_data["live"]
        for c in listing["claims"]
    )
    detail = outsider.get(
        f"/api/v1/claims/{desk_data['loose']}", headers=bearer(desk_data["token"])
    ).json()
    assert detail["text"] == "Tap water contains hormones" and "mentions_per_day" in detail
    assert personas["viewer"].get("/api/v1/claims?q=tap+water").json()["total"] == 1


def test_api_check_finds_ours_and_other_publishers(
    personas: dict[str, Persona], desk_data: dict[str, int]
) -> None:
    outsider = personas["outsider"]
    assert outsider.client.post("/api/v1/check", json={"text": "lemon water"}).status_code == 401
    answer = outsider.client.post(
        "/api/v1/check",
        json={"text": "Does lemon water cure cancer?"},
        headers=bearer(desk_data["token"]),
    ).json()
    assert answer["engine"] in ("matcher", "words")
    urls = [m["url"] for m in answer["matches"]]
    assert any(u.endswith(f"/fact-checks/{desk_data['live']}/") for u in urls)
    ours = [m for m in answer["matches"] if m["ours"]]
    assert all(m["publisher"] is None for m in ours)
    assert not any("Bridge tolls" in (m["claim_reviewed"] or "") for m in answer["matches"])
    bad = outsider.client.post(
        "/api/v1/check", json={"text": ""}, headers=bearer(desk_data["token"])
    )
    assert bad.status_code == 400


def test_api_tokens_read_only_and_revocable(
    personas: dict[str, Persona], desk_data: dict[str, int]
) -> None:
    outsider, admin = personas["outsider"], personas["admin"]
    # a token cannot write
    assert (
        outsider.client.post(
            "/api/v1/tokens", json={"name": "x"}, headers=bearer(desk_data["token"])
        ).status_code
        == 401
    )
    listed = admin.get("/api/v1/tokens").json()
    token_id = listed[0]["id"]
    assert listed[0]["last_used_at"] is None
    outsider.get("/api/v1/claims", headers=bearer(desk_data["token"]))
    assert admin.get("/api/v1/tokens").json()[0]["last_used_at"] is not None
    revoked = admin.client.post(
        f"/api/v1/tokens/{token_id}/revoke", headers={"X-CSRF-Token": admin.csrf}
    )
    assert revoked.status_code == 200
    assert outsider.get("/api/v1/claims", headers=bearer(desk_data["token"])).status_code == 401


def test_api_writes_need_an_admin_session_and_csrf(personas: dict[str, Persona]) -> None:
    body = {"url": "https://partner.example/hook", "events": ["fact_check.corrected"]}
    assert personas["outsider"].client.post("/api/v1/webhooks", json=body).status_code == 401
    assert (
        personas["editor"]
        .client.post(
            "/api/v1/webhooks", json=body, headers={"X-CSRF-Token": personas["editor"].csrf}
        )
        .status_code
        == 403
    )
    admin = personas["admin"]
    assert admin.client.post("/api/v1/webhooks", json=body).status_code == 403  # no CSRF token
    created = admin.client.post("/api/v1/webhooks", json=body, headers={"X-CSRF-Token": admin.csrf})
    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    listed = admin.get("/api/v1/webhooks").json()
    assert listed[0]["events"] == "fact_check.corrected" and "secret" not in listed[0]
    paused = admin.client.post(
        f"/api/v1/webhooks/{listed[0]['id']}/active?active=false",
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert paused.json() == {"id": listed[0]["id"], "active": False}
    assert admin.get("/api/v1/webhooks/deliveries").json() == []
    token = admin.client.post(
        "/api/v1/tokens", json={"name": "Partner"}, headers={"X-CSRF-Token": admin.csrf}
    ).json()
    assert token["token"].startswith("fdt_")


def test_openapi_schema_documents_the_publishing_api(personas: dict[str, Persona]) -> None:
    schema = personas["outsider"].get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/fact-checks",
        "/api/v1/fact-checks/{fact_check_id}",
        "/api/v1/claims",
        "/api/v1/claims/{claim_id}",
        "/api/v1/check",
        "/api/v1/webhooks",
        "/api/v1/webhooks/deliveries",
        "/api/v1/tokens",
    ):
        assert path in paths, path
    assert "/feed.atom" not in paths  # pages and feeds are not the API
    assert paths["/api/v1/check"]["post"]["summary"]
