"""Archiving a cited page at the moment it is cited.

A citation must still resolve when the source page changes or disappears, so citing a URL
fetches it (through ``factdesk.net``, the one HTTP client), keeps the raw bytes and the
extracted main text in ``evidence_documents`` with a SHA-256 content hash and the fetch
time, and checks that the quoted words are really on the page.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdesk.errors import AddressRefused, InputError
from factdesk.settings import Settings
from factdesk.store.models import EvidenceDocument
from factdesk.types import ArchivedPage

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u00a0": " "})


def check_url(url: str, *, allow_private: bool = True) -> str:
    """The URL, trimmed, when it can be fetched at all; InputError naming ``url`` otherwise.
    With ``allow_private`` off, a private or reserved address literal (or ``localhost``) is
    refused here, before anything is stored; ``factdesk.net`` refuses the rest at fetch."""
    url = url.strip()
    if not re.match(r"^https?://[^\s/]+", url) or len(url) > 2000:
        raise InputError(
            "a cited source needs an http(s) URL of at most 2000 characters", where="url"
        )
    if not allow_private:
        from factdesk.net import check_public_url

        try:
            check_public_url(url)
        except AddressRefused as exc:
            raise InputError(exc.message, where="url") from None
    return url


def fetch_page(settings: Settings, url: str) -> ArchivedPage:
    """Fetch ``url`` now and extract its text; FetchError when the source gives nothing."""
    from factdesk.net import Fetcher

    url = check_url(url)
    with Fetcher(settings) as fetcher:
        fetched = fetcher.fetch(url)
    body: bytes = fetched.body
    content_type: str | None = fetched.content_type
    text, title = extract_text(body, fetched.url, content_type)
    return ArchivedPage(
        url=url,
        final_url=fetched.url,
        body=body,
        content_type=content_type,
        text=text,
        title=title,
        content_hash=hashlib.sha256(body).hexdigest(),
        fetched_at=datetime.now(UTC),
    )


def extract_text(body: bytes, url: str, content_type: str | None) -> tuple[str, str | None]:
    """The main text and title of a fetched document; plain text passes through, other
    binary types (PDF, images) are archived as bytes with no text."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind.startswith("text/plain"):
        return body.decode("utf-8", "replace"), None
    if kind and "html" not in kind and "xml" not in kind:
        return "", None
    from factdesk.ingest.pages import parse_page

    try:
        page: Any = parse_page(body, url=url, content_type=content_type)
    except InputError:  # not a page we can read: the bytes are still archived
        return "", None
    if page.item is None:
        return "", page.meta.get("title")
    return page.item.text, page.item.title


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    return _SPACE.sub(" ", text).strip().casefold()


def quote_in(text: str, quote: str) -> bool:
    """Whether ``quote`` appears in ``text``, ignoring case, spacing and curly quotes."""
    needle = _fold(quote)
    return bool(needle) and needle in _fold(text)


def store_document(session: Session, page: ArchivedPage, publisher: str | None) -> int:
    """The id of the archived copy of ``page``: an identical earlier copy is reused, a
    changed page gets a new row (the old copy stays for the citations that point to it)."""
    existing = session.scalar(
        select(EvidenceDocument.id).where(
            EvidenceDocument.url == page.url, EvidenceDocument.content_hash == page.content_hash
        )
    )
    if existing is not None:
        return existing
    document = EvidenceDocument(
        url=page.url,
        title=page.title,
        publisher=publisher,
        fetched_at=page.fetched_at,
        content_hash=page.content_hash,
        text=page.text,
        raw=page.body,
        raw_type=page.content_type,
    )
    session.add(document)
    session.flush()
    return document.id
