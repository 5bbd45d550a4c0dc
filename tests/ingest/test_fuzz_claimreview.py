"""Fuzzing ClaimReview parsing: any bytes, and generated JSON-LD with ClaimReview-shaped
objects whose fields take random types and values. Only InputError escapes; every
candidate object is kept as a fact-check or rejected with a reason."""

from __future__ import annotations

import json

import pytest
from hypothesis import strategies as st

from factdesk.ingest.claimreview import parse_claimreview
from tests.ingest.fuzzing import BUDGETS, TEXT, parsed_or_refused, run

SCALARS = st.one_of(TEXT, st.integers(), st.floats(allow_nan=True), st.none(), st.booleans())
ANY = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                    st.dictionaries(TEXT, inner, max_size=3)),
                   max_leaves=8)  # fmt: skip


@st.composite
def reviews(draw: st.DrawFn) -> dict[str, object]:
    review: dict[str, object] = {"@context": "https://schema.org", "@type": draw(
        st.sampled_from(["ClaimReview", ["ClaimReview"], "Review", "DataFeedItem", 3]))}  # fmt: skip
    optional = {
        "claimReviewed": st.one_of(TEXT, ANY),
        "url": st.one_of(TEXT, st.just("https://fc.example/a"), ANY),
        "datePublished": st.one_of(TEXT, st.just("2024-02-30"), ANY),
        "reviewRating": st.one_of(
            st.fixed_dictionaries({"@type": st.just("Rating"), "alternateName": TEXT,
                                   "ratingValue": SCALARS, "bestRating": SCALARS,
                                   "worstRating": SCALARS}), ANY),
        "author": st.one_of(st.fixed_dictionaries({"@type": st.just("Organization"), "name": TEXT,
                                                   "url": TEXT}), ANY),
        "itemReviewed": st.one_of(st.fixed_dictionaries({"@type": st.just("Claim"),
                                                         "appearance": ANY, "datePublished": TEXT}), ANY),
        "inLanguage": st.one_of(TEXT, ANY),
    }  # fmt: skip
    for name, strategy in optional.items():
        if draw(st.booleans()):
            review[name] = draw(strategy)
    return review


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    items = draw(st.lists(st.one_of(reviews(), ANY), max_size=4))
    shape = draw(st.sampled_from(["list", "graph", "feed", "one"]))
    doc: object
    if shape == "list":
        doc = items
    elif shape == "graph":
        doc = {"@context": "https://schema.org", "@graph": items}
    elif shape == "feed":
        doc = {"@type": "DataFeed", "dataFeedElement": [{"@type": "DataFeedItem", "item": i}
                                                         for i in items]}  # fmt: skip
    else:
        doc = items[0] if items else {}
    return json.dumps(doc, allow_nan=True).encode()


@pytest.mark.parametrize("profile", BUDGETS)
def test_fuzz_claimreview_kept_or_quarantined(profile: str) -> None:
    def check(data: bytes) -> None:
        result = parsed_or_refused(lambda: parse_claimreview(data, origin="fuzz.json"))
        if result is not None:
            assert all(fc.claim_reviewed.strip() for fc in result.records)

    run(profile, documents(), check)


@pytest.mark.parametrize("profile", BUDGETS)
def test_fuzz_claimreview_any_bytes(profile: str) -> None:
    run(profile, st.one_of(st.binary(max_size=400), ANY.map(lambda v: json.dumps(v).encode())),
        lambda data: parsed_or_refused(lambda: parse_claimreview(data, origin="fuzz.json")))  # fmt: skip
