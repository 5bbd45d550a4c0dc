"""The records that flow through the desk, one shape per thing.

Frozen dataclasses: parsers produce them, the core transforms them, the service layer and the
store's read queries return them, and the shells render them (HTML, JSON, terminal tables).
The store maps them to and from its ORM rows at its own edge; nothing here knows about the
database, the network or the web.

Sections: content (items, mentions, claims); fact-checks and their citations; matching;
the newsroom (people who work the desk, settings, lists); publishing; reports of the
operations. Records carry behaviour only where it is a plain reading of their own fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from factdesk.errors import InputError
from factdesk.workflow import Role, State

T = TypeVar("T")


# --- content ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One piece of ingested content: a post, an article, a feed entry.

    Never carries who wrote it: author, handle and user fields are dropped by the parsers
    (factdesk works on claims, not people).
    """

    text: str
    url: str | None = None
    title: str | None = None
    language: str | None = None
    published_at: datetime | None = None
    platform: str | None = None
    external_id: str | None = None
    content_hash: str = ""


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record a parser could not use, kept for the quarantine with where and why."""

    where: str
    reason: str
    raw: str = ""


@dataclass(slots=True)
class ParseResult(Generic[T]):
    """What a parser returns: the good records and the rejected ones, in input order."""

    records: list[T] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Mention:
    """A check-worthy span of an item: where it is and how check-worthy it scored.

    Detection fills the span; a stored mention also knows its id, item, claim, when it was
    seen and where (the item's URL, title, platform and source name), and ``why`` it was
    flagged, in words.
    """

    text: str
    start: int
    end: int
    score: float
    language: str | None = None
    signals: tuple[str, ...] = ()
    id: int | None = None
    item_id: int | None = None
    claim_id: int | None = None
    seen_at: datetime | None = None
    url: str | None = None
    title: str | None = None
    platform: str | None = None
    source: str | None = None
    why: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    """One distinct claim that many mentions, in many wordings and languages, point to.

    ``fact_check`` is the claim's own public fact-check where a reader needs it (the API).
    """

    text: str
    language: str | None = None
    score: float = 0.0
    mention_count: int = 0
    id: int | None = None
    status: str = State.NEW.value
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    merged_into_id: int | None = None
    linked_at: datetime | None = None  # when linking encoded it; None: still waiting
    fact_check: FactCheck | None = None


@dataclass(frozen=True, slots=True)
class SimilarClaim:
    """A live claim that linking found close to another, not close enough to merge."""

    claim: Claim
    similarity: float


@dataclass(frozen=True, slots=True)
class Alert:
    """Something the desk should look at about a claim, e.g. a false claim coming back.

    ``details`` is the alert's data as raised (started_at, quiet_days, mentions_in_window,
    fact_check_url, ...), plain JSON.
    """

    id: int
    claim_id: int
    kind: str
    message: str
    created_at: datetime
    acknowledged_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)
    claim_text: str = ""


@dataclass(frozen=True, slots=True)
class RankedClaim:
    """A claim in the ranking by worthiness x spread, with its best fact-check link."""

    claim: Claim
    rank: float
    sources: int
    languages: tuple[str, ...]
    link: ClaimLink | None = None
    alert: bool = False


@dataclass(frozen=True, slots=True)
class ClaimDetail:
    """A claim with everything known about it: mentions (the ledger), daily counts, the
    fact-checks tied to it, claims that may be the same, alerts, and why it is check-worthy."""

    claim: Claim
    why: str
    daily_counts: dict[date, int]
    links: tuple[ClaimLink, ...]
    similar: tuple[SimilarClaim, ...]
    alerts: tuple[Alert, ...]
    mentions: tuple[Mention, ...]


@dataclass(frozen=True, slots=True)
class MergeResult:
    target: int
    merged: tuple[int, ...]
    mentions: int


@dataclass(frozen=True, slots=True)
class SplitResult:
    claim: int
    new_claim: int
    moved: int


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrievable chunk of an evidence document."""

    document_url: str
    text: str
    position: int = 0
    title: str | None = None
    language: str | None = None


