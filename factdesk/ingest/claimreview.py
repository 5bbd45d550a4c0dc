"""schema.org ClaimReview (other publishers' fact-checks) to :class:`FactCheck` records.

Accepted documents: one ClaimReview object, a JSON list of them, a schema.org ``DataFeed``
(``dataFeedElement`` entries whose ``item`` is a ClaimReview or a list of them, the form of
the Google Fact Check Tools / Data Commons feed), and JSON-LD with ``@graph``. ``@type``
may be a string or a list, with or without a ``schema:`` / ``https://schema.org/`` prefix.

People are not recorded. A ClaimReview's ``author`` is the fact-checking organisation and
is kept as the publisher; an author typed ``Person`` (or untyped, which may be a person)
is never stored — the ``publisher`` organisation is used instead when the document names
one. The claimant (``itemReviewed.author``) is never read.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from factdesk.errors import InputError, ParseError
from factdesk.ingest.dates import parse_datetime
from factdesk.ingest.decode import decode_text
from factdesk.ingest.fields import http_url, language_code, text_or_none
from factdesk.ingest.redact import jsonld_excerpt
from factdesk.types import Appearance, FactCheck, ParseResult, Rating, Rejected

__all__ = ["find_claimreviews", "from_jsonld", "parse_claimreview", "schema_types"]

_MAX_DEPTH = 12  # nesting levels searched for ClaimReview objects in a JSON-LD document
# Language names publishers write instead of codes in ``inLanguage.name``.
_LANGUAGE_NAMES = {
    "english": "en", "vietnamese": "vi", "tiếng việt": "vi", "french": "fr", "français": "fr",
    "spanish": "es", "español": "es", "german": "de", "deutsch": "de", "portuguese": "pt",
    "português": "pt", "italian": "it", "indonesian": "id", "thai": "th", "chinese": "zh",
    "japanese": "ja", "korean": "ko", "arabic": "ar", "hindi": "hi", "russian": "ru",
}  # fmt: skip


def parse_claimreview(data: bytes, *, origin: str) -> ParseResult[FactCheck]:
    """Parse a ClaimReview document (see the module docstring for the shapes accepted).

    A ClaimReview that cannot be used is rejected with ``where="<origin> element N"``
    (N counts candidate objects from 1, in document order); a document that is not JSON,
    or JSON of no accepted shape, raises :class:`ParseError`.
    """
    doc = load_json(decode_text(data, where=origin), origin=origin)
    if not isinstance(doc, dict | list):
        raise ParseError(
            f"expected a JSON object or list, found {type(doc).__name__}", where=origin
        )
    result: ParseResult[FactCheck] = ParseResult(meta={"format": _shape(doc)})
    for number, element in enumerate(_elements(doc, 0), start=1):
        where = f"{origin} element {number}"
        if not isinstance(element, dict):
            reason = f"not a JSON object but {type(element).__name__}"
            result.rejected.append(
                Rejected(where=where, reason=reason, raw=jsonld_excerpt(element))
            )
            continue
        if schema_types(element) == {"DataFeedItem"}:
            reason = "DataFeedItem without an item"
            result.rejected.append(
                Rejected(where=where, reason=reason, raw=jsonld_excerpt(element))
            )
            continue
        try:
            result.records.append(from_jsonld(element, where=where))
        except InputError as exc:
            result.rejected.append(
                Rejected(where=where, reason=exc.message, raw=jsonld_excerpt(element))
            )
    return result


def from_jsonld(obj: dict[str, Any], *, where: str) -> FactCheck:
    """Map one ClaimReview JSON-LD object to a FactCheck.

    Raises :class:`InputError` (naming ``where``) when the object is not a ClaimReview or
    lacks ``claimReviewed`` or a usable ``reviewRating``.
    """
    if not isinstance(obj, dict):
        raise InputError(f"not a JSON object but {type(obj).__name__}", where=where)
    types = schema_types(obj)
    if types and "ClaimReview" not in types:
        raise InputError(f"not a ClaimReview (@type {', '.join(sorted(types))})", where=where)
    claim = _first_text(obj.get("claimReviewed"))
    if claim is None:
        raise InputError("missing claimReviewed", where=where)
    rating = _rating(_first_dict(obj.get("reviewRating")), where=where)
    item = _first_dict(obj.get("itemReviewed")) or {}
    first = item.get("firstAppearance")
    claim_date = _date(item.get("datePublished"))
    if claim_date is None and isinstance(first, dict):
        claim_date = _date(first.get("datePublished"))
    publisher = _organisation(obj.get("author")) or _organisation(obj.get("publisher"))
    return FactCheck(
        claim_reviewed=claim,
        rating=rating,
        url=http_url(obj.get("url")) or http_url(obj.get("@id")),
        title=_first_text(obj.get("headline")) or _first_text(obj.get("name")),
        summary=_first_text(obj.get("description")) or _first_text(obj.get("reviewBody")),
        publisher=_first_text(publisher.get("name")) if publisher else None,
        publisher_url=http_url(publisher.get("url")) if publisher else None,
        language=_language(obj.get("inLanguage")),
        date_published=_date(obj.get("datePublished")),
        claim_date=claim_date,
        appearances=_appearances(item),
    )


def find_claimreviews(doc: object, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every ClaimReview object anywhere in a JSON-LD document (``@graph``, lists, nested
    properties such as ``mainEntity``), without descending into the ones found."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(doc, list):
        for element in doc:
            yield from find_claimreviews(element, depth + 1)
    elif isinstance(doc, dict):
        if "ClaimReview" in schema_types(doc):
            yield doc
            return
        for value in doc.values():
            if isinstance(value, dict | list):
                yield from find_claimreviews(value, depth + 1)


def schema_types(obj: dict[str, Any]) -> set[str]:
    """The schema.org type names of a JSON-LD node, prefixes removed."""
    raw = obj.get("@type", obj.get("type"))
    values = raw if isinstance(raw, list) else [raw]
    names = set()
    for value in values:
        if isinstance(value, str) and value.strip():
            names.add(value.strip().rsplit("/", 1)[-1].rsplit(":", 1)[-1])
    return names


def load_json(text: str, *, origin: str) -> Any:
    """``json.loads`` with errors as :class:`ParseError` naming line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            where=f"{origin} line {exc.lineno} column {exc.colno}",
        ) from None
    except RecursionError:
        raise ParseError("JSON nested too deeply", where=origin) from None
    except ValueError as exc:  # e.g. an integer longer than Python's digit limit
        raise ParseError(f"not usable JSON: {exc}", where=origin) from None


