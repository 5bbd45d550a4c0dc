"""Fuzzing feed parsing: any bytes, and generated RSS/Atom documents with random titles,
bodies, dates, links and entity tricks. Only InputError escapes; every entry is kept as an
item with text or rejected with a reason."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest
from hypothesis import strategies as st

from factdesk.ingest.feeds import parse_feed
from tests.ingest.fuzzing import BUDGETS, TEXT, parsed_or_refused, run

DATES = st.one_of(
    TEXT,
    st.sampled_from(["Mon, 30 Feb 2024 25:61:00 +9900", "2024-13-45T00:00:00Z", "0", "",
                     "Tue, 10 Jun 2003 04:00:00 GMT", "9999-12-31T23:59:59Z"]),
)  # fmt: skip
LINKS = st.one_of(
    TEXT, st.sampled_from(["http://", "javascript:alert(1)", "//x", "https://a.example/p"])
)


def _field(draw: st.DrawFn, strategy: st.SearchStrategy[str]) -> str:
    value = draw(strategy)
    return value if draw(st.booleans()) else escape(value)  # raw markup, or escaped


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    atom = draw(st.booleans())
    entries = []
    for _ in range(draw(st.integers(0, 5))):
        title, body = _field(draw, TEXT), _field(draw, TEXT)
        date, link = _field(draw, DATES), _field(draw, LINKS)
        if atom:
            entries.append(f"<entry><title>{title}</title><link href=\"{link}\"/>"
                           f"<updated>{date}</updated><content type=\"html\">{body}</content></entry>")  # fmt: skip
        else:
            entries.append(f"<item><title>{title}</title><link>{link}</link>"
                           f"<pubDate>{date}</pubDate><description>{body}</description></item>")  # fmt: skip
    prolog = draw(st.sampled_from([
        "", '<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="latin-1"?>',
        '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    ]))  # fmt: skip
    if atom:
        doc = f'{prolog}<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{"".join(entries)}</feed>'
    else:
        doc = f'{prolog}<rss version="2.0"><channel><title>t</title>{"".join(entries)}</channel></rss>'
    if draw(st.booleans()):  # truncated mid-document
        doc = doc[: draw(st.integers(0, len(doc)))]
    return doc.encode(draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), "replace")


@pytest.mark.parametrize("profile", BUDGETS)
def test_fuzz_feed_entries_kept_or_quarantined(profile: str) -> None:
    def check(data: bytes) -> None:
        result = parsed_or_refused(lambda: parse_feed(data, origin="fuzz.xml"))
        if result is not None:
            assert all(item.text.strip() for item in result.records)
            assert len(result.records) + len(result.rejected) <= 5

    run(profile, feeds(), check)


@pytest.mark.parametrize("profile", BUDGETS)
def test_fuzz_feed_any_bytes(profile: str) -> None:
    run(profile, st.binary(max_size=800), lambda data: parsed_or_refused(
        lambda: parse_feed(data, origin="fuzz.xml")))  # fmt: skip
