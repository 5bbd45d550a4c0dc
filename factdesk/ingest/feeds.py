"""RSS 0.9x, RSS 1.0 (RDF), RSS 2.0 and Atom feeds to :class:`Item` records, via feedparser.

The bytes are decoded by :func:`decode_text` first (feedparser alone would read a
Vietnamese cp1258 feed declared as UTF-8 as cp1252 mojibake), then handed to feedparser as
a UTF-8 stream — never as a string, which feedparser would take for a URL or a file name.

Per entry: ``text`` is the full content when the feed carries it, else the summary, else
the title, with HTML reduced to text by a real parser; ``external_id`` is the guid/id;
``published_at`` the publication (else update) time in UTC; ``language`` the entry's
``dc:language`` or ``xml:lang`` when declared, else the feed's language. Authors are never
read. An entry without any text is rejected; one with text but no link is kept (its
guid and text make its de-duplication key).
"""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime
from typing import Any

import feedparser

from factdesk.errors import ParseError, TooLarge
from factdesk.ingest.decode import decode_text
from factdesk.ingest.fields import http_url, language_code, raw_excerpt, scrub, text_or_none
from factdesk.ingest.html import html_to_text
from factdesk.types import Item, ParseResult, Rejected

__all__ = ["MAX_FEED_BYTES", "parse_feed"]