Stance = Literal["supports", "refutes", "not_enough_info"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """A passage's stance toward a claim, with the model's confidence."""

    stance: Stance
    confidence: float


# --- fact-checks -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rating:
    """A verdict's rating: a label plus, where the publisher gives one, a numeric scale."""

    label: str
    value: float | None = None
    best: float | None = None
    worst: float | None = None


@dataclass(frozen=True, slots=True)
class Appearance:
    """Somewhere the claim was seen: a URL and, when known, the date. Never who posted it."""

    url: str
    date: datetime | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """A cited evidence item, with the archived copy taken when it was cited
    (``document_id``), so it resolves even when the source changes. ``source_date`` is the
    source's own date, as precise as known: YYYY, YYYY-MM or YYYY-MM-DD."""

    url: str
    quote: str = ""
    publisher: str | None = None
    source_date: str | None = None
    document_id: int | None = None
    archived_at: datetime | None = None
    content_hash: str = ""
    quote_found: bool = False
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Revision:
    """One version in the public history: when, and the correction note that explains it."""

    version: int
    at: datetime
    note: str | None = None
    kind: str = State.PUBLISHED.value  # published | corrected | withdrawn


@dataclass(frozen=True, slots=True)
class FactCheck:
    """A verdict on a claim: ours (``origin='local'``) or another publisher's ClaimReview.

    A parser fills the ClaimReview fields; a stored fact-check also has its ``id``, workflow
    ``status`` and edit counter ``version``; a public one its citations, its public
    ``history`` (one revision per published version) and, when withdrawn, the note why.
    """

    claim_reviewed: str
    rating: Rating
    url: str | None = None
    title: str | None = None
    summary: str | None = None
    publisher: str | None = None
    publisher_url: str | None = None
    language: str | None = None
    date_published: datetime | None = None
    claim_date: datetime | None = None
    appearances: tuple[Appearance, ...] = ()
    content_hash: str = ""
    id: int | None = None
    origin: str = "imported"  # imported | local
    status: str = State.PUBLISHED.value
    claim_id: int | None = None
    explanation: str | None = None
    date_modified: datetime | None = None
    version: int = 1
    author_id: int | None = None
    reviewer_id: int | None = None
    updated_at: datetime | None = None
    citations: tuple[Citation, ...] = ()
    history: tuple[Revision, ...] = ()
    withdrawal_note: str | None = None

    @property
    def ours(self) -> bool:
        return self.origin == "local"

    @property
    def withdrawn(self) -> bool:
        return self.status == State.WITHDRAWN.value

    @property
    def revision(self) -> int:
        """The public version number: 1 at publication, +1 per correction or withdrawal
        (``version`` counts every edit, drafts included)."""
        return max(len(self.history), 1)

    @property
    def published_at(self) -> datetime:
        """When it was first published (a public fact-check always has the date)."""
        if self.date_published is None:
            raise ValueError(f"fact-check {self.id} has no publication date")
        return self.date_published

    @property
    def updated(self) -> datetime:
        """When it last changed: the feed's and sitemap's ``updated``/``lastmod``."""
        return max(self.date_modified or self.published_at, self.published_at)

    @property
    def first_appearance(self) -> Appearance | None:
        """The earliest dated appearance, else the first one listed."""
        dated = [a for a in self.appearances if a.date is not None]
        if dated:
            return min(dated, key=lambda a: a.date or datetime.max)
        return self.appearances[0] if self.appearances else None

    @property
    def display_title(self) -> str:
        return self.title or self.claim_reviewed

    @property
    def corrections(self) -> tuple[Revision, ...]:
        """Versions after the first: what changed since publication, newest last."""
        return tuple(r for r in self.history if r.version > 1)


@dataclass(frozen=True, slots=True)
class ClaimLink:
    """A fact-check tied to a claim: its own (band ``linked``) or one the matcher found
    (``auto``: linked; ``suggest``: for a checker to confirm), with the matcher's score."""

    fact_check: FactCheck
    band: str
    score: float | None = None
    rated_false: bool = False


# --- matching --------------------------------------------------------------------------------

Band = Literal["auto", "suggest", "hidden"]


@dataclass(frozen=True, slots=True)
class Why:
    """Why a fact-check matched: the words it shares with the query per field, the cosine
    similarity of the meanings (``None`` without an embedding model), and whether the two are
    in different languages."""

    terms: dict[str, tuple[str, ...]]
    similarity: float | None
    cross_lingual: bool
    head: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "terms": {k: list(v) for k, v in self.terms.items()},
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "cross_lingual": self.cross_lingual,
            "scored_by": self.head,
        }


