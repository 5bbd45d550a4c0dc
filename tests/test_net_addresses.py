"""The address rules of the HTTP chokepoint, with FACTDESK_ALLOW_PRIVATE_FETCH off.

A server on 127.0.0.1 stands for the internet by being named in ``Fetcher(exempt=...)``;
every other local address, however it is spelled or reached, must be refused before a
single byte is sent to it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from factdesk.errors import AddressRefused, FetchError
from factdesk.net import NO_ANSWER, Fetcher, is_public_address, literal_address
from factdesk.settings import Settings
from tests.httpserver import LocalServer


@pytest.fixture(autouse=True)
def _rules_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTDESK_ALLOW_PRIVATE_FETCH", "false")


def _settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"fetch_timeout": 2.0, "respect_robots": False}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def secret() -> Iterator[LocalServer]:
    """The internal service an attacker wants read: it must never see a request."""
    with LocalServer() as running:
        running.route("/secret", body=b"internal credentials")
        yield running


@pytest.fixture
def public() -> Iterator[LocalServer]:
    """A server that plays a public site (exempt from the rules by its address and port)."""
    with LocalServer() as running:
        running.route("/robots.txt", body=b"User-agent: *\nAllow: /\n")
        running.route("/page", body=b"<p>public page</p>", headers={"Content-Type": "text/html"})
        yield running


def _port(server: LocalServer) -> int:
    return int(server.url().rsplit(":", 1)[1].rstrip("/"))


def _exempt(server: LocalServer) -> set[tuple[str, int]]:
    return {("127.0.0.1", _port(server))}


# host spelling -> what it must be refused as (the secret server's port is appended)
SPELLINGS = [
    "127.0.0.1",
    "127.1",
    "2130706433",  # decimal
    "0x7f000001",  # hex
    "0x7f.0.0.1",
    "0177.0.0.1",  # octal
    "017700000001",
    "localhost",
    "LOCALHOST.",
    "app.localhost",
    "[::1]",
    "[::ffff:127.0.0.1]",  # IPv4-mapped
    "[::ffff:7f00:1]",
    "[0:0:0:0:0:ffff:7f00:1]",
    "[::127.0.0.1]",  # IPv4-compatible
    "[64:ff9b::7f00:1]",  # NAT64
    "0.0.0.0",
    "[::]",
]
# Addresses refused before any connection is tried (never contacted by this test).
ELSEWHERE = [
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "[fe80::1]",  # link-local
    "[fc00::1]",  # unique-local
    "[fd12:3456::1]",
    "[ff02::1]",  # multicast
    "[2001:db8::1]",  # documentation
    "[2002:a00:1::]",  # 6to4 around 10.0.0.1
]


@pytest.mark.parametrize("host", SPELLINGS)
def test_local_spellings_are_refused_and_never_contacted(secret: LocalServer, host: str) -> None:
    url = f"http://{host}:{_port(secret)}/secret"
    with Fetcher(_settings()) as fetcher:
        with pytest.raises(AddressRefused) as err:
            fetcher.fetch(url)
        with pytest.raises(AddressRefused):
            fetcher.post(url, b"{}")
    assert err.value.permanent and err.value.message == AddressRefused.MESSAGE
    assert secret.requests == []


@pytest.mark.parametrize("host", ELSEWHERE)
def test_private_and_reserved_addresses_are_refused(host: str) -> None:
    with Fetcher(_settings()) as fetcher, pytest.raises(AddressRefused):
        fetcher.fetch(f"http://{host}/")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("::ffff:93.184.216.34", True),  # a mapped public address is public
        ("2002:5db8:d822::", True),  # 6to4 around a public address
        ("127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("64:ff9b:1::a00:1", False),  # local-use NAT64
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize("name", ["example.org", "1e100", "deadbeef", "0x"])
def test_host_names_are_not_read_as_addresses(name: str) -> None:
    assert literal_address(name) is None


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/secret",
        "http://localhost:{port}/secret",
        "http://[::1]:{port}/secret",
        "http://2130706433:{port}/secret",
        "http://0x7f.1:{port}/secret",
        "http://[::ffff:127.0.0.1]:{port}/secret",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_redirect_to_a_private_address_is_refused(
    public: LocalServer, secret: LocalServer, target: str
) -> None:
    public.route("/go", status=302, headers={"Location": target.format(port=_port(secret))})
    public.route("/hop", status=301, headers={"Location": "/go"})
    with Fetcher(_settings(respect_robots=True), exempt=_exempt(public)) as fetcher:
        assert fetcher.fetch(public.url("/page")).body == b"<p>public page</p>"
        with pytest.raises(AddressRefused):
            fetcher.fetch(public.url("/hop"))
    assert secret.requests == []


def test_robots_txt_redirect_to_a_private_address_is_refused(
    public: LocalServer, secret: LocalServer
) -> None:
    public.route("/robots.txt", status=301, headers={"Location": secret.url("/robots.txt")})
    with Fetcher(_settings(respect_robots=True), exempt=_exempt(public)) as fetcher:
        with pytest.raises(AddressRefused):
            fetcher.fetch(public.url("/page"))
    assert secret.requests == []


def _resolver(answers: dict[str, list[str]], calls: list[str]) -> Any:
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in answers:
            return real(host, port, *args, **kwargs)
        calls.append(host)
        out = []
        for address in answers[host]:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if ":" in address else (address, port)
            out.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
        return out

    return getaddrinfo


def test_a_name_resolving_to_a_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, secret: LocalServer
) -> None:
    calls: list[str] = []
    answers = {"intranet.test": ["127.0.0.1"], "mixed.test": ["93.184.216.34", "10.1.2.3"]}
    monkeypatch.setattr(socket, "getaddrinfo", _resolver(answers, calls))
    with Fetcher(_settings()) as fetcher:
        with pytest.raises(AddressRefused):
            fetcher.fetch(f"http://intranet.test:{_port(secret)}/secret")
        with pytest.raises(AddressRefused):  # one bad address among good ones is enough
            fetcher.fetch("http://mixed.test/")
    assert secret.requests == [] and calls == ["intranet.test", "mixed.test"]


def test_the_checked_address_is_the_one_connected_to(
    monkeypatch: pytest.MonkeyPatch, public: LocalServer
) -> None:
    """A rebinding DNS server answers a public address once, then a private one: the host is
    resolved once per connection and the socket goes to the address that was checked."""
    calls: list[str] = []
    answers = {"rebind.test": ["127.0.0.1"]}
    monkeypatch.setattr(socket, "getaddrinfo", _resolver(answers, calls))
    url = f"http://rebind.test:{_port(public)}/page"
    with Fetcher(_settings(), exempt=_exempt(public)) as fetcher:
        answers["rebind.test"] = ["127.0.0.1"]
        result = fetcher.fetch(url)
        answers["rebind.test"] = ["10.9.9.9"]  # rebinding after the check changes nothing
    assert result.body == b"<p>public page</p>" and calls == ["rebind.test"]
    assert public.requests[-1].headers["Host"] == f"rebind.test:{_port(public)}"


def test_connection_failures_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """A closed port and a name with no address give one message: no port scanning."""
    monkeypatch.setenv("FACTDESK_ALLOW_PRIVATE_FETCH", "true")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    calls: list[str] = []
    monkeypatch.setattr(socket, "getaddrinfo", _resolver({"nothing.test": []}, calls))
    messages = set()
    with Fetcher(_settings()) as fetcher:
        for url in (f"http://127.0.0.1:{port}/", "http://nothing.test/"):
            with pytest.raises(FetchError) as err:
                fetcher.fetch(url)
            messages.add(err.value.message)
            with pytest.raises(FetchError) as err:
                fetcher.post(url, b"{}")
            messages.add(err.value.message)
    assert messages == {NO_ANSWER}


def test_the_setting_allows_local_addresses(
    monkeypatch: pytest.MonkeyPatch, secret: LocalServer
) -> None:
    monkeypatch.setenv("FACTDESK_ALLOW_PRIVATE_FETCH", "true")
    with Fetcher(_settings()) as fetcher:
        assert fetcher.fetch(secret.url("/secret")).body == b"internal credentials"
