from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factdesk.errors import InputError, ParseError, TooLarge
from factdesk.ingest import pages
from factdesk.ingest.pages import parse_page
from factdesk.types import Rating

from .helpers import fixture, to_cp1258

URL = "https://factcheck.example.org/2024/03/garlic-water"


def test_parse_page_article_main_text_and_metadata() -> None:
    result = parse_page(
        fixture("article_claimreview.html"), url=URL, content_type="text/html; charset=utf-8"
    )
    item = result.item
    assert item is not None
    assert item.url == URL and item.platform == "web"
    assert item.title == "Fact check: no, garlic water does not cure flu"
    assert item.language == "en"
    assert item.published_at == datetime(2024, 3, 5, 2, 30, tzinfo=UTC)
    assert "no clinical trial showing that garlic water cures influenza" in item.text
    for junk in (
        "Buy garlic",
        "tracking",
        "font-family",
        "Home",
        "All rights reserved",
        "footer script",
    ):
        assert junk not in item.text
    assert result.meta["canonical"] == URL
    assert result.meta["extractor"] == "trafilatura"
    assert result.item_rejected is None


def test_parse_page_never_keeps_authors() -> None:
    result = parse_page(fixture("article_claimreview.html"), url=URL)
    dump = repr(result)
    assert "Viral Poster" not in dump
    assert all("Jane Reporter" not in value for value in result.meta.values())
    assert result.item is not None and result.item.title and "Jane" not in result.item.title


def test_parse_page_claimreviews_from_graph_lists_and_comments() -> None:
    result = parse_page(fixture("article_claimreview.html"), url=URL)
    checks = result.fact_checks
    assert [fc.claim_reviewed for fc in checks.records] == [
        "Boiled garlic water cures the flu overnight.",
        "Garlic water is approved as a flu medicine.",
    ]
    first = checks.records[0]
    assert first.rating == Rating("False", 1.0, 5.0, 1.0)
    assert first.publisher == "Example Fact Desk"
    assert [a.url for a in first.appearances] == ["https://social.example.com/p/42"]
    assert first.language == "en"  # none declared: the page's language
    assert [(r.where, r.reason.split(":")[0]) for r in checks.rejected] == [
        (f"{URL} JSON-LD block 2 element 2", "missing reviewRating"),
        (f"{URL} JSON-LD block 3", "invalid JSON-LD"),
    ]  # block 4 is broken too, but holds no ClaimReview: not ours to report
    assert result.meta["jsonld_blocks"] == "4"


def test_parse_page_hostile_html_has_no_script_or_hidden_text() -> None:
    result = parse_page(fixture("hostile.html"), url="https://bad.example/x")
    assert result.item is not None
    text = result.item.text
    assert "Tin đồn cho rằng giá điện sẽ tăng gấp đôi" in text
    for junk in (
        "alert",
        "script",
        "style text",
        "commented out",
        "iframe text",
        "svg",
        "template text",
        "noscript",
    ):
        assert junk not in text
    assert result.item.language == "vi"


def test_parse_page_charset_from_header_and_legacy_bytes() -> None:
    body = "<html><body><article><p>{}</p></article></body></html>".format(
        "Giá xăng giảm nhẹ từ chiều nay theo thông báo của liên bộ. " * 5
    )
    result = parse_page(
        to_cp1258(body), url="https://vn.example/a", content_type="text/html; charset=windows-1258"
    )
    assert result.item is not None and "Giá xăng giảm nhẹ" in result.item.text


def test_parse_page_only_jsonld_gives_no_item_but_fact_checks() -> None:
    html = b'<html><head><script type="application/ld+json">{"@type": "ClaimReview", "claimReviewed": "x", "reviewRating": {"ratingValue": 1}}</script></head><body></body></html>'
    result = parse_page(html, url="https://e.example/only")
    assert result.item is None
    assert (
        result.item_rejected is not None
        and result.item_rejected.reason == "no main text found on the page"
    )
    assert len(result.fact_checks.records) == 1


def test_parse_page_refuses_non_html_content_type() -> None:
    with pytest.raises(ParseError, match="application/pdf"):
        parse_page(b"%PDF-1.7", url="https://e.example/f.pdf", content_type="application/pdf")


def test_parse_page_too_large() -> None:
    with pytest.raises(TooLarge):
        parse_page(b"<p>x</p>" * 100, url="https://e.example/big", max_bytes=500)


def test_parse_page_tag_bomb_refused_before_parsing() -> None:
    started = time.perf_counter()
    with pytest.raises(TooLarge, match="tag"):
        parse_page(b"<b>" * 400_000, url="https://e.example/bomb")
    assert time.perf_counter() - started < 1.0


def test_parse_page_deep_nesting_is_bounded() -> None:
    started = time.perf_counter()
    result = parse_page(
        b"<html><body>" + b"<div>" * 250_000 + b"deep text", url="https://e.example/deep"
    )
    assert time.perf_counter() - started < 3.0
    assert result.item is None or isinstance(result.item.text, str)


def test_parse_page_many_elements_use_fallback_extractor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "MAX_EXTRACT_ELEMENTS", 50)
    body = "".join(f"<p><span>Sentence number {i} of a long page.</span></p>" for i in range(100))
    html = f"<html><body><nav>menu</nav><article>{body}</article></body></html>".encode()
    result = parse_page(html, url="https://e.example/long")
    assert result.meta["extractor"] == "fallback"
    assert result.item is not None and "Sentence number 99" in result.item.text
    assert "menu" not in result.item.text  # the <article>, not the whole body


def test_parse_page_empty_is_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_page(b"   ", url="https://e.example/empty")


_TAGS = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<script>",
        "</script>",
        "<article>",
        "<b>",
        "<!--",
        "-->",
        '<script type="application/ld+json">',
        '{"@type": "ClaimReview", "claimReviewed": "c", "reviewRating": {"ratingValue": 1}}',
        "<html>",
        "<body>",
        "<title>",
        "</title>",
        "&amp;",
        "&#0;",
        "<meta charset=utf-16>",
        "<table><tr><td>",
    ]
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(_TAGS, st.text(max_size=30)), max_size=40))
def test_parse_page_any_markup_never_crashes(parts: list[str]) -> None:
    try:
        result = parse_page(
            "".join(parts).encode("utf-8", "surrogatepass"), url="https://e.example/h"
        )
    except InputError:
        return
    if result.item is not None:
        # Only a non-empty text is promised here: "<script>" may be literal text (inside
        # <title>, say); the tests above check that script content never leaks.
        assert result.item.text.strip()
    for fc in result.fact_checks.records:
        assert fc.claim_reviewed


@settings(max_examples=80, deadline=None)
@given(
    st.binary(max_size=300),
    st.sampled_from([None, "text/html", "text/html; charset=utf-16", "image/png"]),
)
def test_parse_page_any_bytes_never_crash(data: bytes, content_type: str | None) -> None:
    try:
        parse_page(data, url="https://e.example/b", content_type=content_type)
    except InputError:
        pass
