"""Bounded requests: how much a request may send, how deep its JSON may nest, which
integers and characters it may carry. Checked before any view runs, so a hostile request
costs the server at most one limit's worth of memory and never reaches the database.

- :data:`LIMITS` is the one table of body limits (``docs/security.md`` prints it; a test
  keeps the two equal). :class:`RequestLimits` enforces it on every route *while reading*:
  a ``Content-Length`` over the limit is refused before a byte is read, and a chunked body
  is counted as it arrives and cut off at the limit.
- JSON and form bodies (small by the limits above) are read whole here, then checked for
  nesting deeper than :data:`MAX_JSON_DEPTH` and for NUL characters (PostgreSQL cannot
  store them), and handed to the view unchanged.
- :func:`bounded_ints`, an app-wide dependency, refuses integer path, query and form
  parameters outside the database's integer range before they reach a query.

Refusals are :class:`Refused` (an ``HTTPException`` with a ``where``), rendered by the
app's one error handler as JSON under ``/api`` and as a page elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from factdesk.errors import InputError, NotFound

__all__ = ["DEFAULT_LIMIT", "LIMITS", "MAX_JSON_DEPTH", "Limit", "RequestLimits", "bounded_ints"]

KIB, MIB = 1024, 1024 * 1024
DEFAULT_LIMIT = 64 * KIB
MAX_JSON_DEPTH = 32
DB_INT_MAX = 2**31 - 1  # the largest id an INTEGER column holds on SQLite and PostgreSQL


@dataclass(frozen=True)
class Limit:
    """The largest body ``method path`` accepts, and why it needs more than the default."""

    method: str
    path: str  # a route path; ``{name}`` matches one segment
    limit: int
    why: str
    # a multipart upload whose file parts are stored as bytes (a PDF holds NUL bytes); its
    # text fields are still refused with a NUL by the view (InputError)
    binary: bool = False

    def matches(self, method: str, path: str) -> bool:
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(self.path))
        return method == self.method and re.fullmatch(pattern, path) is not None


# Every route not listed takes DEFAULT_LIMIT. Keep docs/security.md in step (a test checks).
LIMITS: tuple[Limit, ...] = (
    Limit("POST", "/desk/fact-checks/{id}/edit", MIB, "a verdict's explanation, in full"),
    Limit("POST", "/desk/fact-checks/{id}/transition", MIB, "the verdict sent with the step"),
    Limit("POST", "/desk/preview", MIB, "the draft verdict being previewed"),
    Limit("POST", "/desk/fact-checks/{id}/comment", 256 * KIB, "a review comment"),
    Limit(
        "POST",
        "/desk/library",
        16 * MIB,
        "an evidence document uploaded to the library (the file itself is held to "
        "FACTDESK_LIBRARY_MAX_BYTES; its bytes may include NUL)",
        binary=True,
    ),
)


def limit_for(method: str, path: str) -> int:
    return next((x.limit for x in LIMITS if x.matches(method, path)), DEFAULT_LIMIT)


def binary_upload(method: str, path: str) -> bool:
    return any(x.binary and x.matches(method, path) for x in LIMITS)


class Refused(HTTPException):
    """A request refused by these limits; ``where`` names the part that was wrong."""

    def __init__(self, status: int, message: str, where: str) -> None:
        super().__init__(status_code=status, detail=message)
        self.where = where


def _too_large(limit: int) -> Refused:
    return Refused(413, f"the request body is over this address's {limit}-byte limit", "body")


def json_depth(raw: bytes) -> int:
    """How deep arrays and objects nest in a JSON text (strings skipped), without parsing it
    (a parser would recurse as deep as the attacker nests)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


_NUL = re.compile(rb"\x00|%00|\\u0000", re.IGNORECASE)


