"""ORM models: the database's shape, and nothing else.

The core never sees these classes; the store maps them to and from the plain records in
``factdesk.types`` at its edge. Every schema change comes with an Alembic migration in
``store/migrations/versions`` (a test checks the two agree).

Times are stored as timezone-aware UTC on both SQLite and PostgreSQL (``UTCDateTime``).
No table holds people who post content: items keep text, URL, time and platform only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC, whatever the backend keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        # SQLite has no time zones: store naive UTC so string comparison orders correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Source(Base):
    """Where items come from: a feed, a site, an export file, the tipline."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # feed | page | file | submission
    location: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_fetched_at: Mapped[datetime | None]
    last_status: Mapped[str | None] = mapped_column(String(20))  # ok | not_modified | error
    last_error: Mapped[str | None] = mapped_column(Text)
    item_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # polling (services.sources): seconds between fetches (empty: the setting), failures in a
    # row, when the next fetch is due, and why a source that kept failing was paused
    fetch_interval: Mapped[int | None]
    failures: Mapped[int] = mapped_column(default=0)
    next_fetch_at: Mapped[datetime | None]
    paused_reason: Mapped[str | None] = mapped_column(Text)


class Item(Base):
    """One ingested piece of content. ``dedupe_key`` makes re-ingesting idempotent:
    ``url:<canonical url>`` when the item has a URL, else ``hash:<hash of text and metadata>``."""

    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    dedupe_key: Mapped[str] = mapped_column(String(2100), unique=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    external_id: Mapped[str | None] = mapped_column(String(500))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8), index=True)
    platform: Mapped[str | None] = mapped_column(String(50))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    detected_at: Mapped[datetime | None] = mapped_column(index=True)

    source: Mapped[Source | None] = relationship()


