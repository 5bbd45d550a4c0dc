"""The pipeline as jobs: ingest → detect → link → match over batches of ids, and the sweep.

Each stage is idempotent, so a job run twice (its worker died after the work committed and
before the job was marked done) changes nothing the second time:

- **ingest** (source ids): one poll per source (``services.sources.poll``); items are
  de-duplicated by key, so a re-run stores nothing new. Follows: detect over the sources'
  undetected items stored since the job was created (a re-run finds the same ones).
- **detect** (item ids): the items still undetected; each batch's mentions, claims and the
  items' ``detected_at`` stamp are one transaction (``services.detect_batch.process_batch``), so an
  item is detected once. Follows: link over the items' claims still waiting for linking
  (match over them when the linking stage is off).
- **link** (claim ids): multilingual-e5 on the claims still unlinked
  (``services.detect.link_claims``); follows: match over those still live.
- **match** (claim ids): ``services.match.match_new_claims`` (it replaces a claim's rows).

Because the follow-ups are read back from the database, not remembered by the worker, a
re-run asks for the same next jobs. The :func:`sweep` (every minute, in every worker) is
the guarantee behind the doorbells: it re-queues jobs whose worker died, puts due sources on
ingest jobs, and — when no job of the kind is in flight — catches up items and claims that
no job covers (an item edited at its source, a claim left by a crash between stages).

Detection and linking keep a claim index in memory (:class:`Stages`, one per process):
loaded once, then brought up to date before each job with the mentions, links and merges
other workers wrote since (one indexed query each), so N processes grow one set of claims.
Mention ids are handed out when a row is inserted, not when its transaction commits, so on
PostgreSQL a batch can become visible after a later-numbered one; the ids skipped at one
refresh are looked for again at the next ones (:class:`_Gaps`) until they appear or are
old enough to be a rolled-back batch's.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.detect.cluster import ClaimIndex
from factdesk.detect.model import CheckWorthinessModel
from factdesk.detect.vectors import MentionVectoriser
from factdesk.errors import Conflict, InputError
from factdesk.services import claims, detect, detect_batch, jobtable, match, sources
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.types import Job, NextJob, StageResult, Sweep

log = logging.getLogger("factdesk.pipeline")
CONFLICT_RETRIES = 3
CLOCK_SLACK = timedelta(minutes=2)  # hosts' clocks differ: links are re-read this far back
GAP_WAIT = 15 * 60.0  # seconds a skipped mention id is looked for: longer than any batch's commit
MAX_GAPS = 50_000  # skipped ids remembered at most (a rolled-back import leaves many)
GAP_LOOKUP = 500  # ids per query when looking for them again
LOAD_LOOKBACK = 2_000  # ids below the mark checked at load (open batches of a few workers)


class _Gaps:
    """Mention ids at or below the mark that were not there when last looked: a transaction
    that had drawn them was still open (they will appear) or rolled back (they never will).
    Remembered for ``GAP_WAIT`` seconds, oldest dropped first beyond ``MAX_GAPS``."""

    def __init__(self) -> None:
        self._since: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self._since)

    def ids(self) -> list[int]:
        return sorted(self._since)

    def note(self, start: int, end: int, present: set[int], now: float) -> None:
        """Remember the ids in ``start..end`` (inclusive) not in ``present``; forget the
        present ones and the expired."""
        for found in present:
            self._since.pop(found, None)
        for missing in range(max(start, end - MAX_GAPS + 1), end + 1):  # the newest at most
            if missing not in present:
                self._since.setdefault(missing, now)
        expired = [i for i, t in self._since.items() if now - t > GAP_WAIT]
        for i in expired:
            del self._since[i]
        excess = len(self._since) - MAX_GAPS
        if excess > 0:
            for i in sorted(self._since, key=self._since.__getitem__)[:excess]:
                del self._since[i]


@dataclass
class _Detection:
    """One process's detection state: the model and the claim index, kept current."""

    model: CheckWorthinessModel
    vectoriser: MentionVectoriser
    dense: Any | None
    index: ClaimIndex
    mention_mark: int = 0  # the newest mention the index has seen
    link_mark: datetime = field(default_factory=lambda: datetime.now(UTC))  # links seen till
    linked: set[int] = field(default_factory=set)  # claims with dense exemplars here
    merged: set[int] = field(default_factory=set)  # merges already applied here
    # items this process detected since the last refresh: their mentions are in the index
    # already (the batch's assignment put them there), so the refresh does not encode them
    own_items: set[int] = field(default_factory=set)
    gaps: _Gaps = field(default_factory=_Gaps)  # skipped mention ids, looked for again


