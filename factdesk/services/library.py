"""The evidence library: sources added from a URL or a file, archived, split into passages.

Every source is **archived**: its bytes as retrieved, their SHA-256 and the time, in an
``evidence_documents`` row that is the source's *version*. Adding a source again with other
bytes adds a version and keeps the old one (citations point to the version they quoted);
the same bytes again change nothing. The text is read from the bytes
(:mod:`factdesk.ingest.documents`) and cut into passages with their offsets
(:mod:`factdesk.text.passages`); the passage index (:mod:`factdesk.services.research`)
then takes the new version's passages and drops the old one's, without a rebuild.

A document that cannot be read (corrupt PDF, unsupported type, over
``FACTDESK_LIBRARY_MAX_BYTES``, no text) is refused with one line naming it and why, and
recorded in the quarantine; nothing of it is stored. Everything a source brings lands in one transaction with its audit row.

Checkers and up add sources and cite passages (``Permission.WORK``); withdrawing and
restoring a source is an editor's call (``Permission.MANAGE_SOURCES``). A withdrawn
source leaves retrieval, but its versions stay archived for the citations that quote them.
The command line acts as the operator (``actor="cli"``).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk import types
from factdesk.errors import InputError, NotFound, PermissionDenied, TooLarge
from factdesk.ingest.documents import CONTENT_TYPES, kind_of, read_document
from factdesk.services import audit, research, review
from factdesk.services.ingest import quarantine
from factdesk.settings import Settings
from factdesk.store.db import transaction
from factdesk.store.models import (
    Citation,
    Claim,
    EvidenceDocument,
    FactCheck,
    LibrarySource,
    Passage,
)
from factdesk.text.passages import split_passages
from factdesk.types import (
    Actor,
    AddResult,
    ArchivedPage,
    LibraryPassage,
    SourceDetail,
    SourceVersion,
)
from factdesk.workflow import Permission, State, has_permission

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
Who = Actor | str


def _allow(actor: Who, permission: Permission) -> None:
    """People need the permission; a named tool (``"cli"``, ``"demo"``) is the operator."""
    if isinstance(actor, Actor) and not has_permission(actor.role, permission):
        raise PermissionDenied(f"your role ({actor.role}) may not do this")


def _clean(value: str | None, limit: int, where: str) -> str | None:
    if value and "\x00" in value:
        raise InputError("NUL characters are not accepted", where=where)
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise InputError(f"at most {limit} characters", where=where)
    return value or None


# --- adding --------------------------------------------------------------------------------


def add_url(
    settings: Settings,
    factory: sessionmaker[Session],
    url: str,
    *,
    actor: Who = "cli",
    title: str | None = None,
    publisher: str | None = None,
    published: str | None = None,
    language: str | None = None,
) -> AddResult:
    """Fetch ``url`` (through the one HTTP client and its address rules) and add it."""
    from factdesk.net import Fetcher

    _allow(actor, Permission.WORK)
    _clean(url, 2000, "url")
    url = research.check_url(url, allow_private=settings.allow_private_fetch)
    try:  # the library's cap, not the general one, stops the download
        capped = settings.model_copy(update={"max_body_bytes": settings.library_max_bytes})
        with Fetcher(capped) as fetcher:
            fetched = fetcher.fetch(url)
    except TooLarge:
        raise _too_large(settings, factory, url) from None
    return add_bytes(
        settings,
        factory,
        fetched.body,
        name=url,
        content_type=fetched.content_type,
        url=url,
        actor=actor,
        title=title,
        publisher=publisher,
        published=published,
        language=language,
    )


def add_file(
    settings: Settings,
    factory: sessionmaker[Session],
    path: Path,
    *,
    actor: Who = "cli",
    url: str | None = None,
    title: str | None = None,
    publisher: str | None = None,
    published: str | None = None,
    language: str | None = None,
) -> AddResult:
    """Add a local file (the command line's path); its location is ``file:NAME`` unless a
    ``url`` says where the document is published."""
    if not path.is_file():
        raise InputError("no such file", where=str(path))
    if path.stat().st_size > settings.library_max_bytes:
        raise _too_large(settings, factory, str(path), url or f"file:{path.name}")
    return add_bytes(
        settings,
        factory,
        path.read_bytes(),
        name=path.name,
        content_type=None,
        url=url,
        actor=actor,
        title=title,
        publisher=publisher,
        published=published,
        language=language,
    )


def add_bytes(
    settings: Settings,
    factory: sessionmaker[Session],
    data: bytes,
    *,
    name: str,
    content_type: str | None = None,
    url: str | None = None,
    actor: Who = "cli",
    title: str | None = None,
    publisher: str | None = None,
    published: str | None = None,
    language: str | None = None,
) -> AddResult:
    """Archive ``data`` as a version of the source at ``url`` (or ``file:name``), read its
    text and passages, and bring the passage index up to date. InputError (quarantined)
    when the document cannot be read; nothing is stored then."""
    _allow(actor, Permission.WORK)
    _clean(name, 2000, "file")
    if url is not None:
        _clean(url, 2000, "url")
        url = research.check_url(url)
    location = url or f"file:{Path(name).name}"[:2000]
    title = _clean(title, 1000, "title")
    publisher = _clean(publisher, 300, "publisher")
    published = _clean(published, 10, "published")
    if published and not _DATE.match(published):
        raise InputError("write the date as YYYY, YYYY-MM or YYYY-MM-DD", where="published")
    language = _clean(language, 8, "language")
    if language and not _LANGUAGE.match(language.lower()):
        raise InputError("a two-letter language code such as vi or en", where="language")
    if len(data) > settings.library_max_bytes:
        raise _too_large(settings, factory, url or name, location)
    try:
        kind = kind_of(name, content_type, data)
        document = read_document(
            data, name=location, kind=kind, max_bytes=settings.library_max_bytes, url=url
        )
    except InputError as exc:
        _quarantine(factory, exc, location)
        raise
    found = language or document.language or _detect(settings, document.text) or ""
    language = found.lower()[:2]
    with transaction(factory) as session:
        result = _store(
            session,
            actor,
            location=location,
            data=data,
            content_type=content_type or CONTENT_TYPES[kind],
            kind=kind,
            text=document.text,
            url=url,
            title=title or document.title or Path(name).name,
            publisher=publisher,
            published=published or document.published,
            language=language or None,
        )
    with factory() as session:
        research.sync_index(settings, session)
    return result


def _too_large(
    settings: Settings, factory: sessionmaker[Session], where: str, origin: str | None = None
) -> TooLarge:
    """The one refusal of a document over the library's cap, wherever it came from (an
    upload, a file, a fetch), recorded in the quarantine like any unreadable document."""
    limit = settings.library_max_bytes
    error = TooLarge(
        f"over the library's {limit}-byte limit (FACTDESK_LIBRARY_MAX_BYTES)", where=where
    )
    _quarantine(factory, error, origin or where)
    return error


def _detect(settings: Settings, text: str) -> str | None:
    from factdesk.text.langid import detect_language

    return detect_language(text[:3000], settings.languages)


def _quarantine(factory: sessionmaker[Session], exc: InputError, origin: str) -> None:
    with transaction(factory) as session:
        quarantine(
            session,
            [types.Rejected(where=exc.where or origin, reason=exc.message)],
            origin=origin,
            kind="evidence",
            source_id=None,
        )


def _store(
    session: Session,
    actor: Who,
    *,
    location: str,
    data: bytes,
    content_type: str,
    kind: str,
    text: str,
    url: str | None,
    title: str | None,
    publisher: str | None,
    published: str | None,
    language: str | None,
) -> AddResult:
    sha = hashlib.sha256(data).hexdigest()
    source = session.scalar(select(LibrarySource).where(LibrarySource.location == location))
    if source is not None:
        same = session.scalar(
            select(EvidenceDocument.id).where(
                EvidenceDocument.library_source_id == source.id,
                EvidenceDocument.content_hash == sha,
            )
        )
        if same is not None:
            count = session.scalar(
                select(func.count()).select_from(Passage).where(Passage.document_id == same)
            )
            return AddResult(research.as_source(source), same, "unchanged", count or 0)
    outcome = "added" if source is None else "new_version"
    if source is None:
        source = LibrarySource(location=location, kind=kind, withdrawn=False)
        session.add(source)
    source.kind, source.url = kind, url
    source.title, source.publisher = title, publisher or source.publisher
    source.published, source.language = published or source.published, language
    session.flush()
    number = (
        session.scalar(
            select(func.max(EvidenceDocument.version)).where(
                EvidenceDocument.library_source_id == source.id
            )
        )
        or 0
    ) + 1
    version = EvidenceDocument(
        url=url,
        title=title,
        publisher=publisher,
        language=language,
        fetched_at=datetime.now(UTC),
        content_hash=sha,
        text=text,
        raw=data,
        raw_type=content_type[:100],
        library_source_id=source.id,
        version=number,
    )
    session.add(version)
    session.flush()
    spans = split_passages(text, language)
    session.add_all(
        Passage(
            document_id=version.id,
            position=s.position,
            text=s.text,
            language=language,
            start=s.start,
            end=s.end,
        )
        for s in spans
    )
    source.current_version_id = version.id
    session.flush()
    audit.record(
        session,
        actor,
        "library.add" if outcome == "added" else "library.new_version",
        "library_source",
        source.id,
        None,
        {"location": location, "version": number, "sha256": sha, "passages": len(spans)},
    )
    return AddResult(
        research.as_source(source, number, len(spans)), version.id, outcome, len(spans)
    )


# --- reading -------------------------------------------------------------------------------


def count_sources(factory: sessionmaker[Session], *, include_withdrawn: bool = True) -> int:
    stmt = select(func.count()).select_from(LibrarySource)
    if not include_withdrawn:
        stmt = stmt.where(LibrarySource.withdrawn.is_(False))
    with factory() as session:
        return int(session.scalar(stmt) or 0)


def list_sources(
    factory: sessionmaker[Session],
    *,
    include_withdrawn: bool = True,
    limit: int = 200,
    offset: int = 0,
) -> list[types.LibrarySource]:
    """Sources, newest first, with their version and current passage counts."""
    with factory() as session:
        versions = dict(
            session.execute(
                select(EvidenceDocument.library_source_id, func.count())
                .where(EvidenceDocument.library_source_id.is_not(None))
                .group_by(EvidenceDocument.library_source_id)
            ).all()
        )
        passages = dict(
            session.execute(
                select(LibrarySource.id, func.count(Passage.id))
                .join(Passage, Passage.document_id == LibrarySource.current_version_id)
                .group_by(LibrarySource.id)
            ).all()
        )
        stmt = select(LibrarySource).order_by(LibrarySource.id.desc()).offset(offset).limit(limit)
        if not include_withdrawn:
            stmt = stmt.where(LibrarySource.withdrawn.is_(False))
        return [
            research.as_source(s, versions.get(s.id, 0), passages.get(s.id, 0))
            for s in session.scalars(stmt)
        ]


def show_source(factory: sessionmaker[Session], source_id: int) -> SourceDetail:
    """A source with its versions (newest first) and its current version's passages."""
    with factory() as session:
        source = session.get(LibrarySource, source_id)
        if source is None:
            raise NotFound(f"no library source {source_id}")
        counts = dict(
            session.execute(
                select(Passage.document_id, func.count())
                .join(EvidenceDocument, EvidenceDocument.id == Passage.document_id)
                .where(EvidenceDocument.library_source_id == source_id)
                .group_by(Passage.document_id)
            ).all()
        )
        rows = session.execute(
            select(
                EvidenceDocument.id,
                EvidenceDocument.version,
                EvidenceDocument.content_hash,
                EvidenceDocument.fetched_at,
                EvidenceDocument.raw_type,
                func.length(EvidenceDocument.raw),
            )
            .where(EvidenceDocument.library_source_id == source_id)
            .order_by(EvidenceDocument.version.desc())
        ).all()
        versions = [
            SourceVersion(i, source_id, v or 0, h, at, t, size or 0, counts.get(i, 0))
            for i, v, h, at, t, size in rows
        ]
        passages = [
            research.as_passage(p, source_id)
            for p in session.scalars(
                select(Passage)
                .where(Passage.document_id == source.current_version_id)
                .order_by(Passage.position)
            )
        ]
        record = research.as_source(source, len(versions), len(passages))
        return SourceDetail(record, versions, passages)


