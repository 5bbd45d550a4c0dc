from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factdesk.errors import InputError, ParseError
from factdesk.ingest.claimreview import find_claimreviews, from_jsonld, parse_claimreview
from factdesk.types import Appearance, FactCheck, Rating

from .helpers import fixture


def _minimal(**extra: Any) -> dict[str, Any]:
    return {
        "@type": "ClaimReview",
        "claimReviewed": "The moon is made of cheese.",
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        **extra,
    }


def test_parse_claimreview_single_object_maps_every_field() -> None:
    result = parse_claimreview(fixture("claimreview_single.json"), origin="single.json")
    assert result.rejected == []
    assert result.meta["format"] == "object"
    [fc] = result.records
    assert fc == FactCheck(
        claim_reviewed="Drinking boiled garlic water cures influenza within a day.",
        rating=Rating(label="False", value=1.0, best=5.0, worst=1.0),
        url="https://factcheck.example.org/2024/03/boiled-garlic-cure",
        title="Boiled garlic water does not cure influenza",
        summary="No clinical study supports the claim; health agencies advise vaccination and rest.",
        publisher="Example Fact Desk",
        publisher_url="https://factcheck.example.org/",
        language="en",
        date_published=datetime(2024, 3, 5, 2, 30, tzinfo=UTC),
        claim_date=datetime(2024, 2, 28, tzinfo=UTC),
        appearances=(
            Appearance("https://social.example.com/posts/111"),
            Appearance("https://social.example.com/posts/222"),
            Appearance("https://video.example.net/watch?v=abc"),
        ),
    )


def test_parse_claimreview_never_keeps_people() -> None:
    result = parse_claimreview(fixture("claimreview_single.json"), origin="single.json")
    assert "Somebody Who Posted" not in repr(result)
    listed = parse_claimreview(fixture("claimreview_list.json"), origin="list.json")
    assert "A Reporter" not in repr(listed.records)
    bridge = listed.records[1]
    assert bridge.publisher == "Example Fact Desk"  # the publisher organisation, not the person


def test_parse_claimreview_list_rejects_bad_elements_with_where() -> None:
    result = parse_claimreview(fixture("claimreview_list.json"), origin="list.json")
    assert [fc.rating.label for fc in result.records] == ["Sai", "4"]
    assert result.records[0].language == "vi"
    assert result.records[0].date_published == datetime(2024, 1, 15, tzinfo=UTC)
    assert result.records[1].rating == Rating(label="4", value=4.0)
    assert [(r.where, r.reason) for r in result.rejected] == [
        ("list.json element 3", "missing reviewRating"),
        ("list.json element 4", "not a ClaimReview (@type NewsArticle)"),
        ("list.json element 5", "missing claimReviewed"),
    ]
    assert result.rejected[1].raw.startswith('{"@type": "NewsArticle"')


def test_parse_claimreview_datafeed() -> None:
    result = parse_claimreview(fixture("claimreview_datafeed.json"), origin="feed.json")
    assert result.meta["format"] == "datafeed"
    assert [fc.url for fc in result.records] == [
        "https://factcheck.example.org/2024/04/rainfall",
        "https://other.example.net/check/9",
    ]
    assert result.records[0].claim_date == datetime(2024, 4, 20, tzinfo=UTC)
    assert [a.url for a in result.records[0].appearances] == ["https://news.example.com/rain"]
    assert [(r.where, r.reason) for r in result.rejected] == [
        ("feed.json element 3", "DataFeedItem without an item")
    ]


def test_parse_claimreview_graph_skips_context_nodes() -> None:
    doc = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "name": "page"},
            {"@type": "Organization", "name": "Org"},
            _minimal(url="https://a.example/1"),
            {
                "@type": ["schema:ClaimReview"],
                "claimReviewed": "x",
                "reviewRating": {"ratingValue": "2.5"},
            },
        ],
    }
    result = parse_claimreview(json.dumps(doc).encode(), origin="g")
    assert result.meta["format"] == "graph"
    assert [fc.rating for fc in result.records] == [Rating("False"), Rating("2.5", value=2.5)]
    assert result.rejected == []


def test_parse_claimreview_not_json_names_line_and_column() -> None:
    with pytest.raises(ParseError) as err:
        parse_claimreview(b'{\n  "a": 1,\n  oops\n}', origin="bad.json")
    assert err.value.where == "bad.json line 3 column 3"