class Stages:
    """Runs jobs in one process. Detection and linking share the claim index, so they take
    turns (a lock); ingest and match run side by side in as many threads as the worker has."""

    def __init__(
        self,
        settings: Settings,
        factory: sessionmaker[Session],
        *,
        model: CheckWorthinessModel | None = None,
    ) -> None:
        self.settings = settings
        self.factory = factory
        self._model = model
        self._state: _Detection | None = None
        self._lock = threading.Lock()

    @property
    def linking(self) -> bool:
        """Whether the linking stage runs here (multilingual-e5 installed and enabled)."""
        if not self.settings.cluster_dense:
            return False
        with self._lock:
            return self._detection().dense is not None

    def warm(self) -> None:
        """Load the model and the claim index now, not in the first detect or link job (a
        worker's start-up; tests that start workers at one moment)."""
        with self._lock:
            self._detection()

    def run(self, job: Job) -> StageResult:
        """Do one claimed job's work; returns what it did and the jobs that follow."""
        if job.kind == "ingest":
            return self.ingest(job)
        if job.kind == "match":
            return self.match(job.ids)
        if job.kind in ("detect", "link"):
            with self._lock:
                state = self._detection()
                self._refresh(state)
                return (
                    self.detect(state, job.ids)
                    if job.kind == "detect"
                    else self.link(state, job.ids)
                )
        raise InputError(f"unknown job kind {job.kind!r}", where=f"job {job.id}")

    # --- the stages --------------------------------------------------------------------

    def ingest(self, job: Job) -> StageResult:
        added = 0
        for source_id in job.ids:
            outcome = sources.poll(self.settings, self.factory, source_id)
            added += outcome.added
            if outcome.error:
                log.info("source %s: %s %s", source_id, outcome.status, outcome.error)
        with self.factory() as session:
            fresh = session.scalars(
                select(m.Item.id).where(
                    m.Item.source_id.in_(job.ids),
                    m.Item.detected_at.is_(None),
                    # since the job was queued (on another host, perhaps: its clock may differ)
                    m.Item.ingested_at >= (job.created_at or datetime.now(UTC)) - CLOCK_SLACK,
                )
            ).all()
        return StageResult(len(job.ids), added, (NextJob("detect", tuple(fresh)),))

    def detect(self, state: _Detection, ids: tuple[int, ...]) -> StageResult:
        mentions, touched = 0, set[int]()
        for _ in range(CONFLICT_RETRIES):
            with self.factory() as session:
                batch = session.execute(
                    select(
                        m.Item.id,
                        m.Item.text,
                        m.Item.language,
                        m.Item.published_at,
                        m.Item.ingested_at,
                    )
                    .where(m.Item.id.in_(ids), m.Item.detected_at.is_(None))
                    .order_by(m.Item.id)
                ).all()
            if not batch:
                break
            try:
                _new, claim_ids, n_mentions, _n = detect_batch.process_batch(
                    self.factory, batch, state.model, state.vectoriser, state.index
                )
            except Conflict:  # a catch-up job took some of them: the rest are still ours
                self._state = state = self._load()
                continue
            mentions, touched = mentions + n_mentions, touched | claim_ids
            state.own_items.update(row.id for row in batch)
            break
        if touched:
            claims.check_resurgence(self.settings, self.factory, sorted(touched))
        with self.factory() as session:
            waiting = session.scalars(
                select(m.Mention.claim_id)
                .join(m.Claim, m.Claim.id == m.Mention.claim_id)
                .where(
                    m.Mention.item_id.in_(ids),
                    m.Claim.merged_into_id.is_(None),
                    m.Claim.linked_at.is_(None),
                )
                .distinct()
            ).all()
        kind = "link" if state.dense is not None else "match"
        follows = jobtable.follow(kind, [c for c in waiting if c is not None])
        return StageResult(len(ids), mentions, (follows,))

    def link(self, state: _Detection, ids: tuple[int, ...]) -> StageResult:
        merges = 0
        if state.dense is not None:
            report = detect.link_claims(self.factory, state.index, state.dense, ids=ids)
            merges = len(report.merges)
            state.merged |= report.merges.keys()
        with self.factory() as session:
            rows = session.execute(
                select(m.Claim.id, m.Claim.merged_into_id, m.Claim.linked_at).where(
                    m.Claim.id.in_(ids)
                )
            ).all()
        state.linked |= {r.id for r in rows if r.linked_at is not None and r.merged_into_id is None}
        live = [r.merged_into_id or r.id for r in rows]
        return StageResult(len(ids), merges, (jobtable.follow("match", live),))

    def match(self, ids: tuple[int, ...]) -> StageResult:
        with self.factory() as session:
            live = session.scalars(
                select(m.Claim.id).where(m.Claim.id.in_(ids), m.Claim.merged_into_id.is_(None))
            ).all()
        matched = match.match_new_claims(self.settings, self.factory, sorted(live))
        return StageResult(len(ids), matched)

    # --- the claim index -----------------------------------------------------------------

    def _detection(self) -> _Detection:
        if self._state is None:
            self._state = self._load()
        return self._state

    def _load(self) -> _Detection:
        model = self._model or detect.load_model(self.settings)
        self._model = model
        vectoriser = MentionVectoriser(model.embedder)
        dense = detect.dense_encoder(self.settings, model)
        with self.factory() as session:
            mark = int(session.scalar(select(func.max(m.Mention.id))) or 0)
            linked = set(session.scalars(select(m.Claim.id).where(m.Claim.linked_at.is_not(None))))
            merged = set(
                session.scalars(select(m.Claim.id).where(m.Claim.merged_into_id.is_not(None)))
            )
            index = detect.load_index(session, vectoriser, self.settings, dense)
            # batches still open at load: their ids below the mark are gaps to look for
            recent = set(
                session.scalars(select(m.Mention.id).where(m.Mention.id > mark - LOAD_LOOKBACK))
            )
        state = _Detection(model, vectoriser, dense, index, mark, linked=linked, merged=merged)
        state.gaps.note(max(1, mark - LOAD_LOOKBACK + 1), mark, recent, time.monotonic())
        return state

    def _refresh(self, state: _Detection) -> None:
        """Teach the index what other workers wrote since it last looked. The mentions this
        process wrote itself are skipped: encoding them again was a tenth of a detect job
        (and adding them would be harmless: an exemplar that close is not kept twice)."""
        looked = datetime.now(UTC)
        with self.factory() as session:
            rows = _fresh_mentions(session, state)
            merged = session.execute(
                select(m.Claim.id, m.Claim.merged_into_id).where(
                    m.Claim.merged_into_id.is_not(None)
                )
            ).all()
            fresh_links: list[Any] = []
            if state.dense is not None:
                fresh_links = [
                    r
                    for r in session.execute(
                        select(m.Claim.id, m.Claim.text, m.Claim.language).where(
                            m.Claim.linked_at >= state.link_mark - CLOCK_SLACK,
                            m.Claim.merged_into_id.is_(None),
                        )
                    ).all()
                    if r.id not in state.linked
                ]
        present = {r.id for r in rows}
        newest = max(present | {state.mention_mark})
        state.gaps.note(state.mention_mark + 1, newest, present, time.monotonic())
        state.mention_mark = newest
        if rows:
            by_claim: dict[int, list[Any]] = {}
            for row in rows:
                if row.claim_id is not None and row.item_id not in state.own_items:
                    by_claim.setdefault(row.claim_id, []).append(row)
            for claim_id, group in by_claim.items():
                vectors = state.vectoriser.encode([r.text for r in group])
                state.index.add(claim_id, vectors, [r.language for r in group])
        state.own_items.clear()  # committed before this refresh: all read above
        for source, target in merged:
            if source not in state.merged:
                state.index.absorb(source, target)
                state.merged.add(source)
        state.link_mark = looked
        if fresh_links and state.dense is not None:
            vectors = state.dense.encode(
                [r.text for r in fresh_links], [r.language for r in fresh_links]
            )
            for link, vector in zip(fresh_links, vectors, strict=True):
                state.index.add_dense(link.id, vector, link.language)
                state.linked.add(link.id)