def raw_version(factory: sessionmaker[Session], version_id: int) -> tuple[bytes, str]:
    """The archived bytes of a library version and their content type (the desk only)."""
    with factory() as session:
        doc = session.get(EvidenceDocument, version_id)
        if doc is None or doc.library_source_id is None or doc.raw is None:
            raise NotFound(f"no archived library version {version_id}")
        return doc.raw, doc.raw_type or "application/octet-stream"


# --- withdraw, restore, reindex ------------------------------------------------------------


def set_withdrawn(
    settings: Settings,
    factory: sessionmaker[Session],
    source_id: int,
    withdrawn: bool,
    *,
    actor: Who = "cli",
) -> types.LibrarySource:
    """Take a source out of retrieval (or bring it back). Its versions and the citations
    that quote them stay: a published verdict keeps its archived evidence."""
    _allow(actor, Permission.MANAGE_SOURCES)
    with transaction(factory) as session:
        changed = session.execute(
            update(LibrarySource)
            .where(LibrarySource.id == source_id, LibrarySource.withdrawn.is_(not withdrawn))
            .values(withdrawn=withdrawn, updated_at=datetime.now(UTC))
        )
        source = session.get(LibrarySource, source_id)
        if source is None:
            raise NotFound(f"no library source {source_id}")
        if getattr(changed, "rowcount", 0) == 1:
            audit.record(
                session,
                actor,
                "library.withdraw" if withdrawn else "library.restore",
                "library_source",
                source_id,
                {"withdrawn": not withdrawn},
                {"withdrawn": withdrawn},
            )
        session.refresh(source)
        record = research.as_source(source)
    with factory() as session:
        research.sync_index(settings, session)
    return record


