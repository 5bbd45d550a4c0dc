"""The newsroom: who works the desk, its editorial settings, and the rows of its pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from factdesk.errors import InputError
from factdesk.types.content import Alert, Claim, Item
from factdesk.types.factchecks import FactCheck
from factdesk.workflow import Role

T = TypeVar("T")


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
class ActiveSession:
    """A signed-in browser as listed to admins (never its token)."""

    id: int
    username: str
    created_at: datetime | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SignInFailures:
    """Failed sign-ins in the last day: in all, and per account that exists (for admins)."""

    total: int
    by_account: dict[str, int]


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
class Draft:
    """The editable content of one of our fact-checks, as typed in the editor (a correction
    brings its new content the same way)."""

    rating_label: str = ""
    summary: str = ""
    explanation: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class PendingCorrection:
    """A correction that changes the verdict, waiting for a second editor's approval while
    the published version stays up. ``reasons`` say what makes it substantive."""

    id: int
    fact_check_id: int
    draft: Draft
    note: str
    reasons: tuple[str, ...]
    base_version: int
    author_id: int | None
    created_at: datetime | None = None
    claim_reviewed: str = ""
    rating_label: str = ""  # the published rating it would replace


@dataclass(frozen=True, slots=True)
class AppearanceRow:
    """A place a claim appeared, as the desk curates it: ``public`` None means internal
    (not chosen yet), True shown, False hidden. ``eligible`` is False for anything but an
    absolute http(s) URL, which can never be public."""

    url: str
    date: datetime | None
    source_id: int | None
    source_name: str | None
    public: bool | None
    eligible: bool


@dataclass(frozen=True, slots=True)
class SavedDraft:
    """Text a person typed into a fact-check's form and has not saved yet."""

    fact_check_id: int
    form: str  # verdict | correction
    draft: Draft
    note: str
    base_version: int
    saved_at: datetime | None = None


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
    etag: str | None = None  # what the last fetch was told, for a conditional GET
    last_modified: str | None = None
    created_at: datetime | None = None
    fetch_interval: int | None = None  # seconds between polls (empty: the setting)
    failures: int = 0  # fetches failed in a row
    next_fetch_at: datetime | None = None
    paused_reason: str | None = None  # why polling stopped (a source that kept failing)


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
    source_id: int | None = None


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
    raw_size: int | None = None  # bytes of the archived copy; None when none was kept


@dataclass(frozen=True, slots=True)
class StoredItem:
    """An ingested item as the desk stores it: the item, its id and source, the key that
    de-duplicates it, when it arrived and when detection last read it."""

    id: int
    item: Item
    source_id: int | None = None
    dedupe_key: str = ""
    ingested_at: datetime | None = None
    detected_at: datetime | None = None


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
    def page(self) -> int:
        """The page number, as the pager macro reads it (``number``)."""
        return self.number

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1
