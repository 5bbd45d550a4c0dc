"""The plain records that flow through the functional core.

They are frozen dataclasses: parsers produce them, the core transforms them, and the store
maps them to and from its ORM rows at its own edge. Nothing here knows about the database,
the network or the web.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Literal, TypeVar

T = TypeVar("T")


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
class Rating:
    """A verdict's rating: a label plus, where the publisher gives one, a numeric scale."""

    label: str
    value: float | None = None
    best: float | None = None
    worst: float | None = None


@dataclass(frozen=True, slots=True)
class FactCheck:
    """A verdict on a claim, ours or imported from another publisher's ClaimReview."""

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
    appearances: tuple[str, ...] = ()
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
    """A check-worthy span of an item: where it is and how check-worthy it scored."""

    text: str
    start: int
    end: int
    score: float
    language: str | None = None
    signals: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Claim:
    """One distinct claim that many mentions, in many wordings and languages, point to."""

    text: str
    language: str | None = None
    score: float = 0.0
    mention_count: int = 0


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
