"""ClaimReview JSON-LD for our fact-checks, and the validator that guards publishing.

:func:`claimreview_jsonld` turns one of our public fact-checks (a
:class:`factdesk.types.FactCheck`) into the markup Google's fact-check rich results read;
:func:`validate_claimreview` lists what is wrong with a ClaimReview object (empty list =
valid), and :func:`require_valid` turns that list into one error that refuses publication. The rules follow Google's documentation:

- required: ``claimReviewed``, ``reviewRating`` with ``alternateName`` (the text rating),
  and ``url`` (the absolute URL of the page carrying the markup);
- recommended: ``author`` (the organisation), ``datePublished``, ``itemReviewed`` (a
  ``Claim`` with ``appearance`` / ``firstAppearance``), and the numeric scale
  ``ratingValue`` / ``bestRating`` / ``worstRating``. Missing recommended properties are
  warnings (:func:`claimreview_warnings`), not errors: a claim seen nowhere we know of can
  still be published.

The claim's ``author`` (who made it) is left out on purpose: factdesk does not name people.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from factdesk.errors import InputError
from factdesk.publish.urls import absolute, fact_check_path
from factdesk.types import Appearance, FactCheck, Organisation

SCHEMA_CONTEXTS = (
    "https://schema.org",
    "http://schema.org",
    "https://schema.org/",
    "http://schema.org/",
)


def _number(value: float) -> int | float:
    """Integral ratings are written as integers (``5``, not ``5.0``), as publishers do."""
    return int(value) if float(value).is_integer() else value


def _date(value: datetime) -> str:
    return value.isoformat()


def organisation_jsonld(org: Organisation) -> dict[str, Any]:
    obj: dict[str, Any] = {"@type": "Organization", "name": org.name, "url": org.url}
    if org.logo:
        obj["logo"] = {"@type": "ImageObject", "url": org.logo}
    return obj


def _creative_work(appearance: Appearance) -> dict[str, Any]:
    obj: dict[str, Any] = {"@type": "CreativeWork", "url": appearance.url}
    if appearance.date is not None:
        obj["datePublished"] = _date(appearance.date)
    return obj


def claimreview_jsonld(fc: FactCheck, org: Organisation, base_url: str) -> dict[str, Any]:
    """The ClaimReview object for one published (or corrected) fact-check.

    ``dateModified`` and ``version`` (the public revision: 1, 2, ... per published version)
    change with every correction, so crawlers and partners importing the markup see that
    the verdict moved.
    """
    rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": fc.rating.label,
        "name": fc.rating.label,
    }
    if fc.rating.value is not None:
        rating["ratingValue"] = _number(fc.rating.value)
    if fc.rating.best is not None:
        rating["bestRating"] = _number(fc.rating.best)
    if fc.rating.worst is not None:
        rating["worstRating"] = _number(fc.rating.worst)

    claim: dict[str, Any] = {"@type": "Claim"}
    first = fc.first_appearance
    # When the claim was made: the date recorded with it, else its first appearance's (our
    # own fact-checks know when the desk first saw the claim, not a claim date).
    claim_date = fc.claim_date or (first.date if first is not None else None)
    if claim_date is not None:
        claim["datePublished"] = _date(claim_date)
    if fc.appearances:
        claim["appearance"] = [_creative_work(a) for a in fc.appearances]
    if first is not None:
        claim["firstAppearance"] = _creative_work(first)

    obj: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": absolute(base_url, fact_check_path(fc.id)),
        "claimReviewed": fc.claim_reviewed,
        "reviewRating": rating,
        "author": organisation_jsonld(org),
        "publisher": organisation_jsonld(org),
        "datePublished": _date(fc.published_at),
        "itemReviewed": claim,
        "version": fc.revision,
    }
    if fc.date_modified is not None and fc.date_modified != fc.published_at:
        obj["dateModified"] = _date(fc.date_modified)
    if fc.title:
        obj["headline"] = fc.title
    if fc.summary:
        obj["reviewBody"] = fc.summary
    if fc.language:
        obj["inLanguage"] = fc.language
    return obj


# --- validation ----------------------------------------------------------------------------


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_abs_url(value: object) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(("http://", "https://"))
        and (len(value.split("/", 3)) >= 3 and bool(value.split("/", 3)[2]))
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _parse_date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _types(obj: Mapping[str, Any]) -> list[str]:
    kind = obj.get("@type")
    return (
        [kind]
        if isinstance(kind, str)
        else [k for k in kind if isinstance(k, str)]
        if isinstance(kind, list)
        else []
    )


def _check_work(where: str, work: object, problems: list[str]) -> None:
    if isinstance(work, str):
        if not _is_abs_url(work):
            problems.append(f"{where}: {work!r} is not an absolute http(s) URL")
        return
    if not isinstance(work, Mapping):
        problems.append(f"{where}: must be a CreativeWork object or a URL")
        return
    if "url" in work and not _is_abs_url(work["url"]):
        problems.append(f"{where}.url: {work['url']!r} is not an absolute http(s) URL")
    if "url" not in work and not _is_text(work.get("name")):
        problems.append(f"{where}: needs a url (or at least a name)")
    if "datePublished" in work and _parse_date(work["datePublished"]) is None:
        problems.append(f"{where}.datePublished: {work['datePublished']!r} is not an ISO 8601 date")


def _check_rating(rating: object, problems: list[str]) -> None:
    if not isinstance(rating, Mapping):
        problems.append("reviewRating: missing — Google requires a Rating object")
        return
    if not _is_text(rating.get("alternateName")):
        problems.append(
            "reviewRating.alternateName: missing — Google requires the rating as text "
            "(e.g. 'False', 'Misleading')"
        )
    scale = {}
    for name in ("ratingValue", "bestRating", "worstRating"):
        if name in rating:
            if _is_number(rating[name]):
                scale[name] = float(rating[name])
            else:
                problems.append(f"reviewRating.{name}: {rating[name]!r} is not a number")
    if "bestRating" in scale and "worstRating" in scale:
        best, worst = scale["bestRating"], scale["worstRating"]
        if best <= worst:
            problems.append(
                f"reviewRating: bestRating ({best:g}) must be greater than worstRating ({worst:g})"
            )
        elif "ratingValue" in scale and not worst <= scale["ratingValue"] <= best:
            problems.append(
                f"reviewRating.ratingValue: {scale['ratingValue']:g} is outside "
                f"the scale {worst:g}..{best:g}"
            )


def validate_claimreview(obj: object) -> list[str]:
    """Everything wrong with a ClaimReview object, one readable line each; ``[]`` = valid.

    Checks Google's required properties, the types and formats of the recommended ones
    that are present (URLs absolute, dates ISO 8601, the rating inside its scale) and that
    ``dateModified`` is not before ``datePublished``.
    """
    if not isinstance(obj, Mapping):
        return ["the markup must be a JSON object"]
    problems: list[str] = []
    if "ClaimReview" not in _types(obj):
        problems.append(f"@type: must be 'ClaimReview', not {obj.get('@type')!r}")
    context = obj.get("@context")
    if context is not None and context not in SCHEMA_CONTEXTS:
        problems.append(f"@context: must be 'https://schema.org', not {context!r}")
    if not _is_text(obj.get("claimReviewed")):
        problems.append("claimReviewed: missing — Google requires the claim as text")
    if not _is_abs_url(obj.get("url")):
        problems.append(
            f"url: {obj.get('url')!r} — Google requires the absolute URL of the fact-check page"
        )
    _check_rating(obj.get("reviewRating"), problems)

    author = obj.get("author")
    if author is not None:
        authors = author if isinstance(author, list) else [author]
        for one in authors:
            if not isinstance(one, Mapping) or not _is_text(one.get("name")):
                problems.append("author: must be an Organization (or Person) with a name")
            elif "url" in one and not _is_abs_url(one["url"]):
                problems.append(f"author.url: {one['url']!r} is not an absolute http(s) URL")

    published = modified = None
    for name in ("datePublished", "dateModified"):
        if name in obj:
            parsed = _parse_date(obj[name])
            if parsed is None:
                problems.append(f"{name}: {obj[name]!r} is not an ISO 8601 date")
            elif name == "datePublished":
                published = parsed
            else:
                modified = parsed
    if published and modified and _comparable(published, modified) and modified < published:
        problems.append("dateModified: is before datePublished")

    item = obj.get("itemReviewed")
    if item is not None:
        if not isinstance(item, Mapping) or "Claim" not in _types(item):
            problems.append("itemReviewed: must be an object of @type 'Claim'")
        else:
            appearances = item.get("appearance", [])
            for i, work in enumerate(
                appearances if isinstance(appearances, list) else [appearances]
            ):
                _check_work(f"itemReviewed.appearance[{i}]", work, problems)
            if "firstAppearance" in item:
                _check_work("itemReviewed.firstAppearance", item["firstAppearance"], problems)
            if "datePublished" in item and _parse_date(item["datePublished"]) is None:
                problems.append(
                    f"itemReviewed.datePublished: {item['datePublished']!r} is not an ISO 8601 date"
                )
    return problems


def _comparable(a: datetime, b: datetime) -> bool:
    return (a.tzinfo is None) == (b.tzinfo is None)


def claimreview_warnings(obj: Mapping[str, Any]) -> list[str]:
    """Recommended properties that are missing: publishable, but worth filling in."""
    warnings = []
    for name in ("author", "datePublished", "itemReviewed"):
        if name not in obj:
            warnings.append(f"{name}: recommended by Google, missing")
    rating = obj.get("reviewRating")
    if isinstance(rating, Mapping):
        for name in ("ratingValue", "bestRating", "worstRating"):
            if name not in rating:
                warnings.append(f"reviewRating.{name}: recommended by Google, missing")
    item = obj.get("itemReviewed")
    if isinstance(item, Mapping) and not ({"appearance", "firstAppearance"} & set(item)):
        warnings.append(
            "itemReviewed: recommended: where the claim appeared "
            "(appearance / firstAppearance), missing"
        )
    return warnings


def require_valid(obj: object, *, where: str = "ClaimReview") -> None:
    """Refuse invalid markup with one error that lists every problem."""
    problems = validate_claimreview(obj)
    if problems:
        raise InputError(
            "cannot publish: the ClaimReview markup is invalid — " + "; ".join(problems),
            where=where,
        )
