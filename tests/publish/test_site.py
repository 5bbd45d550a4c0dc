"""The static site and the machine-readable documents, from hand-written records."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from lxml import etree

from factdesk.publish import feeds
from factdesk.publish.site import Site, file_path, files
from factdesk.publish.sitemap import SITEMAP_NS
from factdesk.settings import Settings
from factdesk.types import ArchivedCopy, FactCheck, Organisation

from .atomcheck import rfc4287_problems
from .conftest import BASE

CHANGED = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def _site(fact_check: FactCheck, org: Organisation) -> Site:
    gone = replace(fact_check, id=8, status="withdrawn", withdrawal_note="Forged.", language="en")
    copy = ArchivedCopy(3, "https://who.example.int/cancer", None, CHANGED, "ab" * 32, "T", (7,))
    return Site(
        settings=Settings(public_base_url=f"{BASE}/checks", default_ui_language="en"),  # type: ignore[call-arg]
        org=org,
        fact_checks=[fact_check, gone],
        languages=["en", "vi"],
        feeds={None: [fact_check, gone], "vi": [fact_check], "en": [gone]},
        last_change=CHANGED,
        archived=iter([copy]),
    )


def test_file_path_maps_pages_to_index_html() -> None:
    assert file_path("/") == "index.html"
    assert file_path("/fact-checks/7/") == "fact-checks/7/index.html"
    assert file_path("/fact-checks/7.json") == "fact-checks/7.json"


def test_files_are_the_whole_site(fact_check: FactCheck, org: Organisation) -> None:
    done: list[int] = []
    written = dict(files(_site(fact_check, org), progress=done.append))
    assert done == [1, 1]
    assert set(written) == {
        "index.html",
        "index.json",
        "fact-checks/7/index.html",
        "fact-checks/7.json",
        "fact-checks/8/index.html",
        "fact-checks/8.json",
        "archive/3/index.html",
        "archive/3.json",
        "feed.atom",
        "feed/en.atom",
        "feed/vi.atom",
        "sitemap.xml",
        "claimreview.json",
        "robots.txt",
    }
    page = written["fact-checks/7/index.html"].decode()
    assert 'href="/checks/archive/3/"' in page  # prefixed for where the site is served
    assert 'href="/checks/static/app.css"' in page
    assert "application/ld+json" in page and "/submit" not in page  # no tipline link
    assert "Forged." in written["fact-checks/8/index.html"].decode()
    index = json.loads(written["index.json"])
    assert [f["id"] for f in index["fact_checks"]] == [7, 8] and index["limit"] == 2
    datafeed = json.loads(written["claimreview.json"])
    assert len(datafeed["dataFeedElement"]) == 1  # the withdrawal has no ClaimReview
    for name in ("feed.atom", "feed/en.atom", "feed/vi.atom"):
        assert rfc4287_problems(written[name]) == [], name
    assert json.loads(written["archive/3.json"])["cited_by"] == [f"{BASE}/checks/fact-checks/7/"]


def test_feeds_documents(fact_check: FactCheck, org: Organisation) -> None:
    root = etree.fromstring(feeds.site_map([fact_check], BASE, CHANGED))
    locs = [e.text for e in root.iter(f"{{{SITEMAP_NS}}}loc")]
    assert locs == [f"{BASE}/", f"{BASE}/fact-checks/7/"]
    assert root.findtext(f".//{{{SITEMAP_NS}}}lastmod") == CHANGED.isoformat()
    assert feeds.robots(BASE).endswith(f"Sitemap: {BASE}/sitemap.xml\n")
    empty = feeds.feed([], org, BASE)
    assert b"<updated>1970-01-01T00:00:00+00:00</updated>" in empty
    assert feeds.claimreview_feed([], org, BASE, None)["dateModified"].startswith("1970")
