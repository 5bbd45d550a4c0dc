"""The only HTTP client in factdesk: every fetch goes through :class:`Fetcher`.

One place enforces what a newsroom tool must never get wrong on the open web:

- only ``http``/``https`` URLs, redirects followed by hand (at most
  ``FACTDESK_MAX_REDIRECTS``), each hop checked again for scheme and robots.txt;
- ``FACTDESK_FETCH_TIMEOUT`` per network operation AND for the whole body, so a server
  dribbling one byte a second cannot hold a worker;
- ``FACTDESK_MAX_BODY_BYTES`` on the DECODED body: gzip/deflate are inflated here in
  bounded steps, so a 10 kB "gzip bomb" aborts after the cap instead of filling memory;
- robots.txt (RFC 9309) per host, cached; ``4xx`` means no rules (allowed), ``5xx`` or an
  unreachable robots.txt means "not now" (a retryable :class:`FetchError`);
- conditional GET: ``ETag`` / ``Last-Modified`` in, ``not_modified=True`` out on ``304``;
- every failure as a :class:`factdesk.errors.FactdeskError` with ``permanent`` set.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from types import TracebackType
from typing import Self
from urllib.parse import urljoin, urlsplit

import httpx

from factdesk.errors import FetchError, HTTPStatusError, RobotsDisallowed, TooLarge
from factdesk.ingest.fields import split_content_type
from factdesk.ingest.robots import ALLOW_ALL, RobotsRules, parse_robots
from factdesk.settings import Settings

__all__ = ["FetchResult", "Fetcher"]

ROBOTS_MAX_BYTES = 512_000  # RFC 9309: parse at least 500 KiB, ignore the rest
ROBOTS_TTL = 24 * 3600.0  # seconds a fetched robots.txt is trusted (RFC: at most a day)
ROBOTS_RETRY_AFTER = 60.0  # seconds an unreachable robots.txt blocks its host
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 65_536


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A fetched response. ``url`` is the final URL after redirects; ``body`` is decoded
    (decompressed) bytes, empty when ``not_modified``."""

    url: str
    status: int
    body: bytes
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


