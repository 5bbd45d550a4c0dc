from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import feedparser

from factdesk.publish.atom import atom_feed, fact_check_entry, xml_safe
from factdesk.types import FactCheck, Organisation

from .atomcheck import rfc4287_problems
from .conftest import BASE

NOW = datetime(2026, 3, 5, tzinfo=UTC)


def _feed(entries: list[FactCheck], org: Organisation, language: str | None = None) -> bytes:
    return atom_feed(
        [fact_check_entry(fc, BASE) for fc in entries],
        feed_id=f"{BASE}/feed.atom",
        title="Example Checks",
        self_url=f"{BASE}/feed.atom",
        alternate_url=f"{BASE}/",
        author=org,
        updated=NOW,
        language=language,
    )


def test_atom_feed_parses_and_meets_rfc4287(fact_check: FactCheck, org: Organisation) -> None:
    other = replace(
        fact_check,
        id=8,
        status="published",
        version=1,
        history=(),
        date_modified=None,
        language="en",
        title=None,
    )
    data = _feed([fact_check, other], org, language="vi")
    assert rfc4287_problems(data) == []
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0
    assert parsed.feed.title == "Example Checks"
    first, second = parsed.entries
    assert first.id == f"{BASE}/fact-checks/7/"
    assert first.link == f"{BASE}/fact-checks/7/"
    assert first.title.startswith("[Corrected] No, hot lemon water")
    assert first.updated == "2026-03-04T12:00:00+00:00"
    content = first.content[0].value
    assert "Correction (2026-03-04, version 2)" in content
    assert first.tags[0].term == "Corrected (version 2)"  # the public revision
    assert "&lt;script&gt;" in content and "<script>" not in content
    assert second.title == other.claim_reviewed  # no title: the claim stands in
    assert second.title_detail.language == "en"


def test_atom_feed_withdrawn_entry_says_why(fact_check: FactCheck, org: Organisation) -> None:
    gone = replace(fact_check, status="withdrawn", withdrawal_note="Based on a forged document.")
    parsed = feedparser.parse(_feed([gone], org))
    entry = parsed.entries[0]
    assert entry.title.startswith("[Withdrawn]")
    assert entry.summary == "Based on a forged document."
    assert "Rating" not in entry.content[0].value


def test_atom_feed_labels_a_withdrawal_withdrawn_not_correction(
    fact_check: FactCheck, org: Organisation
) -> None:
    last = fact_check.history[-1]
    gone = replace(
        fact_check,
        status="withdrawn",
        withdrawal_note="Based on a forged document.",
        history=(
            *fact_check.history,
            replace(last, version=last.version + 1, kind="withdrawn", note="Forged document."),
        ),
    )
    content = feedparser.parse(_feed([gone], org)).entries[0].content[0].value
    assert f"Withdrawn ({last.at.date().isoformat()}, version {last.version + 1})" in content
    assert f"Correction ({last.at.date().isoformat()}, version {last.version + 1})" not in content
    assert f"Correction ({last.at.date().isoformat()}, version {last.version})" in content


def test_atom_feed_drops_characters_xml_cannot_carry(
    fact_check: FactCheck, org: Organisation
) -> None:
    dirty = replace(fact_check, claim_reviewed="bad\x00\x0bclaim\ufffe", title="t\x1f")
    data = _feed([dirty], org)
    assert rfc4287_problems(data) == []
    assert feedparser.parse(data).entries[0].title == "[Corrected] t"
    assert xml_safe("a\tb\nc\x07") == "a\tb\nc"


def test_atom_feed_empty_is_still_a_valid_feed(org: Organisation) -> None:
    data = _feed([], org)
    assert rfc4287_problems(data) == []


def test_rfc4287_checker_catches_missing_elements() -> None:
    broken = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>'
        b"<entry><title>e</title><updated>2026-01-01</updated></entry></feed>"
    )
    problems = rfc4287_problems(broken)
    assert "feed: 0 atom:id, exactly one required" in problems
    assert "entry 0: 0 atom:id, exactly one required" in problems
    assert "entry 0: atom:updated is not an RFC 3339 date-time" in problems
    assert "entry 0: no atom:author (and the feed has none)" in problems
