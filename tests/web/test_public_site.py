"""The public site in-process: pages, JSON twins, ClaimReview on every page, feeds."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import feedparser
import pytest
from fastapi import FastAPI
from lxml import etree, html
from sqlalchemy.orm import Session, sessionmaker

from factdesk.publish.claimreview import validate_claimreview
from factdesk.publish.sitemap import SITEMAP_NS
from factdesk.store.db import transaction
from tests.publish.atomcheck import rfc4287_problems
from tests.publish.seed import T0, add_fact_check, correct, withdraw

from .conftest import Persona

BASE = "http://127.0.0.1:8000"  # the default FACTDESK_PUBLIC_BASE_URL


@pytest.fixture
def site(db: sessionmaker[Session]) -> dict[str, int]:
    """Two live fact-checks (one corrected), a withdrawal, a draft and an imported one."""
    with transaction(db) as s:
        vi = add_fact_check(
            s,
            claim="Uống nước chanh nóng chữa khỏi ung thư",
            language="vi",
            title="Nước chanh không chữa ung thư",
            appearances=[
                ("https://social.example/p/1", T0 - timedelta(days=6)),
                ("https://news.example/a/2", T0 - timedelta(days=2)),
            ],
        )
        en = add_fact_check(
            s,
            claim="The new bridge <script>alert(1)</script> collapsed",
            language="en",
            published=T0 + timedelta(hours=2),
            appearances=[("https://video.example/v/9", T0 - timedelta(days=1))],
        )
        gone = add_fact_check(
            s, claim="Dam broke last night", language="en", published=T0 + timedelta(hours=3)
        )
        draft = add_fact_check(s, claim="Draft verdict, not public", status="draft")
        imported = add_fact_check(s, claim="Another desk's verdict", origin="imported")
        correct(
            s,
            vi,
            label="Misleading",
            value=2,
            note="Liều lượng trích dẫn sai; đã sửa.",
            at=T0 + timedelta(days=1),
        )
        withdraw(s, gone, note="The photo we relied on was staged.", at=T0 + timedelta(days=2))
    return {"vi": vi, "en": en, "gone": gone, "draft": draft, "imported": imported}


@pytest.fixture
def visitor(personas: dict[str, Persona]) -> Persona:
    return personas["outsider"]


def _jsonld(page: str) -> list[dict[str, Any]]:
    tree = html.fromstring(page)
    return [json.loads(node.text) for node in tree.xpath('//script[@type="application/ld+json"]')]


def test_public_index_lists_only_our_public_fact_checks(
    visitor: Persona, site: dict[str, int]
) -> None:
    response = visitor.get("/")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=60"
    assert "content-security-policy" in response.headers
    page = response.text
    for key in ("vi", "en", "gone"):
        assert f'/fact-checks/{site[key]}/"' in page
    assert "Draft verdict" not in page and "Another desk" not in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    twin = visitor.get("/index.json").json()
    assert twin["total"] == 3
    assert [f["id"] for f in twin["fact_checks"]] == [site["gone"], site["en"], site["vi"]]


def test_public_index_search_and_language_filter(visitor: Persona, site: dict[str, int]) -> None:
    ids = lambda url: [f["id"] for f in visitor.get(url).json()["fact_checks"]]  # noqa: E731
    assert ids("/index.json?q=ung+thu") == [site["vi"]]
    assert ids("/index.json?lang=vi") == [site["vi"]]
    assert ids("/index.json?lang=en&q=bridge") == [site["en"]]
    assert ids("/index.json?q=nothing+like+this") == []
    page = visitor.get("/?q=bridge&lang=en").text
    assert f"/fact-checks/{site['en']}/" in page and f"/fact-checks/{site['vi']}/" not in page


def test_every_public_page_carries_valid_claimreview(
    visitor: Persona, site: dict[str, int]
) -> None:
    for key in ("vi", "en"):
        fc_id = site[key]
        page = visitor.get(f"/fact-checks/{fc_id}/").text
        (review,) = _jsonld(page)
        assert validate_claimreview(review) == []
        assert review["url"] == f"{BASE}/fact-checks/{fc_id}/"
        assert review["claimReviewed"]
        assert review["reviewRating"]["alternateName"]
        for name in ("ratingValue", "bestRating", "worstRating"):
            assert isinstance(review["reviewRating"][name], int | float)
        assert review["author"]["@type"] == "Organization" and review["author"]["name"]
        assert review["datePublished"]
        claim = review["itemReviewed"]
        assert claim["@type"] == "Claim"
        assert claim["appearance"] and all(
            a["url"].startswith("https://") for a in claim["appearance"]
        )
        assert claim["firstAppearance"]["url"] == claim["appearance"][0]["url"]
        # the .json twin is the same record with the same markup
        twin = visitor.get(f"/fact-checks/{fc_id}.json").json()
        assert twin["claimreview"] == review
        assert html.fromstring(page).xpath('//link[@rel="canonical"]/@href') == [review["url"]]


def test_corrected_page_shows_the_note_history_and_date_modified(
    visitor: Persona, site: dict[str, int]
) -> None:
    page = visitor.get(f"/fact-checks/{site['vi']}/").text
    (review,) = _jsonld(page)
    assert review["dateModified"] == (T0 + timedelta(days=1)).isoformat()
    assert review["reviewRating"]["alternateName"] == "Misleading"
    assert "Liều lượng trích dẫn sai; đã sửa." in page
    assert 'class="correction notice"' in page
    twin = visitor.get(f"/fact-checks/{site['vi']}.json").json()
    assert [h["kind"] for h in twin["history"]] == ["published", "corrected"]
    assert twin["history"][1]["note"] == "Liều lượng trích dẫn sai; đã sửa."


def test_withdrawn_page_is_a_tombstone_that_says_why(
    visitor: Persona, site: dict[str, int]
) -> None:
    response = visitor.get(f"/fact-checks/{site['gone']}/")
    assert response.status_code == 200
    assert "The photo we relied on was staged." in response.text
    assert 'class="tombstone' in response.text
    assert _jsonld(response.text) == []  # no verdict markup for a withdrawn verdict
    twin = visitor.get(f"/fact-checks/{site['gone']}.json").json()
    assert twin["withdrawn"] is True and twin["rating"] is None and twin["claimreview"] is None


def test_drafts_imported_and_unknown_are_not_found(visitor: Persona, site: dict[str, int]) -> None:
    for fc_id in (site["draft"], site["imported"], 424242):
        assert visitor.get(f"/fact-checks/{fc_id}/").status_code == 404
        assert visitor.get(f"/fact-checks/{fc_id}.json").status_code == 404
    assert visitor.get(f"/fact-checks/{site['en']}").status_code == 308


def test_public_page_links_the_archived_copy_of_each_citation(
    visitor: Persona, site: dict[str, int]
) -> None:
    page = visitor.get(f"/fact-checks/{site['en']}/").text
    (archive,) = re.findall(r'href="(/archive/\d+/)"', page)
    copy = visitor.get(archive)
    assert copy.status_code == 200
    assert "The figure is 12 per cent" in re.sub(r"<[^>]+>", "", copy.text)  # quotes are marked
    assert re.search(r'<mark id="quote-\d+" class="quote">', copy.text)
    assert re.search(r'href="/archive/\d+/#quote-\d+"', page)  # the quote links to its mark
    twin = visitor.get(archive.rstrip("/") + ".json").json()
    assert twin["sha256"] == "ab" * 32
    assert twin["cited_by"] == [f"{BASE}/fact-checks/{site['en']}/"]


def test_atom_feeds_parse_and_meet_rfc4287(visitor: Persona, site: dict[str, int]) -> None:
    response = visitor.get("/feed.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert rfc4287_problems(response.content) == []
    feed = feedparser.parse(response.content)
    assert [e.link for e in feed.entries] == [
        f"{BASE}/fact-checks/{site[k]}/" for k in ("gone", "vi", "en")
    ]
    corrected = feed.entries[1]
    assert corrected.title.startswith("[Corrected]")
    assert "Liều lượng trích dẫn sai" in corrected.content[0].value
    assert feed.entries[0].title.startswith("[Withdrawn]")
    vi = visitor.get("/feed/vi.atom")
    assert rfc4287_problems(vi.content) == []
    assert [e.link for e in feedparser.parse(vi.content).entries] == [
        f"{BASE}/fact-checks/{site['vi']}/"
    ]
    assert visitor.get("/feed/xx.atom").status_code == 404
    again = visitor.get("/feed.atom", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_sitemap_datafeed_and_robots(visitor: Persona, site: dict[str, int]) -> None:
    root = etree.fromstring(visitor.get("/sitemap.xml").content)
    locs = root.xpath("//s:loc/text()", namespaces={"s": SITEMAP_NS})
    assert locs[0] == f"{BASE}/" and len(locs) == 4
    feed = visitor.get("/claimreview.json").json()
    assert feed["@type"] == "DataFeed"
    items = [e["item"] for e in feed["dataFeedElement"]]
    assert {i["url"] for i in items} == {f"{BASE}/fact-checks/{site[k]}/" for k in ("vi", "en")}
    assert all(validate_claimreview({"@context": "https://schema.org", **i}) == [] for i in items)
    assert "Sitemap: " + BASE + "/sitemap.xml" in visitor.get("/robots.txt").text


def test_public_pages_need_no_sign_in_and_hide_newsroom_data(
    app: FastAPI, visitor: Persona, site: dict[str, int]
) -> None:
    response = visitor.get(f"/fact-checks/{site['vi']}.json")
    assert response.status_code == 200
    text = response.text
    for private in ("author_id", "reviewer_id", "content_hash", "dedupe_key"):
        assert private not in text


def test_public_page_in_english_and_vietnamese(visitor: Persona, site: dict[str, int]) -> None:
    url = f"/fact-checks/{site['vi']}/"
    english = visitor.get(url, headers={"Accept-Language": "en"}).text
    vietnamese = visitor.get(url, headers={"Accept-Language": "vi"}).text
    assert "Where the claim appeared" in english and "Corrections and history" in english
    assert "Nơi nhận định xuất hiện" in vietnamese and "Đính chính và lịch sử" in vietnamese
    # the content stays in its own language, marked for screen readers and search engines
    assert 'lang="vi"' in english and "Uống nước chanh nóng" in english


def test_every_configured_language_has_a_feed_before_a_first_fact_check(
    visitor: Persona,
) -> None:
    for language in ("vi", "en"):  # the desk's languages, nothing published yet
        response = visitor.get(f"/feed/{language}.atom")
        assert response.status_code == 200
        assert rfc4287_problems(response.content) == []
        assert feedparser.parse(response.content).entries == []
    assert visitor.get("/feed/de.atom").status_code == 404  # neither configured nor used
