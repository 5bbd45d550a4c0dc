"""The public tipline: anyone may send a claim or a link, no account needed.

Defences, cheapest first: a size cap on the request body, a honeypot field that people
never see (bots fill it; they are told "thanks" and nothing is stored), a per-address rate
limit, and field limits. An accepted tip is stored as an item of the ``submission``
source through the ingestion pipeline (same normalisation, language detection and
de-duplication as every other item) so detection puts it in the queue, and as a
``submissions`` row that keeps the optional contact for editors.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdesk import types
from factdesk.errors import InputError
from factdesk.ingest.urls import dedupe_key
from factdesk.services import ingest, ratelimit
from factdesk.settings import Settings
from factdesk.store.models import Item, Submission
from factdesk.types import IngestReport, Tip

MAX_BODY = 64 * 1024  # bytes of a whole tipline request
MAX_CONTACT = 300
SOURCE_LOCATION = "tipline:web"
_URL = re.compile(r"^https?://[^\s/]+\S*$")


def clean(tip: Tip, settings: Settings) -> Tip:
    """The tip with whitespace trimmed; InputError naming the field when unusable."""
    text, url, contact = tip.text.strip(), tip.url.strip(), tip.contact.strip()
    if not text and not url:
        raise InputError("write the claim or paste a link", where="text")
    if len(text) > settings.tipline_max_chars:
        raise InputError(f"at most {settings.tipline_max_chars} characters", where="text")
    if url and (len(url) > 2000 or not _URL.match(url)):
        raise InputError(
            "a link starts with http:// or https:// (at most 2000 characters)", where="url"
        )
    if len(contact) > MAX_CONTACT:
        raise InputError(f"at most {MAX_CONTACT} characters", where="contact")
    return Tip(text, url, contact, tip.website)


def submit(settings: Settings, session: Session, tip: Tip, client: str) -> int | None:
    """Store a tip inside the caller's transaction; returns the submission id, or None
    for a bot caught by the honeypot."""
    if tip.website.strip():
        return None
    tip = clean(tip, settings)
    key = f"addr:{client}"
    ratelimit.check(session, "tipline", key, settings.tipline_per_hour, timedelta(hours=1))
    ratelimit.record(session, "tipline", key, ok=True)
    item_id, language = _store_item(settings, session, tip)
    submission = Submission(
        item_id=item_id,
        text=tip.text or tip.url,
        url=tip.url or None,
        contact=tip.contact or None,
        language=language,
    )
    session.add(submission)
    session.flush()
    return submission.id


def _store_item(settings: Settings, session: Session, tip: Tip) -> tuple[int | None, str | None]:
    """The tip as an item of the tipline source. The link goes into the text rather than the
    item URL, so two tips about one link stay two items instead of one overwriting the
    other."""
    text = "\n".join(part for part in (tip.text, tip.url) if part)
    source_id = ingest.get_or_create_source(session, "submission", SOURCE_LOCATION, "Tipline")
    item = ingest.prepare_item(types.Item(text=text, platform="tipline"))
    report = IngestReport(origin=SOURCE_LOCATION, kind="submission")
    ingest.store_items(session, [item], report=report, source_id=source_id)
    item_id = session.scalar(select(Item.id).where(Item.dedupe_key == dedupe_key(item)))
    return item_id, item.language
