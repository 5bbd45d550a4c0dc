"""JSON-LD values as publishers really write them: URLs to resolve, text to unwrap.

Schema.org markup is written by hand and by many CMS plug-ins, so the same field comes as
an absolute URL, a schemeless one (``aosfatos.org/noticias/...``), a protocol-relative one
(``//example.com/x``) or a path relative to the page (``/estadao-verifica/...``); text
comes as a string, a list of strings or JSON-LD value objects (``{"@value": "Falso",
"@language": "es"}``). These helpers turn each into what a record keeps, and say why
when they cannot, so an import can report every value it dropped.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from factdesk.ingest.fields import http_url, text_or_none

__all__ = ["first_text", "resolve_url"]

# A host name written without a scheme: labels, a dot, an alphabetic top-level label, then
# a port, path, query or the end ("aosfatos.org/…", "www.example.com").
_SCHEMELESS = re.compile(
    r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.[a-z]{2,24}(?::\d{1,5})?(?:[/?#]|$)",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_MAX_URL = 2000
# "foto.jpg" matches a host name's shape too: a last label that is a file extension, with
# nothing after it but a query, is a relative file name.
_FILE_ENDINGS = frozenset(
    "html htm php asp aspx jsp json xml jpg jpeg png gif webp svg pdf mp4 mp3 txt".split()
)


def resolve_url(value: object, base: str | None) -> tuple[str | None, str | None]:
    """``(absolute http(s) URL, None)`` or ``(None, why it was dropped)``; ``(None, None)``
    when there is no value at all.

    Relative references resolve against ``base`` (the review's own URL, else the page's);
    a schemeless host name gets ``https://``; other schemes (``file:``, ``javascript:``,
    ``mailto:``) are dropped: an appearance is something the public may open.
    """
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, f"not a string but {type(value).__name__}"
    text = value.strip()
    if not text:
        return None, None
    shown = text if len(text) <= 80 else text[:79] + "…"
    if any(c.isspace() for c in text) or len(text) > _MAX_URL:
        return None, f"{shown!r} is not a URL (spaces or over {_MAX_URL} characters)"
    if text.startswith("//"):
        text = "https:" + text
    absolute = http_url(text)
    if absolute:
        return (absolute, None) if urlsplit(absolute).hostname else (None, f"{shown!r} has no host")
    if _SCHEMELESS.match(text) and not _looks_like_file(text):
        return "https://" + text, None
    if _SCHEME.match(text):
        return None, f"{shown!r} is not an http(s) URL"
    if base and http_url(base):
        return urljoin(base, text), None
    return None, f"relative URL {shown!r} with no absolute URL to resolve it against"


def _looks_like_file(text: str) -> bool:
    head = text.split("?", 1)[0].split("#", 1)[0]
    return "/" not in head and head.rsplit(".", 1)[-1].lower() in _FILE_ENDINGS


def first_text(value: object) -> str | None:
    """The first non-empty text of a string, a JSON-LD value object or a list of them."""
    for element in value if isinstance(value, list) else [value]:
        if isinstance(element, dict):
            element = element.get("@value")
        text = text_or_none(element)
        if text is not None:
            return text
    return None
