"""The HTTP chokepoint against a real server on 127.0.0.1 (see tests/httpserver.py)."""

from __future__ import annotations

import gzip
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from factdesk.errors import FetchError, HTTPStatusError, RobotsDisallowed, TooLarge
from factdesk.ingest.feeds import parse_feed
from factdesk.ingest.pages import parse_page
from factdesk.net import Fetcher
from factdesk.settings import Settings
from tests.httpserver import LocalServer, Request, Response

FEED = (Path(__file__).parent / "fixtures" / "ingest" / "rss2.xml").read_bytes()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        running.route("/robots.txt", body=b"User-agent: *\nDisallow: /private\n")
        yield running


def _settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"fetch_timeout": 2.0, "max_body_bytes": 100_000}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def _fetch(url: str, **overrides: object) -> object:
    with Fetcher(_settings(**overrides)) as fetcher:
        return fetcher.fetch(url)


def test_fetch_returns_body_and_headers(server: LocalServer) -> None:
    headers = {
        "Content-Type": "application/rss+xml; charset=UTF-8",
        "ETag": '"v1"',
        "Last-Modified": "Tue, 05 Mar 2024 10:00:00 GMT",
    }
    server.route("/feed.xml", body=FEED, headers=headers)
    with Fetcher(_settings()) as fetcher:
        result = fetcher.fetch(server.url("/feed.xml"), accept="application/rss+xml")
        fetcher.fetch(server.url("/feed.xml"))
    assert result.status == 200 and result.body == FEED and not result.not_modified
    assert result.content_type == "application/rss+xml" and result.charset == "UTF-8"
    assert result.etag == '"v1"' and result.last_modified == "Tue, 05 Mar 2024 10:00:00 GMT"
    assert result.url == server.url("/feed.xml")
    first = server.requests[1]
    assert first.headers["User-Agent"].startswith("factdesk/")
    assert first.headers["Accept"] == "application/rss+xml"
    assert server.paths().count("/robots.txt") == 1  # cached per host


def test_fetch_feed_then_parse_end_to_end(server: LocalServer) -> None:
    server.route("/feed.xml", body=FEED, headers={"Content-Type": "application/rss+xml"})
    with Fetcher(_settings()) as fetcher:
        result = fetcher.fetch(server.url("/feed.xml"))
    parsed = parse_feed(result.body, origin=result.url)
    assert [i.external_id for i in parsed.records][:2] == [
        "news-example-1001",
        "https://news.example.com/2024/03/unemployment",
    ]


def test_fetch_page_then_parse_with_header_charset(server: LocalServer) -> None:
    page = (Path(__file__).parent / "fixtures" / "ingest" / "article_claimreview.html").read_bytes()
    server.route("/article", body=page, headers={"Content-Type": "text/html; charset=utf-8"})
    with Fetcher(_settings()) as fetcher:
        result = fetcher.fetch(server.url("/article"), accept="text/html")
    parsed = parse_page(
        result.body, url=result.url, content_type="text/html; charset=" + (result.charset or "")
    )
    assert parsed.item is not None and parsed.item.url == server.url("/article")
    assert len(parsed.fact_checks.records) == 2


def test_fetch_follows_redirects_to_final_url(server: LocalServer) -> None:
    server.route("/old", status=301, headers={"Location": "/middle"})
    server.route("/middle", status=302, headers={"Location": server.url("/new")})
    server.route("/new", body=b"here")
    result = _fetch(server.url("/old"))
    assert result.url == server.url("/new") and result.body == b"here"  # type: ignore[attr-defined]


