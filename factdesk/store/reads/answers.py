"""Has this claim been answered already? The desk's lists ask before anyone starts work.

Read from what matching and linking already stored, never a new search: a claim's
``claim_matches`` (``auto``: the matcher is sure, "already answered"; ``suggest``: "possible
match") to a published fact-check, ours or another publisher's, and the claim linking's
near-duplicate (``claims.similar_id``) when that claim has a published fact-check of ours
("possible match"). One query per kind, whatever the number of claims.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import BindParameter, bindparam, select
from sqlalchemy.orm import Session

from factdesk.store import models as m
from factdesk.store.reads.common import as_fact_check
from factdesk.types import ClaimLink

ANSWERED = "auto"  # the band that counts as "already answered"
_LIVE = ("published", "corrected")
_ORDER = {"auto": 0, "suggest": 1}


# Built once: building a statement with its joins and entity costs about a millisecond each
# time (SQLAlchemy's Python side), far more than running it, and this runs on every
# dashboard, queue and claim page. Each starts from the claims asked about (their
# ``claim_matches`` rows, their own row by primary key), so it costs the same however many
# fact-checks other publishers' imports hold; the fact-checks are read only when one of
# them points at some.
_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_MATCHED = (
    select(m.ClaimMatch.claim_id, m.ClaimMatch.fact_check_id, m.ClaimMatch.band, m.ClaimMatch.score)
    .where(m.ClaimMatch.claim_id.in_(_IDS), m.ClaimMatch.band.in_(tuple(_ORDER)))
    .order_by(m.ClaimMatch.claim_id, m.ClaimMatch.score.desc())
)
_SIMILAR = select(m.Claim.id, m.Claim.similar_id, m.Claim.similar_score).where(
    m.Claim.id.in_(_IDS), m.Claim.similar_id.is_not(None)
)
_FACT_CHECKS = select(m.FactCheck).where(
    m.FactCheck.status.in_(_LIVE),
    m.FactCheck.id.in_(bindparam("fcs", expanding=True))
    | (
        m.FactCheck.claim_id.in_(bindparam("owners", expanding=True))
        & (m.FactCheck.origin == "local")
    ),
)


def answers(
    session: Session,
    claim_ids: Sequence[int],
    *,
    similar_of: Mapping[int, tuple[int | None, float | None]] | None = None,
) -> dict[int, ClaimLink]:
    """The best earlier answer for each claim that has one: ``band`` is ``auto`` (already
    answered) or ``suggest`` (possible match), ``score`` the matcher's or the linking's.

    ``similar_of``: each claim's ``(similar_id, similar_score)`` when the caller has just
    read the claims (the claim page), which saves reading them again."""
    ids = list(dict.fromkeys(claim_ids))
    if not ids:
        return {}
    matched = session.execute(_MATCHED, {"ids": ids}).all()
    similar: Sequence[tuple[int, int | None, float | None]]
    if similar_of is None:
        similar = [(i, other, score) for i, other, score in session.execute(_SIMILAR, {"ids": ids})]
    else:
        similar = [
            (claim_id, other, score)
            for claim_id in ids
            for other, score in [similar_of.get(claim_id, (None, None))]
            if other is not None
        ]
    if not matched and not similar:
        return {}
    rows = session.scalars(
        _FACT_CHECKS,
        {"fcs": sorted({fc for _, fc, _, _ in matched}),
         "owners": sorted({other for _, other, _ in similar if other is not None})},
    )  # fmt: skip
    by_id: dict[int, m.FactCheck] = {}
    ours: dict[int, list[m.FactCheck]] = {}  # claim -> our live fact-checks of it
    for row in rows:
        by_id[row.id] = row
        if row.origin == "local" and row.claim_id is not None:
            ours.setdefault(row.claim_id, []).append(row)
    found: dict[int, ClaimLink] = {}

    def offer(claim_id: int, fc: m.FactCheck, band: str, score: float | None) -> None:
        known = found.get(claim_id)
        key = (_ORDER.get(band, 2), -(score or 0.0))
        if known is None or key < (_ORDER.get(known.band, 2), -(known.score or 0.0)):
            found[claim_id] = ClaimLink(as_fact_check(fc), band, score)

    for claim_id, fc_id, band, score in matched:
        fc = by_id.get(fc_id)
        if fc is not None and fc.claim_id != claim_id:  # never the claim's own fact-check
            offer(claim_id, fc, band, score)
    for claim_id, other, similarity in similar:
        for fc in sorted(ours.get(other or -1, []), key=lambda r: r.id):
            offer(claim_id, fc, "suggest", similarity)
    return found