MAX_FEED_BYTES = 10_000_000
PLATFORM = "feed"
_XML_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")
# A DOCTYPE with an internal subset: the only place entities can be declared.
_DTD_SUBSET = re.compile(r"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.DOTALL)
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def parse_feed(data: bytes, *, origin: str, max_bytes: int = MAX_FEED_BYTES) -> ParseResult[Item]:
    """Parse a feed document into items; entries without any text are rejected.

    Raises :class:`ParseError` (naming ``origin``, and the line and column when the XML
    parser reports them) when the document is not a feed at all, and :class:`TooLarge`
    when it is over ``max_bytes``.
    """
    if len(data) > max_bytes:
        raise TooLarge(f"{len(data)} bytes is over the {max_bytes}-byte feed limit", where=origin)
    text = decode_text(data, where=origin)
    notes = []
    if "<!ENTITY" in text:
        # Entity declarations are how XML bombs ("billion laughs") multiply a small input;
        # feeds have no use for them. Undeclared references are then left as text.
        text, removed = _DTD_SUBSET.subn("", text, count=1)
        if removed:
            notes.append("entity declarations (DTD internal subset) were ignored")
    # The text is re-encoded as UTF-8, so the declaration must say so.
    utf8 = _XML_ENCODING.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8", "replace")
    headers = {"content-type": "application/xml; charset=utf-8"}
    if http_url(origin):
        headers["content-location"] = origin  # the base for relative links
    try:
        parsed = feedparser.parse(io.BytesIO(utf8), response_headers=headers, sanitize_html=True)
    except ValueError as exc:
        # feedparser's strict pass can trip over a mangled namespace name (a separator
        # character inside the xmlns URI) instead of reporting it as malformed XML.
        raise ParseError(f"the feed's XML cannot be read ({exc})", where=origin) from None
    if not parsed.entries:
        _raise_if_not_feed(parsed, text, origin)
    elif parsed.get("bozo") and not any(_entry_item_or_none(e) for e in parsed.entries):
        # Malformed XML whose lenient reading salvaged nothing usable: as unreadable as none.
        _raise_if_not_feed(parsed, text, origin, salvaged=len(parsed.entries))
    if parsed.get("bozo"):
        notes.append(f"malformed XML read leniently: {_bozo_message(parsed)}")
    feed = parsed.feed
    feed_language = language_code(_get(feed, "language"))
    result: ParseResult[Item] = ParseResult(
        meta={
            key: value
            for key, value in (
                ("title", _plain(_get(feed, "title_detail"), _get(feed, "title"))),
                ("link", http_url(_get(feed, "link"))),
                ("language", feed_language),
                ("version", parsed.get("version") or None),
                ("warning", "; ".join(notes) or None),
            )
            if value
        }
    )
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"{origin} entry {number}"
        item = _entry_item(entry, feed_language)
        if isinstance(item, str):
            result.rejected.append(Rejected(where=where, reason=item, raw=_entry_raw(entry)))
        else:
            result.records.append(item)
    return result


def _entry_item(entry: Any, feed_language: str | None) -> Item | str:
    """The item for one entry, or the reason it cannot be one."""
    title = _plain(_get(entry, "title_detail"), _get(entry, "title"))
    body, language = "", None
    for detail in [*(_get(entry, "content") or []), _get(entry, "summary_detail")]:
        if detail:
            body = _plain(detail, _get(detail, "value")) or ""
            language = _get(detail, "language")
            if body:
                break
    text = body or title
    link = http_url(_get(entry, "link"))
    if not text:
        return "entry has no text (no content, summary or title)" + ("" if link else " and no link")
    return Item(
        text=text,
        url=link,
        title=title,
        language=language_code(_get(entry, "language")) or language_code(language) or feed_language,
        published_at=_when(_get(entry, "published_parsed") or _get(entry, "updated_parsed")),
        platform=PLATFORM,
        external_id=text_or_none(_get(entry, "id")),
    )


def _plain(detail: Any, value: Any) -> str | None:
    """Text of a feedparser text construct, HTML reduced to text when typed as HTML."""
    if not isinstance(value, str) or not value.strip():
        return None
    kind = (detail or {}).get("type", "text/html") if isinstance(detail, dict) else "text/html"
    text = html_to_text(value) if kind in _HTML_TYPES else value
    return text_or_none(text)


def _when(parsed: Any) -> datetime | None:
    if not isinstance(parsed, time.struct_time):
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _entry_item_or_none(entry: Any) -> Item | None:
    item = _entry_item(entry, None)
    return item if isinstance(item, Item) else None


def _raise_if_not_feed(parsed: Any, text: str, origin: str, salvaged: int = 0) -> None:
    """A document with no entries is fine when it is a feed; otherwise say what it is."""
    if parsed.get("version") and not parsed.get("bozo"):
        return  # a well-formed, empty feed
    exc = parsed.get("bozo_exception")
    line = getattr(exc, "getLineNumber", lambda: None)()
    column = getattr(exc, "getColumnNumber", lambda: None)()
    head = text[:2048].lower()
    if "<html" in head or "<!doctype html" in head:
        message = "not a feed: the document is an HTML page"
    elif parsed.get("version"):
        message = f"malformed feed, no readable entry: {_bozo_message(parsed)}"
        if salvaged:
            message += f" ({salvaged} entries salvaged without text or link)"
    elif exc is not None:
        message = f"not a feed: {_bozo_message(parsed)}"
    else:
        message = "not a feed: no RSS or Atom root element"
    if line and exc is not None:
        # expat counts columns from 0; editors (and our other messages) from 1.
        where = f"{origin} line {line} column {(column or 0) + 1}"
    else:
        where = origin
    raise ParseError(message, where=where)


def _bozo_message(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    message = getattr(exc, "getMessage", None)
    text = message() if callable(message) else str(exc)
    line = getattr(exc, "getLineNumber", lambda: None)()
    return f"{text} at line {line}" if line else text


def _get(node: Any, key: str) -> Any:
    """A key of a feedparser dict without its legacy aliases (``published_parsed`` silently
    standing for ``updated_parsed`` — with a DeprecationWarning)."""
    return dict.get(node, key) if isinstance(node, dict) else None


def _entry_raw(entry: Any) -> str:
    keys = ("id", "title", "link", "summary")
    return raw_excerpt(scrub(" | ".join(f"{k}={_get(entry, k)}" for k in keys if _get(entry, k))))
