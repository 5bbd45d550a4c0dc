"""Publishing: the organisation, archived copies the public may read, what the partner API
shows of a claim, the ClaimReview check, webhooks and their deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from factdesk.types.content import Claim


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
    # the quotes public fact-checks cite from it: (citation id, start, end) in ``text``
    quotes: tuple[tuple[int, int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimTrend:
    """A claim as the partner API details it: the claim (with ``fact_check`` set to our
    public fact-check, if any) and its mentions per day, oldest first."""

    claim: Claim
    mentions_per_day: tuple[tuple[date, int], ...] = ()


@dataclass(frozen=True, slots=True)
class MarkupCheck:
    """The ClaimReview check of one public fact-check: what is wrong (nothing: valid) and
    the recommended properties it lacks."""

    fact_check_id: int
    status: str
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors


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


@dataclass(frozen=True, slots=True)
class PingResult:
    """A test event sent to a webhook now: the receiver's status and the start of its
    answer, or the error when no answer came (``ok`` only for a 2xx)."""

    webhook_id: int
    url: str
    message_id: str
    status: int | None
    answer: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300
