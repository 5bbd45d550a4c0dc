"""Claims as the desk reads and edits them: the ranking, one claim in full, the fact-checks
tied to a claim, merging and splitting, resurgence alerts.

Detection (``services.detect``) creates claims and mentions from items; everything a person
(or the linking stage, as actor ``detect``) does with claims afterwards is here, apart from
the pipeline, so the pipeline reads top-down and each side stays small. Every edit is
audited through ``services.audit`` in the edit's own transaction; resurgence alerts are
announced to webhooks (``services.publish.on_resurgence``) in the transaction that raises
them (the outbox).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.detect.ledger import daily_counts, is_false_rating, resurgences, spread_rank
from factdesk.detect.signals import describe, find_signals
from factdesk.errors import Conflict, InputError, NotFound, WorkflowError
from factdesk.services import audit
from factdesk.services.publish import on_resurgence
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import rowcount, transaction
from factdesk.store.reads.common import as_alert, as_claim, as_fact_check, as_mention
from factdesk.types import (
    Actor,
    Alert,
    ClaimDetail,
    ClaimLink,
    FactCheck,
    MergeResult,
    RankedClaim,
    SimilarClaim,
    SplitResult,
)
from factdesk.workflow import State

MERGED = "merged"  # a claim's status once merged into another (not a fact-check state)


# --- fact-checks tied to a claim ------------------------------------------------------------


def claim_links(session: Session, claim_id: int) -> list[ClaimLink]:
    """Fact-checks linked to or suggested for a claim (own link, or the matching stage's):
    its own first, then ``auto``, then ``suggest``, best score first."""
    out: dict[int, ClaimLink] = {}
    for match, fc in session.execute(
        select(m.ClaimMatch, m.FactCheck)
        .join(m.FactCheck, m.FactCheck.id == m.ClaimMatch.fact_check_id)
        .where(m.ClaimMatch.claim_id == claim_id)
    ).all():
        out[fc.id] = _link(fc, match.band, match.score)
    for fc in session.scalars(select(m.FactCheck).where(m.FactCheck.claim_id == claim_id)):
        out.setdefault(fc.id, _link(fc, "linked", None))
    order = {"linked": 0, "auto": 1, "suggest": 2}
    return sorted(out.values(), key=lambda link: (order.get(link.band, 3), -(link.score or 0.0)))


def _link(fc: m.FactCheck, band: str, score: float | None) -> ClaimLink:
    rated_false = is_false_rating(fc.rating_label, fc.rating_value, fc.rating_best, fc.rating_worst)
    return ClaimLink(as_fact_check(fc), band, score, rated_false)


def false_fact_checks(session: Session, claim_id: int) -> list[FactCheck]:
    """The fact-checks linked to a claim that rate it false (rule: ``detect.ledger``).

    Linked = the fact-check's own ``claim_id``, or an ``auto`` match of the matching stage.
    """
    linked = set(session.scalars(select(m.FactCheck.id).where(m.FactCheck.claim_id == claim_id)))
    linked |= set(
        session.scalars(
            select(m.ClaimMatch.fact_check_id).where(
                m.ClaimMatch.claim_id == claim_id, m.ClaimMatch.band == "auto"
            )
        )
    )
    if not linked:
        return []
    checks = session.scalars(select(m.FactCheck).where(m.FactCheck.id.in_(linked))).all()
    return [
        as_fact_check(fc)
        for fc in checks
        if is_false_rating(fc.rating_label, fc.rating_value, fc.rating_best, fc.rating_worst)
    ]


# --- resurgence -----------------------------------------------------------------------------


def _with_fact_checks(factory: sessionmaker[Session], claim_ids: Sequence[int]) -> list[int]:
    """The claims among ``claim_ids`` that any fact-check is linked to (the only ones that can
    resurge), in two queries: a detect batch touches hundreds of claims, and three queries
    each were most of a batch's round trips on PostgreSQL."""
    ids = sorted(set(claim_ids))
    if not ids:
        return []
    with factory() as session:
        linked = set(
            session.scalars(select(m.FactCheck.claim_id).where(m.FactCheck.claim_id.in_(ids)))
        )
        linked |= set(
            session.scalars(
                select(m.ClaimMatch.claim_id).where(
                    m.ClaimMatch.claim_id.in_(ids), m.ClaimMatch.band == "auto"
                )
            )
        )
    return [i for i in ids if i in linked]


def check_resurgence(
    settings: Settings, factory: sessionmaker[Session], claim_ids: Sequence[int]
) -> int:
    """Raise a resurgence alert for every comeback of a false claim not yet alerted, and
    announce it to subscribed webhooks in the same transaction (the outbox).

    Runs over each claim's whole mention history, so an imported export raises the alerts
    its dates imply; the (claim, kind, key) uniqueness makes re-runs raise nothing new.
    """
    raised = 0
    for claim_id in _with_fact_checks(factory, claim_ids):
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
                    "rating": fc.rating.label,
                }
                message = (
                    f"Claim rated {fc.rating.label!r} is back after {episode.quiet_days:.0f} "
                    f"quiet days: {episode.mentions_in_window} mentions from "
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
                on_resurgence(session, claim_id, details, settings=settings)
                raised += 1
    return raised


# --- reading claims -------------------------------------------------------------------------


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


def list_claims(
    factory: sessionmaker[Session],
    *,
    limit: int = 50,
    language: str | None = None,
    status: str | None = None,
    min_score: float = 0.0,
) -> list[RankedClaim]:
    """Live claims ranked by worthiness x spread (``detect.ledger.spread_rank``, rounded to
    4 places), then by mentions, then by id; each with its best fact-check link."""
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
        ranked = [
            RankedClaim(
                claim=as_claim(c),
                rank=round(spread_rank(c.score, c.mention_count, sources.get(c.id, 1)), 4),
                sources=sources.get(c.id, 0),
                languages=tuple(languages.get(c.id, [])),
                link=next(iter(claim_links(session, c.id)), None),
                alert=c.id in alerts,
            )
            for c in claims
        ]
    ranked.sort(key=lambda r: (-r.rank, -r.claim.mention_count, r.claim.id or 0))
    return ranked[:limit]


# Built once: the claim page reads it at every click.
_SIMILAR_TO = select(m.Claim.id, m.Claim.similar_score).where(
    m.Claim.similar_id == bindparam("claim")
)


def similar_claims(
    session: Session, claim_id: int, known: tuple[int | None, float | None] | None = None
) -> list[SimilarClaim]:
    """Live claims that linking found close to this one but not close enough to merge: the
    one it found for this claim, and those that found this claim (merged ones resolved to the
    claim they joined). Most similar first, similarity rounded to 3 places. ``known``: the
    claim's own ``(similar_id, similar_score)`` when the caller has read it (the claim page)."""
    if known is None:
        claim = session.get(m.Claim, claim_id)
        if claim is None:
            return []
        known = (claim.similar_id, claim.similar_score)
    found: dict[int, float] = {}
    similar_id, similar_score = known
    if similar_id is not None and similar_score is not None:
        found[similar_id] = similar_score
    for other_id, score in session.execute(_SIMILAR_TO, {"claim": claim_id}):
        found[other_id] = max(found.get(other_id, -1.0), float(score or 0.0))
    out: dict[int, SimilarClaim] = {}
    for other_id, score in found.items():
        other = session.get(m.Claim, other_id)
        if other is not None and other.merged_into_id is not None:
            # merges repoint what was merged before, so one hop reaches the live claim
            other = session.get(m.Claim, other.merged_into_id)
        if other is None or other.id == claim_id or other.merged_into_id is not None:
            continue
        if other.id not in out or out[other.id].similarity < score:
            out[other.id] = SimilarClaim(as_claim(other), round(score, 3))
    return sorted(out.values(), key=lambda s: -s.similarity)


def show_claim(factory: sessionmaker[Session], claim_id: int) -> ClaimDetail:
    """A claim with its mentions (ledger, oldest first, each with why it was flagged and
    its source), daily counts, fact-check links, close claims and alerts."""
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
        mentions = tuple(
            as_mention(
                mention,
                url=url,
                source=source_name or (f"source {source_id}" if source_id else None),
                why=describe(find_signals(mention.text), mention.language),
            )
            for mention, url, source_id, source_name in rows
        )
        alerts = tuple(
            as_alert(a)
            for a in session.scalars(select(m.Alert).where(m.Alert.claim_id == claim_id))
        )
        return ClaimDetail(
            claim=as_claim(claim),
            why=describe(find_signals(claim.text), claim.language),
            daily_counts=daily_counts(mention.seen_at for mention, *_ in rows),
            links=tuple(claim_links(session, claim_id)),
            similar=tuple(similar_claims(session, claim_id)),
            alerts=alerts,
            mentions=mentions,
        )


# --- editing claims -------------------------------------------------------------------------


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
) -> MergeResult:
    """Move every mention of ``source_ids`` to ``target_id``; the sources point to the target
    (``merged_into_id``) so old links still resolve. Audited; refuses merged claims, and
    claims with a fact-check of their own (they may only be merged into)."""
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
            if source.status not in (State.NEW.value, MERGED):
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
                    .values(merged_into_id=target_id, status=MERGED, mention_count=0)
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
        return MergeResult(target_id, tuple(sources), target.mention_count)


