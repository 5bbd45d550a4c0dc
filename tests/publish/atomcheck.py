"""An RFC 4287 checker for the tests: the elements the RFC requires, with their cardinality.

Used by the builder tests here and by the public-site tests over the served feeds.
"""

from __future__ import annotations

from datetime import datetime

import feedparser
from lxml import etree

A = "{http://www.w3.org/2005/Atom}"


def _rfc3339(text: str | None) -> bool:
    if not text or "T" not in text:
        return False
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None  # RFC 3339 date-times carry an offset


def rfc4287_problems(data: bytes) -> list[str]:
    """What breaks RFC 4287 section 4.1 in ``data`` (empty = conforms)."""
    problems: list[str] = []
    root = etree.fromstring(data)
    if root.tag != f"{A}feed":
        return [f"root element is {root.tag}, not atom:feed"]

    def one(parent: etree._Element, name: str, where: str) -> etree._Element | None:
        found = parent.findall(f"{A}{name}")
        if len(found) != 1:
            problems.append(f"{where}: {len(found)} atom:{name}, exactly one required")
            return None
        return found[0]

    for name in ("id", "title", "updated"):
        element = one(root, name, "feed")
        if element is not None and not (element.text or "").strip():
            problems.append(f"feed: atom:{name} is empty")
    updated = root.find(f"{A}updated")
    if updated is not None and not _rfc3339(updated.text):
        problems.append(f"feed: atom:updated {updated.text!r} is not an RFC 3339 date-time")
    feed_has_author = root.find(f"{A}author/{A}name") is not None
    alternates = [
        (link.get("type"), link.get("hreflang"))
        for link in root.findall(f"{A}link")
        if link.get("rel", "alternate") == "alternate"
    ]
    if len(alternates) != len(set(alternates)):
        problems.append("feed: two alternate links with the same type and hreflang")
    ids = set()
    for index, entry in enumerate(root.findall(f"{A}entry")):
        where = f"entry {index}"
        for name in ("id", "title", "updated"):
            one(entry, name, where)
        entry_id = entry.findtext(f"{A}id")
        if entry_id in ids:
            problems.append(f"{where}: duplicate atom:id {entry_id}")
        ids.add(entry_id)
        if not _rfc3339(entry.findtext(f"{A}updated")):
            problems.append(f"{where}: atom:updated is not an RFC 3339 date-time")
        published = entry.findtext(f"{A}published")
        if published is not None and not _rfc3339(published):
            problems.append(f"{where}: atom:published is not an RFC 3339 date-time")
        if not feed_has_author and entry.find(f"{A}author/{A}name") is None:
            problems.append(f"{where}: no atom:author (and the feed has none)")
        has_alternate = any(
            link.get("rel", "alternate") == "alternate" for link in entry.findall(f"{A}link")
        )
        if entry.find(f"{A}content") is None and not has_alternate:
            problems.append(f"{where}: neither atom:content nor an alternate link")
        content = entry.find(f"{A}content")
        if content is not None and content.get("src") and entry.find(f"{A}summary") is None:
            problems.append(f"{where}: out-of-line content needs atom:summary")
    parsed = feedparser.parse(data)
    if parsed.bozo:
        problems.append(f"feedparser: {parsed.bozo_exception}")
    return problems