class Claim(Base):
    """One distinct claim; mentions in many wordings and languages point to it."""

    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8), index=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    mention_count: Mapped[int] = mapped_column(default=0)
    first_seen_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None] = mapped_column(index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # When the linking stage (multilingual-e5) encoded this claim; empty = still waiting.
    linked_at: Mapped[datetime | None] = mapped_column(index=True)
    # The claim linking found most similar without being sure (an editor decides), and how
    # similar; no foreign key: claims are never deleted, and a merged one still resolves.
    similar_id: Mapped[int | None] = mapped_column(index=True)
    similar_score: Mapped[float | None] = mapped_column(Float)
    # The wording detection opened the claim with (``detect.wording.wording_key``), unique
    # among live claims (0012_claim_key): two workers opening one new wording at once get
    # one claim. Empty for claims made by hand (split) and for legacy twins.
    wording_key: Mapped[str | None] = mapped_column(String(40))


Index(
    "uq_claims_wording_key_live",
    Claim.wording_key,
    unique=True,
    sqlite_where=Claim.merged_into_id.is_(None),
    postgresql_where=Claim.merged_into_id.is_(None),
)


class Mention(Base):
    """A check-worthy span of an item, and the claim it states."""

    __tablename__ = "mentions"
    __table_args__ = (UniqueConstraint("item_id", "start", name="uq_mentions_item_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int]
    end: Mapped[int]
    score: Mapped[float] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(8))
    signals: Mapped[list[Any]] = mapped_column(default=list)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class FactCheck(Base):
    """A verdict on a claim: ours (``origin='local'``) or imported ClaimReview.

    The row holds the current version; every published version is kept in
    ``fact_check_versions`` so corrections stay visible.
    """

    __tablename__ = "fact_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(20), default="imported")  # imported | local
    status: Mapped[str] = mapped_column(String(20), default="published", index=True)
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), index=True
    )
    dedupe_key: Mapped[str] = mapped_column(String(2100), unique=True)
    claim_reviewed: Mapped[str] = mapped_column(Text)
    rating_label: Mapped[str] = mapped_column(String(200))
    rating_value: Mapped[float | None] = mapped_column(Float)
    rating_best: Mapped[float | None] = mapped_column(Float)
    rating_worst: Mapped[float | None] = mapped_column(Float)
    url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    explanation: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(String(300))
    publisher_url: Mapped[str | None] = mapped_column(String(2000))
    language: Mapped[str | None] = mapped_column(String(8), index=True)
    date_published: Mapped[datetime | None] = mapped_column(index=True)
    # The UTC offset (minutes) the publisher wrote the date in (migration 0009_interop).
    date_published_offset: Mapped[int | None]
    date_modified: Mapped[datetime | None]
    claim_date: Mapped[datetime | None]
    appearances: Mapped[list[Any]] = mapped_column(default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FactCheckVersion(Base):
    """A frozen copy of a fact-check as it stood at one version, with the correction note."""

    __tablename__ = "fact_check_versions"
    __table_args__ = (UniqueConstraint("fact_check_id", "version", name="uq_fcv_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    fact_check_id: Mapped[int] = mapped_column(
        ForeignKey("fact_checks.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    snapshot: Mapped[dict[str, Any]]
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvidenceDocument(Base):
    """A document of the curated evidence library, or an archived copy of a cited page."""

    __tablename__ = "evidence_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str | None] = mapped_column(String(2000), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str | None] = mapped_column(String(8))
    published_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime | None]
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes | None]
    raw_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # a version of a library source (None: an archived copy of a page cited by URL)
    library_source_id: Mapped[int | None] = mapped_column(
        ForeignKey("library_sources.id", ondelete="SET NULL"), index=True
    )
    version: Mapped[int | None]


class LibrarySource(Base):
    """A source of the evidence library (a URL or a file). Its versions are the archived
    ``evidence_documents`` pointing to it; ``current_version_id`` is the one searched."""

    __tablename__ = "library_sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    location: Mapped[str] = mapped_column(String(2000), unique=True)  # URL or file:NAME
    kind: Mapped[str] = mapped_column(String(20))  # html | pdf | text | markdown | csv
    title: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(String(300))
    published: Mapped[str | None] = mapped_column(String(10))  # YYYY, YYYY-MM or YYYY-MM-DD
    url: Mapped[str | None] = mapped_column(String(2000))
    language: Mapped[str | None] = mapped_column(String(8))
    withdrawn: Mapped[bool] = mapped_column(default=False, index=True)
    current_version_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Passage(Base):
    """A retrievable chunk of an evidence document; ``start``/``end`` are character offsets
    into the document's text (``text == document.text[start:end]``)."""

    __tablename__ = "passages"
    __table_args__ = (UniqueConstraint("document_id", "position", name="uq_passages_doc_pos"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_documents.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    start: Mapped[int | None]
    end: Mapped[int | None]


class User(Base):
    """A newsroom account. Passwords are argon2 hashes, never plain text."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Who changed what, when, from what to what. Append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_entity", "entity_type", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(100))  # username, or "cli"/"system"
    action: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class QuarantineRecord(Base):
    """Input that could not be used, with where it was and why, so nothing is dropped silently."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    origin: Mapped[str] = mapped_column(String(2000))  # the file path or URL
    kind: Mapped[str] = mapped_column(String(30))  # feed | page | csv | jsonl | claimreview
    location: Mapped[str] = mapped_column(String(300))  # entry/line within the origin
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text, default="")


# --- web -----------------------------------------------------------------------------------
# The newsroom app's tables (migration 0003_web) and the indexes its pages rely on.


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    copy of the database cannot be used to sign in."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Citation(Base):
    """A cited evidence item of a fact-check, with the archived copy taken when it was cited
    (``document_id`` → ``evidence_documents``), so it resolves even when the source changes.
    ``source_date`` is the source's own date, as precise as known: YYYY, YYYY-MM or YYYY-MM-DD."""

    __tablename__ = "citations"
    id: Mapped[int] = mapped_column(primary_key=True)
    fact_check_id: Mapped[int] = mapped_column(
        ForeignKey("fact_checks.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    quote: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(String(300))
    source_date: Mapped[str | None] = mapped_column(String(10))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_documents.id", ondelete="SET NULL"), index=True
    )
    content_hash: Mapped[str] = mapped_column(String(64))
    archived_at: Mapped[datetime]
    quote_found: Mapped[bool] = mapped_column(default=False)
    # An editor's reason to keep a quote the archived copy does not contain (shown publicly).
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # a cited library passage: the passage and where the quote sits in the archived text
    passage_id: Mapped[int | None] = mapped_column(
        ForeignKey("passages.id", ondelete="SET NULL"), index=True
    )
    quote_start: Mapped[int | None]
    quote_end: Mapped[int | None]


class ReviewComment(Base):
    """A reviewer's or author's comment on a fact-check; ``kind`` is comment, send_back or
    approve, and ``version`` the fact-check version it was written about."""

    __tablename__ = "review_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    fact_check_id: Mapped[int] = mapped_column(
        ForeignKey("fact_checks.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20), default="comment")
    body: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RateEvent(Base):
    """One counted attempt (a login, a tipline submission) for rate limits. ``key`` is a
    keyed hash of the client address or user name, never the value itself."""

    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_scope_key_at", "scope", "key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))  # login | tipline
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(default=False)


class Submission(Base):
    """A claim or link sent through the public tipline; its text enters the desk as an item.
    ``contact`` is optional and only shown to editors."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    contact: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AppSetting(Base):
    """A setting the newsroom changes from the web (rating scale, thresholds, languages)."""

    __tablename__ = "app_settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


# The queue sorts claims by score; the claim page reads a claim's mentions by time.
Index("ix_claims_score", Claim.score)
Index("ix_mentions_claim_seen", Mention.claim_id, Mention.seen_at)
Index("ix_items_source", Item.source_id)
# The public lists: our fact-checks in a public state, newest first, from the index alone
# (migration 0013_public_origin_index).
Index(
    "ix_fact_checks_public",
    FactCheck.origin,
    FactCheck.status,
    FactCheck.date_published,
    FactCheck.id,
)


# --- claim detection (detect) -----------------------------------------------------------


class Alert(Base):
    """Something the desk should look at about a claim, e.g. a false claim coming back.

    ``key`` makes raising idempotent: one alert per (claim, kind, key), where a resurgence's
    key is the day its comeback began.
    """

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("claim_id", "kind", "key", name="uq_alerts_claim_kind_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # resurgence
    key: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None]


# --- claim matching (search) ------------------------------------------------------------


class ClaimMatch(Base):
    """An earlier fact-check found for a claim by the matcher, with its calibrated score and
    band (auto: linked; suggest: for a checker to confirm). Re-matching replaces a claim's rows."""

    __tablename__ = "claim_matches"
    __table_args__ = (
        UniqueConstraint("claim_id", "fact_check_id", name="uq_claim_matches_claim_fc"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    fact_check_id: Mapped[int] = mapped_column(
        ForeignKey("fact_checks.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(10))  # auto | suggest
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- the newsroom: corrections under review, curated appearances, drafts (0008_newsroom) ---


class FactCheckCorrection(Base):
    """A proposed correction of a published fact-check, kept apart from the published row
    so the public sees only approved content until a second editor approves it.

    ``status`` is pending | published | rejected. ``pending_of`` holds the fact-check id
    while pending and NULL afterwards: its unique constraint allows one pending correction
    per fact-check on SQLite and PostgreSQL alike (NULLs never collide).
    """

    __tablename__ = "fact_check_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    fact_check_id: Mapped[int] = mapped_column(
        ForeignKey("fact_checks.id", ondelete="CASCADE"), index=True
    )
    pending_of: Mapped[int | None] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    kind: Mapped[str] = mapped_column(String(20))  # substantive (typos publish at once)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    base_version: Mapped[int]
    content: Mapped[dict[str, Any]]
    note: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    fact_check: Mapped[FactCheck] = relationship(lazy="joined")


class AppearanceMark(Base):
    """An editor's choice about one place a claim appeared: public (shown on the public
    page and in ClaimReview) or hidden. Links without a mark stay internal."""

    __tablename__ = "appearance_marks"
    __table_args__ = (
        UniqueConstraint("claim_id", "url_hash", name="uq_appearance_marks_claim_url"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    url_hash: Mapped[str] = mapped_column(String(64))
    public: Mapped[bool] = mapped_column(default=False)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserDraft(Base):
    """Text a person typed but has not saved into the fact-check: autosaved, or kept when
    a save failed (a conflict, an expired session). One per person, fact-check and form."""

    __tablename__ = "user_drafts"
    __table_args__ = (
        UniqueConstraint("user_id", "fact_check_id", "form", name="uq_user_drafts_user_fc_form"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    fact_check_id: Mapped[int] = mapped_column(
        ForeignKey("fact_checks.id", ondelete="CASCADE"), index=True
    )
    form: Mapped[str] = mapped_column(String(20))  # verdict | correction
    fields: Mapped[dict[str, Any]]
    base_version: Mapped[int]
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)


from factdesk.store.jobtable import PipelineJob  # noqa: E402, F401  (its own module: size)
from factdesk.store.publishing import ApiToken as ApiToken  # noqa: E402  (own module: size)
from factdesk.store.publishing import Webhook as Webhook  # noqa: E402
from factdesk.store.publishing import WebhookDelivery as WebhookDelivery  # noqa: E402
