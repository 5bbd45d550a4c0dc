"""What the pipeline tests share: RSS files written on the fly, and a feed source for each."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import ingest
from factdesk.store.db import transaction


def write_feed(path: Path, entries: list[tuple[str, str]]) -> Path:
    """An RSS 2.0 file with one item per (guid, text)."""
    items = "".join(
        f"<item><guid>{escape(guid)}</guid><link>https://example.org/{escape(guid)}</link>"
        f"<title>{escape(guid)}</title><description>{escape(text)}</description>"
        "<pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item>"
        for guid, text in entries
    )
    path.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{path.stem}</title>'
        f"<link>https://example.org/</link><description>t</description>{items}</channel></rss>",
        encoding="utf-8",
    )
    return path


def add_source(factory: sessionmaker[Session], location: Path | str) -> int:
    with transaction(factory) as session:
        return ingest.add_feed(session, str(location), actor="test").id