class RequestLimits:
    """The ASGI middleware enforcing the table above and the checks on small bodies.
    ``respond`` renders a refusal (the app's error handler) when no view runs at all."""

    def __init__(self, app: ASGIApp, respond: Callable[[Request, Exception], Response]) -> None:
        self.app = app
        self.respond = respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["method"], scope["path"])
        headers = {k.decode("latin-1").lower(): v for k, v in scope.get("headers", [])}
        declared = headers.get("content-length", b"").decode("latin-1").strip()
        refusal: Refused | None = None
        if _NUL.search(scope.get("raw_path") or b"") or _NUL.search(scope.get("query_string", b"")):
            refusal = Refused(400, "NUL characters are not accepted in a URL", "url")
        elif declared and (not declared.isdigit() or int(declared) > limit):
            refusal = (
                _too_large(limit) if declared.isdigit() else Refused(400, "bad length", "body")
            )
        if refusal is not None:
            await self._refuse(scope, refusal, send)
            return
        kind = headers.get("content-type", b"").decode("latin-1").lower()
        if "json" in kind or "x-www-form-urlencoded" in kind or "multipart/" in kind:
            await self._small_body(scope, receive, send, limit, kind)
            return
        await self.app(scope, _counting(receive, limit), send)

    async def _small_body(
        self, scope: Scope, receive: Receive, send: Send, limit: int, kind: str
    ) -> None:
        """Read the whole (bounded) body, check it, and replay it to the app."""
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                await self._refuse(scope, _too_large(limit), send)
                return
        if "json" in kind and json_depth(bytes(body)) > MAX_JSON_DEPTH:
            refusal = Refused(400, f"JSON nested deeper than {MAX_JSON_DEPTH} levels", "body")
            await self._refuse(scope, refusal, send)
            return
        # a multipart field carries its bytes as they are; the other kinds escape them
        multipart = "multipart/" in kind
        if multipart and binary_upload(scope["method"], scope["path"]):
            pass  # file bytes as they are; the view refuses NUL in the text fields
        elif (b"\x00" in body) if multipart else _NUL.search(body):
            await self._refuse(scope, Refused(400, "NUL characters are not accepted", "body"), send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()  # the app waits for a disconnect: pass it on
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, refusal: Refused, send: Send) -> None:
        response = self.respond(Request(scope), refusal)
        await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


def _counting(receive: Receive, limit: int) -> Receive:
    """``receive`` that stops a body (chunked or lying about its length) at ``limit``."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _too_large(limit)
        return message

    return counted


# --- integers ------------------------------------------------------------------------------


def _int_fields(route: Any) -> list[tuple[str, str, int]]:
    """(where, name, lowest) of every int parameter of a route, sub-dependencies included;
    cached on the route."""
    cached: list[tuple[str, str, int]] | None = getattr(route, "_factdesk_ints", None)
    if cached is not None:
        return cached
    found: list[tuple[str, str, int]] = []
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        stack.extend(dependant.dependencies)
        for where, params in (
            ("path", dependant.path_params),
            ("query", dependant.query_params),
            ("form", dependant.body_params),
        ):
            for field in params:
                annotation = field.field_info.annotation
                if annotation not in (int, int | None):
                    continue
                lows = [m.ge for m in field.field_info.metadata if hasattr(m, "ge")]
                default = field.field_info.default
                low = lows[0] if lows else min(1, default) if isinstance(default, int) else 1
                found.append((where, field.alias, low))
    route._factdesk_ints = found
    return found


async def bounded_ints(request: Request) -> None:
    """Refuse integers the database cannot hold (ids are 1..2^31-1): an id out of range is a
    record that does not exist (404), any other number a bad input (400)."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    fields = _int_fields(route)
    if not fields:
        return
    form: Any = None
    for where, name, low in fields:
        if where == "path":
            raw: Any = request.path_params.get(name)
        elif where == "query":
            raw = request.query_params.get(name)
        else:
            if form is None:
                kind = request.headers.get("content-type", "")
                form = await request.form() if "form" in kind else {}
            raw = form.get(name)
        if isinstance(raw, int):  # a route path's ``{name:int}`` arrives converted
            raw = str(raw)
        if not isinstance(raw, str) or not re.fullmatch(r"\s*[+-]?\d+\s*", raw):
            continue  # absent, or not a number: FastAPI's own validation says so
        value = int(raw)
        if low <= value <= DB_INT_MAX:
            continue
        if where == "path":
            raise NotFound(f"no record with {name} {raw.strip()[:30]}")
        raise InputError(f"{name} must be between {low} and {DB_INT_MAX}", where=name)