def _fresh_mentions(session: Session, state: _Detection) -> list[Any]:
    """The mentions after the mark, and those of the remembered gaps that have appeared since
    (one indexed query, plus one per ``GAP_LOOKUP`` gaps), in id order."""
    columns = (
        m.Mention.id,
        m.Mention.item_id,
        m.Mention.claim_id,
        m.Mention.text,
        m.Mention.language,
    )
    rows = list(session.execute(select(*columns).where(m.Mention.id > state.mention_mark)).all())
    gaps = state.gaps.ids()
    for at in range(0, len(gaps), GAP_LOOKUP):
        chunk = gaps[at : at + GAP_LOOKUP]
        rows += session.execute(select(*columns).where(m.Mention.id.in_(chunk))).all()
    return sorted(rows, key=lambda r: r.id)


def run_job(stages: Stages, job: Job) -> tuple[Job | None, list[int]]:
    """Run a claimed job to its end: done (returns the follow-up job ids) or failed (returns
    the job as it now stands: queued for a retry, or dead). Never raises for the job's own
    failure; a lost claim (lease expired meanwhile) is logged and left to the new claim."""
    settings, factory = stages.settings, stages.factory
    try:
        result = stages.run(job)
    except Exception as exc:
        log.warning("job %s (%s) failed: %s", job.id, job.kind, exc)
        try:
            return jobtable.fail(settings, factory, job, f"{type(exc).__name__}: {exc}"), []
        except Conflict as lost:
            log.warning("%s", lost)
            return None, []
    try:
        return None, jobtable.finish(factory, job, result, batch=settings.pipeline_batch)
    except Conflict as lost:
        log.warning("%s", lost)
        return None, []


