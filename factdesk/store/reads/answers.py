"""Has this claim been answered already? The desk's lists ask before anyone starts work.

Read from what matching and linking already stored, never a new search: a claim's
``claim_matches`` (``auto``: the matcher is sure, "already answered"; ``suggest``: "possible
match") to a published fact-check, ours or another publisher's, and the claim linking's
near-duplicate (``claims.similar_id``) when that claim has a published fact-check of ours
("possible match"). One query per kind, whatever the number of claims.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BindParameter, bindparam, select
from sqlalchemy.orm import Session, aliased

from factdesk.store import models as m
from factdesk.store.reads.common import as_fact_check
from factdesk.types import ClaimLink

ANSWERED = "auto"  # the band that counts as "already answered"
_LIVE = ("published", "corrected")
_ORDER = {"auto": 0, "suggest": 1}


# Built once: building a statement with its joins, aliases and entity costs about a
# millisecond each time (SQLAlchemy's Python side), far more than running it, and this one
# runs on every dashboard, queue and claim page.
_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_MATCHED = (
    select(m.ClaimMatch.claim_id, m.ClaimMatch.band, m.ClaimMatch.score, m.FactCheck)
    .join(m.FactCheck, m.FactCheck.id == m.ClaimMatch.fact_check_id)
    .where(
        m.ClaimMatch.claim_id.in_(_IDS),
        m.ClaimMatch.band.in_(tuple(_ORDER)),
        m.FactCheck.status.in_(_LIVE),
        (m.FactCheck.claim_id.is_(None)) | (m.FactCheck.claim_id != m.ClaimMatch.claim_id),
    )
    .order_by(m.ClaimMatch.claim_id, m.ClaimMatch.score.desc())
)
_OTHER = aliased(m.Claim)
_SIMILAR = (
    select(m.Claim.id, m.Claim.similar_score, m.FactCheck)
    .join(_OTHER, _OTHER.id == m.Claim.similar_id)
    .join(m.FactCheck, m.FactCheck.claim_id == _OTHER.id)
    .where(m.Claim.id.in_(_IDS), m.FactCheck.origin == "local", m.FactCheck.status.in_(_LIVE))
    .order_by(m.Claim.id)
)


def answers(session: Session, claim_ids: Sequence[int]) -> dict[int, ClaimLink]:
    """The best earlier answer for each claim that has one: ``band`` is ``auto`` (already
    answered) or ``suggest`` (possible match), ``score`` the matcher's or the linking's."""
    ids = list(dict.fromkeys(claim_ids))
    if not ids:
        return {}
    found: dict[int, ClaimLink] = {}

    def offer(claim_id: int, link: ClaimLink) -> None:
        known = found.get(claim_id)
        key = (_ORDER.get(link.band, 2), -(link.score or 0.0))
        if known is None or key < (_ORDER.get(known.band, 2), -(known.score or 0.0)):
            found[claim_id] = link

    for claim_id, band, score, fc in session.execute(_MATCHED, {"ids": ids}).all():
        offer(claim_id, ClaimLink(as_fact_check(fc), band, score))
    for claim_id, similarity, fc in session.execute(_SIMILAR, {"ids": ids}).all():
        offer(claim_id, ClaimLink(as_fact_check(fc), "suggest", similarity))
    return found