def test_fetch_too_many_redirects_is_permanent(server: LocalServer) -> None:
    server.route("/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="redirects") as err:
        _fetch(server.url("/loop"), max_redirects=3)
    assert err.value.permanent
    assert server.paths().count("/loop") == 4


def test_fetch_redirect_to_other_scheme_refused(server: LocalServer) -> None:
    server.route("/sneaky", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="only http and https") as err:
        _fetch(server.url("/sneaky"))
    assert err.value.permanent


def test_fetch_redirect_checks_robots_again(server: LocalServer) -> None:
    server.route("/go", status=301, headers={"Location": "/private/page"})
    with pytest.raises(RobotsDisallowed):
        _fetch(server.url("/go"))


def test_fetch_conditional_get_not_modified(server: LocalServer) -> None:
    def conditional(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v2"':
            return 304, {"ETag": '"v2"'}, b""
        return 200, {"ETag": '"v2"'}, b"fresh"

    server.handle("/c", conditional)
    with Fetcher(_settings()) as fetcher:
        fresh = fetcher.fetch(server.url("/c"))
        again = fetcher.fetch(
            server.url("/c"), etag=fresh.etag, last_modified="Tue, 05 Mar 2024 10:00:00 GMT"
        )
    assert fresh.body == b"fresh" and not fresh.not_modified
    assert again.not_modified and again.status == 304 and again.body == b"" and again.etag == '"v2"'
    assert server.requests[-1].headers["If-Modified-Since"] == "Tue, 05 Mar 2024 10:00:00 GMT"


def test_fetch_robots_disallow_is_permanent(server: LocalServer) -> None:
    server.route("/private/x", body=b"secret")
    with pytest.raises(RobotsDisallowed) as err:
        _fetch(server.url("/private/x"))
    assert err.value.permanent
    assert "/private/x" not in server.paths()  # never requested


def test_fetch_robots_group_for_our_product_token(server: LocalServer) -> None:
    server.route(
        "/robots.txt", body=b"User-agent: *\nAllow: /\n\nUser-agent: factdesk\nDisallow: /\n"
    )
    server.route("/a", body=b"a")
    with pytest.raises(RobotsDisallowed):
        _fetch(server.url("/a"))
    assert _fetch(server.url("/a"), user_agent="otherbot/1.0").body == b"a"  # type: ignore[attr-defined]


def test_fetch_robots_ignored_when_setting_off(server: LocalServer) -> None:
    server.route("/private/x", body=b"secret")
    assert _fetch(server.url("/private/x"), respect_robots=False).body == b"secret"  # type: ignore[attr-defined]
    assert "/robots.txt" not in server.paths()


def test_fetch_robots_404_allows(server: LocalServer) -> None:
    server.route("/robots.txt", status=404)
    server.route("/private/x", body=b"ok")
    assert _fetch(server.url("/private/x")).body == b"ok"  # type: ignore[attr-defined]


def test_fetch_robots_500_is_retryable_refusal(server: LocalServer) -> None:
    server.route("/robots.txt", status=503)
    server.route("/a", body=b"a")
    with Fetcher(_settings()) as fetcher:
        with pytest.raises(FetchError, match="robots.txt") as err:
            fetcher.fetch(server.url("/a"))
        assert not err.value.permanent and not isinstance(err.value, RobotsDisallowed)
        with pytest.raises(FetchError):
            fetcher.fetch(server.url("/a"))
    assert "/a" not in server.paths()
    assert server.paths().count("/robots.txt") == 1  # the failure is remembered a while


def test_fetch_robots_timeout_is_retryable_refusal(server: LocalServer) -> None:
    server.route("/robots.txt", body=b"", delay=1.5)
    server.route("/a", body=b"a")
    with pytest.raises(FetchError, match="robots.txt") as err:
        _fetch(server.url("/a"), fetch_timeout=0.3)
    assert not err.value.permanent


@pytest.mark.parametrize(
    ("status", "permanent"), [(404, True), (410, True), (429, False), (500, False), (503, False)]
)
def test_fetch_error_statuses(server: LocalServer, status: int, permanent: bool) -> None:
    server.route("/s", status=status, body=b"nope")
    with pytest.raises(HTTPStatusError) as err:
        _fetch(server.url("/s"))
    assert err.value.status == status and err.value.permanent is permanent


def test_fetch_oversize_declared_length_aborts_before_reading(server: LocalServer) -> None:
    server.route("/big", body=b"x" * 5_000)
    with pytest.raises(TooLarge) as err:
        _fetch(server.url("/big"), max_body_bytes=1_000)
    assert err.value.where == server.url("/big")


def test_fetch_oversize_streamed_body_aborts_early(server: LocalServer) -> None:
    served: list[int] = []

    def endless() -> Iterator[bytes]:
        for i in range(1_000):
            served.append(i)
            yield b"y" * 10_000

    server.route("/stream", body=endless(), chunk_delay=0.001)
    with pytest.raises(TooLarge):
        _fetch(server.url("/stream"), max_body_bytes=50_000)
    assert len(served) < 1_000


def test_fetch_gzip_bomb_capped_on_decoded_size(server: LocalServer) -> None:
    bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=9)
    assert len(bomb) < 50_000
    server.route("/bomb", body=bomb, headers={"Content-Encoding": "gzip"})
    started = time.perf_counter()
    with pytest.raises(TooLarge):
        _fetch(server.url("/bomb"), max_body_bytes=1_000_000)
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        (
            "deflate",
            lambda data: (
                zlib.compressobj(wbits=-zlib.MAX_WBITS).compress(data)
                + zlib.compressobj(wbits=-zlib.MAX_WBITS).flush()
            ),
        ),
    ],
)
def test_fetch_decodes_compressed_bodies(
    server: LocalServer, encoding: str, encode: object
) -> None:
    body = "Giá xăng tăng. ".encode() * 500
    if encoding == "deflate" and encode is not zlib.compress:
        raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        payload = raw.compress(body) + raw.flush()
    else:
        payload = encode(body)  # type: ignore[operator]
    server.route("/z", body=payload, headers={"Content-Encoding": encoding})
    assert _fetch(server.url("/z")).body == body  # type: ignore[attr-defined]