def reindex(
    settings: Settings, factory: sessionmaker[Session], *, progress: research.Progress | None = None
) -> research.SyncReport:
    """Build the passage index again from the database (after a model change, or to check)."""
    with factory() as session:
        _, report = research.sync_index(
            settings, session, rebuild=True, progress=progress or research._quiet
        )
    return report


# --- citing a passage ----------------------------------------------------------------------


def cite_passage(
    session: Session,
    actor: Actor,
    fact_check_id: int,
    passage_id: int,
    *,
    quote: str | None = None,
) -> types.Citation:
    """Cite a library passage as evidence for a fact-check, through the review service's
    citation rules (who may cite, in which state, the audit row): the citation keeps the
    source version (the archived document), the snapshot's SHA-256, the exact quote (the
    passage without any heading it carries, or ``quote`` when it is a part of it) and
    where the quote sits in the archived text. Runs in the caller's transaction."""
    review.may_cite(session, actor, fact_check_id)
    row = session.get(Passage, passage_id)
    version = session.get(EvidenceDocument, row.document_id) if row is not None else None
    if row is None or version is None or version.library_source_id is None:
        raise NotFound(f"no library passage {passage_id}")
    source = session.get(LibrarySource, version.library_source_id)
    assert source is not None
    # by default the passage without a heading it carries (headings join the paragraph
    # they introduce for retrieval; the quote is the paragraph's own words)
    words = (quote or row.text.split("\n\n")[-1]).strip()
    at = row.text.find(words)
    if not words or at < 0:
        raise InputError("the quote must be words of the passage, exactly", where="quote")
    start = (row.start or 0) + at
    page = ArchivedPage(
        url=source.url or f"urn:factdesk:library:{source.id}",
        final_url=source.url or "",
        body=version.raw or b"",
        content_type=version.raw_type,
        text=version.text,
        title=version.title,
        content_hash=version.content_hash,
        fetched_at=version.fetched_at or version.created_at,
    )
    cited = review.cite(
        session,
        actor,
        fact_check_id,
        page,
        words,
        source.publisher or "",
        source.published or "",
        document_id=version.id,
    )
    session.execute(
        update(Citation)
        .where(Citation.id == cited.id)
        .values(passage_id=row.id, quote_start=start, quote_end=start + len(words))
    )
    return cited