def sweep(
    settings: Settings, factory: sessionmaker[Session], *, linking: bool | Callable[[], bool]
) -> Sweep:
    """The scheduler's tick: stale claims back to the queue, due sources onto ingest jobs,
    catch-up jobs for work no job covers, and the list of due jobs to ring for.
    ``linking``: whether the linking stage is available here, or how to find out (asked only
    when claims wait and no job covers them: finding out loads the models)."""
    requeued = jobtable.requeue_stale(settings, factory)
    polls = sources.schedule_due(settings, factory)
    made = polls + _catch_up(settings, factory, linking)
    with factory() as session:
        due = jobtable.due_ids(session)
    return Sweep(requeued=requeued, polls=len(polls), made=made, due=due)


def _catch_up(
    settings: Settings, factory: sessionmaker[Session], linking: bool | Callable[[], bool]
) -> list[int]:
    batch = settings.pipeline_batch
    made: list[int] = []
    with transaction(factory) as session:
        busy = {k: jobtable.in_flight(session, k) for k in ("ingest", "detect", "link")}
        if not busy["ingest"] and not busy["detect"]:
            items = session.scalars(
                select(m.Item.id)
                .where(m.Item.detected_at.is_(None))
                .order_by(m.Item.id)
                .limit(batch * 20)
            ).all()
            made += jobtable.enqueue(session, "detect", items, batch=batch)
        if settings.cluster_dense and not busy["detect"] and not busy["link"]:
            waiting = session.scalars(
                select(m.Claim.id)
                .where(m.Claim.linked_at.is_(None), m.Claim.merged_into_id.is_(None))
                .order_by(m.Claim.id)
                .limit(batch * 20)
            ).all()
            if waiting and (linking() if callable(linking) else linking):
                made += jobtable.enqueue(session, "link", waiting, batch=batch)
    return made


def drain(stages: Stages, *, worker: str | None = None, max_jobs: int | None = None) -> int:
    """Run due jobs in this thread until none is due (``factdesk jobs run``; tests). Returns
    how many ran. Jobs waiting out a backoff are left for later."""
    ran = 0
    while max_jobs is None or ran < max_jobs:
        job = jobtable.claim_next(stages.factory, worker)
        if job is None:
            break
        run_job(stages, job)
        ran += 1
    return ran
