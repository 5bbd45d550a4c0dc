"""schema.org ClaimReview (other publishers' fact-checks) to :class:`FactCheck` records.

Accepted documents: one ClaimReview object, a JSON list of them, a schema.org ``DataFeed``
(``dataFeedElement`` entries whose ``item`` is a ClaimReview or a list of them, the form of
the Google Fact Check Tools / Data Commons feed), and JSON-LD with ``@graph``. ``@type``
may be a string or a list, with or without a ``schema:`` / ``https://schema.org/`` prefix.

Read as publishers really write it (docs/ingestion.md lists the forms):

- the publisher is the organisation that published the review: ``publisher`` when it is
  an organisation, else ``author``. A ``Person`` never becomes the publisher, nor does an
  "Organization" whose URL is an author's profile page (``/author/…``, ``/autor/…``):
  CMS plug-ins mark the reporter that way. People are not recorded at all, not even in
  the notes; the claimant (``itemReviewed.author``) is never read;
- ``datePublished`` is kept in the zone it was written in (``…+05:30`` stays +05:30; a zone
  name such as ``UTC`` or ``CET`` is read; see :func:`parse_datetime_as_written`);
- URLs resolve against the review's own URL (else ``base_url``, the page it came from):
  schemeless, protocol-relative and relative ones are kept, other schemes dropped;
- appearances are ``itemReviewed.url``, ``.appearance`` and ``.firstAppearance``, the
  first appearance first;
- ``reviewRating.alternateName`` is kept verbatim, in whatever language, with the numbers;
- ``inLanguage`` as a tag, a code or a language name; a review without one gets the
  language identified from its text by :func:`claimreview_language` (the import does so).

Every value dropped from a review that is kept is reported in ``ParseResult.notes``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from factdesk.errors import InputError, ParseError
from factdesk.ingest.dates import parse_datetime_as_written
from factdesk.ingest.decode import decode_text
from factdesk.ingest.fields import text_or_none
from factdesk.ingest.jsonld import first_text, resolve_url
from factdesk.ingest.redact import jsonld_excerpt
from factdesk.text.langid import declared_language, identify_language, identify_languages_batch
from factdesk.types import Appearance, FactCheck, ParseResult, Rating, Rejected

__all__ = [
    "claimreview_language",
    "find_claimreviews",
    "from_jsonld",
    "parse_claimreview",
    "schema_types",
    "with_languages",
]

_MAX_DEPTH = 12  # nesting levels searched for ClaimReview objects in a JSON-LD document
# Path segments of a person's profile page: an "Organization" author at such a URL is the
# reporter, typed wrongly by a CMS plug-in.
_PROFILE = re.compile(
    r"/(?:author|authors|autor|autores|autora|auteur|auteurs|autore|people|person|persons|"
    r"profile|profiles|perfil|staff|team|equipe|equipo|journalist|reporter|user|users|u)/",
    re.IGNORECASE,
)
_APPEARANCE_KEYS = ("firstAppearance", "url", "appearance")
_Drop = Callable[[str, str], None]  # (field name, why): note a value left out of a review


def parse_claimreview(
    data: bytes, *, origin: str, base_url: str | None = None
) -> ParseResult[FactCheck]:
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
            result.records.append(
                from_jsonld(element, where=where, base_url=base_url, notes=result.notes)
            )
        except InputError as exc:
            result.rejected.append(
                Rejected(where=where, reason=exc.message, raw=jsonld_excerpt(element))
            )
    return result


def from_jsonld(
    obj: dict[str, Any],
    *,
    where: str,
    base_url: str | None = None,
    notes: list[str] | None = None,
) -> FactCheck:
    """Map one ClaimReview JSON-LD object to a FactCheck.

    Raises :class:`InputError` (naming ``where``) when the object is not a ClaimReview or
    lacks ``claimReviewed`` or a usable ``reviewRating``. Values dropped from a review that
    is kept are appended to ``notes`` as ``"<where>: <field> dropped: <why>"``.
    """
    if not isinstance(obj, dict):
        raise InputError(f"not a JSON object but {type(obj).__name__}", where=where)
    types = schema_types(obj)
    if types and "ClaimReview" not in types:
        raise InputError(f"not a ClaimReview (@type {', '.join(sorted(types))})", where=where)
    claim = first_text(obj.get("claimReviewed"))
    if claim is None:
        raise InputError("missing claimReviewed", where=where)
    dropped: list[str] = []

    def drop(name: str, why: str) -> None:
        dropped.append(f"{where}: {name} dropped: {why}")

    rating = _rating(_first_dict(obj.get("reviewRating")), where=where, drop=drop)
    url = _url(obj.get("url"), base_url, "url", drop) or _url(obj.get("@id"), base_url, "@id", None)
    base = url or base_url
    item = _first_dict(obj.get("itemReviewed")) or {}
    first = _first_dict(item.get("firstAppearance"))
    claim_date = _date(item.get("datePublished"), "itemReviewed.datePublished", drop)
    if claim_date is None and first is not None:
        claim_date = _date(first.get("datePublished"), "firstAppearance.datePublished", drop)
    publisher = _publisher(obj, drop)
    fact_check = FactCheck(
        claim_reviewed=claim,
        rating=rating,
        url=url,
        title=first_text(obj.get("headline")) or first_text(obj.get("name")),
        summary=first_text(obj.get("description")) or first_text(obj.get("reviewBody")),
        publisher=first_text(publisher.get("name")) if publisher else None,
        publisher_url=(
            _url(publisher.get("url"), base, "publisher.url", drop) if publisher else None
        ),
        language=_language(obj.get("inLanguage"), drop),
        date_published=_date(obj.get("datePublished"), "datePublished", drop),
        claim_date=claim_date,
        appearances=_appearances(item, base, drop),
    )
    if notes is not None:
        notes.extend(dropped)
    return fact_check


def claimreview_language(fact_check: FactCheck) -> str | None:
    """The language an import stores: the declared one, else the one identified from the
    review's own words (claim, headline, summary) among every language the identifier
    knows — never one forced into the desk's configured languages."""
    if fact_check.language:
        return fact_check.language
    return identify_language(_words(fact_check))


