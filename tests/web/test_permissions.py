"""Every route, every persona: who may do what.

``ROUTES`` lists every route of the app with the permission it needs (``None`` = public).
A test fails when the app has a route this table does not list, so a new page cannot ship
without its permission being tested for admin, editor, checker, viewer and an outsider.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import accounts as auth
from factdesk.store import models as m
from factdesk.store.jobtable import PipelineJob
from factdesk.workflow import Permission, Role, has_permission
from tests.web.conftest import PASSWORD, Persona, TestClient

P = Permission
# (method, path template, permission or None for public)
ROUTES: list[tuple[str, str, Permission | None]] = [
    ("GET", "/", None),
    ("GET", "/fact-checks/{fc_id}/", None),
    ("GET", "/archive/{doc_id}/", None),
    ("GET", "/submit", None),
    ("POST", "/submit", None),
    ("POST", "/api/v1/submissions", None),
    ("GET", "/desk/login", None),
    ("POST", "/desk/login", None),
    ("GET", "/lang/{code}", None),
    ("GET", "/healthz", None),  # load balancers: no sign-in, no secrets (test_health.py)
    ("GET", "/metrics", None),  # token or loopback, not a role (test_health.py)
    ("GET", "/desk/", P.READ),
    ("GET", "/desk/queue", P.READ),
    ("GET", "/desk/queue.csv", P.READ),
    ("GET", "/desk/claims/{claim_id}", P.READ),
    ("GET", "/desk/claims/{claim_id}/matches", P.READ),
    ("GET", "/desk/fact-checks/{fc_id}", P.READ),
    ("GET", "/desk/fact-checks/{fc_id}/review", P.READ),
    ("GET", "/desk/review", P.READ),
    ("GET", "/desk/review.csv", P.READ),
    ("GET", "/desk/sources", P.READ),
    ("GET", "/desk/sources.csv", P.READ),
    ("GET", "/desk/evidence", P.READ),
    ("GET", "/desk/evidence.csv", P.READ),
    ("GET", "/desk/evidence/{doc_id}", P.READ),
    ("GET", "/desk/evidence/{doc_id}/raw", P.READ),
    ("GET", "/desk/quarantine", P.READ),
    ("GET", "/desk/quarantine.csv", P.READ),
    ("GET", "/desk/audit", P.READ),
    ("GET", "/desk/audit.csv", P.READ),
    ("POST", "/desk/claims/{claim_id}/start", P.WORK),
    ("POST", "/desk/claims/{claim_id}/merge", P.REVIEW),
    ("GET", "/desk/webhooks", P.MANAGE_SETTINGS),
    ("POST", "/desk/webhooks", P.MANAGE_SETTINGS),
    ("POST", "/desk/webhooks/{webhook_id}/active", P.MANAGE_SETTINGS),
    ("POST", "/desk/webhooks/{webhook_id}/ping", P.MANAGE_SETTINGS),
    ("POST", "/desk/webhooks/{webhook_id}/rotate-secret", P.MANAGE_SETTINGS),
    ("POST", "/desk/webhooks/deliveries/{delivery_id}/retry", P.MANAGE_SETTINGS),
    ("POST", "/desk/fact-checks/{fc_id}/edit", P.WORK),
    ("POST", "/desk/fact-checks/{fc_id}/cite", P.WORK),
    ("POST", "/desk/fact-checks/{fc_id}/citations/{citation_id}/delete", P.WORK),
    ("POST", "/desk/fact-checks/{fc_id}/transition", P.WORK),
    ("POST", "/desk/fact-checks/{fc_id}/comment", P.WORK),
    ("POST", "/desk/preview", P.WORK),
    ("POST", "/desk/sources", P.MANAGE_SOURCES),
    ("POST", "/desk/sources/{source_id}/fetch", P.MANAGE_SOURCES),
    ("GET", "/desk/submissions", P.SEE_TIPS),
    ("GET", "/desk/submissions.csv", P.SEE_TIPS),
    ("GET", "/desk/settings", P.MANAGE_SETTINGS),
    ("POST", "/desk/settings", P.MANAGE_SETTINGS),
    ("GET", "/desk/users", P.MANAGE_USERS),
    ("GET", "/desk/users.csv", P.MANAGE_USERS),
    ("POST", "/desk/users", P.MANAGE_USERS),
    ("POST", "/desk/users/{username}/role", P.MANAGE_USERS),
    ("POST", "/desk/fact-checks/{fc_id}/correct", P.REVIEW),
    ("POST", "/desk/corrections/{correction_id}/approve", P.REVIEW),
    ("POST", "/desk/corrections/{correction_id}/reject", P.REVIEW),
    ("POST", "/desk/fact-checks/{fc_id}/citations/{citation_id}/keep", P.REVIEW),
    ("POST", "/desk/claims/{claim_id}/appearances", P.REVIEW),
    ("POST", "/desk/claims/{claim_id}/appearances/source", P.REVIEW),
    ("POST", "/desk/fact-checks/{fc_id}/autosave", P.WORK),
    ("POST", "/desk/fact-checks/{fc_id}/drafts/{form}/discard", P.WORK),
    ("POST", "/desk/users/{username}/active", P.MANAGE_USERS),
    ("POST", "/desk/users/{username}/password", P.MANAGE_USERS),
    ("POST", "/desk/sessions/{session_id}/end", P.MANAGE_USERS),
    ("GET", "/desk/account", P.READ),
    ("POST", "/desk/account/password", P.READ),
    ("GET", "/desk/library", P.READ),
    ("GET", "/desk/library/{source_id}", P.READ),
    ("GET", "/desk/claims/{claim_id}/research", P.READ),
    ("POST", "/desk/library", P.WORK),
    ("POST", "/desk/claims/{claim_id}/research/cite", P.WORK),
    ("POST", "/desk/library/{source_id}/withdraw", P.MANAGE_SOURCES),
    ("POST", "/desk/library/{source_id}/restore", P.MANAGE_SOURCES),
    ("GET", "/desk/jobs", P.MANAGE_SOURCES),
    ("POST", "/desk/jobs/{job_id}/retry", P.MANAGE_SOURCES),
    ("POST", "/desk/jobs/retry-dead", P.MANAGE_SOURCES),
    ("POST", "/desk/sources/{source_id}/resume", P.MANAGE_SOURCES),
    ("POST", "/desk/logout", P.READ),  # last: it ends the persona's session
]
# Routes other areas add (publishing) are checked by their own tests.
OTHER_AREAS = (
    "/feed",
    "/sitemap",
    "/claimreview",
    "/robots",
    "/index.json",
    "/api/v1/fact",
    "/api/v1/claims",
    "/fact-checks/",  # public pages: tests/web/test_public_site.py
    "/archive/",
    "/api/v1/check",  # token-authenticated API: tests/web/test_public_api.py
    "/api/v1/webhooks",
    "/api/v1/tokens",
    "/api/v1/library",  # research API, every role: tests/web/test_research_api.py
    "/api/v1/research",
)


@pytest.fixture
def world(db: sessionmaker[Session], personas: dict[str, Persona]) -> dict[str, Any]:
    """One of each record a route can name."""
    with db.begin() as session:
        claim = m.Claim(text="Bananas cure colds", status="new", score=0.8)
        other = m.Claim(text="The moon is cheese", status="researching", score=0.5)
        session.add_all([claim, other])
        session.flush()
        fc = m.FactCheck(
            origin="local",
            status="researching",
            claim_id=other.id,
            dedupe_key=f"local:claim:{other.id}",
            claim_reviewed=other.text,
            rating_label="",
            content_hash="",
            author_id=personas["checker"].user_id,
        )
        doc = m.EvidenceDocument(
            url="http://127.0.0.1:9/doc",
            content_hash="0" * 64,
            text="t",
            raw=b"<p>t</p>",
            raw_type="text/html",
        )
        source = m.Source(kind="feed", location="http://127.0.0.1:9/feed.xml")
        session.add_all([fc, doc, source])
        session.flush()
        citation = m.Citation(
            fact_check_id=fc.id,
            url=doc.url or "",
            quote="t",
            document_id=doc.id,
            content_hash=doc.content_hash,
            archived_at=doc.created_at or m.utcnow(),
        )
        session.add(citation)
        webhook = m.Webhook(url="http://127.0.0.1:9/hook", secret="s")
        session.add(webhook)
        session.flush()
        delivery = m.WebhookDelivery(
            webhook_id=webhook.id, event="claim.resurgence", payload={}, status="failed"
        )
        session.add(delivery)
        correction = m.FactCheckCorrection(
            fact_check_id=fc.id, kind="substantive", base_version=1, content={}, note="n"
        )
        session.add(correction)
        job = PipelineJob(kind="match", payload=[claim.id], status="dead", attempts=5)
        session.add(job)
        session.flush()
        return {
            "job_id": job.id,
            "correction_id": correction.id,
            "form": "verdict",
            "webhook_id": webhook.id,
            "delivery_id": delivery.id,
            "claim_id": claim.id,
            "fc_id": fc.id,
            "doc_id": doc.id,
            "source_id": source.id,
            "citation_id": citation.id,
            "username": "nobody",
            "session_id": 999_999,
            "code": "en",
        }


def _request(p: Persona, method: str, path: str, csrf: bool = True) -> Any:
    if method == "GET":
        return p.get(path)
    if path.startswith("/api/"):
        return p.client.post(path, json={"text": "A claim"}, follow_redirects=False)
    data = {
        "version": "1",
        "action": "submit",
        "quote": "q",
        "url": "x",
        "body": "b",
        "rating_scale": "True = 1",
        "worthiness_high": "0.7",
        "worthiness_low": "0.4",
        "spread_high": "10",
        "spread_low": "3",
        "languages": "vi",
        "role": "viewer",
        "text": "A claim",
        "username": "admin",
        "password": PASSWORD,
    }
    if not csrf:
        return p.client.post(path, data=data, follow_redirects=False)
    if path in ("/submit", "/desk/login"):  # forms before sign-in: a double-submit cookie
        # A browser of its own, so signing in does not replace the persona's session.
        client = TestClient(p.client.app) if path == "/desk/login" else p.client
        client.get(path)
        data["csrf"] = client.cookies.get("fd_csrf") or ""
        return client.post(path, data=data, follow_redirects=False)
    return p.post(path, data)


def _denied(response: Any) -> bool:
    location = response.headers.get("location", "")
    return response.status_code in (401, 403) or location.startswith("/desk/login?")


@pytest.mark.parametrize("persona", ["admin", "editor", "checker", "viewer", "outsider"])
def test_permissions_every_route_for_persona(
    persona: str, personas: dict[str, Persona], world: dict[str, Any]
) -> None:
    p = personas[persona]
    problems = []
    for method, template, permission in ROUTES:
        path = template.format(**world)
        response = _request(p, method, path)
        if permission is None:
            allowed = True
        elif persona == "outsider":
            allowed = False
        else:
            allowed = has_permission(Role(persona), permission)
        if allowed == _denied(response):
            problems.append(
                f"{method} {path}: {response.status_code} "
                f"({'should pass' if allowed else 'should be refused'})"
            )
        if persona == "outsider" and permission is not None and path.startswith("/desk"):
            assert response.status_code == 303, (method, path)
    assert not problems, "\n".join(problems)


def test_permissions_every_post_needs_the_session_csrf_token(
    personas: dict[str, Persona], world: dict[str, Any]
) -> None:
    admin = personas["admin"]
    for method, template, permission in ROUTES:
        if method == "POST" and permission is not None:
            response = _request(admin, method, template.format(**world), csrf=False)
            assert response.status_code == 403, template
            assert "CSRF" in response.text
    wrong = admin.client.post("/desk/preview", data={"csrf": "not-the-token"})
    assert wrong.status_code == 403


def api_routes(routes: Any, prefix: str = "") -> list[APIRoute]:
    """Every APIRoute of the app. FastAPI 0.165 keeps included routers as objects of their
    own instead of copying their routes into ``app.routes``, so walk into them too (with the
    prefix they were included under); older versions list the routes directly."""
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            context = getattr(route, "include_context", None)
            extra = getattr(context, "prefix", "") or ""
            assert not extra, "routers here carry their own prefix"
            out.extend(api_routes(route.original_router.routes, prefix + extra))
    return out


def test_permissions_route_walk_sees_the_whole_app(app: FastAPI) -> None:
    paths = {route.path for route in api_routes(app.routes)}
    assert len(paths) > 50 and "/desk/claims/{claim_id}" in paths  # the checks below are real


def test_permissions_table_lists_every_route(app: FastAPI) -> None:
    listed = {(method, path) for method, path, _ in ROUTES}
    missing = []
    for route in api_routes(app.routes):
        if route.path.startswith(OTHER_AREAS):
            continue
        for method in route.methods - {"HEAD"}:
            if (method, route.path) not in listed:
                missing.append(f"{method} {route.path}")
    assert not missing, f"routes without a permission test: {missing}"


def test_permissions_every_desk_route_declares_its_permission(app: FastAPI) -> None:
    expected = {(method, path): permission for method, path, permission in ROUTES}
    for route in api_routes(app.routes):
        if not route.path.startswith("/desk"):
            continue
        declared = [getattr(d.call, "permission", None) for d in route.dependant.dependencies]
        declared = [d for d in declared if d is not None]
        for method in route.methods - {"HEAD"}:
            want = expected.get((method, route.path))
            assert declared == ([want] if want else []), f"{method} {route.path}: {declared}"


def test_permissions_disabled_user_and_changed_role_lose_access(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    editor = personas["editor"]
    assert editor.get("/desk/").status_code == 200
    with db.begin() as session:
        auth.set_role(session, "editor", "viewer")  # signs the user out everywhere
    assert editor.get("/desk/").status_code == 303
    viewer = personas["viewer"]
    with db.begin() as session:
        user = session.get_one(m.User, viewer.user_id)
        user.active = False
    assert viewer.get("/desk/").status_code == 303
