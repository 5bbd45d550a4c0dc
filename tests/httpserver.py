"""A real HTTP server on 127.0.0.1 for tests: the network edge is tested, never mocked.

    with LocalServer() as server:
        server.route("/feed.xml", body=data, headers={"Content-Type": "application/rss+xml"})
        server.route("/slow", body=b"x", delay=2.0)
        server.route("/old", status=301, headers={"Location": "/feed.xml"})
        Fetcher(settings).fetch(server.url("/feed.xml"))
        assert server.requests[-1].headers["User-Agent"].startswith("factdesk")

Unknown paths answer 404. A route may also be a function taking the request and returning
``(status, headers, body)``, for conditional GETs and the like. Handler threads never
raise (a client that hung up is not a test failure) and the server closes without
waiting for them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]


Response = tuple[int, dict[str, str], bytes]
Handler = Callable[[Request], Response]


@dataclass
class Route:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunk_delay: float = 0.0
    handler: Handler | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that went away mid-response is expected in timeout tests


class LocalServer:
    """Serve routes on 127.0.0.1 on a free port, in a background thread."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                try:
                    owner._serve(self)
                except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes | Iterable[bytes] = b"",
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        chunk_delay: float = 0.0,
    ) -> None:
        """Answer GET ``path`` (query included when given) with a fixed response."""
        self.routes[path] = Route(status, body, headers or {}, delay, chunk_delay)

    def handle(self, path: str, handler: Handler) -> None:
        """Answer GET ``path`` by calling ``handler(request)``."""
        self.routes[path] = Route(handler=handler)

    def url(self, path: str = "/") -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        request = Request("GET", handler.path, dict(handler.headers.items()))
        self.requests.append(request)
        route = self.routes.get(handler.path) or self.routes.get(handler.path.split("?", 1)[0])
        if route is None:
            route = Route(status=404, body=b"not found")
        if route.delay:
            time.sleep(route.delay)
        if route.handler is not None:
            status, headers, body = route.handler(request)
            chunks: Iterable[bytes] = [body]
        else:
            status, headers = route.status, dict(route.headers)
            chunks = [route.body] if isinstance(route.body, bytes) else route.body
        handler.send_response(status)
        chunked = not isinstance(route.body, bytes) and route.handler is None
        for name, value in headers.items():
            handler.send_header(name, value)
        if chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        elif not any(k.lower() == "content-length" for k in headers):
            handler.send_header("Content-Length", str(sum(len(c) for c in chunks)))
        handler.end_headers()
        for chunk in chunks:
            if route.chunk_delay:
                time.sleep(route.chunk_delay)
            if chunked:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                handler.wfile.write(chunk)
            handler.wfile.flush()
        if chunked:
            handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()
