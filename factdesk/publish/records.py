"""The plain records the publishing builders work on.

The builders (ClaimReview, Atom, sitemap, DataFeed) are pure functions over these records,
so they are tested without a database; :mod:`factdesk.store.reads.public` fills them from the
store. Nothing here names a person: the author of a fact-check is the organisation, and an
appearance is a URL and a date, never who posted it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from factdesk.types import Rating

# Statuses of our own fact-checks the public sees. ``withdrawn`` shows as a tombstone.
PUBLIC_STATUSES = ("published", "corrected", "withdrawn")
LIVE_STATUSES = ("published", "corrected")


@dataclass(frozen=True, slots=True)
class Organisation:
    """Who publishes: the ClaimReview ``author`` and the feeds' author."""

    name: str
    url: str
    logo: str | None = None


@dataclass(frozen=True, slots=True)
class Appearance:
    """Somewhere the claim was seen: from the recurrence ledger or added by the desk."""

    url: str
    date: datetime | None = None


@dataclass(frozen=True, slots=True)
class CitedSource:
    """A cited evidence item, with the archived copy taken when it was cited."""

    url: str
    quote: str = ""
    publisher: str | None = None
    source_date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD, as precise as known
    archived_path: str | None = None  # public path of the archived copy, if kept
    archived_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Revision:
    """One version in the public history: when, and the correction note that explains it."""

    version: int
    at: datetime
    note: str | None = None
    kind: str = "published"  # published | corrected | withdrawn


@dataclass(frozen=True, slots=True)
class PublishedFactCheck:
    """One of our fact-checks as the public sees it (published, corrected or withdrawn)."""

    id: int
    status: str
    claim_reviewed: str
    rating: Rating
    date_published: datetime
    title: str | None = None
    summary: str | None = None
    explanation: str | None = None
    language: str | None = None
    date_modified: datetime | None = None
    claim_date: datetime | None = None
    version: int = 1
    appearances: tuple[Appearance, ...] = ()
    citations: tuple[CitedSource, ...] = ()
    history: tuple[Revision, ...] = ()
    withdrawal_note: str | None = None

    @property
    def withdrawn(self) -> bool:
        return self.status == "withdrawn"

    @property
    def updated(self) -> datetime:
        """When it last changed: the feed's and sitemap's ``updated``/``lastmod``."""
        return max(self.date_modified or self.date_published, self.date_published)

    @property
    def first_appearance(self) -> Appearance | None:
        """The earliest dated appearance, else the first one listed."""
        dated = [a for a in self.appearances if a.date is not None]
        if dated:
            return min(dated, key=lambda a: a.date)  # type: ignore[arg-type,return-value]
        return self.appearances[0] if self.appearances else None

    @property
    def display_title(self) -> str:
        return self.title or self.claim_reviewed

    @property
    def corrections(self) -> tuple[Revision, ...]:
        """Versions after the first: what changed since publication, newest last."""
        return tuple(r for r in self.history if r.version > 1)
