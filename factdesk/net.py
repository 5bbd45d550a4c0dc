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
- address rules (unless ``FACTDESK_ALLOW_PRIVATE_FETCH``): a URL whose host is, or
  resolves to, a loopback, private, link-local, unique-local, multicast, reserved or
  unspecified address (IPv4 or IPv6, IPv4-mapped and odd IPv4 spellings such as
  ``2130706433`` or ``0177.1`` included) is refused with :class:`AddressRefused`. The check
  sits in the connection itself (:class:`_GuardedBackend`): the host is resolved once, every
  address it resolves to is checked, and the socket connects to the address that was checked,
  so DNS rebinding has no window; TLS still verifies the certificate for the host name. Every
  redirect hop and the robots.txt fetch make their own checked connections;
- one message for every failure to connect, so citing a URL cannot tell a closed port from
  a filtered one;
- every failure as a :class:`factdesk.errors.FactdeskError` with ``permanent`` set.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
import zlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Self
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from factdesk import metrics
from factdesk.errors import (
    AddressRefused,
    FetchError,
    HTTPStatusError,
    RobotsDisallowed,
    TooLarge,
)
from factdesk.ingest.fields import split_content_type
from factdesk.ingest.robots import ALLOW_ALL, RobotsRules, parse_robots
from factdesk.settings import Settings

__all__ = ["FetchResult", "Fetcher", "check_public_url", "is_public_address"]

ROBOTS_MAX_BYTES = 512_000  # RFC 9309: parse at least 500 KiB, ignore the rest
ROBOTS_TTL = 24 * 3600.0  # seconds a fetched robots.txt is trusted (RFC: at most a day)
ROBOTS_RETRY_AFTER = 60.0  # seconds an unreachable robots.txt blocks its host
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 65_536
# What the user reads whenever no connection could be made, whatever the reason (refused,
# filtered, unreachable, no such host): different messages would make citing a port scanner.
NO_ANSWER = "no answer from this address (the site may be down, or the URL wrong)"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Networks ``is_global`` lets through that are still no place to fetch from.
_NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in ("64:ff9b:1::/48", "100.64.0.0/10"))


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

    def __init__(self, settings: Settings, *, exempt: Collection[tuple[str, int]] = ()) -> None:
        """``exempt``: (address, port) endpoints treated as public. Tests use it to let a
        server on 127.0.0.1 stand for the internet while every other local address stays
        refused (redirects to private addresses are tested that way)."""
        self.settings = settings
        self.exempt = frozenset(exempt)
        self.allow_private = settings.allow_private_fetch
        transport = httpx.HTTPTransport()
        # The one seam httpx offers for choosing how sockets are opened: the pool's network
        # backend. Every connection (each redirect hop, robots.txt, a POST) goes through it.
        transport._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,  # httpx's own defaults (httpx.Limits())
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(self.allow_private, self.exempt),
        )
        self._client = httpx.Client(
            transport=transport,
            trust_env=False,  # no proxy from the environment: we connect where we checked
            timeout=httpx.Timeout(settings.fetch_timeout),
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self._robots: dict[str, tuple[float, RobotsRules | FetchError]] = {}

    def _check(self, url: str) -> None:
        """Scheme, shape and (when the host is an address literal) the address rules."""
        _check_url(url)
        if not self.allow_private:
            check_public_url(url, exempt=self.exempt)

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
        (or :class:`HTTPStatusError`, :class:`RobotsDisallowed`) and :class:`TooLarge`.
        Each failure is counted in ``factdesk_fetch_errors`` by kind."""
        try:
            return self._fetch(url, etag=etag, last_modified=last_modified, accept=accept)
        except (FetchError, TooLarge) as exc:
            metrics.fetch_error(_error_kind(exc))
            raise

    def _fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        headers = {"Accept": accept or "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + self.settings.fetch_timeout
        current = url.strip()
        for _ in range(self.settings.max_redirects + 1):
            self._check(current)
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
        try:
            return self._post(url, body, headers=headers, timeout=timeout)
        except (FetchError, TooLarge) as exc:
            metrics.fetch_error(_error_kind(exc))
            raise

    def _post(
        self,
        url: str,
        body: bytes,
        *,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> FetchResult:
        seconds = timeout or self.settings.fetch_timeout
        url = url.strip()
        self._check(url)
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
        except (httpx.ConnectError, httpx.ConnectTimeout):
            raise FetchError(NO_ANSWER, url=url) from None
        except httpx.TimeoutException:
            raise FetchError(f"no answer within {seconds:g}s", url=url) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"invalid URL: {exc}", url=url, permanent=True) from None
        except httpx.HTTPError:
            raise FetchError(NO_ANSWER, url=url) from None

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
        except (httpx.ConnectError, httpx.ConnectTimeout):
            raise FetchError(NO_ANSWER, url=url) from None
        except httpx.TimeoutException:
            raise FetchError(
                f"timed out after {self.settings.fetch_timeout:g}s (FACTDESK_FETCH_TIMEOUT)",
                url=url,
            ) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"invalid URL: {exc}", url=url, permanent=True) from None
        except httpx.HTTPError:
            raise FetchError(NO_ANSWER, url=url) from None

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
                        if not self.allow_private:
                            check_public_url(url, exempt=self.exempt)
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
        except AddressRefused:
            raise  # the host (or where its robots.txt leads) is refused: say so, not "later"
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


def _error_kind(exc: Exception) -> str:
    """A bounded label for a failed fetch: the error's class, in snake case."""
    return re.sub(
        r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", type(exc).__name__
    ).lower()


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


# --- address rules ---------------------------------------------------------------------------

_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)


