"""Records of the pipeline's job table and of source polling."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

JOB_KINDS = ("ingest", "detect", "link", "match")  # in pipeline order
JOB_STATUSES = ("queued", "running", "done", "dead")


@dataclass(frozen=True, slots=True)
class Job:
    """One stage over a batch of ids: ``ingest`` (source ids), ``detect`` (item ids),
    ``link`` and ``match`` (claim ids)."""

    id: int
    kind: str
    ids: tuple[int, ...]
    status: str
    attempts: int
    run_after: datetime
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    finished_at: datetime | None = None
    wait_seconds: float | None = None
    run_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class NextJob:
    """A job a finished stage asks for (written in the same transaction that marks it done)."""

    kind: str
    ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StageResult:
    """What one stage did, and the jobs that follow from it."""

    done: int = 0  # ids handled (sources fetched, items detected, claims linked or matched)
    made: int = 0  # what it produced (items stored, mentions, merges, matches)
    next: tuple[NextJob, ...] = ()


@dataclass(frozen=True, slots=True)
class Sweep:
    """What one scheduler tick did."""

    requeued: int = 0  # stale claims given back to the queue
    polls: int = 0  # sources due, put on ingest jobs
    made: list[int] = field(default_factory=list)  # jobs this tick queued (polls, catch-ups)
    due: list[int] = field(default_factory=list)  # queued jobs whose time has come


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """One fetch of a source by the scheduler."""

    source_id: int
    status: str  # ok | not_modified | error | paused
    added: int = 0
    error: str | None = None
    next_fetch_at: datetime | None = None