# --- document shapes -----------------------------------------------------------------------


def _shape(doc: dict[str, Any] | list[Any]) -> str:
    if isinstance(doc, list):
        return "list"
    if "@graph" in doc:
        return "graph"
    if "DataFeed" in schema_types(doc):
        return "datafeed"
    return "object"


def _elements(doc: object, depth: int) -> Iterator[object]:
    """The candidate ClaimReview objects of a file, in order. Unlike :func:`find_claimreviews`
    a candidate of the wrong type is yielded (to be rejected, not silently skipped), except
    the context nodes of an ``@graph`` (the WebPage, the Organization...)."""
    if depth > _MAX_DEPTH:
        yield doc
    elif isinstance(doc, list):
        for element in doc:
            yield from _elements(element, depth + 1)
    elif isinstance(doc, dict) and "@graph" in doc:
        graph = doc["@graph"]
        for node in graph if isinstance(graph, list) else [graph]:
            if isinstance(node, dict) and schema_types(node) & {"ClaimReview", "DataFeed"}:
                yield from _elements(node, depth + 1)
    elif isinstance(doc, dict) and "DataFeed" in schema_types(doc):
        entries = doc.get("dataFeedElement", [])
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, dict) and "item" in entry:
                items = entry["item"]
                yield from items if isinstance(items, list) else [items]
            else:
                yield entry  # a ClaimReview straight in the feed, or junk to reject
    else:
        yield doc


# --- fields --------------------------------------------------------------------------------


def _rating(rating: dict[str, Any] | None, *, where: str) -> Rating:
    if rating is None:
        raise InputError("missing reviewRating", where=where)
    value = _number(rating.get("ratingValue"))
    label = _first_text(rating.get("alternateName")) or _first_text(rating.get("name"))
    if label is None:
        raw_value = rating.get("ratingValue")
        if isinstance(raw_value, str | int | float) and not isinstance(raw_value, bool):
            label = text_or_none(str(raw_value))
    if label is None:
        raise InputError("reviewRating has neither alternateName nor ratingValue", where=where)
    return Rating(
        label=label,
        value=value,
        best=_number(rating.get("bestRating")),
        worst=_number(rating.get("worstRating")),
    )


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _organisation(value: object) -> dict[str, Any] | None:
    """The first node that is typed and is not a person; None for people and untyped names."""
    for node in value if isinstance(value, list) else [value]:
        if isinstance(node, dict):
            types = schema_types(node)
            if types and "Person" not in types:
                return node
    return None


def _language(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = _first_text(value.get("alternateName")) or _first_text(value.get("name"))
    if not isinstance(value, str):
        return None
    return _LANGUAGE_NAMES.get(value.strip().lower()) or language_code(value)


def _appearances(item: dict[str, Any]) -> tuple[Appearance, ...]:
    found: list[str] = []
    for key in ("firstAppearance", "appearance"):
        value = item.get(key)
        for node in value if isinstance(value, list) else [value]:
            url = (
                http_url(node.get("url") or node.get("@id"))
                if isinstance(node, dict)
                else http_url(node)
            )
            if url and url not in found:
                found.append(url)
    return tuple(Appearance(url) for url in found)


def _date(value: object) -> datetime | None:
    try:
        return parse_datetime(value)
    except ValueError:
        return None  # a bad date does not make the fact-check unusable


def _first_text(value: object) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return text_or_none(value)


def _first_dict(value: object) -> dict[str, Any] | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else None