def literal_address(host: str) -> IPAddress | None:
    """The address a host literal stands for, in any spelling a resolver would accept:
    ``[::1]``, ``::ffff:127.0.0.1``, ``127.1``, ``2130706433``, ``0x7f.0.0.1``, ``0177.0.0.1``.
    None for a host name."""
    host = host.strip().strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])  # a zone id names no other host
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host) and any(ch.isdigit() for ch in host):
        try:  # inet_aton is what getaddrinfo applies to numeric hosts (BSD spellings)
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return None
    return None


def is_public_address(address: IPAddress) -> bool:
    """True for a globally routable unicast address. IPv4 carried inside IPv6 (mapped,
    compatible, NAT64, 6to4, Teredo) is judged by the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address.teredo:
            inner = address.teredo[1]
        if inner is None and int(address) >> 32 == 0 and int(address) > 1:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)  # ::a.b.c.d (deprecated)
        if inner is None and int(address) >> 32 == 0x64FF9B0000000000000000:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)  # NAT64 64:ff9b::/96
        if inner is not None:
            return is_public_address(inner)
    if any(address in net for net in _NOT_PUBLIC if net.version == address.version):
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def check_public_url(url: str, *, exempt: Collection[tuple[str, int]] = ()) -> None:
    """Refuse (:class:`AddressRefused`) a URL whose host is an address literal that is not
    public, or a name kept for the machine itself (``localhost``); names that resolve to a
    private address are caught when the connection is made (:class:`_GuardedBackend`)."""
    try:
        parts = urlsplit(url.strip())
        host, port = (parts.hostname or "").lower().rstrip("."), parts.port
    except ValueError:
        return  # malformed: the shape check (_check_url) names what is wrong
    port = port or (443 if parts.scheme.lower() == "https" else 80)
    if host == "localhost" or host.endswith((".localhost", ".localdomain")):
        raise AddressRefused(url=url)
    address = literal_address(host)
    if address is not None and not is_public_address(address):
        if (str(address), port) not in exempt:
            raise AddressRefused(url=url)


class _GuardedBackend(httpcore.NetworkBackend):
    """Opens every connection the client makes: resolve the host once, refuse it when any
    address it resolves to is not public, then connect to one of the checked addresses
    (never resolving again, so a rebinding DNS answer cannot swap in another)."""

    def __init__(self, allow_private: bool, exempt: frozenset[tuple[str, int]]) -> None:
        self.inner = httpcore.SyncBackend()
        self.allow_private = allow_private
        self.exempt = exempt

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._resolve(host, port)
        if not self.allow_private:
            for address in addresses:
                if not is_public_address(address) and (str(address), port) not in self.exempt:
                    raise AddressRefused(url=f"{host}:{port}")
        last: Exception | None = None
        for address in addresses:
            try:
                return self.inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last or httpcore.ConnectError("no address")

    @staticmethod
    def _resolve(host: str, port: int) -> list[IPAddress]:
        literal = literal_address(host)
        if literal is not None:
            return [literal]
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(str(exc)) from None
        addresses: list[IPAddress] = []
        for _family, _type, _proto, _name, sockaddr in found:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        return addresses

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("the desk fetches over TCP only")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)
