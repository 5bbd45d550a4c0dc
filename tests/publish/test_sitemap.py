from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import etree

from factdesk.errors import InputError
from factdesk.publish import sitemap as sitemap_module
from factdesk.publish.sitemap import SITEMAP_NS, SitemapURL, sitemap


def test_sitemap_lists_urls_with_lastmod() -> None:
    data = sitemap(
        [
            SitemapURL("https://x.example/", None),
            SitemapURL(
                "https://x.example/fact-checks/1/?a=1&b=2", datetime(2026, 3, 1, tzinfo=UTC)
            ),
        ]
    )
    root = etree.fromstring(data)
    ns = {"s": SITEMAP_NS}
    assert root.xpath("//s:loc/text()", namespaces=ns) == [
        "https://x.example/",
        "https://x.example/fact-checks/1/?a=1&b=2",
    ]
    assert root.xpath("//s:lastmod/text()", namespaces=ns) == ["2026-03-01T00:00:00+00:00"]
    assert b"&amp;b=2" in data


def test_sitemap_refuses_more_than_the_protocol_allows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemap_module, "MAX_URLS", 2)
    with pytest.raises(InputError, match="more than 2 URLs"):
        sitemap(SitemapURL(f"https://x.example/{i}") for i in range(3))
