"""Reading the public fact-checks out of the store as :class:`factdesk.types.FactCheck` records.

Only our own fact-checks (``origin='local'``) in a public state are public; their records
carry their citations, their public history (one revision per published version), where the
claim appeared and, for a withdrawal, the note why. Imported
fact-checks — other organisations' ClaimReview — serve the desk for matching and are never
republished as ours. Each list is assembled with a fixed number of queries (rows, versions,
citations, the recurrence ledger), whatever its length.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.orm import Session

from factdesk.errors import NotFound
from factdesk.store import models as m
from factdesk.store.reads.common import as_fact_check, contains_words
from factdesk.text.normalize import fold
from factdesk.types import Appearance, ArchivedCopy, Citation, FactCheck, Page, Revision
from factdesk.workflow import PUBLIC_STATES, State, may_be_public

MAX_APPEARANCES = 50  # earliest distinct URLs per claim put in the page and the markup
CHUNK = 500  # rows assembled at a time when streaming every public fact-check
# The note ``desk.transition`` writes when the editor gave none: not worth showing.
_DEFAULT_NOTES = frozenset({"publish", "correct", "withdraw"})


_PUBLIC_STATUSES = sorted(s.value for s in PUBLIC_STATES)


def _public() -> list[Any]:
    return [m.FactCheck.origin == "local", m.FactCheck.status.in_(_PUBLIC_STATUSES)]


def _live() -> Any:
    return m.FactCheck.status != State.WITHDRAWN.value


# A page's statements, built once: building one costs more Python time than SQLite takes to
# run it, and every public page (rendered at start-up, after each change, as entries
# expire) runs five.
_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_ONE = select(m.FactCheck).where(m.FactCheck.id == bindparam("id"), *_public())
_MANY = select(m.FactCheck).where(m.FactCheck.id.in_(_IDS), *_public())
_VERSIONS = (
    select(
        m.FactCheckVersion.fact_check_id,
        m.FactCheckVersion.created_at,
        m.FactCheckVersion.note,
        m.FactCheckVersion.snapshot,
    )
    .where(m.FactCheckVersion.fact_check_id.in_(_IDS))
    .order_by(m.FactCheckVersion.fact_check_id, m.FactCheckVersion.version)
)
_CITATIONS = select(m.Citation).where(m.Citation.fact_check_id.in_(_IDS)).order_by(m.Citation.id)
_MARKS = select(m.AppearanceMark.claim_id, m.AppearanceMark.url, m.AppearanceMark.public).where(
    m.AppearanceMark.claim_id.in_(_IDS)
)


def load_public(session: Session, fact_check_id: int) -> FactCheck:
    """One public fact-check; NotFound for drafts, imported ones and unknown ids alike."""
    row = session.scalar(_ONE, {"id": fact_check_id})
    if row is None:
        raise NotFound(f"no published fact-check {fact_check_id}")
    return assemble(session, [row])[0]


def search_public(
    session: Session,
    *,
    query: str = "",
    language: str | None = None,
    offset: int = 0,
    limit: int = 20,
    include_withdrawn: bool = True,
) -> Page[FactCheck]:
    """The index: newest publication first, filtered by words and language.

    The filter runs in Python over the few text columns of the public fact-checks, so it
    folds case and accents the same way on SQLite and PostgreSQL; a desk publishes
    thousands of fact-checks, not millions, so this stays in milliseconds.
    """
    where = _public()
    if language:
        where.append(m.FactCheck.language == language)
    if not include_withdrawn:
        where.append(_live())
    newest = (m.FactCheck.date_published.desc(), m.FactCheck.id.desc())
    query = query.strip()[:200]
    if not fold(query).split():
        # No words to filter by (the index, the API list): the database pages it, so a
        # list costs two small queries instead of reading every public text each time.
        # One scan for the page's ids and the total (a window count), sorting narrow rows,
        # not every public text; past the end no row carries the total, so count apart.
        found = session.execute(
            select(m.FactCheck.id, func.count().over())
            .where(*where)
            .order_by(*newest)
            .offset(offset)
            .limit(limit)
        ).all()
        total = (
            found[0][1]
            if found
            else session.scalar(select(func.count()).select_from(m.FactCheck).where(*where))
        )
        page = [fc_id for fc_id, _ in found]
        return Page(tuple(load_many(session, page)), int(total or 0), offset, limit)
    rows = session.execute(
        select(m.FactCheck.id, m.FactCheck.claim_reviewed, m.FactCheck.title, m.FactCheck.summary)
        .where(*where)
        .order_by(*newest)
    ).all()
    ids = [
        fc_id
        for fc_id, claim, title, summary in rows
        if contains_words(" ".join(t for t in (claim, title, summary) if t), query)
    ]
    chosen = ids[offset : offset + limit]
    return Page(tuple(load_many(session, chosen)), len(ids), offset, limit)


def load_many(session: Session, ids: Sequence[int]) -> list[FactCheck]:
    """Public fact-checks by id, in the order given (unknown or private ids are skipped)."""
    if not ids:
        return []
    rows = {row.id: row for row in session.scalars(_MANY, {"ids": list(ids)})}
    ordered = [rows[i] for i in ids if i in rows]
    return assemble(session, ordered)


def iter_public(
    session: Session, *, language: str | None = None, live_only: bool = False
) -> Iterator[FactCheck]:
    """Every public fact-check, most recently changed first, in chunks (export, DataFeed)."""
    where = _public()
    if language:
        where.append(m.FactCheck.language == language)
    if live_only:
        where.append(_live())
    changed = func.coalesce(m.FactCheck.date_modified, m.FactCheck.date_published)
    ids = list(
        session.scalars(
            select(m.FactCheck.id).where(*where).order_by(changed.desc(), m.FactCheck.id.desc())
        )
    )
    for start in range(0, len(ids), CHUNK):
        yield from load_many(session, ids[start : start + CHUNK])


def recent_changes(session: Session, *, limit: int, language: str | None = None) -> list[FactCheck]:
    """The ``limit`` most recently published, corrected or withdrawn (the feeds)."""
    where = _public()
    if language:
        where.append(m.FactCheck.language == language)
    changed = func.coalesce(m.FactCheck.date_modified, m.FactCheck.date_published)
    ids = list(
        session.scalars(
            select(m.FactCheck.id)
            .where(*where)
            .order_by(changed.desc(), m.FactCheck.id.desc())
            .limit(limit)
        )
    )
    return load_many(session, ids)


def newest_ids(session: Session, *, limit: int) -> list[int]:
    """The ``limit`` most recently published public fact-checks' ids (what to render first)."""
    return list(
        session.scalars(
            select(m.FactCheck.id)
            .where(*_public())
            .order_by(m.FactCheck.date_published.desc(), m.FactCheck.id.desc())
            .limit(limit)
        )
    )


