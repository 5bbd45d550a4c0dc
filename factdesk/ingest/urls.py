"""Canonical URLs and the de-duplication key of items.

Two links to the same article differ in ways that do not matter — case of the host, a
default port, a ``#fragment``, campaign tracking parameters, parameter order, a trailing
slash — and :func:`canonical_url` removes those differences so that the same article
ingested from a feed, a page and a CSV export becomes ONE item.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from factdesk.text.normalize import fold
from factdesk.types import Item

__all__ = ["TRACKING_PARAMS", "canonical_url", "dedupe_key"]

# Click and campaign identifiers added by ad networks, mailers and social platforms: they
# say how a reader arrived, not what the page is. Every ``utm_*`` parameter goes too.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "igshid", "twclid", "ttclid", "li_fat_id", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
        "mkt_tok", "zanpid", "_ga", "_gl",
    }
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Return the canonical form of an http(s) URL (other strings come back stripped).

    Lower-case scheme and host, no user info, no default port, no fragment, tracking
    parameters removed, the remaining parameters sorted, an empty path as ``/`` and no
    trailing slash on any other path. Never raises: a malformed URL is returned stripped.
    """
    stripped = url.strip()
    try:
        parts = urlsplit(stripped)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return stripped
        host = parts.hostname.rstrip(".")  # urlsplit lower-cases it and drops the brackets
        if ":" in host:
            host = f"[{host}]"
        port = parts.port
    except ValueError:
        return stripped
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = ""
    if parts.query:
        pairs = [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not _is_tracking(key)
        ]
        try:
            query = urlencode(sorted(pairs))
        except UnicodeError:  # lone surrogates cannot be percent-encoded
            return stripped
    return urlunsplit((scheme, netloc, path, query, ""))


def dedupe_key(item: Item) -> str:
    """The key under which an item is stored once.

    ``"url:" + canonical URL`` when the item has a URL; otherwise ``"hash:"`` + SHA-256 of
    the folded text, publication time, platform and external id — so the same post exported
    twice is one item, while the same words posted at another time are another.
    """
    if item.url and item.url.strip():
        return "url:" + canonical_url(item.url)
    published = item.published_at.isoformat() if item.published_at else ""
    basis = "\x1f".join((fold(item.text), published, item.platform or "", item.external_id or ""))
    return "hash:" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS
