"""The site's machine-readable documents, built from records: the Atom feeds, the sitemap,
the ClaimReview DataFeed and ``robots.txt``.

The live site (:mod:`factdesk.web.public`) and the static export
(:func:`factdesk.services.publish.export_site`) read the records and call these, so both
serve the same bytes for the same data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from factdesk.publish import urls
from factdesk.publish.atom import atom_feed, fact_check_entry
from factdesk.publish.claimreview import claimreview_jsonld
from factdesk.publish.datafeed import datafeed
from factdesk.publish.sitemap import SitemapURL, sitemap
from factdesk.types import FactCheck, Organisation

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # ``updated`` of a feed with nothing in it


def feed(
    recent: Sequence[FactCheck], org: Organisation, base_url: str, language: str | None = None
) -> bytes:
    """The Atom feed of the most recent changes (all languages, or one)."""
    path = urls.language_feed_path(language) if language else urls.FEED
    return atom_feed(
        [fact_check_entry(fc, base_url) for fc in recent],
        feed_id=urls.absolute(base_url, path),
        title=org.name + (f" ({language})" if language else ""),
        self_url=urls.absolute(base_url, path),
        alternate_url=urls.absolute(base_url, urls.INDEX),
        author=org,
        updated=max((fc.updated for fc in recent), default=None) or EPOCH,
        language=language,
    )


def site_map(public: Iterable[FactCheck], base_url: str, last_change: datetime | None) -> bytes:
    """The index (last modified when anything public last changed) and every public
    fact-check."""
    entries = [SitemapURL(urls.absolute(base_url, urls.INDEX), last_change)]
    entries.extend(
        SitemapURL(urls.absolute(base_url, urls.fact_check_path(fc.id)), fc.updated)
        for fc in public
    )
    return sitemap(entries)


def claimreview_feed(
    public: Iterable[FactCheck], org: Organisation, base_url: str, last_change: datetime | None
) -> dict[str, Any]:
    """The DataFeed of every live ClaimReview (withdrawals have none)."""
    return datafeed(
        [claimreview_jsonld(fc, org, base_url) for fc in public if not fc.withdrawn],
        name=f"{org.name}: ClaimReview",
        url=urls.absolute(base_url, urls.DATAFEED),
        modified=last_change or EPOCH,
    )


def robots(base_url: str) -> str:
    return (
        "User-agent: *\nDisallow: /desk/\nDisallow: /api/\n"
        f"Sitemap: {urls.absolute(base_url, urls.SITEMAP)}\n"
    )