def public_languages(session: Session) -> list[str]:
    """Languages with at least one public fact-check (the language filter and feeds)."""
    rows = session.scalars(
        select(m.FactCheck.language).where(*_public(), m.FactCheck.language.is_not(None)).distinct()
    )
    return sorted(r for r in rows if r)


def last_change(session: Session) -> datetime | None:
    """When anything public last changed: the feeds' ``updated`` and HTTP Last-Modified."""
    changed = func.coalesce(m.FactCheck.date_modified, m.FactCheck.date_published)
    value = session.scalar(select(func.max(changed)).where(*_public()))
    return _aware(value)


@dataclass(frozen=True)
class PublicChanges:
    """What changed in the database after a moment (:func:`changed_since`)."""

    fact_checks: dict[int, datetime]  # public fact-check -> when its page last changed
    everything: datetime | None  # when a setting every page shows changed, if it did


def changed_since(session: Session, since: datetime, *, setting_key: str) -> PublicChanges:
    """Public fact-checks whose row, or the public links of whose claim, changed after
    ``since``, and whether the ``setting_key`` setting (the rating scale every page shows)
    did: how a web process learns of changes other processes made (three small queries;
    the first walks ``ix_fact_checks_public``)."""
    found: dict[int, datetime] = {}
    rows = session.execute(
        select(m.FactCheck.id, m.FactCheck.updated_at).where(
            *_public(), m.FactCheck.updated_at > since
        )
    ).all()
    marks = session.execute(
        select(m.FactCheck.id, m.AppearanceMark.marked_at)
        .join(m.AppearanceMark, m.AppearanceMark.claim_id == m.FactCheck.claim_id)
        .where(*_public(), m.AppearanceMark.marked_at > since)
    ).all()
    for fc_id, raw_at in [*rows, *marks]:
        at = _aware(raw_at)
        if at is not None and (fc_id not in found or at > found[fc_id]):
            found[fc_id] = at
    setting = session.scalar(
        select(m.AppSetting.updated_at).where(
            m.AppSetting.key == setting_key, m.AppSetting.updated_at > since
        )
    )
    return PublicChanges(found, _aware(setting))


# --- archived copies -----------------------------------------------------------------------


