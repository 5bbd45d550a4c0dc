"""Writing one detected batch: the items' stamp, the claims, the mentions — one transaction.

``services.detect`` (the foreground command) and ``services.pipeline`` (detect jobs) score a
batch of items in memory, then call :func:`process_batch`, which writes it in ONE
transaction: a crash loses at most the batch in flight, and a re-run changes nothing.

The writes are few and the same size whatever the batch (on PostgreSQL every statement is a
round trip to the server):

1. the items' ``detected_at`` stamp, a conditional update (``WHERE detected_at IS NULL``)
   checked for every row: two runs cannot both take an item (:class:`Conflict` otherwise);
2. the claims the index named, read in one query (``FOR UPDATE`` on PostgreSQL, so a merge
   cannot move them before this commits); one merged meanwhile stands for its target;
3. the new claims, one multi-row ``INSERT … ON CONFLICT (wording_key) DO NOTHING RETURNING``:
   ``wording_key`` is unique among live claims (migration 0012_claim_key), so when another
   worker opened a claim for the same new wording first, this batch joins that claim (read
   back in one query) instead of opening a twin. New claims are inserted in key order, so
   two workers never wait on each other's keys in a cycle;
4. every touched claim's counters, one ``executemany`` of *relative* updates
   (``mention_count = mention_count + n``, score and first/last seen only ever widened): two
   workers adding mentions to one claim at once both count;
5. the mentions, one multi-row insert.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from factdesk.detect.cluster import ClaimIndex
from factdesk.detect.mentions import ItemText, extract_mentions
from factdesk.detect.model import CheckWorthinessModel
from factdesk.detect.vectors import MentionVectoriser
from factdesk.detect.wording import wording_key
from factdesk.errors import Conflict
from factdesk.store import models as m
from factdesk.store.db import rowcount, transaction

C = cast(Table, m.Claim.__table__)
_LIVE = m.Claim.merged_into_id.is_(None)


@dataclass
class _Tally:
    """What one batch adds to one claim."""

    mentions: int
    score: float
    first: datetime
    last: datetime

    def add(self, score: float, seen: datetime) -> None:
        self.mentions += 1
        self.score = max(self.score, score)
        self.first, self.last = min(self.first, seen), max(self.last, seen)


def process_batch(
    factory: sessionmaker[Session],
    batch: Sequence[Any],
    model: CheckWorthinessModel,
    vectoriser: MentionVectoriser,
    index: ClaimIndex,
) -> tuple[set[int], set[int], int, int]:
    """Detect ``batch`` (rows with id, text, language, published_at, ingested_at) and write
    it; returns (new claim ids, touched claim ids, mentions, sentences)."""
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
    keys = [a.key for a in assignments]
    with transaction(factory) as session:
        _stamp(session, [row.id for row in batch])
        ids, new_ids = _claim_ids(session, flat, keys, index)
        tallies: dict[int, _Tally] = {}
        rows: list[dict[str, Any]] = []
        for (row, mention), key in zip(flat, keys, strict=True):
            seen_at = row.published_at or row.ingested_at
            claim_id = ids[key]
            tally = tallies.get(claim_id)
            if tally is None:
                tallies[claim_id] = _Tally(1, mention.score, seen_at, seen_at)
            else:
                tally.add(mention.score, seen_at)
            rows.append(
                {
                    "item_id": row.id,
                    "claim_id": claim_id,
                    "text": mention.text,
                    "start": mention.start,
                    "end": mention.end,
                    "score": mention.score,
                    "language": mention.language,
                    "signals": list(mention.signals),
                    "seen_at": seen_at,
                }
            )
        _count(session, tallies)
        if rows:
            session.execute(insert(m.Mention), rows)
    return new_ids, set(tallies), len(flat), n_sentences


def _stamp(session: Session, ids: list[int]) -> None:
    stamped = rowcount(
        session.execute(
            update(m.Item)
            .where(m.Item.id.in_(ids), m.Item.detected_at.is_(None))
            .values(detected_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )
    )
    if stamped != len(ids):
        raise Conflict(f"{len(ids) - stamped} item(s) of the batch were taken by another run")


def _claim_ids(
    session: Session, flat: list[tuple[Any, Any]], keys: list[Hashable], index: ClaimIndex
) -> tuple[dict[Hashable, int], set[int]]:
    """The database claim of every index key (existing, joined, or opened now), and the ids
    this batch opened; the index learns the ids of its new keys."""
    postgres = session.get_bind().dialect.name == "postgresql"
    known = sorted({k for k in keys if isinstance(k, int)})
    ids: dict[Hashable, int] = {}
    if known:
        stmt = select(m.Claim.id, m.Claim.merged_into_id).where(m.Claim.id.in_(known))
        if postgres:
            stmt = stmt.order_by(m.Claim.id).with_for_update()
        for claim_id, merged_into in session.execute(stmt):
            ids[claim_id] = merged_into or claim_id  # merged meanwhile: its target (final)
    first: dict[Hashable, Any] = {}  # index key -> its first mention (the new claim's text)
    for (row, mention), key in zip(flat, keys, strict=True):
        if key not in ids and key not in first:
            first[key] = (row, mention)
    if not first:
        return ids, set()
    wanted: dict[str, dict[str, Any]] = {}
    for row, mention in first.values():
        seen_at = row.published_at or row.ingested_at
        wanted.setdefault(
            wording_key(mention.text),
            {
                "text": mention.text,
                "language": mention.language,
                "score": 0.0,
                "status": "new",
                "mention_count": 0,
                "first_seen_at": seen_at,
                "last_seen_at": seen_at,
                "created_at": datetime.now(UTC),
            },
        )
    dialect = postgresql if postgres else sqlite
    opened = {
        key: claim_id
        for claim_id, key in session.execute(
            dialect.insert(m.Claim)
            .on_conflict_do_nothing(index_elements=[m.Claim.wording_key], index_where=_LIVE)
            .returning(m.Claim.id, m.Claim.wording_key),
            [{**wanted[k], "wording_key": k} for k in sorted(wanted)],
        )
    }
    taken = sorted(set(wanted) - set(opened))  # another worker opened these first: join them
    if taken:
        opened |= {
            key: claim_id
            for claim_id, key in session.execute(
                select(m.Claim.id, m.Claim.wording_key).where(m.Claim.wording_key.in_(taken), _LIVE)
            )
        }
    placed: set[int] = set()
    for key, (_row, mention) in first.items():
        claim_id = ids[key] = opened[wording_key(mention.text)]
        if claim_id in placed or wording_key(mention.text) in taken:
            index.absorb(key, claim_id)  # exemplars join those the claim has
        else:
            index.rename(key, claim_id)
        placed.add(claim_id)
    return ids, {opened[k] for k in wanted if k not in taken}


def _count(session: Session, tallies: dict[int, _Tally]) -> None:
    """Add the batch's mentions to the claims' counters, relative to what is stored."""
    if not tallies:
        return
    score = bindparam("b_score", type_=C.c.score.type)
    first = bindparam("b_first", type_=C.c.first_seen_at.type)
    last = bindparam("b_last", type_=C.c.last_seen_at.type)
    session.execute(
        update(C)
        .where(C.c.id == bindparam("b_id"))
        .values(
            mention_count=C.c.mention_count + bindparam("b_n"),
            score=case((C.c.score < score, score), else_=C.c.score),
            first_seen_at=case(
                (C.c.first_seen_at.is_(None) | (C.c.first_seen_at > first), first),
                else_=C.c.first_seen_at,
            ),
            last_seen_at=case(
                (C.c.last_seen_at.is_(None) | (C.c.last_seen_at < last), last),
                else_=C.c.last_seen_at,
            ),
        ),
        [
            {
                "b_id": cid,
                "b_n": t.mentions,
                "b_score": t.score,
                "b_first": t.first,
                "b_last": t.last,
            }
            for cid, t in sorted(tallies.items())  # id order: two writers lock rows alike
        ],
    )
