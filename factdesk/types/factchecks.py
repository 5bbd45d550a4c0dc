"""Fact-checks, their citations and history, and the matches that find them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from factdesk.workflow import State


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
    # An editor's reason to keep a quote the archived copy does not contain (public).
    override_reason: str | None = None


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


# The matcher's bands (auto: linked; suggest: for a checker to confirm; hidden: shown only
# on request), and ``linked``: a fact-check tied to the claim itself, read back without a
# search (the claim page's fall-back).
Band = Literal["auto", "suggest", "hidden", "linked"]


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
