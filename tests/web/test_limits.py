"""Bounded requests: body limits on every route (declared and chunked), JSON depth, NUL
characters, integers beyond the database's range, the tipline's JSON-only API."""

from __future__ import annotations

import re
import select as io_select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.store import models as m
from factdesk.web.limits import DEFAULT_LIMIT, LIMITS, MAX_JSON_DEPTH, json_depth, limit_for
from tests.web.conftest import Persona
from tests.web.test_permissions import api_routes

SECURITY_DOC = Path(__file__).parents[2] / "docs" / "security.md"
HUGE = 2**63  # the finding: ids and page numbers this large overflowed the database


def _count(db: sessionmaker[Session], model: type) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n % (1024 * 1024) == 0 else f"{n // 1024} KiB"


def test_limits_table_and_security_doc_agree() -> None:
    text = SECURITY_DOC.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `(\w+) ([^`]+)` \| ([\d]+ [KM]iB) \|", text, re.MULTILINE))
    assert rows == {(x.method, x.path, _size(x.limit)) for x in LIMITS}
    assert f"every other route: {_size(DEFAULT_LIMIT)}" in text
    assert f"{MAX_JSON_DEPTH} levels" in text


def test_limits_routes_in_the_table_exist(app: FastAPI) -> None:
    paths = {(method, route.path) for route in api_routes(app.routes) for method in route.methods}
    for limit in LIMITS:
        assert any(
            method == limit.method and limit.matches(method, re.sub(r"\{[^}]+\}", "7", path))
            for method, path in paths
        ), limit


def test_limits_lookup() -> None:
    assert limit_for("POST", "/desk/fact-checks/12/edit") == 1024 * 1024
    assert limit_for("POST", "/desk/fact-checks/12/edit/x") == DEFAULT_LIMIT
    assert limit_for("GET", "/desk/fact-checks/12/edit") == DEFAULT_LIMIT
    assert limit_for("POST", "/api/v1/check") == DEFAULT_LIMIT


def test_limits_declared_length_refused_before_reading(
    personas: dict[str, Persona],
) -> None:
    """The finding: an anonymous 100 MB POST /api/v1/check was read whole before its 401."""
    client = personas["outsider"].client
    headers = {"content-type": "application/json", "content-length": str(100 * 1024 * 1024)}
    response = client.post("/api/v1/check", content=b"{}", headers=headers)
    assert response.status_code == 413
    assert response.json()["where"] == "body" and "limit" in response.json()["error"]
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("content_type", ["application/json", "application/octet-stream"])
def test_limits_chunked_body_counted_while_reading(
    personas: dict[str, Persona], content_type: str
) -> None:
    chunks = (b"x" * 16_384 for _ in range(64))  # 1 MiB, no Content-Length
    response = personas["outsider"].client.post(
        "/api/v1/check", content=chunks, headers={"content-type": content_type}
    )
    assert response.status_code == 413 and response.json()["where"] == "body"


def test_limits_form_pages_answer_413_as_html(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    checker = personas["checker"]
    response = checker.post("/desk/fact-checks/1/comment", {"body": "x" * (300 * 1024)})
    assert response.status_code == 413 and "text/html" in response.headers["content-type"]
    # the edit form takes a long explanation (1 MiB); past that it is refused too
    big = checker.post("/desk/fact-checks/1/edit", {"version": "1", "explanation": "y" * 900_000})
    assert big.status_code != 413
    huge = checker.post(
        "/desk/fact-checks/1/edit", {"version": "1", "explanation": "y" * 1_100_000}
    )
    assert huge.status_code == 413
    assert _count(db, m.ReviewComment) == 0


def test_limits_deep_json_is_refused_not_a_500(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    """The finding: deeply nested JSON to POST /api/v1/submissions gave a 500."""
    deep = b'{"text": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    client = personas["outsider"].client
    for path in ("/api/v1/submissions", "/api/v1/check"):
        response = client.post(path, content=deep, headers={"content-type": "application/json"})
        assert response.status_code == 400, path
        assert f"deeper than {MAX_JSON_DEPTH}" in response.json()["error"]
    assert _count(db, m.Submission) == 0 and _count(db, m.Item) == 0


def _multipart(fields: dict[str, bytes]) -> tuple[bytes, dict[str, str]]:
    parts = b"".join(
        b'--b0undary\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (name.encode(), value)
        for name, value in fields.items()
    )
    return parts + b"--b0undary--\r\n", {"content-type": "multipart/form-data; boundary=b0undary"}


def test_limits_nul_in_a_multipart_form_is_refused(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int
) -> None:
    checker = personas["checker"]
    body, headers = _multipart({"csrf": checker.csrf.encode(), "note": b"a\x00b"})
    response = checker.client.post(
        f"/desk/claims/{claim_id}/start", content=body, headers=headers, follow_redirects=False
    )
    assert response.status_code == 400 and "NUL" in response.text
    assert _count(db, m.FactCheck) == 0
    body, headers = _multipart({"csrf": checker.csrf.encode(), "note": b"50%00 of it"})
    fine = checker.client.post(
        f"/desk/claims/{claim_id}/start", content=body, headers=headers, follow_redirects=False
    )
    assert fine.status_code == 303


def test_limits_json_depth_skips_strings() -> None:
    assert json_depth(b'{"a": [1, {"b": "[[[[{{{{\\"]]"}]}') == 3
    assert json_depth(b"[[[]]]") == 3 and json_depth(b'"no nesting"') == 0


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/api/v1/submissions", b'{"text": "Gi\\u0000a x\\u0103ng t\\u0103ng"}'),
        ("/submit", b"text=water%00poisoned"),
    ],
)
def test_limits_nul_characters_are_refused(
    personas: dict[str, Persona], db: sessionmaker[Session], path: str, data: bytes
) -> None:
    client = personas["outsider"].client
    kind = "application/json" if path.startswith("/api") else "application/x-www-form-urlencoded"
    response = client.post(path, content=data, headers={"content-type": kind})
    assert response.status_code == 400 and "NUL" in response.text
    assert client.get("/?q=a%00b").status_code == 400
    assert _count(db, m.Submission) == 0


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b'{"text": "Cross-site tip"}'),
        ("application/x-www-form-urlencoded", b"text=Cross-site+tip"),
        ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="text"'),
        ("", b'{"text": "Cross-site tip"}'),
    ],
)
def test_tipline_api_takes_json_only(
    personas: dict[str, Persona], db: sessionmaker[Session], content_type: str, body: bytes
) -> None:
    """The finding: POST /api/v1/submissions accepted text/plain, so any page could make
    its visitors send tips (a simple request needs no CORS preflight)."""
    headers = {"content-type": content_type} if content_type else {}
    response = personas["outsider"].client.post(
        "/api/v1/submissions", content=body, headers=headers
    )
    assert response.status_code == 415 and "application/json" in response.json()["error"]
    assert _count(db, m.Submission) == 0 and _count(db, m.Item) == 0


def _int_routes(app: FastAPI) -> list[tuple[str, str, list[str]]]:
    """(method, path, int path params) of every route with an integer path parameter."""
    found = []
    for route in api_routes(app.routes):
        names = [f.alias for f in route.dependant.path_params if f.field_info.annotation is int]
        names += re.findall(r"\{(\w+):int\}", route.path)
        if names:
            for method in sorted(route.methods - {"HEAD"}):
                found.append((method, route.path, sorted(set(names))))
    return found


@pytest.mark.parametrize("value", [HUGE, 2**31, 0, -1])
def test_limits_ids_beyond_the_database_are_404_never_500(
    app: FastAPI, personas: dict[str, Persona], value: int
) -> None:
    """Every route with an integer path parameter, for the admin and for an outsider (the
    test client raises on a server error, so a 500 fails here)."""
    routes = _int_routes(app)
    assert len(routes) >= 19  # the finding counted 19 route patterns
    for persona in ("admin", "outsider"):
        p = personas[persona]
        for method, template, _names in routes:
            path = re.sub(r"\{(\w+)(:int)?\}", lambda g: str(value), template)
            response: Any = p.get(path) if method == "GET" else p.post(path, {"version": "1"})
            if template.startswith("/api/") and method == "POST" and persona == "admin":
                assert response.status_code in (403, 404), (method, path)
                continue
            assert response.status_code in (303, 401, 404, 405), (
                persona,
                method,
                path,
                response.status_code,
            )


@pytest.mark.parametrize(
    "path",
    [
        "/desk/sources?page={v}",
        "/desk/evidence?page={v}",
        "/desk/quarantine?page={v}",
        "/desk/audit?page={v}",
        "/desk/submissions?page={v}",
        "/desk/users?page={v}",
        "/desk/review?page={v}",
        "/?page={v}",
        "/api/v1/fact-checks?offset={v}",
        "/api/v1/webhooks/deliveries?webhook_id={v}",
    ],
)
def test_limits_page_numbers_beyond_the_database_are_400(
    personas: dict[str, Persona], path: str
) -> None:
    admin = personas["admin"]
    for value in (HUGE, -1):
        response = admin.get(path.format(v=value))
        assert response.status_code == 400, (path, value, response.status_code)
    assert admin.get(path.format(v=1)).status_code == 200


def test_limits_form_integers_are_checked(personas: dict[str, Persona], claim_id: int) -> None:
    editor = personas["editor"]
    response = editor.post(f"/desk/claims/{claim_id}/merge", {"into": str(HUGE)})
    assert response.status_code == 400 and "into" in response.text


def test_limits_queue_filters_beyond_the_database_are_ignored(
    personas: dict[str, Persona],
) -> None:
    """The queue's filter form shows a bad value as a problem rather than failing."""
    admin = personas["admin"]
    for name in ("source", "min_mentions", "page"):
        for value in (HUGE, -1):
            assert admin.get(f"/desk/queue?{name}={value}").status_code == 200, (name, value)


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[tuple[str, int]]:
    """The app served by uvicorn on a free 127.0.0.1 port in a background thread."""
    import uvicorn

    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="critical", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield "127.0.0.1", server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    thread.join(timeout=10)


def _answer(sock: socket.socket) -> bytes:
    sock.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_limits_real_server_refuses_a_100_mb_body_without_reading_it(
    live_server: tuple[str, int],
) -> None:
    """The finding, over a real socket: the 413 comes back after 1 KiB of a declared
    100 MB body; the rest is never sent, let alone read."""
    with socket.create_connection(live_server) as sock:
        sock.sendall(
            b"POST /api/v1/check HTTP/1.1\r\nHost: desk\r\nContent-Type: application/json\r\n"
            b"Content-Length: 104857600\r\n\r\n" + b"{" + b" " * 1023
        )
        assert _answer(sock).startswith(b"HTTP/1.1 413")


def test_limits_real_server_cuts_a_chunked_body_off(live_server: tuple[str, int]) -> None:
    """Chunked, with no length to check first: the server answers 413 while the client is
    still sending, after little more than the limit (plus what socket buffers hold)."""
    sent = 0
    with socket.create_connection(live_server) as sock:
        sock.sendall(
            b"POST /api/v1/check HTTP/1.1\r\nHost: desk\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"%x\r\n%s\r\n" % (16384, b" " * 16384)
        sock.settimeout(0.5)
        try:
            while sent < 100 * 1024 * 1024:
                sock.sendall(chunk)
                sent += 16384
                readable, _, _ = io_select.select([sock], [], [], 0)
                if readable:
                    break
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass
        assert _answer(sock).startswith(b"HTTP/1.1 413")
    assert sent < 16 * 1024 * 1024
