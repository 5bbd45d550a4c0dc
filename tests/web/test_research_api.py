"""The research desk's JSON API: library sources (list, show, add from a URL) and research
for a claim. Who may call what (read token or session to read, a checker's session and
CSRF token to add), no 500 on bad input, and every request and answer validated against
/api/v1/openapi.json with openapi-core."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from openapi_core import OpenAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import accounts, library
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from tests.httpserver import LocalServer

from .conftest import Persona
from .test_openapi_contract import _checked, spec  # noqa: F401 (the fixture)
from .test_public_api import bearer

NOTE = (
    b"Vaccine X does not cause infertility, a review of trials in 20,000 women found.\n\n"
    b"Side effects of vaccine X in women were mild and short-lived.\n\n"
    b"The town council met on Tuesday to discuss parking."
)
ARTICLE = (
    b"<html><head><title>Masts and flu</title></head><body><article><h1>Masts and flu</h1>"
    b"<p>Phone masts do not spread flu; the virus passes between people, the health agency "
    b"said in its yearly report on seasonal illness and how it travels.</p>"
    b"<p>Flu cases rose in the winter as they do every year, doctors said, and fell again "
    b"in spring once people spent more time outdoors in the sun.</p></article></body></html>"
)


@pytest.fixture
def token(db: sessionmaker[Session]) -> dict[str, str]:
    with transaction(db) as s:
        _, secret = accounts.create_token(s, "Partner newsroom")
    return bearer(secret)


@pytest.fixture
def sources(app: FastAPI) -> list[int]:
    state = app.state.desk
    first = library.add_bytes(state.settings, state.factory, NOTE, name="review.txt")
    second = library.add_bytes(
        state.settings, state.factory, NOTE + b"\n\nUpdated.", name="review.txt"
    )
    other = library.add_bytes(
        state.settings, state.factory, b"Bridge tolls stayed the same in 2025.", name="tolls.txt"
    )
    assert second.outcome == "new_version" and first.source.id == second.source.id
    return [first.source.id, other.source.id]


def test_library_sources_list_page_and_show_versions(
    personas: dict[str, Persona], token: dict[str, str], sources: list[int]
) -> None:
    outsider = personas["outsider"]
    assert outsider.get("/api/v1/library/sources").status_code == 401
    listing = outsider.get("/api/v1/library/sources", headers=token).json()
    assert listing["total"] == 2 and [s["id"] for s in listing["sources"]] == sources[::-1]
    page = outsider.get("/api/v1/library/sources", params={"offset": 1, "limit": 1}, headers=token)
    assert [s["id"] for s in page.json()["sources"]] == [sources[0]]
    assert page.json() | {"sources": []} == {"total": 2, "offset": 1, "limit": 1, "sources": []}
    shown = personas["viewer"].get(f"/api/v1/library/sources/{sources[0]}").json()
    assert shown["version_count"] == 2 and [v["version"] for v in shown["versions"]] == [2, 1]
    assert shown["versions"][0]["passage_count"] == shown["passage_count"] == 4
    assert shown["versions"][1]["passage_count"] == 3
    assert len(shown["versions"][0]["content_hash"]) == 64


def test_research_finds_passages_with_stance_offsets_and_the_notice(
    personas: dict[str, Persona], token: dict[str, str], sources: list[int]
) -> None:
    outsider = personas["outsider"]
    claim = "Vaccine X causes infertility in women"
    got = outsider.get("/api/v1/research", params={"claim": claim, "k": 3}, headers=token)
    assert got.status_code == 200, got.text
    answer = got.json()
    assert "never a verdict" in answer["notice"] and answer["stance_model"]
    top = answer["passages"][0]
    assert "infertility" in top["text"] and top["source_id"] == sources[0]
    assert top["source_url"] == "file:review.txt" and top["stance"] in (
        "supports",
        "refutes",
        "not_enough_info",
    )
    assert top["end"] - top["start"] == len(top["text"])
    marked = " ".join(top["text"][h["start"] : h["end"]].lower() for h in top["highlights"])
    assert "vaccine" in marked and "infertility" in marked
    shown = outsider.get(f"/api/v1/library/sources/{sources[0]}", headers=token).json()
    assert top["version_id"] == shown["current_version_id"]  # the current version quoted
    posted = outsider.client.post(
        "/api/v1/research", json={"claim": claim, "k": 3}, headers=token
    ).json()
    assert [p["passage_id"] for p in posted["passages"]] == [
        p["passage_id"] for p in answer["passages"]
    ]


def test_research_api_refuses_bad_input_without_a_500(
    personas: dict[str, Persona], token: dict[str, str], sources: list[int]
) -> None:
    viewer = personas["viewer"]
    for params, where in (
        ({"claim": ""}, "query.claim"),
        ({"claim": "x" * 2001}, "query.claim"),
        ({"claim": "tolls", "k": 0}, "query.k"),
        ({"claim": "tolls", "k": "many"}, "query.k"),
        ({}, "query.claim"),
    ):
        refused = viewer.get("/api/v1/research", params=params)
        assert refused.status_code == 400, (params, refused.text)
        assert refused.json()["where"].split(".")[-1] == where.split(".")[-1]
    assert viewer.client.post("/api/v1/research", json={"claim": "   "}).json()["where"] == "claim"
    for body in ([], {"claim": 5}, {"k": 3}, "x"):
        refused = viewer.client.post("/api/v1/research", json=body)
        assert refused.status_code == 400 and refused.json()["where"].startswith("body"), body
    broken = viewer.client.post(
        "/api/v1/research", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400
    assert viewer.get("/api/v1/library/sources/999999").status_code == 404
    assert viewer.get("/api/v1/library/sources/nope").status_code == 400
    assert viewer.get(f"/api/v1/library/sources/{2**40}").status_code == 404
    assert viewer.get("/api/v1/library/sources", params={"limit": 0}).status_code == 400
    huge = viewer.client.post("/api/v1/research", json={"claim": "a " * 40_000})
    assert huge.status_code == 413  # the default request limit, before any view runs


def test_adding_a_source_needs_a_checker_session_and_csrf(
    personas: dict[str, Persona], token: dict[str, str], db: sessionmaker[Session]
) -> None:
    with LocalServer() as server:
        server.route("/masts.html", body=ARTICLE, headers={"content-type": "text/html"})
        body = {"url": server.url("/masts.html"), "publisher": "Health Agency"}
        checker = personas["checker"]
        assert (
            personas["viewer"]
            .client.post(
                "/api/v1/library/sources",
                json=body,
                headers={"X-CSRF-Token": personas["viewer"].csrf},
            )
            .status_code
            == 403
        )
        assert checker.client.post("/api/v1/library/sources", json=body).status_code == 403
        no_session = personas["outsider"].client.post(
            "/api/v1/library/sources", json=body, headers=token
        )
        assert no_session.status_code == 401  # a read token never writes
        with db() as s:
            assert s.scalar(select(func.count()).select_from(m.LibrarySource)) == 0
        csrf = {"X-CSRF-Token": checker.csrf}
        added = checker.client.post("/api/v1/library/sources", json=body, headers=csrf)
        assert added.status_code == 201, added.text
        assert added.json()["outcome"] == "added" and added.json()["passages"] >= 1
        assert added.json()["source"]["publisher"] == "Health Agency"
        again = checker.client.post("/api/v1/library/sources", json=body, headers=csrf)
        assert again.json()["outcome"] == "unchanged"
        bad = checker.client.post(
            "/api/v1/library/sources", json={"url": "ftp://x.example/a"}, headers=csrf
        )
        assert bad.status_code == 400 and bad.json()["where"] == "url"
        late = checker.client.post(
            "/api/v1/library/sources", json=body | {"published": "May 2025"}, headers=csrf
        )
        assert late.status_code == 400 and late.json()["where"] == "published"
        missing = checker.client.post("/api/v1/library/sources", json={}, headers=csrf)
        assert missing.status_code == 400 and missing.json()["where"] == "body.url"


def test_adding_a_source_obeys_the_address_rules(
    app: FastAPI, personas: dict[str, Persona]
) -> None:
    settings: Settings = app.state.desk.settings
    app.state.desk.settings = settings.model_copy(update={"allow_private_fetch": False})
    checker = personas["checker"]
    for url in ("http://127.0.0.1:9/a", "http://localhost/a", "http://169.254.169.254/latest"):
        refused = checker.client.post(
            "/api/v1/library/sources", json={"url": url}, headers={"X-CSRF-Token": checker.csrf}
        )
        assert refused.status_code == 400 and refused.json()["where"] == "url", url


def test_research_api_requests_and_answers_match_the_document(
    personas: dict[str, Persona],
    token: dict[str, str],
    sources: list[int],
    spec: dict[str, Any],  # noqa: F811
) -> None:
    openapi = OpenAPI.from_dict(spec)
    server = spec["servers"][0]["url"]
    outsider, checker = personas["outsider"], personas["checker"]
    paths = spec["paths"]
    assert paths["/api/v1/library/sources"]["post"]["security"] == [{"session": [], "csrf": []}]
    assert paths["/api/v1/research"]["get"]["security"] == [{"readToken": []}, {"session": []}]
    listing = _checked(openapi, server, outsider, "GET", "/api/v1/library/sources", headers=token)
    assert listing.status_code == 200
    one = _checked(
        openapi, server, outsider, "GET", f"/api/v1/library/sources/{sources[0]}", headers=token
    )
    assert one.status_code == 200
    missing = _checked(
        openapi, server, outsider, "GET", "/api/v1/library/sources/999999", headers=token
    )
    assert missing.status_code == 404
    found = _checked(
        openapi,
        server,
        outsider,
        "GET",
        "/api/v1/research",
        params={"claim": "vaccine infertility"},
        headers=token,
    )
    assert found.json()["passages"]
    posted = _checked(
        openapi,
        server,
        outsider,
        "POST",
        "/api/v1/research",
        json={"claim": "bridge tolls", "k": 2},
        headers=token,
    )
    assert posted.json()["passages"][0]["source_id"] == sources[1]
    with LocalServer() as web:
        web.route("/masts.html", body=ARTICLE, headers={"content-type": "text/html"})
        added = _checked(
            openapi,
            server,
            checker,
            "POST",
            "/api/v1/library/sources",
            json={"url": web.url("/masts.html")},
            headers={"X-CSRF-Token": checker.csrf},
        )
    assert added.status_code == 201
    refused = _checked(
        openapi,
        server,
        checker,
        "POST",
        "/api/v1/library/sources",
        json={"url": "ftp://x.example/a"},
        headers={"X-CSRF-Token": checker.csrf},
    )
    assert refused.status_code == 400


def test_adding_a_source_over_the_library_cap_is_413(
    app: FastAPI, personas: dict[str, Persona]
) -> None:
    settings: Settings = app.state.desk.settings
    app.state.desk.settings = settings.model_copy(update={"library_max_bytes": 200})
    checker = personas["checker"]
    with LocalServer() as server:
        server.route("/masts.html", body=ARTICLE, headers={"content-type": "text/html"})
        url = server.url("/masts.html")
        refused = checker.client.post(
            "/api/v1/library/sources", json={"url": url}, headers={"X-CSRF-Token": checker.csrf}
        )
    assert refused.status_code == 413
    assert refused.json() == {
        "error": "over the library's 200-byte limit (FACTDESK_LIBRARY_MAX_BYTES)",
        "where": url,
    }


def test_research_on_an_empty_library_is_an_empty_answer(
    personas: dict[str, Persona], token: dict[str, str]
) -> None:
    got = personas["outsider"].get("/api/v1/research", params={"claim": "anything"}, headers=token)
    assert got.status_code == 200 and got.json()["passages"] == []
    listing = personas["outsider"].get("/api/v1/library/sources", headers=token).json()
    assert listing == {"total": 0, "offset": 0, "limit": 50, "sources": []}


def test_a_withdrawn_source_is_listed_unless_asked_not_to_and_leaves_research(
    app: FastAPI, personas: dict[str, Persona], token: dict[str, str], sources: list[int]
) -> None:
    state = app.state.desk
    library.set_withdrawn(state.settings, state.factory, sources[1], True)
    outsider = personas["outsider"]
    every = outsider.get("/api/v1/library/sources", headers=token).json()
    assert every["total"] == 2 and every["sources"][0]["withdrawn"] is True
    live = outsider.get("/api/v1/library/sources", params={"withdrawn": False}, headers=token)
    assert [s["id"] for s in live.json()["sources"]] == [sources[0]] and live.json()["total"] == 1
    found = outsider.get("/api/v1/research", params={"claim": "bridge tolls"}, headers=token)
    assert sources[1] not in {p["source_id"] for p in found.json()["passages"]}


@pytest.mark.parametrize(
    ("persona", "reads", "adds"),
    [
        ("admin", 200, 400),
        ("editor", 200, 400),
        ("checker", 200, 400),
        ("viewer", 200, 403),
        ("outsider", 401, 401),
    ],
)
def test_every_role_on_the_research_api(
    personas: dict[str, Persona], persona: str, reads: int, adds: int
) -> None:
    """Reads: any newsroom role; adding: checker and up (400 here: the permission passed and
    the URL, an ftp one, was refused; nothing is fetched)."""
    who = personas[persona]
    assert who.get("/api/v1/library/sources").status_code == reads
    assert who.get("/api/v1/research", params={"claim": "tolls"}).status_code == reads
    assert who.client.post("/api/v1/research", json={"claim": "tolls"}).status_code == reads
    added = who.client.post(
        "/api/v1/library/sources",
        json={"url": "ftp://x.example/a"},
        headers={"X-CSRF-Token": who.csrf},
    )
    assert added.status_code == adds, added.text
