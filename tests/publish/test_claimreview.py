from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factdesk.errors import InputError
from factdesk.publish.claimreview import (
    claimreview_jsonld,
    claimreview_warnings,
    require_valid,
    validate_claimreview,
)
from factdesk.types import FactCheck, Organisation, Rating

from .conftest import BASE


def test_claimreview_jsonld_has_required_and_recommended_properties(
    fact_check: FactCheck, org: Organisation
) -> None:
    obj = claimreview_jsonld(fact_check, org, BASE)
    assert obj["@type"] == "ClaimReview"
    assert obj["url"] == "https://checks.example.org/fact-checks/7/"
    assert obj["claimReviewed"] == fact_check.claim_reviewed
    assert obj["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "False",
        "name": "False",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert obj["author"] == {
        "@type": "Organization",
        "name": "Example Checks",
        "url": "https://example.org",
        "logo": {"@type": "ImageObject", "url": "https://example.org/logo.png"},
    }
    assert obj["datePublished"] == "2026-03-01T09:30:00+00:00"
    assert obj["dateModified"] == "2026-03-04T12:00:00+00:00"
    assert obj["version"] == 2  # published versions, not the desk's edit counter (5)
    claim = obj["itemReviewed"]
    assert claim["@type"] == "Claim"
    assert [a["url"] for a in claim["appearance"]] == [
        "https://social.example.net/p/2",
        "https://news.example.com/a/1",
        "https://blog.example.com/undated",
    ]
    # the earliest dated appearance, not the first listed
    assert claim["firstAppearance"]["url"] == "https://news.example.com/a/1"
    assert claim["datePublished"] == "2026-02-20T00:00:00+00:00"
    assert "author" not in claim  # factdesk does not name who made a claim
    assert validate_claimreview(obj) == []
    assert claimreview_warnings(obj) == []
    json.dumps(obj)  # serialisable as is


def test_claimreview_jsonld_without_scale_or_appearances_is_valid_with_warnings(
    fact_check: FactCheck, org: Organisation
) -> None:
    bare = replace(
        fact_check, rating=Rating(label="Misleading"), appearances=(), date_modified=None
    )
    obj = claimreview_jsonld(bare, org, BASE)
    assert validate_claimreview(obj) == []
    assert "dateModified" not in obj
    warnings = claimreview_warnings(obj)
    assert "reviewRating.ratingValue: recommended by Google, missing" in warnings
    assert any("appearance" in w for w in warnings)


def _valid(fact_check: FactCheck, org: Organisation) -> dict[str, Any]:
    return claimreview_jsonld(fact_check, org, BASE)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda o: o.pop("claimReviewed"), "claimReviewed: missing"),
        (lambda o: o.update(claimReviewed="  "), "claimReviewed: missing"),
        (lambda o: o.pop("url"), "url: None"),
        (lambda o: o.update(url="/fact-checks/7/"), "absolute URL"),
        (lambda o: o.pop("reviewRating"), "reviewRating: missing"),
        (lambda o: o["reviewRating"].pop("alternateName"), "reviewRating.alternateName: missing"),
        (lambda o: o["reviewRating"].update(ratingValue="1"), "ratingValue: '1' is not a number"),
        (lambda o: o["reviewRating"].update(ratingValue=9), "outside the scale 1..5"),
        (
            lambda o: o["reviewRating"].update(bestRating=1, worstRating=5),
            "bestRating (1) must be greater than worstRating (5)",
        ),
        (lambda o: o.update({"@type": "Review"}), "@type: must be 'ClaimReview'"),
        (lambda o: o.update(datePublished="March 1st"), "datePublished: 'March 1st' is not"),
        (
            lambda o: o.update(dateModified="2026-02-01T00:00:00+00:00"),
            "dateModified: is before datePublished",
        ),
        (lambda o: o.update(author={"@type": "Organization"}), "author: must be"),
        (lambda o: o["itemReviewed"].update({"@type": "Thing"}), "itemReviewed: must be"),
        (
            lambda o: o["itemReviewed"]["appearance"][0].update(url="javascript:alert(1)"),
            "itemReviewed.appearance[0].url",
        ),
        (lambda o: o["itemReviewed"].update(firstAppearance=3), "itemReviewed.firstAppearance"),
    ],
)
def test_validate_claimreview_names_each_problem(
    fact_check: FactCheck, org: Organisation, mutate: Any, expected: str
) -> None:
    obj = copy.deepcopy(_valid(fact_check, org))
    mutate(obj)
    problems = validate_claimreview(obj)
    assert any(expected in p for p in problems), problems


def test_require_valid_refuses_with_every_problem_in_one_message() -> None:
    with pytest.raises(InputError) as info:
        require_valid({"@type": "ClaimReview", "reviewRating": {}}, where="fact-check 7")
    message = str(info.value)
    assert message.startswith("fact-check 7: cannot publish")
    assert "claimReviewed" in message and "alternateName" in message and "url" in message


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "@type",
                        "url",
                        "claimReviewed",
                        "reviewRating",
                        "author",
                        "itemReviewed",
                        "datePublished",
                        "dateModified",
                        "alternateName",
                        "ratingValue",
                        "bestRating",
                        "worstRating",
                        "appearance",
                        "firstAppearance",
                        "name",
                        "@context",
                    ]
                ),
                inner,
                max_size=6,
            )
        ),
        max_leaves=20,
    )
)
def test_validate_claimreview_never_crashes_on_arbitrary_json(obj: object) -> None:
    problems = validate_claimreview(obj)
    assert isinstance(problems, list)
    assert all(isinstance(p, str) for p in problems)


def test_claimreview_item_date_falls_back_to_the_first_appearance(
    fact_check: FactCheck, org: Organisation
) -> None:
    ours = replace(fact_check, claim_date=None)
    claim = claimreview_jsonld(ours, org, BASE)["itemReviewed"]
    assert claim["firstAppearance"]["url"] == "https://news.example.com/a/1"
    assert claim["datePublished"] == claim["firstAppearance"]["datePublished"]
    undated = replace(ours, appearances=tuple(replace(a, date=None) for a in ours.appearances))
    assert "datePublished" not in claimreview_jsonld(undated, org, BASE)["itemReviewed"]