def passages_of(factory: sessionmaker[Session], ids: list[int]) -> list[LibraryPassage]:
    """Passages by id (for pages that show a cited passage), in the order asked."""
    with factory() as session:
        found = {
            p.id: research.as_passage(p, s or 0)
            for p, s in session.execute(
                select(Passage, EvidenceDocument.library_source_id)
                .join(EvidenceDocument, EvidenceDocument.id == Passage.document_id)
                .where(Passage.id.in_(ids))
            )
        }
    return [found[i] for i in ids if i in found]


def _claim_fact_check(session: Session, claim_id: int) -> int | None:
    return session.scalar(
        select(FactCheck.id).where(FactCheck.claim_id == claim_id, FactCheck.origin == "local")
    )


def cite_for_claim(session: Session, actor: Actor, claim_id: int, passage_id: int) -> int:
    """One click on the claim page: cite the passage into the claim's own fact-check,
    starting the fact-check first when the claim has none. Returns the fact-check's id."""
    fc_id = _claim_fact_check(session, claim_id)
    if fc_id is None:
        fc_id = review.start(session, actor, claim_id)
    cite_passage(session, actor, fc_id, passage_id)
    return fc_id


def may_cite_for_claim(session: Session, actor: Actor, claim_id: int) -> bool:
    """Whether a cite button on the claim page would work for ``actor`` now."""
    from factdesk.errors import FactdeskError

    fc_id = _claim_fact_check(session, claim_id)
    try:
        if fc_id is None:
            claim = session.get(Claim, claim_id)
            return (
                claim is not None
                and claim.status == State.NEW.value
                and has_permission(actor.role, Permission.WORK)
            )
        review.may_cite(session, actor, fc_id)
    except FactdeskError:
        return False
    return True


def cited_passages(session: Session, claim_id: int) -> set[int]:
    """Passages already cited by the claim's own fact-check."""
    fc_id = _claim_fact_check(session, claim_id)
    if fc_id is None:
        return set()
    return {
        p
        for p in session.scalars(
            select(Citation.passage_id).where(
                Citation.fact_check_id == fc_id, Citation.passage_id.is_not(None)
            )
        )
        if p is not None
    }
