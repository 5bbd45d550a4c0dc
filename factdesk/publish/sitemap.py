"""The sitemap (sitemaps.org protocol 0.9) of the public site."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from factdesk.errors import InputError
from factdesk.publish.atom import xml_safe

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000  # the protocol's limit per sitemap file


@dataclass(frozen=True, slots=True)
class SitemapURL:
    loc: str
    lastmod: datetime | None = None


def sitemap(urls: Iterable[SitemapURL]) -> bytes:
    """Serialize a ``urlset``; more than the protocol's 50,000 URLs is refused, not cut."""
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})
    count = 0
    for url in urls:
        count += 1
        if count > MAX_URLS:
            raise InputError(
                f"more than {MAX_URLS} URLs: a sitemap cannot hold them", where="sitemap"
            )
        node = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(node, f"{{{SITEMAP_NS}}}loc").text = xml_safe(url.loc)
        if url.lastmod is not None:
            etree.SubElement(node, f"{{{SITEMAP_NS}}}lastmod").text = url.lastmod.isoformat()
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))