@dataclass(frozen=True, slots=True)
class Match:
    """One fact-check found for a query: calibrated score (0..1), band and why (``None``
    for a match recorded earlier and read back without searching)."""

    id: str
    fact_check: FactCheck
    score: float
    band: Band
    why: Why | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The answer to "has this been checked?": the matches, the engine that found them
    and, when it is not the usual one, a note saying why."""

    engine: str
    matches: tuple[Match, ...]
    note: str = ""


# --- the newsroom ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Actor:
    """Someone acting on the desk: a signed-in account, as the workflow and the audit log
    see them."""

    id: int
    username: str
    role: Role


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A valid sign-in session: who, the CSRF token its forms carry, and its id."""

    actor: Actor
    csrf: str
    session_id: int


@dataclass(frozen=True, slots=True)
class Account:
    """A newsroom account as listed (never its password hash)."""

    id: int
    username: str
    role: str
    active: bool
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReadToken:
    """An API partner's read token as listed (never the token itself)."""

    id: int
    name: str
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ScaleStep:
    """One rating: its label and, when it sits on the numeric scale, its value."""

    label: str
    value: int | None = None


DEFAULT_SCALE = (
    ScaleStep("True", 5),
    ScaleStep("Mostly true", 4),
    ScaleStep("Half true", 3),
    ScaleStep("Mostly false", 2),
    ScaleStep("False", 1),
    ScaleStep("Unproven", None),
)


@dataclass(frozen=True, slots=True)
class DeskSettings:
    """The newsroom's editorial settings, with their defaults. Thresholds drive the
    dashboard grid: worthiness is a claim's check-worthiness score (0-1), spread its
    mention count."""

    rating_scale: tuple[ScaleStep, ...] = DEFAULT_SCALE
    worthiness_high: float = 0.7
    worthiness_low: float = 0.4
    spread_high: int = 10
    spread_low: int = 3
    languages: tuple[str, ...] = ("vi", "en")

    @property
    def best(self) -> int | None:
        values = [s.value for s in self.rating_scale if s.value is not None]
        return max(values) if values else None

    @property
    def worst(self) -> int | None:
        values = [s.value for s in self.rating_scale if s.value is not None]
        return min(values) if values else None

    def step(self, label: str) -> ScaleStep:
        """The scale step with this label; InputError when it is not on the scale."""
        for step in self.rating_scale:
            if step.label == label:
                return step
        raise InputError(f"{label!r} is not on the rating scale", where="rating")


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment on a fact-check; ``kind`` is comment, send_back or approve."""

    kind: str
    body: str
    version: int
    created_at: datetime
    username: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Who changed what, when, from what to what."""

    id: int
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    actor_id: int | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where items come from: a feed, a site, an export file, the tipline."""

    id: int
    kind: str
    location: str
    name: str | None = None
    language: str | None = None
    active: bool = True
    item_count: int = 0
    last_fetched_at: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class Quarantined:
    """Input that could not be used, with where it was and why."""

    id: int
    at: datetime
    kind: str
    origin: str
    location: str
    reason: str
    raw: str = ""


@dataclass(frozen=True, slots=True)
class EvidenceDocument:
    """A document of the evidence library, or an archived copy of a cited page.
    ``citations`` counts the citations that point to it where a list needs it."""

    id: int
    url: str | None
    title: str | None
    publisher: str | None = None
    language: str | None = None
    fetched_at: datetime | None = None
    content_hash: str = ""
    text: str = ""
    raw_type: str | None = None
    citations: int = 0


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    """What a fetch of a cited URL gave: the bytes as served and their main text."""

    url: str
    final_url: str
    body: bytes
    content_type: str | None
    text: str
    title: str | None
    content_hash: str
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class Tip:
    """A claim or link sent through the public tipline."""

    text: str = ""
    url: str = ""
    contact: str = ""
    website: str = ""  # the honeypot: hidden from people, filled by bots


@dataclass(frozen=True, slots=True)
class Submission:
    """A tip as stored; ``contact`` is optional and only shown to editors."""

    id: int
    created_at: datetime
    text: str
    url: str | None = None
    contact: str | None = None
    language: str | None = None
    item_id: int | None = None


@dataclass(frozen=True, slots=True)
class InReview:
    """A fact-check waiting for its second review, as the review list shows it."""

    fact_check: FactCheck
    author: str | None
    approved: bool


@dataclass(frozen=True, slots=True)
class WorkInProgress:
    """A fact-check someone is working on, for the dashboard."""

    fact_check: FactCheck
    author: str | None


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The newsroom's first page: new claims by worthiness x spread (``grid[row][col]``,
    high worthiness first), the top new claims, work in progress, open alerts, mentions per
    day and our fact-checks per status."""

    grid: tuple[tuple[int, int, int], ...]
    top: tuple[Claim, ...]
    wip: tuple[WorkInProgress, ...]
    alerts: tuple[Alert, ...]
    mentions: tuple[tuple[date, int], ...]
    by_status: dict[str, int]

    @property
    def new_count(self) -> int:
        return sum(sum(row) for row in self.grid)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a longer list: the rows shown and how many there are in all."""

    items: tuple[T, ...]
    total: int
    offset: int = 0
    limit: int = 50

    @property
    def number(self) -> int:
        return self.offset // self.limit + 1 if self.limit else 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1


# --- publishing ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Organisation:
    """Who publishes: the ClaimReview ``author`` and the feeds' author."""

    name: str
    url: str
    logo: str | None = None