def with_languages(fact_checks: Sequence[FactCheck]) -> list[FactCheck]:
    """:func:`claimreview_language` for a whole import, the identification in one batch
    (its fast pass runs multi-threaded: ``bench/claimreview.py`` measures the gain)."""
    missing = [i for i, fc in enumerate(fact_checks) if not fc.language]
    found = dict(
        zip(
            missing,
            identify_languages_batch([_words(fact_checks[i]) for i in missing]),
            strict=True,
        )
    )
    return [
        replace(fc, language=found[i]) if i in found else fc for i, fc in enumerate(fact_checks)
    ]


def _words(fact_check: FactCheck) -> str:
    parts = (fact_check.claim_reviewed, fact_check.title, fact_check.summary)
    return " ".join(part for part in parts if part)


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


def _rating(rating: dict[str, Any] | None, *, where: str, drop: _Drop) -> Rating:
    if rating is None:
        raise InputError("missing reviewRating", where=where)
    raw_value = rating.get("ratingValue")
    value = _number(raw_value)
    label = first_text(rating.get("alternateName")) or first_text(rating.get("name"))
    if (
        label is None
        and isinstance(raw_value, str | int | float)
        and not isinstance(raw_value, bool)
    ):
        label = text_or_none(str(raw_value))
    if label is None:
        raise InputError("reviewRating has neither alternateName nor ratingValue", where=where)
    for key in ("ratingValue", "bestRating", "worstRating"):
        raw = rating.get(key)
        if raw not in (None, "") and _number(raw) is None:
            drop(f"reviewRating.{key}", f"{_shown(raw)} is not a number")
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


def _publisher(obj: dict[str, Any], drop: _Drop) -> dict[str, Any] | None:
    """The organisation that published the review: ``publisher``, else ``author``."""
    skipped = []
    for key in ("publisher", "author"):
        value = obj.get(key)
        for node in value if isinstance(value, list) else [value]:
            if node is None:
                continue
            why = _not_organisation(node)
            if why is None:
                assert isinstance(node, dict)
                return node
            skipped.append(f"{key}: {why}")
    if skipped:
        drop("publisher", "no organisation named (" + "; ".join(skipped) + ")")
    return None


def _not_organisation(node: object) -> str | None:
    """Why ``node`` is not taken as the publishing organisation, or None if it is one.
    The reasons never repeat a name: people are not recorded, not even in a report."""
    if not isinstance(node, dict):
        return "a bare name, which may be a person's"
    types = schema_types(node)
    if "Person" in types:
        return "a Person"
    if not types:
        return "untyped, which may be a person"
    if first_text(node.get("name")) is None:
        return "an organisation without a name"
    url = node.get("url")
    if isinstance(url, str) and _PROFILE.search(url):
        return "typed Organization but its URL is a person's profile page"
    return None


def _language(value: object, drop: _Drop) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = (
            first_text(value.get("alternateName"))
            or first_text(value.get("name"))
            or first_text(value.get("@value"))
        )
    if value is None:
        return None
    code = declared_language(value)
    if code is None:
        drop("inLanguage", f"{_shown(value)} is not a language tag or name")
    return code


def _url(value: object, base: str | None, name: str, drop: _Drop | None) -> str | None:
    if isinstance(value, dict):
        value = value.get("url") or value.get("@id")
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    url, why = resolve_url(value, base)
    if why and drop is not None:
        drop(name, why)
    return url


def _appearances(item: dict[str, Any], base: str | None, drop: _Drop) -> tuple[Appearance, ...]:
    """``itemReviewed.firstAppearance``, ``.url`` and ``.appearance``, in that order, each
    a URL, a CreativeWork (``url`` or ``@id``) or a list of them; duplicates once."""
    found: dict[str, datetime | None] = {}
    for key in _APPEARANCE_KEYS:
        value = item.get(key)
        for node in value if isinstance(value, list) else [value]:
            when = None
            if isinstance(node, dict):
                when = _date(node.get("datePublished"), f"itemReviewed.{key}.datePublished", drop)
                node = node.get("url") or node.get("@id")
            url, why = resolve_url(node, base)
            if why:
                drop(f"itemReviewed.{key}", why)
            elif url and (url not in found or found[url] is None):
                found[url] = when
    return tuple(Appearance(url, when) for url, when in found.items())


def _date(value: object, name: str, drop: _Drop) -> datetime | None:
    try:
        return parse_datetime_as_written(value)
    except ValueError:
        drop(name, f"{_shown(value)} is not a date in a known form")
        return None  # a bad date does not make the fact-check unusable


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _first_dict(value: object) -> dict[str, Any] | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else None