class Fetcher:
    """Fetch URLs under the settings' limits. Use as a context manager (or call
    :meth:`close`) so the connection pool is released."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.fetch_timeout),
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self._robots: dict[str, tuple[float, RobotsRules | FetchError]] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET ``url``; see the module docstring for the rules. Raises :class:`FetchError`
        (or :class:`HTTPStatusError`, :class:`RobotsDisallowed`) and :class:`TooLarge`."""
        headers = {"Accept": accept or "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + self.settings.fetch_timeout
        current = url.strip()
        for _ in range(self.settings.max_redirects + 1):
            _check_url(current)
            if self.settings.respect_robots:
                self._check_robots(current)
            result, location = self._get(current, headers, deadline)
            if result is not None:
                return result
            current = location
        raise FetchError(
            f"more than {self.settings.max_redirects} redirects (FACTDESK_MAX_REDIRECTS)",
            url=url,
            permanent=True,
        )

    def post(
        self,
        url: str,
        body: bytes,
        *,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> FetchResult:
        """POST ``body`` to ``url`` (webhook deliveries) and return the answer, whatever its
        status: the caller decides what a non-2xx means. Redirects are not followed (a POST
        must not silently move) and robots.txt does not apply (the receiver asked for it).
        ``timeout`` (default ``FACTDESK_FETCH_TIMEOUT``) bounds each operation and the whole
        answer; at most 64 kB of the answer's body is kept."""
        seconds = timeout or self.settings.fetch_timeout
        url = url.strip()
        _check_url(url)
        deadline = time.monotonic() + seconds
        try:
            with self._client.stream(
                "POST", url, content=body, headers=headers or {}, timeout=httpx.Timeout(seconds)
            ) as response:
                decoder = _Decoder(
                    response.headers.get("content-encoding", ""),
                    url,
                    min(self.settings.max_body_bytes, _CHUNK),
                    truncate=True,
                )
                for chunk in response.iter_raw():
                    if decoder.feed(chunk) or time.monotonic() > deadline:
                        break
                return self._result(response, url, decoder.finish())
        except httpx.TimeoutException:
            raise FetchError(f"no answer within {seconds:g}s", url=url) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"invalid URL: {exc}", url=url, permanent=True) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"network error: {exc or type(exc).__name__}", url=url) from None

    # --- one request ---------------------------------------------------------------------

    def _get(
        self, url: str, headers: dict[str, str], deadline: float
    ) -> tuple[FetchResult | None, str]:
        """The result, or (None, next URL) for a redirect."""
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(
                            f"HTTP {status} without a Location", url=url, permanent=True
                        )
                    return None, urljoin(url, location.strip())
                if status == 304:
                    return self._result(response, url, b"", not_modified=True), url
                if not 200 <= status < 300:
                    raise HTTPStatusError(status, url=url)
                body = self._read(response, url, deadline)
                return self._result(response, url, body), url
        except httpx.TimeoutException:
            raise FetchError(
                f"timed out after {self.settings.fetch_timeout:g}s (FACTDESK_FETCH_TIMEOUT)",
                url=url,
            ) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"invalid URL: {exc}", url=url, permanent=True) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"network error: {exc or type(exc).__name__}", url=url) from None

    def _read(self, response: httpx.Response, url: str, deadline: float) -> bytes:
        limit = self.settings.max_body_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_large(url, limit)  # compressed or not, the decoded body is larger
        decoder = _Decoder(response.headers.get("content-encoding", ""), url, limit)
        for chunk in response.iter_raw():
            decoder.feed(chunk)
            if time.monotonic() > deadline:
                raise FetchError(
                    f"body not complete after {self.settings.fetch_timeout:g}s "
                    "(FACTDESK_FETCH_TIMEOUT)",
                    url=url,
                )
        return decoder.finish()

    @staticmethod
    def _result(
        response: httpx.Response, url: str, body: bytes, *, not_modified: bool = False
    ) -> FetchResult:
        mime, charset = split_content_type(response.headers.get("content-type"))
        return FetchResult(
            url=str(url),
            status=response.status_code,
            body=body,
            content_type=mime,
            charset=charset,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            not_modified=not_modified,
        )

    # --- robots.txt ----------------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if target == "/robots.txt":
            return
        now = time.monotonic()
        cached = self._robots.get(origin)
        if cached is None or cached[0] < now:
            rules = self._fetch_robots(origin)
            ttl = ROBOTS_RETRY_AFTER if isinstance(rules, FetchError) else ROBOTS_TTL
            cached = (now + ttl, rules)
            self._robots[origin] = cached
        rules = cached[1]
        if isinstance(rules, FetchError):
            raise FetchError(rules.message, url=url, permanent=False)
        if not rules.allowed(self.settings.user_agent, target):
            raise RobotsDisallowed(url=url)

    def _fetch_robots(self, origin: str) -> RobotsRules | FetchError:
        """The rules of one host; a FetchError (retryable) when the file is unavailable."""
        url = origin + "/robots.txt"
        deadline = time.monotonic() + self.settings.fetch_timeout
        try:
            for _ in range(5):  # RFC 9309: follow at least five redirects
                with self._client.stream("GET", url, headers={"Accept": "text/plain"}) as response:
                    status = response.status_code
                    if status in _REDIRECTS and response.headers.get("location"):
                        url = urljoin(url, response.headers["location"].strip())
                        if urlsplit(url).scheme.lower() not in ("http", "https"):
                            return ALLOW_ALL
                        continue
                    if 200 <= status < 300:
                        decoder = _Decoder(
                            response.headers.get("content-encoding", ""),
                            url,
                            ROBOTS_MAX_BYTES,
                            truncate=True,
                        )
                        for chunk in response.iter_raw():
                            if decoder.feed(chunk) or time.monotonic() > deadline:
                                break
                        return parse_robots(decoder.finish().decode("utf-8", "replace"))
                    if 400 <= status < 500:
                        return ALLOW_ALL  # RFC 9309 2.3.1.3: "unavailable" means no rules
                    return FetchError(
                        f"robots.txt answered HTTP {status}; not fetching for now", url=origin
                    )
            return ALLOW_ALL  # too many redirects: treated as unavailable (4xx)
        except (httpx.HTTPError, FetchError, TooLarge) as exc:
            return FetchError(
                f"robots.txt unreachable ({type(exc).__name__}); not fetching for now", url=origin
            )