def test_fetch_unknown_content_encoding_refused(server: LocalServer) -> None:
    server.route("/br", body=b"\x0b\x02\x80hello\x03", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchError, match="Content-Encoding"):
        _fetch(server.url("/br"))


def test_fetch_corrupt_gzip_is_fetch_error(server: LocalServer) -> None:
    server.route(
        "/bad", body=b"\x1f\x8b\x08\x00garbage-not-gzip", headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(FetchError, match="corrupt"):
        _fetch(server.url("/bad"))


def test_fetch_slow_server_times_out_retryably(server: LocalServer) -> None:
    server.route("/slow", body=b"late", delay=2.0)
    started = time.perf_counter()
    with pytest.raises(FetchError, match="timed out") as err:
        _fetch(server.url("/slow"), fetch_timeout=0.4)
    assert not err.value.permanent
    assert time.perf_counter() - started < 1.5


def test_fetch_dribbling_server_hits_total_deadline(server: LocalServer) -> None:
    server.route("/drip", body=iter([b"x"] * 20), chunk_delay=0.15)
    started = time.perf_counter()
    with pytest.raises(FetchError, match="not complete") as err:
        _fetch(server.url("/drip"), fetch_timeout=0.5)
    assert not err.value.permanent
    assert time.perf_counter() - started < 1.5


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x", "javascript:alert(1)", "/relative/path"]
)
def test_fetch_only_http_schemes(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https") as err:
        _fetch(url)
    assert err.value.permanent


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:99999/", "http:///path", "http://exa mple.com/", "https://[::1/"]
)
def test_fetch_invalid_url_is_permanent(url: str) -> None:
    with pytest.raises(FetchError, match="invalid URL") as err:
        _fetch(url, respect_robots=False)  # refused before any connection or DNS lookup
    assert err.value.permanent


def test_fetch_connection_refused_is_retryable() -> None:
    with LocalServer() as closed:
        url = closed.url("/x")
    with pytest.raises(FetchError) as err:
        _fetch(url, respect_robots=False)
    assert not err.value.permanent


def test_fetcher_closes_its_client() -> None:
    with Fetcher(_settings()) as fetcher:
        pass
    assert fetcher._client.is_closed
