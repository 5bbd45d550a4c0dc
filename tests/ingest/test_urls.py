from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factdesk.ingest.urls import canonical_url, dedupe_key
from factdesk.types import Item


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a/", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com/a?utm_source=fb&utm_Campaign=x&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?fbclid=IwAR0&gclid=abc", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1&a=0", "https://example.com/a?a=0&a=1&b=2"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("https://example.com./a", "https://example.com/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"),
        ("mailto:desk@example.com", "mailto:desk@example.com"),
        ("https://example.com:notaport/a", "https://example.com:notaport/a"),
        ("not a url", "not a url"),
    ],
)
def test_canonical_url_forms(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_same_article_same_key() -> None:
    variants = [
        "https://News.Example.com/2024/03/bus-lanes?utm_source=rss&utm_medium=feed",
        "https://news.example.com:443/2024/03/bus-lanes/#comments",
        "https://news.example.com/2024/03/bus-lanes?fbclid=XYZ",
    ]
    assert len({canonical_url(u) for u in variants}) == 1


def test_dedupe_key_uses_url_when_present() -> None:
    item = Item(text="a", url="https://example.com/a/?utm_source=x")
    assert dedupe_key(item) == "url:https://example.com/a"


def test_dedupe_key_hash_ignores_case_and_spacing_but_not_time() -> None:
    when = datetime(2024, 3, 5, tzinfo=UTC)
    a = Item(text="Giá xăng  TĂNG mạnh", published_at=when, platform="facebook", external_id="1")
    b = Item(text="giá xăng tăng mạnh", published_at=when, platform="facebook", external_id="1")
    c = Item(
        text="giá xăng tăng mạnh",
        published_at=datetime(2024, 3, 6, tzinfo=UTC),
        platform="facebook",
        external_id="1",
    )
    assert dedupe_key(a) == dedupe_key(b)
    assert dedupe_key(a) != dedupe_key(c)
    assert dedupe_key(a).startswith("hash:") and len(dedupe_key(a)) == 5 + 64


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=120))
def test_canonical_url_never_raises_and_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert isinstance(once, str)
    assert canonical_url(once) == once


@settings(max_examples=100, deadline=None)
@given(
    st.builds(
        Item,
        text=st.text(max_size=50),
        url=st.one_of(st.none(), st.text(max_size=40)),
        platform=st.one_of(st.none(), st.text(max_size=10)),
        external_id=st.one_of(st.none(), st.text(max_size=10)),
    )
)
def test_dedupe_key_never_raises(item: Item) -> None:
    assert dedupe_key(item).startswith(("url:", "hash:"))
