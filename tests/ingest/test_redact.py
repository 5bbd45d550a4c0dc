from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from factdesk.ingest.claimreview import parse_claimreview
from factdesk.ingest.redact import (
    WITHHELD,
    is_author_column,
    jsonld_excerpt,
    line_excerpt,
    record_excerpt,
)


def test_record_excerpt_drops_author_keys_at_any_depth() -> None:
    raw = record_excerpt(
        {"text": "t", "user": {"name": "P"}, "reply": {"screenName": "h", "id": 3}}
    )
    assert json.loads(raw) == {"text": "t", "reply": {"id": 3}}


def test_line_excerpt_withholds_lines_with_author_keys() -> None:
    assert line_excerpt('{"text": "x", "author": "Someone", ') == WITHHELD
    assert line_excerpt('{"text": "x", "date": ') == '{"text": "x", "date":'
    assert line_excerpt("a,b,c", header_has_authors=True) == WITHHELD


def test_jsonld_excerpt_removes_people_keeps_organisations() -> None:
    node = {
        "@type": "ClaimReview",
        "author": {"@type": "Organization", "name": "Org"},
        "creator": "Plain Name",
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "Claimant"}},
        "mentions": [{"@type": ["Person"], "name": "Other"}],
    }
    text = jsonld_excerpt(node)
    assert "Org" in text
    for person in ("Plain Name", "Claimant", "Other"):
        assert person not in text


def test_parse_claimreview_rejection_raw_has_no_claimant() -> None:
    doc = {
        "@type": "ClaimReview",
        "claimReviewed": "c",
        "itemReviewed": {"author": {"@type": "Person", "name": "Claimant Name"}},
    }
    [rejected] = parse_claimreview(json.dumps(doc).encode(), origin="o").rejected
    assert rejected.reason == "missing reviewRating" and "Claimant Name" not in rejected.raw


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.text(max_size=8) | st.integers(),
        lambda c: (
            st.lists(c, max_size=3)
            | st.dictionaries(
                st.sampled_from(["author", "user_name", "text", "@type", "name", "x"]),
                c | st.just("Person"),
                max_size=4,
            )
        ),
        max_leaves=20,
    )
)
def test_excerpts_never_raise(value: object) -> None:
    assert isinstance(jsonld_excerpt(value), str)
    if isinstance(value, dict):
        assert isinstance(record_excerpt(value), str)
    assert isinstance(line_excerpt(json.dumps(value)), str)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_is_author_column_never_raises(name: str) -> None:
    assert is_author_column(name) in (True, False)
