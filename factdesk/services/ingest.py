"""Ingestion as a service: fetch or read, parse (core), store, and the sources to fetch.

This is the service around ``factdesk.ingest``: the CLI, the web app and background jobs
all call these functions, so de-duplication, quarantine and source bookkeeping happen in
one place. What an input brings is stored in ONE transaction: every good record and every
quarantined one lands, or — on a crash — none does. Around it, the bookkeeping takes
transactions of its own:

- ``ingest_feed``: a short one registers the source and reads its ETag, then the fetch runs
  with no transaction open, then one stores the entries and the fetch status. A fetch or
  parse that fails is noted on the source (and an unreadable feed quarantined) in a
  transaction of its own, so the failure is kept although nothing is imported.
- ``ingest_page`` and ``ingest_file``: the fetch or read runs first, then one transaction
  stores everything (a CSV/JSONL export streams through it batch by batch); an unreadable
  document is quarantined in a transaction of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk import types
from factdesk.errors import InputError, NotFound, TooLarge
from factdesk.ingest.claimreview import with_languages
from factdesk.ingest.dates import utc_offset_minutes
from factdesk.ingest.decode import decode_lines
from factdesk.ingest.urls import canonical_url, dedupe_key
from factdesk.services import audit
from factdesk.settings import Settings
from factdesk.store import models
from factdesk.store.db import transaction
from factdesk.store.reads.common import as_source
from factdesk.text.langid import identify_languages_batch
from factdesk.text.normalize import content_hash, normalize
from factdesk.types import Actor, IngestReport
from factdesk.workflow import State

FileFormat = Literal["csv", "jsonl", "claimreview"]
Progress = Callable[[int], None]
RAW_LIMIT = 2000  # characters of a rejected record kept in the quarantine
ITEMS = cast(Table, models.Item.__table__)
QUARANTINE = cast(Table, models.QuarantineRecord.__table__)


# --- sources -------------------------------------------------------------------------------


def _source(session: Session, kind: str, location: str, name: str | None = None) -> models.Source:
    source = session.scalar(select(models.Source).where(models.Source.location == location))
    if source is None:
        source = models.Source(kind=kind, location=location, name=name)
        session.add(source)
        session.flush()
    elif name and not source.name:
        source.name = name
    return source


def get_or_create_source(
    session: Session, kind: str, location: str, name: str | None = None
) -> int:
    """The id of the source at ``location``, registered now if it is new (a name is filled
    in when the source had none)."""
    return _source(session, kind, location, name).id


def add_feed(
    session: Session,
    location: str,
    *,
    actor: Actor | str | None,
    name: str | None = None,
    language: str | None = None,
    existing_ok: bool = False,
) -> types.Source:
    """Register a feed to fetch regularly, audited as ``source.add``. A feed that is already
    a source is refused (InputError naming ``url``), or, with ``existing_ok``, returned
    as it is (its name filled in if it had none) with nothing to audit."""
    name = (name or "").strip()[:300] or None
    known = session.scalar(select(models.Source.id).where(models.Source.location == location))
    if known is not None and not existing_ok:
        raise InputError("this feed is already a source", where="url")
    source = _source(session, "feed", location, name)
    if known is None:
        source.language = (language or "").strip()[:8] or None
        after = {"location": location, "name": source.name}
        audit.record(session, actor, "source.add", "source", source.id, None, after)
    return as_source(source)


def feed_sources(factory: sessionmaker[Session]) -> list[types.Source]:
    """The active feed sources, in the order they were added."""
    with factory() as session:
        rows = session.scalars(
            select(models.Source)
            .where(models.Source.kind == "feed", models.Source.active)
            .order_by(models.Source.id)
        )
        return [as_source(row) for row in rows]


def fetch_source(
    settings: Settings, factory: sessionmaker[Session], source_id: int, *, actor: Actor | str | None
) -> IngestReport:
    """Fetch one feed source now and audit it (``source.fetch``, with the summary)."""
    with factory() as session:
        source = session.get(models.Source, source_id)
        if source is None or source.kind != "feed":
            raise NotFound(f"no feed source {source_id}")
        location = source.location
    report = ingest_feed(settings, factory, location)
    with transaction(factory) as session:
        audit.record(
            session, actor, "source.fetch", "source", source_id, None, {"summary": report.summary()}
        )
    return report


# --- items ---------------------------------------------------------------------------------


LANGUAGE_SAMPLE = 400  # characters language id looks at: a post rarely switches language


def prepare_item(item: types.Item) -> types.Item:
    """:func:`prepare_items` for one item (the tipline's single submissions)."""
    return prepare_items([item])[0]


def prepare_items(items: list[types.Item]) -> list[types.Item]:
    """Normalise text and fill language and content hash before storing.

    The language is the item's *true* one: declared by its source when it was (kept), else
    identified among every language the identifier knows — never forced into
    ``FACTDESK_LANGUAGES``, which only says what the detector and UI work in. Language id
    runs once per batch (lingua spreads it over the cores) on the first
    ``LANGUAGE_SAMPLE`` characters of each text: the cost no longer grows with text length.
    """
    texts = [normalize(item.text) for item in items]
    missing = [i for i, item in enumerate(items) if not item.language]
    found = identify_languages_batch([texts[i][:LANGUAGE_SAMPLE] for i in missing])
    detected = dict(zip(missing, found, strict=True))
    return [
        replace(
            item, text=text, language=item.language or detected[i], content_hash=content_hash(text)
        )
        for i, (item, text) in enumerate(zip(items, texts, strict=True))
    ]


def _chunks(
    records: Iterable[types.Item | types.Rejected], size: int
) -> Iterator[list[types.Item | types.Rejected]]:
    chunk: list[types.Item | types.Rejected] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def store_items(
    session: Session,
    records: Iterable[types.Item | types.Rejected],
    *,
    report: IngestReport,
    source_id: int | None,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> None:
    """Write items (new ones inserted, changed ones updated, the same ones skipped) and
    quarantine rejected records, inside the caller's transaction."""
    now = datetime.now(UTC)
    for chunk in _chunks(records, batch_size):
        rejected = [r for r in chunk if isinstance(r, types.Rejected)]
        quarantine(session, rejected, origin=report.origin, kind=report.kind, source_id=source_id)
        report.quarantined += len(rejected)
        fresh: dict[str, types.Item] = {}
        items = prepare_items([r for r in chunk if isinstance(r, types.Item)])
        for item in items:
            key = dedupe_key(item)
            if key in fresh:
                report.duplicates += 1
            fresh[key] = item
        existing = dict(
            session.execute(
                select(models.Item.dedupe_key, models.Item.content_hash).where(
                    models.Item.dedupe_key.in_(list(fresh))
                )
            ).all()
        )
        rows = []
        for key, item in fresh.items():
            if key not in existing:
                rows.append(_item_row(item, key, source_id, now))
            elif existing[key] != item.content_hash:
                # The same URL with new content (an edited article): keep the newest text
                # and let detection run on it again.
                session.execute(
                    update(models.Item)
                    .where(models.Item.dedupe_key == key)
                    .values(
                        text=item.text,
                        title=item.title,
                        content_hash=item.content_hash,
                        language=item.language,
                        detected_at=None,
                    )
                )
                report.updated += 1
            else:
                report.duplicates += 1
        if rows:
            session.execute(insert(ITEMS), rows)  # Core insert: no ORM bookkeeping per row
            report.added += len(rows)
        if progress:
            progress(len(chunk))
    if source_id is not None and (report.added or report.updated):
        session.execute(
            update(models.Source)
            .where(models.Source.id == source_id)
            .values(item_count=models.Source.item_count + report.added)
        )


def _item_row(
    item: types.Item, key: str, source_id: int | None, now: datetime
) -> dict[str, object]:
    return {
        "source_id": source_id,
        "dedupe_key": key,
        "url": item.url,
        "external_id": item.external_id,
        "title": item.title,
        "text": item.text,
        "language": item.language,
        "platform": item.platform,
        "content_hash": item.content_hash,
        "published_at": item.published_at,
        "ingested_at": now,
    }


# --- fact-checks ---------------------------------------------------------------------------


def fact_check_key(fc: types.FactCheck) -> str:
    if fc.url:
        return "url:" + canonical_url(fc.url)
    basis = f"{normalize(fc.claim_reviewed)}\x00{fc.publisher or ''}\x00{fc.rating.label}"
    return "hash:" + hashlib.sha256(basis.encode()).hexdigest()


def _fact_check_hash(fc: types.FactCheck) -> str:
    basis = "\x00".join(
        str(v)
        for v in (
            fc.claim_reviewed,
            fc.rating,
            fc.title,
            fc.summary,
            fc.publisher,
            fc.language,
            fc.date_published,
            fc.claim_date,
            tuple(
                a.url for a in fc.appearances
            ),  # the basis hashed before appearances were records
        )
    )
    return hashlib.sha256(basis.encode()).hexdigest()


def fact_check_values(fc: types.FactCheck) -> dict[str, object]:
    """The columns of a fact_checks row that a ClaimReview determines."""
    return {
        "claim_reviewed": normalize(fc.claim_reviewed),
        "rating_label": fc.rating.label[:200],
        "rating_value": fc.rating.value,
        "rating_best": fc.rating.best,
        "rating_worst": fc.rating.worst,
        "url": fc.url,
        "title": fc.title,
        "summary": fc.summary,
        "publisher": fc.publisher,
        "publisher_url": fc.publisher_url,
        "language": fc.language,
        "date_published": fc.date_published,
        "date_published_offset": utc_offset_minutes(fc.date_published),
        "claim_date": fc.claim_date,
        "appearances": [a.url for a in fc.appearances],
    }


def store_fact_checks(
    session: Session,
    records: Iterable[types.FactCheck | types.Rejected],
    *,
    report: IngestReport,
    source_id: int | None,
) -> None:
    """Import fact-checks (other publishers' ClaimReview). A changed one becomes a new
    version; the previous version stays in ``fact_check_versions``."""
    records = list(records)
    identified = iter(with_languages([r for r in records if isinstance(r, types.FactCheck)]))
    for record in records:
        if isinstance(record, types.Rejected):
            quarantine(
                session, [record], origin=report.origin, kind="claimreview", source_id=source_id
            )
            report.quarantined += 1
            continue
        fc = next(identified)  # the record, its language filled in (declared, else identified)
        key = fact_check_key(fc)
        digest = _fact_check_hash(fc)
        values = fact_check_values(fc)
        row = session.scalar(select(models.FactCheck).where(models.FactCheck.dedupe_key == key))
        if row is None:
            row = models.FactCheck(
                origin="imported",
                status=State.PUBLISHED.value,
                dedupe_key=key,
                content_hash=digest,
                version=1,
                **values,
            )
            session.add(row)
            session.flush()
            audit.snapshot(session, row, note="imported")
            report.fact_checks_added += 1
        elif row.content_hash != digest and row.origin == "imported":
            row.version += 1
            row.content_hash = digest
            row.date_modified = datetime.now(UTC)
            for name, value in values.items():
                setattr(row, name, value)
            session.flush()
            audit.snapshot(session, row, note="re-imported with changes")
            report.fact_checks_updated += 1
        else:
            report.duplicates += 1


# --- quarantine ----------------------------------------------------------------------------


def quarantine(
    session: Session,
    rejected: list[types.Rejected],
    *,
    origin: str,
    kind: str,
    source_id: int | None,
) -> None:
    """Record rejected input with where and why. Re-ingesting the same input does not
    record the same problem twice (same origin, place and reason)."""
    if not rejected:
        return
    origin = origin[:2000]
    known = {
        (location, reason)
        for location, reason in session.execute(
            select(models.QuarantineRecord.location, models.QuarantineRecord.reason).where(
                models.QuarantineRecord.origin == origin
            )
        )
    }
    rows = []
    for record in rejected:
        key = (record.where[:300], record.reason)
        if key in known:
            continue
        known.add(key)
        rows.append(
            {
                "at": datetime.now(UTC),
                "source_id": source_id,
                "origin": origin,
                "kind": kind,
                "location": key[0],
                "reason": record.reason,
                "raw": record.raw[:RAW_LIMIT],
            }
        )
    if rows:
        session.execute(insert(QUARANTINE), rows)


def _quarantine_document(
    factory: sessionmaker[Session],
    exc: InputError,
    *,
    origin: str,
    kind: str,
    source_id: int | None = None,
) -> None:
    """A whole input that cannot be parsed is recorded in the quarantine (its own
    transaction), then the error goes on to the caller. No excerpt is kept: a raw page or
    feed can carry bylines, and the origin says where the document is."""
    with transaction(factory) as session:
        quarantine(
            session,
            [types.Rejected(where=exc.where or origin, reason=exc.message)],
            origin=origin,
            kind=kind,
            source_id=source_id,
        )


# --- entry points --------------------------------------------------------------------------


def _read_local(path: Path, limit: int) -> bytes:
    if not path.is_file():
        raise InputError("no such file", where=str(path))
    size = path.stat().st_size
    if size > limit:
        raise TooLarge(
            f"{size} bytes is over the {limit}-byte limit (FACTDESK_MAX_BODY_BYTES)",
            where=str(path),
        )
    return path.read_bytes()


def _is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def ingest_feed(settings: Settings, factory: sessionmaker[Session], location: str) -> IngestReport:
    """Fetch (or read) one RSS/Atom feed and store its entries."""
    from factdesk.ingest.feeds import parse_feed

    report = IngestReport(origin=location, kind="feed")
    with transaction(factory) as session:
        source = _source(session, "feed", location)
        source_id, etag, modified = source.id, source.etag, source.last_modified
    try:
        if _is_url(location):
            from factdesk.net import Fetcher

            with Fetcher(settings) as fetcher:
                fetched = fetcher.fetch(location, etag=etag, last_modified=modified)
            if fetched.not_modified:
                _mark_source(factory, source_id, "not_modified")
                report.not_modified = True
                return report
            data, etag, modified = fetched.body, fetched.etag, fetched.last_modified
        else:
            data = _read_local(Path(location), settings.max_body_bytes)
        try:
            parsed = parse_feed(data, origin=location)
        except InputError as exc:
            _quarantine_document(factory, exc, origin=location, kind="feed", source_id=source_id)
            raise
    except Exception as exc:
        _mark_source(factory, source_id, "error", error=str(exc))
        raise
    if parsed.meta.get("warning"):
        report.notes.append(parsed.meta["warning"])
    with transaction(factory) as session:
        store_items(
            session,
            [*parsed.records, *parsed.rejected],
            report=report,
            source_id=source_id,
            batch_size=settings.ingest_batch_size,
        )
        source = session.get_one(models.Source, source_id)
        source.name = source.name or parsed.meta.get("title")
        source.etag, source.last_modified = etag, modified
        source.last_fetched_at, source.last_status, source.last_error = (
            datetime.now(UTC),
            "ok",
            None,
        )
    return report


def _mark_source(
    factory: sessionmaker[Session], source_id: int, status: str, *, error: str | None = None
) -> None:
    with transaction(factory) as session:
        session.execute(
            update(models.Source)
            .where(models.Source.id == source_id)
            .values(last_fetched_at=datetime.now(UTC), last_status=status, last_error=error)
        )


def ingest_page(settings: Settings, factory: sessionmaker[Session], location: str) -> IngestReport:
    """Fetch (or read) one web page: its main text becomes an item, any ClaimReview JSON-LD
    in it becomes an imported fact-check."""
    from factdesk.ingest.pages import parse_page

    report = IngestReport(origin=location, kind="page")
    content_type = None
    if _is_url(location):
        from factdesk.net import Fetcher

        with Fetcher(settings) as fetcher:
            fetched = fetcher.fetch(location, accept="text/html,application/xhtml+xml")
        data, url, content_type = fetched.body, fetched.url, fetched.content_type
    else:
        data, url = (
            _read_local(Path(location), settings.max_body_bytes),
            Path(location).resolve().as_uri(),
        )
    try:
        page = parse_page(data, url=url, content_type=content_type)
    except InputError as exc:
        _quarantine_document(factory, exc, origin=location, kind="page")
        raise
    with transaction(factory) as session:
        source = _source(session, "page", location)
        records: list[types.Item | types.Rejected] = [page.item] if page.item else []
        if page.item_rejected:
            records.append(page.item_rejected)
        store_items(session, records, report=report, source_id=source.id)
        store_fact_checks(
            session,
            [*page.fact_checks.records, *page.fact_checks.rejected],
            report=report,
            source_id=source.id,
        )
        report.notes.extend(page.fact_checks.notes)
        source.last_fetched_at, source.last_status = datetime.now(UTC), "ok"
    return report


def ingest_file(
    settings: Settings,
    factory: sessionmaker[Session],
    path: Path,
    fmt: FileFormat,
    *,
    mapping: object | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Import an export of posts (CSV, JSONL) or a ClaimReview file, in one transaction.

    CSV and JSONL stream line by line, so a file of any size is read in constant memory;
    ``progress`` is called with the number of records handled per batch.
    """
    from factdesk.ingest import claimreview, exports

    origin = str(path)
    report = IngestReport(origin=origin, kind=fmt)
    if not path.is_file():
        raise InputError("no such file", where=origin)
    if fmt == "claimreview":
        data = _read_local(path, settings.max_body_bytes)
        try:
            parsed = claimreview.parse_claimreview(data, origin=origin)
        except InputError as exc:
            _quarantine_document(factory, exc, origin=origin, kind=fmt)
            raise
        with transaction(factory) as session:
            source = _source(session, "file", str(path.resolve()))
            store_fact_checks(
                session,
                [*parsed.records, *parsed.rejected],
                report=report,
                source_id=source.id,
            )
        report.notes.extend(parsed.notes)
        return report
    reader = exports.iter_csv if fmt == "csv" else exports.iter_jsonl
    meta: dict[str, str] = {}
    with path.open("rb") as handle, transaction(factory) as session:
        source = _source(session, "file", str(path.resolve()))
        lines = decode_lines(handle, where=origin)
        records = reader(lines, origin=origin, mapping=mapping, meta=meta)  # type: ignore[arg-type]
        store_items(
            session,
            records,
            report=report,
            source_id=source.id,
            batch_size=settings.ingest_batch_size,
            progress=progress,
        )
        source.last_fetched_at, source.last_status = datetime.now(UTC), "ok"
    if meta.get("dropped"):
        report.notes.append(f"columns about people dropped, never stored: {meta['dropped']}")
    return report
