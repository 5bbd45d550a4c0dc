from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factdesk.errors import InputError, ParseError, TooLarge
from factdesk.ingest.feeds import parse_feed
from factdesk.types import Item

from .helpers import fixture


def test_parse_feed_rss2_maps_entries() -> None:
    result = parse_feed(fixture("rss2.xml"), origin="rss2.xml")
    assert result.meta == {
        "title": "Example Daily News",
        "link": "https://news.example.com/",
        "language": "en",
        "version": "rss20",
    }
    first = result.records[0]
    assert first == Item(
        text="The council voted 7 to 2 for bus lanes on Main Street.\n\nWork starts in June, officials said.",
        url="https://news.example.com/2024/03/bus-lanes?utm_source=rss&utm_medium=feed",
        title="City council approves new bus lanes",
        language="en",
        published_at=datetime(2024, 3, 5, 3, 20, tzinfo=UTC),
        platform="feed",
        external_id="news-example-1001",
    )
    assert result.records[1].published_at == datetime(2024, 3, 6, 8, tzinfo=UTC)
    assert result.records[2].text == "Link only entry"  # title stands in for missing text


def test_parse_feed_never_keeps_authors_or_scripts() -> None:
    for name in ("rss2.xml", "atom.xml", "rss1_rdf.xml"):
        dump = repr(parse_feed(fixture(name), origin=name))
        for secret in (
            "Jane Reporter",
            "reporter@example.com",
            "Nguyễn Văn Mẫu",
            "Phóng Viên",
            "Un Auteur",
        ):
            assert secret not in dump
        assert "alert" not in dump and "document.write" not in dump and "color:red" not in dump


def test_parse_feed_rejects_entry_without_text() -> None:
    result = parse_feed(fixture("rss2.xml"), origin="rss2.xml")
    [rejected] = result.rejected
    assert rejected.where == "rss2.xml entry 3"
    assert rejected.reason.startswith("entry has no text")
    assert "news-example-empty" in rejected.raw


def test_parse_feed_rss1_rdf() -> None:
    result = parse_feed(fixture("rss1_rdf.xml"), origin="rdf")
    assert result.meta["version"] == "rss10"
    assert [(i.url, i.language) for i in result.records] == [
        ("https://blog.example.org/p/1", "fr"),  # the channel's dc:language
        ("https://blog.example.org/p/2", "en"),  # the item's own dc:language
    ]
    assert result.records[0].published_at == datetime(2024, 2, 10, 13, tzinfo=UTC)


def test_parse_feed_rss091_latin1() -> None:
    result = parse_feed(fixture("rss091.xml"), origin="old")
    assert result.meta["version"].startswith("rss091")
    assert "café" in result.records[0].text
    assert result.records[1].text == "Weather: sunny weekend expected"


def test_parse_feed_atom_languages_and_content() -> None:
    result = parse_feed(fixture("atom.xml"), origin="atom")
    vi, en = result.records
    assert vi.text.startswith("Các bác sĩ khẳng định không có bằng chứng nào cho thấy")
    assert vi.language == "vi" and en.language == "en"
    assert vi.external_id == "tag:kiemchung.example.vn,2024:123"
    assert vi.published_at == datetime(2024, 3, 9, 1, 15, tzinfo=UTC)
    assert en.published_at == datetime(2024, 3, 8, 10, tzinfo=UTC)  # updated, no published
    assert [r.where for r in result.rejected] == ["atom entry 3"]


def test_parse_feed_cp1258_declared_utf8_is_repaired() -> None:
    result = parse_feed(fixture("rss2_cp1258_declared_utf8.xml"), origin="vn")
    assert result.meta["title"] == "Báo Mẫu Hà Nội"
    assert result.records[0].title == "Điện lực Hà Nội thông báo lịch cắt điện"
    assert "đồng" in result.records[1].text


def test_parse_feed_malformed_keeps_what_it_can_and_warns() -> None:
    result = parse_feed(fixture("malformed_feed.xml"), origin="broken")
    assert "warning" in result.meta
    assert any(i.url == "https://broken.example.com/2" for i in result.records)


def test_parse_feed_truncated_with_nothing_usable_is_parse_error() -> None:
    data = b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>T</title>\n<item><title>cut'
    with pytest.raises(ParseError, match="no readable entry") as err:
        parse_feed(data, origin="cut.xml")
    assert err.value.where is not None and err.value.where.startswith("cut.xml line 3 column")


def test_parse_feed_html_page_is_parse_error() -> None:
    with pytest.raises(ParseError, match="HTML page") as err:
        parse_feed(fixture("not_a_feed.html"), origin="page.html")
    assert err.value.where == "page.html"


def test_parse_feed_not_xml_names_line_and_column() -> None:
    with pytest.raises(ParseError) as err:
        parse_feed(fixture("not_xml.txt"), origin="x.txt")
    assert err.value.where is not None and err.value.where.startswith("x.txt line ")
    assert " column " in err.value.where


def test_parse_feed_empty_but_valid_feed_has_no_records() -> None:
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    result = parse_feed(data, origin="quiet")
    assert result.records == [] and result.meta["title"] == "Quiet"


def test_parse_feed_too_large() -> None:
    with pytest.raises(TooLarge):
        parse_feed(fixture("rss2.xml"), origin="big", max_bytes=100)


def test_parse_feed_entity_expansion_is_not_a_bomb() -> None:
    lol = b'<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10)
        for i in range(8)
    )
    data = (
        b'<?xml version="1.0"?><!DOCTYPE rss ['
        + lol
        + b']><rss version="2.0"><channel><item><title>&i;</title><link>https://a.example/1</link></item></channel></rss>'
    )
    result = parse_feed(data, origin="lol")
    assert "entity declarations" in result.meta["warning"]
    assert [i.text for i in result.records] == ["&i;"]  # left unexpanded


def test_parse_feed_relative_links_resolved_against_origin_url() -> None:
    data = b'<rss version="2.0"><channel><item><title>t</title><link>/a/b</link></item></channel></rss>'
    result = parse_feed(data, origin="https://site.example/feed.xml")
    assert result.records[0].url == "https://site.example/a/b"


_FEEDS = ["rss2.xml", "rss1_rdf.xml", "rss091.xml", "atom.xml", "malformed_feed.xml"]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_FEEDS), st.data())
def test_parse_feed_mutated_feeds_never_crash(name: str, data: st.DataObject) -> None:
    raw = bytearray(fixture(name))
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(raw)))
        if data.draw(st.booleans()):
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=12))
        else:
            del raw[at : at + data.draw(st.integers(1, 40))]
    try:
        result = parse_feed(bytes(raw), origin="m")
    except InputError:
        return
    for item in result.records:
        assert item.text and item.platform == "feed"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_parse_feed_any_bytes_never_crash(data: bytes) -> None:
    try:
        parse_feed(data, origin="r")
    except InputError:
        pass


def test_parse_feed_namespace_with_a_separator_is_a_parse_error() -> None:
    """Found by the mutation test above: a no-break space inside an xmlns URI made
    feedparser's strict parser raise ValueError instead of reporting malformed XML."""
    raw = fixture("rss1_rdf.xml").replace(
        b"http://www.w3.org/1999", b"h\xc2\xa0ttp://www.w3.org/1999", 1
    )
    try:
        result = parse_feed(raw, origin="m")
    except InputError as exc:
        assert exc.where == "m"
    else:
        assert all(item.text for item in result.records)