def split_claim(
    factory: sessionmaker[Session],
    claim_id: int,
    mention_ids: Sequence[int],
    *,
    actor: Actor | str = "cli",
) -> SplitResult:
    """Move the named mentions of a claim into a new claim (worded as its first mention)."""
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
            text=first.text,
            language=first.language,
            score=0.0,
            mention_count=0,
            status=State.NEW.value,
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
        return SplitResult(claim_id, new.id, len(wanted))


# --- alerts ---------------------------------------------------------------------------------


def list_alerts(
    factory: sessionmaker[Session], *, include_acknowledged: bool = False, limit: int = 100
) -> list[Alert]:
    """Alerts newest first, each with its claim's text; open ones only unless asked."""
    with factory() as session:
        query = select(m.Alert, m.Claim.text).join(m.Claim, m.Claim.id == m.Alert.claim_id)
        if not include_acknowledged:
            query = query.where(m.Alert.acknowledged_at.is_(None))
        rows = session.execute(query.order_by(m.Alert.id.desc()).limit(limit)).all()
        return [as_alert(a, text) for a, text in rows]


def acknowledge_alert(
    factory: sessionmaker[Session], alert_id: int, *, actor: Actor | str = "cli"
) -> None:
    """Mark an open alert as seen (audited); Conflict when it already was."""
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