@dataclass(frozen=True, slots=True)
class ArchivedCopy:
    """The archived copy of a cited source, as the public may see it (text, not raw HTML),
    with the public fact-checks that cite it."""

    id: int
    url: str | None
    title: str | None
    fetched_at: datetime | None
    content_hash: str
    text: str
    fact_check_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Webhook:
    """A partner's endpoint, with its deliveries counted by status (never its secret)."""

    id: int
    url: str
    events: tuple[str, ...]
    active: bool
    created_at: datetime | None = None
    pending: int = 0
    delivered: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one webhook: the outbox row and its delivery log."""

    id: int
    webhook_id: int
    url: str
    event: str
    status: str  # pending | delivered | failed
    attempts: int
    created_at: datetime
    response_status: int | None = None
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one delivery attempt did; ``retry_at`` is set when it will try again."""

    delivery_id: int
    result: str  # delivered | retry | failed | skipped
    status: int | None = None
    error: str | None = None
    retry_at: datetime | None = None


# --- reports of the operations ---------------------------------------------------------------


@dataclass
class IngestReport:
    """What one ingestion did; printed by the CLI and returned by the API."""

    origin: str
    kind: str
    added: int = 0
    updated: int = 0
    duplicates: int = 0
    quarantined: int = 0
    fact_checks_added: int = 0
    fact_checks_updated: int = 0
    not_modified: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for people: the counts that are not zero."""
        if self.not_modified:
            return f"{self.origin}: not modified since last fetch"
        counts = [
            (self.added, "new items"),
            (self.updated, "items updated"),
            (self.fact_checks_added, "new fact-checks"),
            (self.fact_checks_updated, "fact-checks updated"),
            (self.duplicates, "already known"),
            (self.quarantined, "quarantined"),
        ]
        parts = [f"{n} {label}" for n, label in counts if n]
        return f"{self.origin}: " + (", ".join(parts) or "nothing to import")


@dataclass
class DetectReport:
    """What one ``factdesk detect`` run did."""

    items: int = 0
    sentences: int = 0
    mentions: int = 0
    new_claims: int = 0
    updated_claims: int = 0
    matched_claims: int = 0
    alerts: int = 0
    linked_claims: int = 0  # claims encoded by the linking stage in this run
    merged_claims: int = 0  # of them, merged into another claim (translation, rewording)
    waiting_claims: int = 0  # claims not linked yet (budget spent)
    skipped_batches: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.items} items, {self.mentions} mentions, {self.new_claims} new claims, "
            f"{self.updated_claims} claims with new mentions, {self.matched_claims} matched "
            f"to fact-checks, {self.alerts} alerts, {self.linked_claims} linked "
            f"({self.merged_claims} merged, {self.waiting_claims} waiting) ({self.seconds:.1f}s)"
        )


@dataclass
class ExportReport:
    """What a static export of the public site wrote, for the CLI to print."""

    directory: str
    fact_checks: int = 0
    archived_copies: int = 0
    files: int = 0
    languages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.directory}: {self.fact_checks} fact-checks, {self.archived_copies} archived "
            f"copies, feeds for {', '.join(self.languages) or 'no language'}; {self.files} files"
        )


@dataclass(frozen=True, slots=True)
class Check:
    """One line of ``factdesk doctor``: what was checked, whether it is fine, the detail."""

    name: str
    ok: bool
    detail: str
