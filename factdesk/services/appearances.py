"""Where a claim appeared, curated: nothing an ingested feed brings is public by default.

The desk sees every link its items came from (the claim's mentions, and those of claims
merged into it). Each stays internal until an editor marks it public, one link at a time
or every link from one source at once; an editor can hide any link again. Only absolute
http(s) URLs can be public (:func:`factdesk.workflow.may_be_public`), so a local file or
a relative link never reaches the public page or ClaimReview. The choices are kept in
``appearance_marks`` per claim and audited; the public reads
(:mod:`factdesk.store.reads.public`) show only links marked public.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factdesk import freshness
from factdesk.errors import Conflict, InputError, NotFound, PermissionDenied
from factdesk.services import audit
from factdesk.store.models import AppearanceMark, Claim, FactCheck, Item, Mention, Source
from factdesk.types import Actor, AppearanceRow
from factdesk.workflow import Permission, has_permission, may_be_public

MAX_ROWS = 500  # links listed for the editor, earliest first


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def _claim_ids(session: Session, claim_id: int) -> list[int]:
    """The claim and the claims merged into it."""
    merged = session.scalars(select(Claim.id).where(Claim.merged_into_id == claim_id))
    return [claim_id, *merged]


def for_claim(session: Session, claim_id: int) -> list[AppearanceRow]:
    """Every link the claim was seen at, earliest first, with the editors' choice."""
    if session.get(Claim, claim_id) is None:
        raise NotFound(f"no claim {claim_id}")
    seen = func.min(func.coalesce(Item.published_at, Mention.seen_at))
    rows = session.execute(
        select(Item.url, Item.source_id, Source.name, Source.location, seen)
        .select_from(Mention)
        .join(Item, Item.id == Mention.item_id)
        .outerjoin(Source, Source.id == Item.source_id)
        .where(Mention.claim_id.in_(_claim_ids(session, claim_id)), Item.url.is_not(None))
        .group_by(Item.url, Item.source_id, Source.name, Source.location)
        .order_by(seen, Item.url)
        .limit(MAX_ROWS)
    ).all()
    marks = {
        mark.url: mark.public
        for mark in session.scalars(
            select(AppearanceMark).where(AppearanceMark.claim_id == claim_id)
        )
    }
    out: dict[str, AppearanceRow] = {}
    for url, source_id, name, location, at in rows:
        if url is None or url in out:
            continue
        out[url] = AppearanceRow(
            url=url,
            date=_aware(at),
            source_id=source_id,
            source_name=name or location,
            public=marks.get(url),
            eligible=may_be_public(url),
        )
    # Links written on our fact-check itself (not from the ledger) are public unless hidden.
    for written in session.scalars(
        select(FactCheck.appearances).where(
            FactCheck.claim_id == claim_id, FactCheck.origin == "local"
        )
    ):
        for entry in written or []:
            url = entry.get("url") if isinstance(entry, dict) else entry
            if isinstance(url, str) and url not in out:
                eligible = may_be_public(url)
                out[url] = AppearanceRow(
                    url=url,
                    date=None,
                    source_id=None,
                    source_name=None,
                    public=marks.get(url, True) if eligible else None,
                    eligible=eligible,
                )
    return list(out.values())


def mark(session: Session, actor: Actor, claim_id: int, url: str, public: bool) -> None:
    """Show one link on the public page (``public``) or hide it."""
    _may_curate(actor)
    if session.get(Claim, claim_id) is None:
        raise NotFound(f"no claim {claim_id}")
    if public and not may_be_public(url):
        raise InputError("only an absolute http(s) link can be public", where="url")
    if len(url) > 2000:
        raise InputError("at most 2000 characters", where="url")
    before = _set(session, actor, claim_id, url, public)
    freshness.after_commit(session, fact_checks=_pages(session, claim_id))  # lists the link
    audit.record(
        session,
        actor,
        "appearance.public" if public else "appearance.hide",
        "claim",
        claim_id,
        {"url": url, "public": before},
        {"url": url, "public": public},
    )


def mark_source(session: Session, actor: Actor, claim_id: int, source_id: int) -> int:
    """Make public every eligible link of the claim that came from ``source_id`` and is
    not hidden; returns how many changed."""
    _may_curate(actor)
    rows = [r for r in for_claim(session, claim_id) if r.source_id == source_id]
    if not rows:
        raise NotFound(f"no link of claim {claim_id} from source {source_id}")
    chosen = [r.url for r in rows if r.eligible and r.public is None]
    for url in chosen:
        _set(session, actor, claim_id, url, True)
    freshness.after_commit(session, fact_checks=_pages(session, claim_id))
    audit.record(
        session,
        actor,
        "appearance.public_source",
        "claim",
        claim_id,
        None,
        {"source_id": source_id, "urls": chosen[:50], "count": len(chosen)},
    )
    return len(chosen)


def _may_curate(actor: Actor) -> None:
    if not has_permission(actor.role, Permission.REVIEW):
        raise PermissionDenied(
            f"role {actor.role.value} may not choose public links; an editor must"
        )


def _set(session: Session, actor: Actor, claim_id: int, url: str, public: bool) -> bool | None:
    row = session.scalar(
        select(AppearanceMark).where(
            AppearanceMark.claim_id == claim_id, AppearanceMark.url_hash == url_hash(url)
        )
    )
    before = row.public if row is not None else None
    if row is None:
        row = AppearanceMark(claim_id=claim_id, url=url, url_hash=url_hash(url))
        session.add(row)
    row.public, row.marked_by_id, row.marked_at = public, actor.id, datetime.now(UTC)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("someone else chose for this link at the same moment; reload") from None
    return before


def _aware(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _pages(session: Session, claim_id: int) -> list[int]:
    """The fact-checks whose public page lists this claim's links."""
    return list(session.scalars(select(FactCheck.id).where(FactCheck.claim_id == claim_id)))
