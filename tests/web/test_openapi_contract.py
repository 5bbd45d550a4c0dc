"""Real API requests and answers validated against /api/v1/openapi.json with openapi-core.

A client generated from the document must be able to call what the server really does:
every request here (with its token, cookie and CSRF header as the document's security
schemes say) and every answer (bodies and statuses) is checked against the document, so a
route whose answer drifts from its declared model, or whose security is wrong, fails.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_spec_validator import validate

from factdesk.settings import Settings

from .conftest import Persona
from .test_public_api import bearer, desk_data  # noqa: F401 (the fixture)


@pytest.fixture
def spec(personas: dict[str, Persona]) -> dict[str, Any]:
    document = personas["outsider"].get("/api/v1/openapi.json").json()
    validate(document)
    return document


def _checked(
    openapi: OpenAPI,
    server: str,
    persona: Persona,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    json: Any = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """Send the request through the app, then validate request and answer."""
    headers = headers or {}
    response = persona.client.request(method, path, params=params, json=json, headers=headers)
    body = response.request.content or None
    request = MockRequest(
        server,
        method.lower(),
        path,
        args=params or {},
        headers={k.lower(): v for k, v in headers.items()},
        cookies=dict(persona.client.cookies),
        data=body,
        content_type="application/json" if json is not None else "",
    )
    openapi.validate_request(request)
    answer = MockResponse(
        response.content,
        status_code=response.status_code,
        headers=dict(response.headers),
        content_type=response.headers.get("content-type", "").split(";")[0],
    )
    openapi.validate_response(request, answer)
    return response


def test_openapi_document_types_secures_and_serves_the_api(
    spec: dict[str, Any], web_settings: Settings
) -> None:
    assert spec["servers"] == [{"url": web_settings.public_base_url}]
    schemes = spec["components"]["securitySchemes"]
    assert schemes["readToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "fdt_…",
        "description": schemes["readToken"]["description"],
    }
    paths = spec["paths"]
    assert all(path.startswith("/api/v1/") for path in paths)  # no /desk, no public pages
    claims = paths["/api/v1/claims"]["get"]
    assert claims["security"] == [{"readToken": []}, {"session": []}]
    assert paths["/api/v1/fact-checks"]["get"]["security"] == []
    assert paths["/api/v1/webhooks"]["post"]["security"] == [{"session": [], "csrf": []}]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert "security" in operation, (method, path)
            if method == "get":  # every read answer is typed, none a bare object
                ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
                assert ok.get("$ref") or ok.get("items", {}).get("$ref"), (method, path)


def test_real_requests_and_answers_match_the_document(
    personas: dict[str, Persona],
    desk_data: dict[str, Any],  # noqa: F811
    spec: dict[str, Any],
) -> None:
    openapi = OpenAPI.from_dict(spec)
    server = spec["servers"][0]["url"]
    outsider, admin = personas["outsider"], personas["admin"]
    token = bearer(desk_data["token"])
    live = desk_data["live"]

    listing = _checked(
        openapi, server, outsider, "GET", "/api/v1/fact-checks", params={"q": "lemon"}
    )
    assert [f["id"] for f in listing.json()["fact_checks"]] == [live]
    one = _checked(openapi, server, outsider, "GET", f"/api/v1/fact-checks/{live}")
    assert one.json()["claimreview"]["@type"] == "ClaimReview"
    missing = _checked(
        openapi, server, outsider, "GET", f"/api/v1/fact-checks/{desk_data['draft']}"
    )
    assert missing.status_code == 404

    claims = _checked(openapi, server, outsider, "GET", "/api/v1/claims", headers=token)
    assert claims.status_code == 200 and claims.json()["total"] >= 2
    trend = _checked(
        openapi, server, outsider, "GET", f"/api/v1/claims/{desk_data['live_claim']}", headers=token
    )
    assert trend.json()["fact_check"]["id"] == live
    checked = _checked(
        openapi,
        server,
        outsider,
        "POST",
        "/api/v1/check",
        json={"text": "Does lemon water cure cancer?", "k": 3},
        headers=token,
    )
    assert checked.status_code == 200

    csrf = {"X-CSRF-Token": admin.csrf}
    added = _checked(
        openapi,
        server,
        admin,
        "POST",
        "/api/v1/webhooks",
        json={"url": "https://partner.example/hook", "events": ["*"]},
        headers=csrf,
    )
    assert added.status_code == 201 and added.json()["secret"].startswith("whsec_")
    assert _checked(openapi, server, admin, "GET", "/api/v1/webhooks").json()[0]["active"]
    _checked(openapi, server, admin, "GET", "/api/v1/webhooks/deliveries")
    tokens = _checked(openapi, server, admin, "GET", "/api/v1/tokens").json()
    assert tokens[0]["name"] == "Partner newsroom"
    tip = _checked(
        openapi, server, outsider, "POST", "/api/v1/submissions", json={"text": "Is it true?"}
    )
    assert tip.status_code == 201


def test_a_request_without_the_token_breaks_the_documented_security(
    personas: dict[str, Persona], spec: dict[str, Any]
) -> None:
    """The document is not decoration: a tokenless claims request is invalid against it,
    and the server answers it with the documented 401."""
    openapi = OpenAPI.from_dict(spec)
    server = spec["servers"][0]["url"]
    with pytest.raises(Exception, match="[Ss]ecurity"):
        openapi.validate_request(MockRequest(server, "get", "/api/v1/claims"))
    response = personas["outsider"].get("/api/v1/claims")
    assert response.status_code == 401 and response.json()["error"]


def test_admin_pings_and_rotates_a_webhook_through_the_api(
    personas: dict[str, Persona], spec: dict[str, Any]
) -> None:
    from standardwebhooks.webhooks import Webhook

    from tests.publish.receiver import receiver

    openapi = OpenAPI.from_dict(spec)
    server = spec["servers"][0]["url"]
    admin, viewer = personas["admin"], personas["viewer"]
    csrf = {"X-CSRF-Token": admin.csrf}
    with receiver([200]) as rec:
        added = admin.client.post("/api/v1/webhooks", json={"url": rec.url}, headers=csrf).json()
        rotated = _checked(
            openapi,
            server,
            admin,
            "POST",
            f"/api/v1/webhooks/{added['id']}/rotate-secret",
            headers=csrf,
        ).json()
        assert rotated["secret"] != added["secret"]
        ping = _checked(
            openapi, server, admin, "POST", f"/api/v1/webhooks/{added['id']}/ping", headers=csrf
        ).json()
        (request,) = rec.requests
    assert (ping["ok"], ping["status"]) == (True, 200)
    assert Webhook(rotated["secret"]).verify(request.body, request.headers)["event"] == (
        "webhook.ping"
    )
    refused = viewer.client.post(
        f"/api/v1/webhooks/{added['id']}/ping", headers={"X-CSRF-Token": viewer.csrf}
    )
    assert refused.status_code == 403
    no_csrf = admin.client.post(f"/api/v1/webhooks/{added['id']}/rotate-secret")
    assert no_csrf.status_code == 403
    assert admin.client.post("/api/v1/webhooks/999/ping", headers=csrf).status_code == 404
