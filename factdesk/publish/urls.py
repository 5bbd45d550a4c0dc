"""Every public path in one place, so the web routes, the static export, the feeds and the
ClaimReview ``url`` can never disagree about where a page lives.

Pages end in ``/`` (a directory with ``index.html`` in the static export, which any web
server serves as is); every page has a ``.json`` twin beside it.
"""

from __future__ import annotations

from urllib.parse import urlparse

INDEX = "/"
INDEX_JSON = "/index.json"
FEED = "/feed.atom"
SITEMAP = "/sitemap.xml"
DATAFEED = "/claimreview.json"
ROBOTS = "/robots.txt"


def _known(fact_check_id: int | None) -> int:
    if fact_check_id is None:
        raise ValueError("a fact-check that was never stored has no public page")
    return fact_check_id


def fact_check_path(fact_check_id: int | None) -> str:
    """The public page of a stored fact-check (``FactCheck.id``; ValueError without one)."""
    return f"/fact-checks/{_known(fact_check_id)}/"


def fact_check_json_path(fact_check_id: int | None) -> str:
    return f"/fact-checks/{_known(fact_check_id)}.json"


def language_feed_path(language: str) -> str:
    return f"/feed/{language}.atom"


def absolute(base_url: str, path: str) -> str:
    """Join the public base URL (no trailing slash) and a path starting with ``/``."""
    return base_url.rstrip("/") + path


def archive_path(document_id: int) -> str:
    """The public page of an archived copy of cited evidence."""
    return f"/archive/{document_id}/"


def archive_json_path(document_id: int) -> str:
    return f"/archive/{document_id}.json"


def served_base_url(host: str, port: int) -> str:
    """The base URL of a server listening on ``host:port``, for when no public base URL is
    set: canonical links and ClaimReview ``url`` must be on the page's own origin. A
    wildcard address (0.0.0.0, ::) is no address a browser can use: the loopback is."""
    host = host.strip() or "127.0.0.1"
    if host in ("0.0.0.0", "*"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{int(port)}"


def site_prefix(base_url: str) -> str:
    """The path part of the public base URL ("" at a host's root), prefixed to every link."""
    return urlparse(base_url).path.rstrip("/")