def _citing(session: Session, document_ids: Sequence[int] | None) -> dict[int, list[int]]:
    """Live public fact-checks citing each document (all cited documents when None)."""
    stmt = (
        select(m.Citation.document_id, m.Citation.fact_check_id)
        .join(m.FactCheck, m.FactCheck.id == m.Citation.fact_check_id)
        .where(m.Citation.document_id.is_not(None), *_public(), _live())
        .distinct()
        .order_by(m.Citation.document_id, m.Citation.fact_check_id)
    )
    if document_ids is not None:
        stmt = stmt.where(m.Citation.document_id.in_(document_ids))
    found: dict[int, list[int]] = defaultdict(list)
    for document_id, fact_check_id in session.execute(stmt):
        if document_id is not None:
            found[document_id].append(fact_check_id)
    return found


def _quotes(session: Session, document_ids: list[int]) -> dict[int, list[m.Citation]]:
    """The citations of live public fact-checks quoting each document, oldest first."""
    found: dict[int, list[m.Citation]] = defaultdict(list)
    for citation in session.scalars(
        select(m.Citation)
        .join(m.FactCheck, m.FactCheck.id == m.Citation.fact_check_id)
        .where(m.Citation.document_id.in_(document_ids), *_public(), _live())
        .order_by(m.Citation.id)
    ):
        if citation.document_id is not None:
            found[citation.document_id].append(citation)
    return found


def _spans(text: str, citations: list[m.Citation]) -> tuple[tuple[int, int, int], ...]:
    """Where each quote sits: the offsets a passage citation kept, else the quote's first
    exact occurrence (a page cited by URL); a quote not found gets no anchor."""
    spans = []
    for c in citations:
        start, end = c.quote_start, c.quote_end
        if start is None or end is None or text[start:end] != c.quote:
            at = text.find(c.quote) if c.quote else -1
            start, end = (at, at + len(c.quote)) if at >= 0 else (None, None)
        if start is not None and end is not None:
            spans.append((c.id, start, end))
    return tuple(spans)


def _copies(session: Session, citing: dict[int, list[int]]) -> list[ArchivedCopy]:
    documents = session.scalars(
        select(m.EvidenceDocument)
        .where(m.EvidenceDocument.id.in_(list(citing)))
        .order_by(m.EvidenceDocument.id)
    )
    quotes = _quotes(session, list(citing))
    return [
        ArchivedCopy(
            id=d.id,
            url=d.url,
            title=d.title,
            fetched_at=d.fetched_at,
            content_hash=d.content_hash,
            text=d.text,
            fact_check_ids=tuple(citing[d.id]),
            quotes=_spans(d.text, quotes.get(d.id, [])),
        )
        for d in documents
    ]


def load_archived(session: Session, document_id: int) -> ArchivedCopy:
    """An archived copy cited by a public, not withdrawn, fact-check; NotFound otherwise
    (the library's other documents are the desk's, not the public's)."""
    found = _copies(session, _citing(session, [document_id]))
    if not found:
        raise NotFound(f"no public archived copy {document_id}")
    return found[0]


def iter_archived(session: Session) -> Iterator[ArchivedCopy]:
    """Every archived copy a live public fact-check cites, in chunks (the static export)."""
    citing = _citing(session, None)
    ids = sorted(citing)
    for start in range(0, len(ids), CHUNK):
        yield from _copies(session, {i: citing[i] for i in ids[start : start + CHUNK]})


# --- assembling records --------------------------------------------------------------------


