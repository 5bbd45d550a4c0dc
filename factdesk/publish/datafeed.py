"""A schema.org ``DataFeed`` of all our ClaimReviews: one document a partner (or a
fact-check aggregator) downloads to get every verdict, instead of crawling every page.

Each ClaimReview is wrapped in a ``DataFeedItem`` carrying its creation and modification
dates, so a consumer can tell which verdicts changed since its last download.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any


def datafeed(
    claimreviews: Iterable[Mapping[str, Any]],
    *,
    name: str,
    url: str,
    modified: datetime,
    language: str | None = None,
) -> dict[str, Any]:
    """The DataFeed object; each ClaimReview keeps its own ``@context``-free body."""
    elements = []
    for review in claimreviews:
        item = {k: v for k, v in review.items() if k != "@context"}
        element: dict[str, Any] = {"@type": "DataFeedItem", "item": item}
        if "datePublished" in review:
            element["dateCreated"] = review["datePublished"]
        element["dateModified"] = review.get("dateModified", review.get("datePublished"))
        elements.append(element)
    feed: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": name,
        "url": url,
        "dateModified": modified.isoformat(),
        "dataFeedElement": elements,
    }
    if language:
        feed["inLanguage"] = language
    return feed
