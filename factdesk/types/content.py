"""The content the desk watches: items, the mentions detection finds in them, and the claims they state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from factdesk.workflow import State

if TYPE_CHECKING:
    from factdesk.types.factchecks import Citation, ClaimLink, FactCheck
    from factdesk.types.newsroom import AuditEvent

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
class Rejected:
    """A record a parser could not use, kept for the quarantine with where and why."""

    where: str
    reason: str
    raw: str = ""


@dataclass(slots=True)
class ParseResult(Generic[T]):
    """What a parser returns: the good records and the rejected ones, in input order, and
    ``notes``: the fields it dropped from records it kept, each with where and why (an
    import reports them so nothing disappears without a word)."""

    records: list[T] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


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
class ClaimPage:
    """What the newsroom's claim page always reads fresh: the claim, our own fact-check of
    it once someone started one, the evidence that fact-check cites, and the history of
    both (newest first)."""

    claim: Claim
    fact_check: FactCheck | None
    citations: tuple[Citation, ...]
    history: tuple[AuditEvent, ...]
    # the linking's near-duplicate of the claim (id, similarity), read with it so the page's
    # "already answered?" and "similar claims" need not read the claim again
    similar: tuple[int | None, float | None] = (None, None)


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
    #: Calibrated probability of each stance (they sum to 1); empty when the model gives none.
    probabilities: Mapping[str, float] = field(default_factory=dict)
