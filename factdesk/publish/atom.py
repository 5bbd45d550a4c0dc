"""The Atom feed (RFC 4287) of our published, corrected and withdrawn fact-checks.

Built with lxml's element tree, so every text is escaped by the serializer, never by
string concatenation. A correction keeps the entry's ``id`` and moves its ``updated``, so
feed readers replace the entry instead of adding a second one; the correction note is in
the entry's content. A withdrawal becomes an entry saying why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from lxml import etree

from factdesk.publish.urls import absolute, fact_check_path
from factdesk.types import FactCheck, Organisation
from factdesk.workflow import State

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Characters XML 1.0 cannot carry at all (C0 controls but tab/LF/CR, lone surrogates, FFFE/F).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Drop characters XML cannot represent (they come from scraped posts, not from us)."""
    return _NOT_XML.sub("", text)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One Atom entry: everything RFC 4287 requires and the few things readers show."""

    id: str
    title: str
    link: str
    updated: datetime
    published: datetime | None = None
    summary: str | None = None
    content_html: str | None = None
    category: str | None = None
    language: str | None = None


def _label(status: str, revision: int) -> str:
    if status == State.WITHDRAWN:
        return "Withdrawn"
    return f"Corrected (version {revision})" if status == State.CORRECTED else "Published"


def fact_check_entry(fc: FactCheck, base_url: str) -> FeedEntry:
    """The feed entry of one fact-check; its content carries the rating and the notes."""
    url = absolute(base_url, fact_check_path(fc.id))
    parts = [f"<p><strong>{escape(fc.claim_reviewed)}</strong></p>"]
    if fc.withdrawn:
        parts.append(f"<p>Withdrawn: {escape(fc.withdrawal_note or 'no reason given')}</p>")
    else:
        parts.append(f"<p>Rating: {escape(fc.rating.label)}</p>")
        if fc.summary:
            parts.append(f"<p>{escape(fc.summary)}</p>")
    for revision in reversed(fc.corrections):
        if revision.note:  # a withdrawal is no correction: say which it was
            kind = "Withdrawn" if revision.kind == State.WITHDRAWN else "Correction"
            parts.append(
                f"<p>{kind} ({revision.at.date().isoformat()}, version {revision.version}): "
                f"{escape(revision.note)}</p>"
            )
    title = fc.display_title
    if fc.withdrawn:
        title = f"[Withdrawn] {title}"
    elif fc.status == State.CORRECTED:
        title = f"[Corrected] {title}"
    return FeedEntry(
        id=url,
        title=title,
        link=url,
        updated=fc.updated,
        published=fc.date_published,
        summary=fc.withdrawal_note if fc.withdrawn else (fc.summary or fc.rating.label),
        content_html="".join(parts),
        category=_label(fc.status, fc.revision),
        language=fc.language,
    )


def _text(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    element.text = xml_safe(text)
    return element


def _link(parent: etree._Element, href: str, rel: str, kind: str | None = None) -> None:
    attrs = {"href": xml_safe(href), "rel": rel}
    if kind:
        attrs["type"] = kind
    etree.SubElement(parent, f"{{{ATOM_NS}}}link", attrs)


def atom_feed(
    entries: Sequence[FeedEntry],
    *,
    feed_id: str,
    title: str,
    self_url: str,
    alternate_url: str,
    author: Organisation,
    updated: datetime,
    language: str | None = None,
) -> bytes:
    """Serialize an Atom feed document (UTF-8, with XML declaration).

    ``updated`` is given by the caller (the newest change among all entries, or the time
    of the export) so the same data always yields the same bytes.
    """
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    if language:
        feed.set(XML_LANG, language)
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    _text(feed, "updated", updated.isoformat())
    _link(feed, self_url, "self", "application/atom+xml")
    _link(feed, alternate_url, "alternate", "text/html")
    person = etree.SubElement(feed, f"{{{ATOM_NS}}}author")
    _text(person, "name", author.name)
    _text(person, "uri", author.url)
    _text(feed, "generator", "factdesk")
    for entry in entries:
        node = etree.SubElement(feed, f"{{{ATOM_NS}}}entry")
        if entry.language and entry.language != language:
            node.set(XML_LANG, entry.language)
        _text(node, "id", entry.id)
        _text(node, "title", entry.title)
        _text(node, "updated", entry.updated.isoformat())
        if entry.published is not None:
            _text(node, "published", entry.published.isoformat())
        _link(node, entry.link, "alternate", "text/html")
        if entry.category:
            etree.SubElement(node, f"{{{ATOM_NS}}}category", {"term": xml_safe(entry.category)})
        if entry.summary:
            _text(node, "summary", entry.summary)
        if entry.content_html:
            _text(node, "content", entry.content_html, type="html")
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True))
