"""Small normalisers for record fields, shared by every parser so they agree."""

from __future__ import annotations

import re

from factdesk.text.langid import declared_language

__all__ = [
    "RAW_CHARS",
    "http_url",
    "language_code",
    "raw_excerpt",
    "scrub",
    "split_content_type",
    "text_or_none",
]

_WHITESPACE = re.compile(r"\s")
RAW_CHARS = 500  # characters of a rejected record kept for the quarantine


def language_code(value: object) -> str | None:
    """A declared language as its ISO 639-1 code: ``"vi-VN"`` → ``"vi"``, ``"es_ES"``
    (og:locale) → ``"es"``, ``"spa"`` → ``"es"``, ``"Español"`` → ``"es"``.

    None when ``value`` is not a plausible tag, code or name (see
    :func:`factdesk.text.langid.declared_language`, which every parser shares).
    """
    return declared_language(value)


def http_url(value: object) -> str | None:
    """``value`` stripped when it is an absolute http(s) URL, else None.

    Relative links and other schemes (``javascript:``, ``file:``, ``data:``) are not kept:
    an item's URL is something an editor may click and the de-duplication key.
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    head = url[:8].lower()
    if (head.startswith("http://") and len(url) > 7) or (head == "https://" and len(url) > 8):
        if _WHITESPACE.search(url):
            return None
        return url
    return None


def text_or_none(value: object) -> str | None:
    """A stripped non-empty string (see :func:`scrub`), or None."""
    if not isinstance(value, str):
        return None
    value = scrub(value.strip())
    return value or None


def scrub(value: str) -> str:
    """``value`` without lone surrogates and NUL characters.

    JSON may escape them ("\\ud800") but no database text column can store them; they
    carry no meaning, so they are replaced rather than failing the record.
    """
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = value.encode("utf-8", "replace").decode("utf-8")
    return value.replace("\x00", "") if "\x00" in value else value


def raw_excerpt(raw: str, limit: int = RAW_CHARS) -> str:
    """The start of a rejected record, for a human to recognise it in the quarantine."""
    raw = scrub(raw)
    return raw if len(raw) <= limit else raw[: limit - 1] + "…"


def split_content_type(header: str | None) -> tuple[str | None, str | None]:
    """``"text/HTML; charset=UTF-8"`` → ``("text/html", "UTF-8")``."""
    if not header:
        return None, None
    mime, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return mime.strip().lower() or None, charset