@pytest.mark.parametrize("data", [b"42", b'"text"', b"null"])
def test_parse_claimreview_scalar_document_is_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse_claimreview(data, origin="x")


def test_parse_claimreview_deep_nesting_is_parse_error_not_crash() -> None:
    with pytest.raises(ParseError):
        parse_claimreview(b"[" * 100_000 + b"]" * 100_000, origin="deep")


@pytest.mark.parametrize(
    ("rating", "expected"),
    [
        ({"ratingValue": "3", "bestRating": "5", "worstRating": "1"}, Rating("3", 3.0, 5.0, 1.0)),
        ({"ratingValue": "2,5"}, Rating("2,5", 2.5)),
        ({"ratingValue": "False"}, Rating("False")),
        ({"name": "Mostly false", "ratingValue": -1}, Rating("Mostly false", -1.0)),
        ({"alternateName": "Sai", "ratingValue": "NaN"}, Rating("Sai")),
        ([{"alternateName": "Đúng"}], Rating("Đúng")),
    ],
)
def test_from_jsonld_ratings(rating: object, expected: Rating) -> None:
    assert from_jsonld(_minimal(reviewRating=rating), where="w").rating == expected


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        (_minimal(claimReviewed="  "), "missing claimReviewed"),
        (_minimal(reviewRating="False"), "missing reviewRating"),
        (
            _minimal(reviewRating={"bestRating": 5}),
            "reviewRating has neither alternateName nor ratingValue",
        ),
        ({"@type": "Claim", "claimReviewed": "x"}, "not a ClaimReview (@type Claim)"),
    ],
)
def test_from_jsonld_rejects_with_reason(obj: dict[str, Any], reason: str) -> None:
    with pytest.raises(InputError) as err:
        from_jsonld(obj, where="page element 1")
    assert err.value.message == reason and err.value.where == "page element 1"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en-GB", "en"),
        ({"name": "Vietnamese"}, "vi"),
        ({"alternateName": "fr"}, "fr"),
        ("Klingon", None),
        (7, None),
    ],
)
def test_from_jsonld_language_forms(language: object, expected: str | None) -> None:
    assert from_jsonld(_minimal(inLanguage=language), where="w").language == expected


def test_from_jsonld_untyped_or_person_author_not_stored() -> None:
    assert from_jsonld(_minimal(author="Some Name"), where="w").publisher is None
    assert from_jsonld(_minimal(author={"name": "Some Name"}), where="w").publisher is None
    assert (
        from_jsonld(_minimal(author={"@type": "Person", "name": "P"}), where="w").publisher is None
    )
    both = _minimal(
        author=[{"@type": "Person", "name": "P"}, {"@type": "Organization", "name": "O"}]
    )
    assert from_jsonld(both, where="w").publisher == "O"


def test_from_jsonld_bad_date_kept_as_none() -> None:
    fc = from_jsonld(_minimal(datePublished="sometime in spring"), where="w")
    assert fc.date_published is None


def test_find_claimreviews_walks_nested_properties() -> None:
    doc = [
        {"@type": "WebPage", "mainEntity": {"@type": "ClaimReview", "claimReviewed": "a"}},
        {"@graph": [_minimal()]},
    ]
    assert [c["claimReviewed"] for c in find_claimreviews(doc)] == [
        "a",
        "The moon is made of cheese.",
    ]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "@type",
                    "@graph",
                    "claimReviewed",
                    "reviewRating",
                    "ratingValue",
                    "alternateName",
                    "author",
                    "itemReviewed",
                    "appearance",
                    "dataFeedElement",
                    "item",
                    "url",
                    "inLanguage",
                    "datePublished",
                    "firstAppearance",
                    "name",
                    "publisher",
                    "x",
                ]
            ),
            children
            | st.sampled_from(
                ["ClaimReview", "DataFeed", "Person", "Organization", "DataFeedItem"]
            ),
            max_size=6,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(_json)
def test_parse_claimreview_any_json_gives_records_or_rejections(doc: object) -> None:
    data = json.dumps(doc).encode()
    try:
        result = parse_claimreview(data, origin="h")
    except ParseError:
        return
    for fc in result.records:
        assert fc.claim_reviewed and fc.rating.label


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_parse_claimreview_any_bytes_never_crash(data: bytes) -> None:
    try:
        parse_claimreview(data, origin="h")
    except InputError:
        pass
