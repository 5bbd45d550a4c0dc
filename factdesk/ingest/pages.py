"""A web page to an :class:`Item` (its main text) plus the ClaimReviews it carries as JSON-LD.

Main text, title and date come from trafilatura (offline; its author field is never read).
Every ``<script type="application/ld+json">`` block is searched for ClaimReview objects —
inside ``@graph``, lists and nested properties, with ``@type`` a string or a list — and
each is mapped by :func:`factdesk.ingest.claimreview.from_jsonld`.

Hostile pages are bounded before any heavy work, because extraction cost grows with the
number of elements (about 70 µs each in trafilatura): the body is capped at ``max_bytes``
(:class:`TooLarge`), a page with more than :data:`MAX_TAGS` tags is refused before parsing
(a million tiny tags would take hundreds of MB as a tree), libxml2 without ``huge_tree``
caps nesting at 256 levels, and a page still over :data:`MAX_EXTRACT_ELEMENTS` elements
after removing scripts, styles and SVG gets the fast fallback extractor (the text of
``<article>``, ``<main>`` or ``<body>``) instead of trafilatura.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime

import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from factdesk.errors import InputError, ParseError, TooLarge
from factdesk.ingest.claimreview import find_claimreviews, from_jsonld
from factdesk.ingest.dates import parse_datetime
from factdesk.ingest.decode import decode_text
from factdesk.ingest.fields import http_url, language_code, split_content_type, text_or_none
from factdesk.ingest.html import parse_html, tree_text
from factdesk.ingest.redact import jsonld_excerpt, line_excerpt
from factdesk.types import FactCheck, Item, ParseResult, Rejected

__all__ = ["MAX_EXTRACT_ELEMENTS", "MAX_PAGE_BYTES", "MAX_TAGS", "PageResult", "parse_page"]

MAX_PAGE_BYTES = 5_000_000
MAX_TAGS = 300_000
MAX_EXTRACT_ELEMENTS = 15_000
MAX_JSONLD_CHARS = 1_000_000
PLATFORM = "web"
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml", "text/xml"})
# Elements removed before extraction: never text, and often most of a page's elements.
_PRUNED = ("style", "svg", "noscript", "template", "iframe", "canvas", "math", "object")
_JSONLD_WRAPPER = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[)|(?:-->|//\s*\]\]>)\s*$")
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "datePublished",
    "date", "dc.date", "dc.date.issued", "pubdate", "publishdate",
)  # fmt: skip


@dataclass(slots=True)
class PageResult:
    """What one page yields. ``item`` is None when the page has no main text; then
    ``item_rejected`` says why (for the quarantine)."""

    item: Item | None
    fact_checks: ParseResult[FactCheck] = field(default_factory=ParseResult)
    meta: dict[str, str] = field(default_factory=dict)
    item_rejected: Rejected | None = None


def parse_page(
    data: bytes,
    *,
    url: str,
    content_type: str | None = None,
    max_bytes: int = MAX_PAGE_BYTES,
) -> PageResult:
    """Parse one HTML page fetched from (or saved from) ``url``.

    ``content_type`` is the HTTP header, used for its charset and to refuse non-HTML
    bodies. Raises :class:`TooLarge` over ``max_bytes`` or :data:`MAX_TAGS`, and
    :class:`ParseError` when the body is not an HTML page.
    """
    if len(data) > max_bytes:
        raise TooLarge(f"{len(data)} bytes is over the {max_bytes}-byte page limit", where=url)
    mime, charset = split_content_type(content_type)
    if mime and mime not in _HTML_TYPES:
        raise ParseError(f"not an HTML page but {mime}", where=url)
    text = decode_text(data, charset, where=url)
    tags = text.count("<")
    if tags > MAX_TAGS:
        raise TooLarge(f"about {tags} tags is over the {MAX_TAGS}-tag page limit", where=url)
    root = parse_html(text)
    if root is None:
        raise ParseError("no HTML content", where=url)

    language = _language(root)
    fact_checks, blocks = _claimreviews(root, url, language)
    meta: dict[str, str] = {"jsonld_blocks": str(blocks)}
    published = _published(root)
    canonical = _canonical(root)
    if canonical:
        meta["canonical"] = canonical

    _prune(root)
    elements = sum(1 for _ in root.iter())
    title, body, date = _extract(root, url, elements, meta)
    published = published or date
    title = title or text_or_none(root.findtext(".//title"))
    for key, value in (("title", title), ("language", language)):
        if value:
            meta[key] = value
    if published:
        meta["published"] = published.isoformat()
    if not body:
        # The title only: page markup may carry bylines and author meta tags.
        rejected = Rejected(where=url, reason="no main text found on the page", raw=title or "")
        return PageResult(item=None, fact_checks=fact_checks, meta=meta, item_rejected=rejected)
    item = Item(
        text=body,
        url=url,
        title=title,
        language=language,
        published_at=published,
        platform=PLATFORM,
    )
    return PageResult(item=item, fact_checks=fact_checks, meta=meta)


def _extract(
    root: HtmlElement, url: str, elements: int, meta: dict[str, str]
) -> tuple[str | None, str | None, datetime | None]:
    """(title, main text, date) by trafilatura, or by the fallback on oversized trees."""
    if elements <= MAX_EXTRACT_ELEMENTS:
        try:
            doc = trafilatura.bare_extraction(
                root,
                url=url if http_url(url) else None,
                with_metadata=True,
                include_comments=False,
                include_tables=True,
                include_images=False,
                include_links=False,
            )
        except Exception as exc:  # a heuristic library: any failure means "use the fallback"
            meta["warning"] = f"main-text extractor failed ({type(exc).__name__}); used fallback"
        else:
            meta["extractor"] = "trafilatura"
            if doc is None:
                return None, None, None
            return (
                text_or_none(getattr(doc, "title", None)),
                text_or_none(getattr(doc, "text", None)),
                _date(getattr(doc, "date", None)),
            )
    else:
        meta["warning"] = (
            f"{elements} elements: over {MAX_EXTRACT_ELEMENTS}, fallback extractor used"
        )
    meta["extractor"] = "fallback"
    main = root.find(".//article")
    if main is None:
        main = root.find(".//main")
    if main is None:
        main = root.find(".//body")
    return None, text_or_none(tree_text(main if main is not None else root)), None


def _claimreviews(
    root: HtmlElement, url: str, language: str | None
) -> tuple[ParseResult[FactCheck], int]:
    """The page's ClaimReviews; one without ``inLanguage`` takes the page's language."""
    result: ParseResult[FactCheck] = ParseResult()
    blocks = 0
    for script in root.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        if not kind.startswith("application/ld+json"):
            continue
        blocks += 1
        where = f"{url} JSON-LD block {blocks}"
        source = script.text or ""
        if len(source) > MAX_JSONLD_CHARS:
            reason = "JSON-LD block over 1,000,000 characters"
            result.rejected.append(Rejected(where, reason, line_excerpt(source)))
            continue
        try:
            doc = json.loads(_JSONLD_WRAPPER.sub("", source), strict=False)
        except (ValueError, RecursionError) as exc:
            if "ClaimReview" in source:  # other broken blocks (site metadata) are not ours
                reason = (
                    f"invalid JSON-LD: {exc}"
                    if isinstance(exc, ValueError)
                    else "JSON-LD nested too deeply"
                )
                result.rejected.append(Rejected(where, reason, line_excerpt(source)))
            continue
        for number, obj in enumerate(find_claimreviews(doc), start=1):
            element = f"{where} element {number}"
            try:
                fact_check = from_jsonld(obj, where=element, base_url=url, notes=result.notes)
            except InputError as exc:
                result.rejected.append(Rejected(element, exc.message, jsonld_excerpt(obj)))
                continue
            if fact_check.language is None and language:
                fact_check = replace(fact_check, language=language)
            result.records.append(fact_check)
    return result, blocks


def _prune(root: HtmlElement) -> None:
    etree.strip_elements(root, *_PRUNED, with_tail=False)
    for script in list(root.iter("script")):
        if not (script.get("type") or "").strip().lower().startswith("application/ld+json"):
            script.drop_tree()


def _language(root: HtmlElement) -> str | None:
    for value in (
        root.get("lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        _meta(root, "content-language"),
        _meta(root, "og:locale"),
    ):
        code = language_code(value)
        if code:
            return code
    return None


def _published(root: HtmlElement) -> datetime | None:
    for name in _PUBLISHED_META:
        moment = _date(_meta(root, name))
        if moment:
            return moment
    for element in root.iter("time"):
        moment = _date(element.get("datetime"))
        if moment and (
            element.get("itemprop") == "datePublished" or element.get("pubdate") is not None
        ):
            return moment
    return None


def _canonical(root: HtmlElement) -> str | None:
    for link in root.iter("link"):
        if (link.get("rel") or "").strip().lower() == "canonical":
            return http_url(link.get("href"))
    return None


def _meta(root: HtmlElement, name: str) -> str | None:
    """The content of ``<meta name|property|itemprop|http-equiv=name>``, case-insensitive."""
    for meta in root.iter("meta"):
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            value = meta.get(attribute)
            if value and value.strip().lower() == name.lower():
                return text_or_none(meta.get("content"))
    return None


def _date(value: object) -> datetime | None:
    try:
        return parse_datetime(value)
    except ValueError:
        return None
