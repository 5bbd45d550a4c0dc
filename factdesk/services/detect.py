"""Claim detection as a service: items in the database → mentions, claims, ledger, alerts.

The shell around ``factdesk.detect``. ``detect`` takes the items not yet detected (in id
order), scores their sentences, groups the check-worthy ones into claims and writes each
batch in ONE transaction that also stamps the items' ``detected_at`` — so a crash loses at
most the batch in flight, a re-run picks up where it stopped, and running twice changes
nothing. The stamp is a conditional update (``WHERE detected_at IS NULL``): two concurrent
runs cannot both take an item.

Grouping has two stages (``detect.cluster``): every mention is assigned by the static
embedding as it arrives; then, per claim, multilingual-e5 *links* claims that are one claim
in two languages or wordings, and links are merged (audited, actor ``detect``). Linking costs
~25 ms a claim, a hundred times the static stage, so a run spends at most
``cluster_link_budget`` encodings per 100 sentences, on the most check-worthy and most repeated
claims first; the rest wait (``claims.linked_at`` empty) for a quiet run - one that finds no
new items links every claim that waits - or for ``detect(link_all=True)``
(``factdesk detect --link-all``).

After the batches: new claims are matched against earlier fact-checks (when the matching
stage is installed), and claims that got mentions are checked for resurgence.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.detect.cluster import ClaimIndex, Thresholds
from factdesk.detect.ledger import is_false_rating, resurgences
from factdesk.detect.mentions import ItemText, extract_mentions
from factdesk.detect.model import CheckWorthinessModel
from factdesk.detect.vectors import MentionVectoriser
from factdesk.errors import Conflict, NotFound, WorkflowError
from factdesk.services import audit
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import rowcount, transaction
from factdesk.types import Actor

Progress = Callable[[int], None]


CENTROID_SAMPLE = 20  # latest mentions per claim used to rebuild its centroid


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


def load_model(settings: Settings, **overrides: Any) -> CheckWorthinessModel:
    """The check-worthiness model the settings name (DETECT_MODEL_DIR, DETECT_THRESHOLD)."""
    from factdesk.detect.model import MODEL_DIR

    options: dict[str, Any] = {"threshold": settings.detect_threshold}
    options.update({k: v for k, v in overrides.items() if v is not None})
    return CheckWorthinessModel(settings.detect_model_dir or MODEL_DIR, **options)


def pending_count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).where(m.Item.detected_at.is_(None))) or 0)


def dense_encoder(settings: Settings, model: CheckWorthinessModel) -> Any | None:
    """multilingual-e5 behind the shared vector cache (per-language centred), when installed,
    enabled, and the model ships the centres."""
    if not settings.cluster_dense:
        return None
    from factdesk.detect.vectors import CenteredDense
    from factdesk.search.embed import default_embedder
    from factdesk.search.vectorcache import VectorCache

    if not model.dense_centers:
        return None
    root = getattr(settings, "vector_cache_dir", None) or settings.data_dir / "cache" / "vectors"
    inner = default_embedder(VectorCache(Path(root), 384))
    return None if inner is None else CenteredDense(inner, model.dense_centers)


def load_index(
    session: Session,
    vectoriser: MentionVectoriser,
    settings: Settings,
    dense: Any | None = None,
) -> ClaimIndex:
    """Rebuild the claim exemplars: static ones from the latest mentions of every live claim,
    dense ones from the wording of every linked claim (and of the claims linked into it).

    Recomputed rather than stored, so a retrained model never meets stale vectors; the static
    embedding makes this a few seconds for a hundred thousand mentions, and dense vectors come
    from the vector cache, where linking put them (same texts, same keys).
    """
    index = ClaimIndex(
        vectoriser.dim,
        Thresholds(
            settings.cluster_threshold,
            settings.cluster_dense_threshold,
            settings.cluster_cross_threshold,
        ),
        dense_dim=dense.dim if dense is not None else 0,
    )
    rows = session.execute(
        select(m.Mention.claim_id, m.Mention.text, m.Mention.language)
        .join(m.Claim, m.Claim.id == m.Mention.claim_id)
        .where(m.Claim.merged_into_id.is_(None))
        .order_by(m.Mention.claim_id, m.Mention.id.desc())
    ).all()
    texts: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    for claim_id, text, language in rows:
        if claim_id is not None and len(texts[claim_id]) < CENTROID_SAMPLE:
            texts[claim_id].append((text, language))
    for claim_id, pairs in texts.items():
        index.add(claim_id, vectoriser.encode([t for t, _ in pairs]), [lang for _, lang in pairs])
    if dense is not None:
        linked = session.execute(
            select(m.Claim.id, m.Claim.merged_into_id, m.Claim.text, m.Claim.language)
            .where(m.Claim.linked_at.is_not(None))
            .order_by(m.Claim.id)
        ).all()
        # a claim merged into another stands for it (merges repoint to the final target)
        chosen = [
            (merged_into or cid, text, lang)
            for cid, merged_into, text, lang in linked
            if (merged_into or cid) in texts
        ]
        if chosen:
            vectors = dense.encode([t for _, t, _ in chosen], [lang for _, _, lang in chosen])
            for (cid, _t, lang), v in zip(chosen, vectors, strict=True):
                index.add_dense(cid, v, lang)
    return index


# Claims waiting for the linking stage: live and never linked. Every claim, not only those
# above the model's F1 threshold: rewordings of one rumour often score on both sides of it
# (the sample's lemon-water posts score 0.29-0.58 against 0.59), and a claim left out can
# never be joined. The budget and the order (most check-worthy x most repeated) keep it cheap.
_PENDING = (m.Claim.linked_at.is_(None), m.Claim.merged_into_id.is_(None))


def waiting_count(factory: sessionmaker[Session]) -> int:
    """Claims the linking stage has not encoded yet."""
    with factory() as session:
        return int(session.scalar(select(func.count()).where(*_PENDING)) or 0)


@dataclass
class LinkReport:
    linked: int = 0
    merges: dict[int, int] = field(default_factory=dict)  # merged claim -> the claim it joined


def link_claims(
    factory: sessionmaker[Session],
    index: ClaimIndex,
    dense: Any,
    *,
    limit: int | None = None,
    chunk: int = 64,
    progress: Progress | None = None,
) -> LinkReport:
    """Encode up to ``limit`` waiting claims (all if ``None``), most check-worthy × most
    repeated first, and merge those the index links to an earlier claim.

    A claim an editor has started on (assigned, or past ``new``) is linked but never merged
    away: its exemplars stay its own, and an editor can still merge by hand.
    """
    report = LinkReport()
    while limit is None or report.linked < limit:
        size = chunk if limit is None else min(chunk, limit - report.linked)
        with factory() as session:
            rows = session.execute(
                select(
                    m.Claim.id, m.Claim.text, m.Claim.language, m.Claim.status, m.Claim.assignee_id
                )
                .where(*_PENDING)
                .order_by((m.Claim.score * m.Claim.mention_count).desc(), m.Claim.id)
                .limit(size)
            ).all()
        if not rows:
            break
        vectors = dense.encode([r.text for r in rows], [r.language for r in rows])
        links = index.link(
            [r.id for r in rows],
            vectors,
            [r.language for r in rows],
            movable=[r.status == "new" and r.assignee_id is None for r in rows],
        )
        for link in links:
            if not isinstance(link.target, int) or not isinstance(link.key, int):
                continue
            try:
                merge_claims(factory, link.target, [link.key], actor="detect")
            except (Conflict, NotFound):
                continue  # an editor merged one of them meanwhile: theirs is the last word
            report.merges[link.key] = link.target
        with transaction(factory) as session:
            session.execute(
                update(m.Claim)
                .where(m.Claim.id.in_([r.id for r in rows]))
                .values(linked_at=datetime.now(UTC))
                .execution_options(synchronize_session=False)
            )
            for link in links:  # close, not sure: shown to editors as possibly the same
                if link.target is None and link.nearest is not None:
                    session.execute(
                        update(m.Claim)
                        .where(m.Claim.id == link.key)
                        .values(similar_id=link.nearest, similar_score=round(link.similarity, 4))
                        .execution_options(synchronize_session=False)
                    )
        report.linked += len(rows)
        if progress is not None:
            progress(len(rows))
    return report


def detect(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    model: CheckWorthinessModel | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    match: bool = True,
    link_all: bool = False,
    link_progress: Progress | None = None,
) -> DetectReport:
    """Process every undetected item (or the first ``limit``); see the module docstring.
    ``link_all`` links every waiting claim at the end, whatever the budget."""
    started = time.perf_counter()
    model = model or load_model(settings)
    vectoriser = MentionVectoriser(model.embedder)
    dense = dense_encoder(settings, model)
    report = DetectReport()
    with factory() as session:
        index = load_index(session, vectoriser, settings, dense)
    budget = 0.0
    merges: dict[int, int] = {}
    touched: set[int] = set()
    created: set[int] = set()
    last_id = 0
    while limit is None or report.items < limit:
        size = (
            settings.detect_batch_items
            if limit is None
            else min(settings.detect_batch_items, limit - report.items)
        )
        with factory() as session:
            batch = session.execute(
                select(
                    m.Item.id, m.Item.text, m.Item.language, m.Item.published_at, m.Item.ingested_at
                )
                .where(m.Item.detected_at.is_(None), m.Item.id > last_id)
                .order_by(m.Item.id)
                .limit(size)
            ).all()
        if not batch:
            break
        last_id = batch[-1].id
        try:
            new_ids, claim_ids, n_mentions, n_sentences = _process_batch(
                factory, batch, model, vectoriser, index
            )
        except Conflict:
            report.skipped_batches += 1  # another run took these items first
            with factory() as session:
                index = load_index(session, vectoriser, settings, dense)
            continue
        report.items += len(batch)
        report.sentences += n_sentences
        report.mentions += n_mentions
        created |= new_ids
        touched |= claim_ids
        if dense is not None:
            budget += settings.cluster_link_budget * n_sentences / 100
            if budget >= 1:
                linked = link_claims(factory, index, dense, limit=int(budget))
                budget -= linked.linked
                report.linked_claims += linked.linked
                merges |= linked.merges
        if progress is not None:
            progress(len(batch))
    if dense is not None:
        if link_all or report.items == 0:  # nothing new: the quiet time goes to the backlog
            linked = link_claims(factory, index, dense, progress=link_progress)
            report.linked_claims += linked.linked
            merges |= linked.merges
        report.waiting_claims = waiting_count(factory)
    report.merged_claims = len(merges)
    created -= merges.keys()
    # links never chain: only a waiting claim moves, and only into a linked one
    touched = {merges.get(c, c) for c in touched}
    report.new_claims = len(created)
    report.updated_claims = len(touched - created)
    if match and created:
        report.matched_claims, note = match_new_claims(settings, factory, sorted(created))
        if note:
            report.notes.append(note)
    report.alerts = check_resurgence(settings, factory, sorted(touched))
    report.seconds = time.perf_counter() - started
    return report


def _process_batch(
    factory: sessionmaker[Session],
    batch: Sequence[Any],
    model: CheckWorthinessModel,
    vectoriser: MentionVectoriser,
    index: ClaimIndex,
) -> tuple[set[int], set[int], int, int]:
    from factdesk.detect.mentions import candidate_sentences

    items = [ItemText(row.text or "", row.language) for row in batch]
    spans = [candidate_sentences(item) for item in items]  # split once: counted and scored
    n_sentences = sum(len(s) for s in spans)
    found = extract_mentions(items, model, spans=spans)
    flat = [
        (row, mention) for row, mentions in zip(batch, found, strict=True) for mention in mentions
    ]
    assignments = index.assign(
        vectoriser.encode([mention.text for _row, mention in flat]),
        [mention.language for _row, mention in flat],
    )
    now = datetime.now(UTC)
    new_ids: set[int] = set()
    claim_ids: set[int] = set()
    with transaction(factory) as session:
        ids = [row.id for row in batch]
        stamped = rowcount(
            session.execute(
                update(m.Item)
                .where(m.Item.id.in_(ids), m.Item.detected_at.is_(None))
                .values(detected_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        if stamped != len(ids):
            raise Conflict(f"{len(ids) - stamped} item(s) of the batch were taken by another run")
        # One query for the known claims, one flush for the new ones (ids for all at once),
        # one multi-row insert for the mentions: per-row round trips were half the time.
        known = {a.key for a in assignments if isinstance(a.key, int)}
        claims: dict[Any, m.Claim] = {
            c.id: c for c in session.scalars(select(m.Claim).where(m.Claim.id.in_(known)))
        }
        fresh: list[Any] = []
        for (row, mention), assignment in zip(flat, assignments, strict=True):
            if assignment.key not in claims:
                seen_at = row.published_at or row.ingested_at
                claims[assignment.key] = m.Claim(
                    text=mention.text,
                    language=mention.language,
                    score=0.0,
                    mention_count=0,
                    first_seen_at=seen_at,
                    last_seen_at=seen_at,
                )
                fresh.append(assignment.key)
        session.add_all([claims[key] for key in fresh])
        session.flush()
        for key in fresh:
            index.rename(key, claims[key].id)
            new_ids.add(claims[key].id)
        rows: list[dict[str, Any]] = []
        for (row, mention), assignment in zip(flat, assignments, strict=True):
            seen_at = row.published_at or row.ingested_at
            claim = claims[assignment.key]
            claim.mention_count += 1
            claim.score = max(claim.score, mention.score)
            claim.first_seen_at = _min(claim.first_seen_at, seen_at)
            claim.last_seen_at = _max(claim.last_seen_at, seen_at)
            claim_ids.add(claim.id)
            rows.append(
                {
                    "item_id": row.id,
                    "claim_id": claim.id,
                    "text": mention.text,
                    "start": mention.start,
                    "end": mention.end,
                    "score": mention.score,
                    "language": mention.language,
                    "signals": list(mention.signals),
                    "seen_at": seen_at,
                }
            )
        if rows:
            session.execute(insert(m.Mention), rows)
    return new_ids, claim_ids, len(flat), n_sentences


def _min(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b < a else a


def _max(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


# --- fact-check links -------------------------------------------------------------------


def match_new_claims(
    settings: Settings, factory: sessionmaker[Session], claim_ids: Sequence[int]
) -> tuple[int, str]:
    """Match each new claim against earlier fact-checks through the matching stage
    (``factdesk.services.match.match_claim``), which records ``auto`` links and ``suggest``
    suggestions in ``claim_matches``. Returns (claims with a match, note for the user)."""
    import importlib

    try:
        matching = importlib.import_module("factdesk.services.match")
    except ImportError:
        return 0, "claim matching is not installed: new claims were not matched"
    match_claim = getattr(matching, "match_claim", None)
    if match_claim is None:
        return 0, "claim matching has no match_claim(): new claims were not matched"
    with factory() as session:
        if not session.scalar(select(func.count()).select_from(m.FactCheck)):
            return 0, ""
    matched = 0
    for claim_id in claim_ids:
        with transaction(factory) as session:
            if match_claim(settings, session, claim_id):
                matched += 1
    return matched, ""


def false_fact_checks(session: Session, claim_id: int) -> list[m.FactCheck]:
    """The fact-checks linked to a claim that rate it false (rule: ``detect.ledger``).

    Linked = the fact-check's own ``claim_id``, or an ``auto`` match of the matching stage.
    """
    linked = set(session.scalars(select(m.FactCheck.id).where(m.FactCheck.claim_id == claim_id)))
    match_model = getattr(m, "ClaimMatch", None)
    if match_model is not None:
        linked |= set(
            session.scalars(
                select(match_model.fact_check_id).where(
                    match_model.claim_id == claim_id, match_model.band == "auto"
                )
            )
        )
    if not linked:
        return []
    checks = session.scalars(select(m.FactCheck).where(m.FactCheck.id.in_(linked))).all()
    return [
        fc
        for fc in checks
        if is_false_rating(fc.rating_label, fc.rating_value, fc.rating_best, fc.rating_worst)
    ]


# --- resurgence ---------------------------------------------------------------------------


def check_resurgence(
    settings: Settings, factory: sessionmaker[Session], claim_ids: Sequence[int]
) -> int:
    """Raise a resurgence alert for every comeback of a false claim not yet alerted.

    Runs over each claim's whole mention history, so an imported export raises the alerts
    its dates imply; the (claim, kind, key) uniqueness makes re-runs raise nothing new.
    """
    raised = 0
    for claim_id in claim_ids:
        with transaction(factory) as session:
            claim = session.get(m.Claim, claim_id)
            if claim is None or claim.merged_into_id is not None:
                continue
            checks = false_fact_checks(session, claim_id)
            if not checks:
                continue
            dates = [fc.date_published for fc in checks if fc.date_published is not None]
            rated_at = min(dates) if dates else None
            times = list(
                session.scalars(select(m.Mention.seen_at).where(m.Mention.claim_id == claim_id))
            )
            episodes = resurgences(
                times,
                quiet=timedelta(days=settings.resurgence_quiet_days),
                window=timedelta(days=settings.resurgence_window_days),
                min_mentions=settings.resurgence_min_mentions,
                rated_at=rated_at,
            )
            known = set(
                session.scalars(
                    select(m.Alert.key).where(
                        m.Alert.claim_id == claim_id, m.Alert.kind == "resurgence"
                    )
                )
            )
            for episode in episodes:
                if episode.key in known:
                    continue
                fc = checks[0]
                details = {
                    "started_at": episode.started_at.isoformat(),
                    "previous_mention_at": episode.previous_at.isoformat(),
                    "quiet_days": round(episode.quiet_days, 1),
                    "mentions_in_window": episode.mentions_in_window,
                    "window_days": settings.resurgence_window_days,
                    "fact_check_id": fc.id,
                    "fact_check_url": fc.url,
                    "rating": fc.rating_label,
                }
                message = (
                    f"Claim rated {fc.rating_label!r} is back after {episode.quiet_days:.0f} quiet "
                    f"days: {episode.mentions_in_window} mentions from "
                    f"{episode.started_at.date().isoformat()}"
                )
                session.add(
                    m.Alert(
                        claim_id=claim_id,
                        kind="resurgence",
                        key=episode.key,
                        message=message,
                        details=details,
                    )
                )
                session.flush()
                _announce(session, settings, claim_id, details)
                raised += 1
    return raised


def _announce(session: Session, settings: Settings, claim_id: int, details: dict[str, Any]) -> None:
    """Send the alert to subscribed webhooks, in the same transaction (the outbox)."""
    try:
        from factdesk.services.publish import on_resurgence
    except ImportError:
        return
    on_resurgence(session, claim_id, details, settings=settings)


# --- reading and editing claims (CLI, web) -------------------------------------------------


def _sources_per_claim(session: Session, claim_ids: Sequence[int]) -> dict[int, int]:
    if not claim_ids:
        return {}
    rows = session.execute(
        select(
            m.Mention.claim_id,
            func.count(func.distinct(func.coalesce(m.Item.source_id, -m.Item.id))),
        )
        .join(m.Item, m.Item.id == m.Mention.item_id)
        .where(m.Mention.claim_id.in_(claim_ids))
        .group_by(m.Mention.claim_id)
    ).all()
    return {int(c): int(n) for c, n in rows if c is not None}


def _languages_per_claim(session: Session, claim_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if not claim_ids:
        return out
    for claim_id, language in session.execute(
        select(m.Mention.claim_id, m.Mention.language)
        .where(m.Mention.claim_id.in_(claim_ids))
        .distinct()
    ):
        if claim_id is not None and language and language not in out[claim_id]:
            out[claim_id].append(language)
    return out


def claim_links(session: Session, claim_id: int) -> list[dict[str, Any]]:
    """Fact-checks linked to or suggested for a claim (own link, or the matching stage's)."""
    out: dict[int, dict[str, Any]] = {}
    match_model = getattr(m, "ClaimMatch", None)
    if match_model is not None:
        for row in session.execute(
            select(match_model, m.FactCheck)
            .join(m.FactCheck, m.FactCheck.id == match_model.fact_check_id)
            .where(match_model.claim_id == claim_id)
        ).all():
            match, fc = row
            out[fc.id] = _fc_dict(fc) | {
                "band": getattr(match, "band", None),
                "match_score": getattr(match, "score", None),
            }
    for fc in session.scalars(select(m.FactCheck).where(m.FactCheck.claim_id == claim_id)):
        out.setdefault(fc.id, _fc_dict(fc) | {"band": "linked", "match_score": None})
    order = {"linked": 0, "auto": 1, "suggest": 2}
    return sorted(
        out.values(),
        key=lambda d: (order.get(str(d["band"]), 3), -float(d["match_score"] or 0.0)),
    )


def _fc_dict(fc: m.FactCheck) -> dict[str, Any]:
    return {
        "fact_check_id": fc.id,
        "claim_reviewed": fc.claim_reviewed,
        "rating": fc.rating_label,
        "rated_false": is_false_rating(
            fc.rating_label, fc.rating_value, fc.rating_best, fc.rating_worst
        ),
        "publisher": fc.publisher,
        "url": fc.url,
        "language": fc.language,
        "date_published": fc.date_published,
    }


def list_claims(
    factory: sessionmaker[Session],
    *,
    limit: int = 50,
    language: str | None = None,
    status: str | None = None,
    min_score: float = 0.0,
) -> list[dict[str, Any]]:
    """Live claims ranked by worthiness x spread (``detect.ledger.spread_rank``)."""
    from factdesk.detect.ledger import spread_rank

    with factory() as session:
        query = select(m.Claim).where(m.Claim.merged_into_id.is_(None), m.Claim.score >= min_score)
        if status:
            query = query.where(m.Claim.status == status)
        claims = session.scalars(query).all()
        ids = [c.id for c in claims]
        sources = _sources_per_claim(session, ids)
        languages = _languages_per_claim(session, ids)
        if language:
            claims = [c for c in claims if language in languages.get(c.id, [])]
        alerts = set(
            session.scalars(select(m.Alert.claim_id).where(m.Alert.acknowledged_at.is_(None)))
        )
        rows: list[dict[str, Any]] = []
        for c in claims:
            links = claim_links(session, c.id)
            rows.append(
                {
                    "id": c.id,
                    "rank": round(spread_rank(c.score, c.mention_count, sources.get(c.id, 1)), 4),
                    "score": round(c.score, 4),
                    "mentions": c.mention_count,
                    "sources": sources.get(c.id, 0),
                    "languages": ",".join(languages.get(c.id, [])),
                    "text": c.text,
                    "status": c.status,
                    "first_seen_at": c.first_seen_at,
                    "last_seen_at": c.last_seen_at,
                    "fact_check": links[0]["url"] if links else None,
                    "fact_check_rating": links[0]["rating"] if links else None,
                    "fact_check_band": links[0]["band"] if links else None,
                    "alert": c.id in alerts,
                }
            )
    rows.sort(key=lambda r: (-float(r["rank"]), -int(r["mentions"]), int(r["id"])))
    return rows[:limit]


def similar_claims(session: Session, claim_id: int) -> list[dict[str, Any]]:
    """Live claims that linking found close to this one but not close enough to merge: the
    one it found for this claim, and those that found this claim (merged ones resolved to the
    claim they joined). Most similar first."""
    claim = session.get(m.Claim, claim_id)
    if claim is None:
        return []
    found: dict[int, float] = {}
    if claim.similar_id is not None and claim.similar_score is not None:
        found[claim.similar_id] = claim.similar_score
    for other_id, score in session.execute(
        select(m.Claim.id, m.Claim.similar_score).where(m.Claim.similar_id == claim_id)
    ):
        found[other_id] = max(found.get(other_id, -1.0), float(score or 0.0))
    out: dict[int, dict[str, Any]] = {}
    for other_id, score in found.items():
        other = session.get(m.Claim, other_id)
        if other is not None and other.merged_into_id is not None:
            # merges repoint what was merged before, so one hop reaches the live claim
            other = session.get(m.Claim, other.merged_into_id)
        if other is None or other.id == claim_id or other.merged_into_id is not None:
            continue
        if other.id not in out or out[other.id]["similarity"] < score:
            out[other.id] = {
                "id": other.id,
                "text": other.text,
                "language": other.language,
                "mention_count": other.mention_count,
                "status": other.status,
                "similarity": round(score, 3),
            }
    return sorted(out.values(), key=lambda r: -r["similarity"])


def show_claim(factory: sessionmaker[Session], claim_id: int) -> dict[str, Any]:
    """A claim with its mentions (ledger), daily counts, fact-check links and alerts."""
    from factdesk.detect.ledger import daily_counts
    from factdesk.detect.signals import describe, find_signals
    from factdesk.errors import NotFound

    with factory() as session:
        claim = session.get(m.Claim, claim_id)
        if claim is None:
            raise NotFound(f"no claim {claim_id}", where="claim")
        rows = session.execute(
            select(m.Mention, m.Item.url, m.Item.source_id, m.Source.name)
            .join(m.Item, m.Item.id == m.Mention.item_id)
            .outerjoin(m.Source, m.Source.id == m.Item.source_id)
            .where(m.Mention.claim_id == claim_id)
            .order_by(m.Mention.seen_at, m.Mention.id)
        ).all()
        mentions: list[dict[str, Any]] = [
            {
                "mention_id": mention.id,
                "item_id": mention.item_id,
                "seen_at": mention.seen_at,
                "language": mention.language,
                "score": mention.score,
                "signals": list(mention.signals or []),
                "why": describe(find_signals(mention.text), mention.language),
                "text": mention.text,
                "url": url,
                "source": source_name or (f"source {source_id}" if source_id else None),
            }
            for mention, url, source_id, source_name in rows
        ]
        alerts = [
            {
                "id": a.id,
                "kind": a.kind,
                "message": a.message,
                "created_at": a.created_at,
                "acknowledged_at": a.acknowledged_at,
                "details": a.details,
            }
            for a in session.scalars(select(m.Alert).where(m.Alert.claim_id == claim_id))
        ]
        return {
            "id": claim.id,
            "text": claim.text,
            "language": claim.language,
            "score": claim.score,
            "status": claim.status,
            "merged_into_id": claim.merged_into_id,
            "linked_at": claim.linked_at,  # None: waiting for the linking stage
            "mention_count": claim.mention_count,
            "first_seen_at": claim.first_seen_at,
            "last_seen_at": claim.last_seen_at,
            "why": describe(find_signals(claim.text), claim.language),
            "daily_counts": {
                d.isoformat(): n
                for d, n in daily_counts(mention.seen_at for mention, *_ in rows).items()
            },
            "fact_checks": claim_links(session, claim_id),
            "similar": similar_claims(session, claim_id),
            "alerts": alerts,
            "mentions": mentions,
        }


def _recount(session: Session, claim: m.Claim) -> None:
    stats = session.execute(
        select(
            func.count(),
            func.max(m.Mention.score),
            func.min(m.Mention.seen_at),
            func.max(m.Mention.seen_at),
        ).where(m.Mention.claim_id == claim.id)
    ).one()
    claim.mention_count = int(stats[0] or 0)
    claim.score = float(stats[1] or 0.0)
    claim.first_seen_at, claim.last_seen_at = stats[2], stats[3]


def merge_claims(
    factory: sessionmaker[Session],
    target_id: int,
    source_ids: Sequence[int],
    *,
    actor: Actor | str = "cli",
) -> dict[str, Any]:
    """Move every mention of ``source_ids`` to ``target_id``; the sources point to the target
    (``merged_into_id``) so old links still resolve. Audited; refuses merged claims, and
    claims with a fact-check of their own (they may only be merged into)."""
    from factdesk.errors import InputError, NotFound

    sources = [s for s in dict.fromkeys(source_ids) if s != target_id]
    if not sources:
        raise InputError("name at least one claim to merge into the target", where="claims merge")
    with transaction(factory) as session:
        target = session.get(m.Claim, target_id)
        if target is None:
            raise NotFound(f"no claim {target_id}", where="claims merge")
        if target.merged_into_id is not None:
            raise Conflict(f"claim {target_id} was itself merged into {target.merged_into_id}")
        for source_id in sources:
            source = session.get(m.Claim, source_id)
            if source is None:
                raise NotFound(f"no claim {source_id}", where="claims merge")
            if source.status not in ("new", "merged"):
                # Its fact-check (in progress or published) belongs to it; merging it away
                # would orphan that work. The other claim can be merged into it instead.
                raise WorkflowError(
                    f"claim {source_id} has a fact-check ({source.status}): merge the other "
                    f"claim into it instead"
                )
            moved = list(
                session.scalars(select(m.Mention.id).where(m.Mention.claim_id == source_id))
            )
            # Conditional: only a claim that is not merged yet can be merged (concurrent editors).
            changed = rowcount(
                session.execute(
                    update(m.Claim)
                    .where(m.Claim.id == source_id, m.Claim.merged_into_id.is_(None))
                    .values(merged_into_id=target_id, status="merged", mention_count=0)
                    .execution_options(synchronize_session=False)
                )
            )
            if changed != 1:
                raise Conflict(f"claim {source_id} is already merged")
            session.execute(
                update(m.Mention)
                .where(m.Mention.claim_id == source_id)
                .values(claim_id=target_id)
                .execution_options(synchronize_session=False)
            )
            session.execute(
                update(m.Claim)
                .where(m.Claim.merged_into_id == source_id)
                .values(merged_into_id=target_id)
                .execution_options(synchronize_session=False)
            )
            audit.record(
                session,
                actor,
                "claim.merge",
                "claim",
                source_id,
                {"merged_into_id": None, "mention_ids": moved},
                {"merged_into_id": target_id},
            )
        session.flush()
        session.refresh(target)
        before = {"mention_count": target.mention_count}
        _recount(session, target)
        audit.record(
            session,
            actor,
            "claim.merge",
            "claim",
            target_id,
            before | {"absorbed": []},
            {"mention_count": target.mention_count, "absorbed": sources},
        )
        return {"target": target_id, "merged": sources, "mentions": target.mention_count}


def split_claim(
    factory: sessionmaker[Session], claim_id: int, mention_ids: Sequence[int], *, actor: str = "cli"
) -> dict[str, Any]:
    """Move the named mentions of a claim into a new claim (worded as its first mention)."""
    from factdesk.errors import InputError, NotFound

    wanted = list(dict.fromkeys(mention_ids))
    with transaction(factory) as session:
        claim = session.get(m.Claim, claim_id)
        if claim is None:
            raise NotFound(f"no claim {claim_id}", where="claims split")
        mentions = session.scalars(
            select(m.Mention).where(m.Mention.id.in_(wanted)).order_by(m.Mention.seen_at)
        ).all()
        foreign = sorted(set(wanted) - {x.id for x in mentions if x.claim_id == claim_id})
        if foreign:
            raise InputError(
                f"mention(s) {foreign} are not mentions of claim {claim_id}", where="claims split"
            )
        total = session.scalar(select(func.count()).where(m.Mention.claim_id == claim_id))
        if not wanted or len(wanted) >= int(total or 0):
            raise InputError(
                "a split must leave at least one mention on each side", where="claims split"
            )
        first = mentions[0]
        new = m.Claim(
            text=first.text, language=first.language, score=0.0, mention_count=0, status="new"
        )
        session.add(new)
        session.flush()
        session.execute(
            update(m.Mention)
            .where(m.Mention.id.in_(wanted))
            .values(claim_id=new.id)
            .execution_options(synchronize_session=False)
        )
        session.flush()
        session.refresh(claim)
        _recount(session, claim)
        _recount(session, new)
        audit.record(
            session,
            actor,
            "claim.split",
            "claim",
            claim_id,
            {"mention_ids": wanted},
            {"new_claim_id": new.id},
        )
        audit.record(
            session,
            actor,
            "claim.split",
            "claim",
            new.id,
            {"split_from": claim_id},
            {"mention_ids": wanted},
        )
        return {"claim": claim_id, "new_claim": new.id, "moved": len(wanted)}


def list_alerts(
    factory: sessionmaker[Session], *, include_acknowledged: bool = False, limit: int = 100
) -> list[dict[str, Any]]:
    with factory() as session:
        query = select(m.Alert, m.Claim.text).join(m.Claim, m.Claim.id == m.Alert.claim_id)
        if not include_acknowledged:
            query = query.where(m.Alert.acknowledged_at.is_(None))
        rows = session.execute(query.order_by(m.Alert.id.desc()).limit(limit)).all()
        return [
            {
                "id": a.id,
                "claim_id": a.claim_id,
                "kind": a.kind,
                "message": a.message,
                "claim": text,
                "created_at": a.created_at,
                "acknowledged_at": a.acknowledged_at,
                **{
                    k: a.details.get(k)
                    for k in ("started_at", "quiet_days", "mentions_in_window", "fact_check_url")
                },
            }
            for a, text in rows
        ]


def acknowledge_alert(factory: sessionmaker[Session], alert_id: int, *, actor: str = "cli") -> None:
    from factdesk.errors import NotFound

    with transaction(factory) as session:
        changed = rowcount(
            session.execute(
                update(m.Alert)
                .where(m.Alert.id == alert_id, m.Alert.acknowledged_at.is_(None))
                .values(acknowledged_at=datetime.now(UTC))
                .execution_options(synchronize_session=False)
            )
        )
        if changed != 1:
            if session.get(m.Alert, alert_id) is None:
                raise NotFound(f"no alert {alert_id}", where="alerts ack")
            raise Conflict(f"alert {alert_id} is already acknowledged")
        audit.record(session, actor, "alert.acknowledge", "alert", alert_id)
