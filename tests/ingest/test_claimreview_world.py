"""ClaimReview as publishers around the world write it (tests/fixtures/claimreview_world)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from factdesk.eval.claimreview import date_matches
from factdesk.ingest.claimreview import (
    claimreview_language,
    from_jsonld,
    parse_claimreview,
    with_languages,
)
from factdesk.types import Rating

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
WORLD = FIXTURES / "claimreview_world"
TRUTH: dict[str, dict[str, Any]] = json.loads(
    (FIXTURES / "claimreview_world_truth.json").read_text(encoding="utf-8")
)


def _review(**extra: Any) -> dict[str, Any]:
    return {
        "@type": "ClaimReview",
        "url": "https://checks.example.org/2024/x/",
        "claimReviewed": "The moon is made of cheese.",
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        **extra,
    }


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_world_fixture_dates_appearances_and_publisher(name: str) -> None:
    expected = TRUTH[name]
    result = parse_claimreview((WORLD / name).read_bytes(), origin=name)
    [fc] = result.records
    assert date_matches(fc.date_published, expected["date_published"])
    assert sorted(a.url for a in fc.appearances) == sorted(expected["appearances"])
    assert fc.publisher == expected["publisher"]


def test_world_fixture_languages_declared_or_identified() -> None:
    records = [
        parse_claimreview((WORLD / name).read_bytes(), origin=name).records[0]
        for name in sorted(TRUTH)
    ]
    found = [fc.language for fc in with_languages(records)]
    right = sum(f == TRUTH[n]["language"] for f, n in zip(found, sorted(TRUTH), strict=True))
    assert right / len(TRUTH) >= 0.95
    assert [claimreview_language(fc) for fc in records] == found  # one by one agrees


def test_publisher_is_the_organisation_never_a_person() -> None:
    notes: list[str] = []
    person_first = _review(
        author={"@type": "Person", "name": "Ana Reporter"},
        publisher={"@type": "Organization", "name": "Verifica", "url": "/"},
    )
    fc = from_jsonld(person_first, where="w", notes=notes)
    assert (fc.publisher, fc.publisher_url) == ("Verifica", "https://checks.example.org/")
    profile = _review(
        author={
            "@type": "Organization",
            "name": "Jean Reporter",
            "url": "https://checks.example.org/auteur/jean-reporter/",
        }
    )
    assert from_jsonld(profile, where="w2", notes=notes).publisher is None
    assert notes == [
        "w2: publisher dropped: no organisation named (author: typed Organization but its "
        "URL is a person's profile page)"
    ]
    assert "Reporter" not in repr(notes)  # people are never named, not even in a report


def test_rating_kept_verbatim_in_any_language_with_its_numbers() -> None:
    rating = {
        "@type": "Rating",
        "alternateName": [{"@value": "Engañoso", "@language": "es"}],
        "ratingValue": "2",
        "bestRating": "5",
        "worstRating": "uno",
    }
    notes: list[str] = []
    fc = from_jsonld(_review(reviewRating=rating), where="w", notes=notes)
    assert fc.rating == Rating(label="Engañoso", value=2.0, best=5.0, worst=None)
    assert notes == ["w: reviewRating.worstRating dropped: 'uno' is not a number"]


def test_every_dropped_value_is_a_note_with_where_and_why() -> None:
    doc = _review(
        datePublished="the day before yesterday",
        inLanguage="Klingon",
        itemReviewed={
            "@type": "Claim",
            "url": "file:///home/me/saved.html",
            "appearance": [{"url": "javascript:void(0)"}, "social.example.com/p/1"],
        },
    )
    result = parse_claimreview(json.dumps(doc).encode(), origin="dump.json")
    [fc] = result.records
    assert [a.url for a in fc.appearances] == ["https://social.example.com/p/1"]
    assert fc.date_published is None and fc.language is None
    assert result.notes == [
        "dump.json element 1: inLanguage dropped: 'Klingon' is not a language tag or name",
        "dump.json element 1: datePublished dropped: 'the day before yesterday' is not a date "
        "in a known form",
        "dump.json element 1: itemReviewed.url dropped: 'file:///home/me/saved.html' is not an "
        "http(s) URL",
        "dump.json element 1: itemReviewed.appearance dropped: 'javascript:void(0)' is not an "
        "http(s) URL",
    ]


def test_relative_review_url_resolves_against_the_page() -> None:
    doc = _review(url="/estadao-verifica/boato/", itemReviewed={"appearance": "/arquivo/1"})
    result = parse_claimreview(
        json.dumps(doc).encode(), origin="page", base_url="https://jornal.example.com.br/x"
    )
    [fc] = result.records
    assert fc.url == "https://jornal.example.com.br/estadao-verifica/boato/"
    assert [a.url for a in fc.appearances] == ["https://jornal.example.com.br/arquivo/1"]
    alone = parse_claimreview(json.dumps(doc).encode(), origin="file")
    assert alone.records[0].url is None
    assert any("relative URL '/estadao-verifica/boato/'" in note for note in alone.notes)