def assemble(session: Session, rows: Sequence[m.FactCheck]) -> list[FactCheck]:
    """Records for ``rows`` with history, citations and appearances (five queries).

    Where the claim appeared is curated: a link from the ledger is public only when an
    editor marked it public, a link written on the fact-check itself unless an editor hid
    it, and in both cases only an absolute http(s) URL (``workflow.may_be_public``)."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    history = _history(session, ids)
    citations = _citations(session, ids)
    claim_ids = [row.claim_id for row in rows if row.claim_id is not None]
    marks = _marks(session, claim_ids)
    # A ledger link is shown only when an editor marked it public: look up just those
    # URLs (none marked, no query), not every place a viral claim was seen.
    shown = {url for urls in marks.values() for url, public in urls.items() if public}
    ledger = _ledger(session, [c for c in claim_ids if c in marks], shown)
    out = []
    for row in rows:
        revisions = history.get(row.id, [])
        chosen = marks.get(row.claim_id or -1, {})
        appearances = _merge_appearances(
            [a for a in _manual_appearances(row.appearances) if chosen.get(a.url, True)],
            [a for a in ledger.get(row.claim_id or -1, []) if chosen.get(a.url) is True],
        )
        withdrawal = None
        if row.status == State.WITHDRAWN:
            withdrawal = next(
                (r.note for r in reversed(revisions) if r.kind == State.WITHDRAWN), None
            )
        out.append(
            replace(
                as_fact_check(row, tuple(citations.get(row.id, []))),
                date_published=row.date_published or row.created_at,
                appearances=appearances,
                history=tuple(revisions),
                withdrawal_note=withdrawal,
            )
        )
    return out


def _history(session: Session, ids: list[int]) -> dict[int, list[Revision]]:
    """Published versions, numbered 1, 2, 3... as the public counts them (the stored
    ``version`` also counts every draft edit)."""
    out: dict[int, list[Revision]] = defaultdict(list)
    rows = session.execute(_VERSIONS, {"ids": ids})
    for fc_id, at, note, snapshot in rows:
        status = snapshot.get("status") if isinstance(snapshot, dict) else None
        kind = status if status in _PUBLIC_STATUSES else State.PUBLISHED.value
        text = (note or "").strip()
        revisions = out[fc_id]
        revisions.append(
            Revision(
                version=len(revisions) + 1,
                at=at,
                note=None if text.lower() in _DEFAULT_NOTES or not text else text,
                kind=kind,
            )
        )
    return out


def _citations(session: Session, ids: list[int]) -> dict[int, list[Citation]]:
    out: dict[int, list[Citation]] = defaultdict(list)
    for citation in session.scalars(_CITATIONS, {"ids": ids}):
        out[citation.fact_check_id].append(
            Citation(
                id=citation.id,
                url=citation.url,
                quote=citation.quote,
                publisher=citation.publisher,
                source_date=citation.source_date,
                document_id=citation.document_id,
                archived_at=citation.archived_at,
                content_hash=citation.content_hash,
                quote_found=citation.quote_found,
                override_reason=citation.override_reason,
            )
        )
    return out


def _ledger(
    session: Session, claim_ids: list[int], only: set[str] | None = None
) -> dict[int, list[Appearance]]:
    """Where each claim was seen: the URLs of the items its mentions come from (also the
    mentions of claims merged into it), each with its earliest date; only the URLs in
    ``only`` when given."""
    if not claim_ids or only is not None and not only:
        return {}
    owner: dict[int, int] = {cid: cid for cid in claim_ids}
    for merged, into in session.execute(
        select(m.Claim.id, m.Claim.merged_into_id).where(m.Claim.merged_into_id.in_(claim_ids))
    ):
        if into is not None:
            owner[merged] = into
    seen = func.min(func.coalesce(m.Item.published_at, m.Mention.seen_at))
    rows = session.execute(
        select(m.Mention.claim_id, m.Item.url, seen)
        .join(m.Item, m.Item.id == m.Mention.item_id)
        .where(
            m.Mention.claim_id.in_(list(owner)),
            m.Item.url.is_not(None) if only is None else m.Item.url.in_(sorted(only)),
        )
        .group_by(m.Mention.claim_id, m.Item.url)
    )
    out: dict[int, dict[str, datetime | None]] = defaultdict(dict)
    for claim_id, url, raw_at in rows:
        if claim_id is None or url is None:
            continue
        at = _aware(raw_at)
        if not may_be_public(url):
            continue
        urls = out[owner[claim_id]]
        known = urls.get(url)
        if url not in urls or (at is not None and (known is None or at < known)):
            urls[url] = at
    return {cid: [Appearance(u, d) for u, d in urls.items()] for cid, urls in out.items()}


def _aware(value: Any) -> datetime | None:
    """Aggregates over a UTC column come back untyped on SQLite (a string or naive value)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _marks(session: Session, claim_ids: list[int]) -> dict[int, dict[str, bool]]:
    """The editors' choices of public links: claim → {url: public}."""
    out: dict[int, dict[str, bool]] = defaultdict(dict)
    if claim_ids:
        for claim_id, url, public in session.execute(_MARKS, {"ids": claim_ids}):
            out[claim_id][url] = bool(public)
    return out


def _manual_appearances(value: Iterable[Any] | None) -> list[Appearance]:
    out = []
    for entry in value or []:
        url = entry.get("url") if isinstance(entry, dict) else entry
        if isinstance(url, str) and may_be_public(url):
            out.append(Appearance(url))
    return out


def _merge_appearances(
    manual: list[Appearance], ledger: list[Appearance]
) -> tuple[Appearance, ...]:
    """Earliest first (undated last), one entry per URL, at most MAX_APPEARANCES."""
    merged: dict[str, Appearance] = {a.url: a for a in ledger}
    for appearance in manual:
        merged.setdefault(appearance.url, appearance)
    ordered = sorted(
        merged.values(),
        key=lambda a: (a.date is None, a.date.timestamp() if a.date else 0.0, a.url),
    )
    return tuple(ordered[:MAX_APPEARANCES])