class _Decoder:
    """Inflate a body in bounded steps, counting DECODED bytes against the limit."""

    def __init__(self, encoding: str, url: str, limit: int, *, truncate: bool = False) -> None:
        self.url, self.limit, self.truncate = url, limit, truncate
        self.parts: list[bytes] = []
        self.size = 0
        self.full = False
        self.deflate_pending = False
        self.inflater: zlib._Decompress | None
        name = encoding.strip().lower()
        if name in ("", "identity"):
            self.inflater = None
        elif name in ("gzip", "x-gzip"):
            self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif name == "deflate":
            self.inflater = None  # chosen on the first bytes: zlib-wrapped or raw
            self.deflate_pending = True
        else:
            raise FetchError(f"unsupported Content-Encoding {encoding!r}", url=url, permanent=True)

    def feed(self, data: bytes) -> bool:
        """Add wire bytes; True once the limit is reached in truncate mode."""
        if self.full:
            return True
        if self.deflate_pending and data:
            # "deflate" should be zlib-wrapped (RFC 9110) but some servers send raw deflate.
            wrapped = len(data) > 1 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self.inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
            self.deflate_pending = False
        if self.inflater is None:
            self._add(data)
            return self.full
        try:
            while data:
                out = self.inflater.decompress(data, _CHUNK)
                self._add(out)
                if self.full:
                    return True
                data = self.inflater.unconsumed_tail
                if not out and not data:
                    break
        except zlib.error as exc:
            raise FetchError(f"corrupt compressed body: {exc}", url=self.url) from None
        return self.full

    def finish(self) -> bytes:
        if self.inflater is not None and not self.full:
            try:
                while not self.full:
                    out = self.inflater.decompress(b"", _CHUNK)
                    if not out:
                        break
                    self._add(out)
                if not self.full:
                    self._add(self.inflater.flush())
            except zlib.error as exc:
                raise FetchError(f"corrupt compressed body: {exc}", url=self.url) from None
        return b"".join(self.parts)

    def _add(self, data: bytes) -> None:
        if not data:
            return
        if self.size + len(data) > self.limit:
            if not self.truncate:
                raise _too_large(self.url, self.limit)
            data = data[: self.limit - self.size]
            self.full = True
        self.parts.append(data)
        self.size += len(data)


def _too_large(url: str, limit: int) -> TooLarge:
    return TooLarge(
        f"body over the {limit}-byte limit (FACTDESK_MAX_BODY_BYTES); download stopped",
        where=url,
    )


def _check_url(url: str) -> None:
    """Refuse what must not be fetched or cannot be, before any connection is made."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port_ok = parts.port is None or 0 < parts.port
    except ValueError as exc:
        raise FetchError(f"invalid URL: {exc}", url=url, permanent=True) from None
    if scheme not in ("http", "https"):
        raise FetchError(
            f"only http and https URLs are fetched, not {scheme or 'a relative URL'!r}",
            url=url,
            permanent=True,
        )
    if not parts.hostname or not port_ok or any(ch.isspace() for ch in url):
        raise FetchError("invalid URL: no host, a bad port or spaces", url=url, permanent=True)
