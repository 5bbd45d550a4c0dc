"""Earlier fact-checks that match a claim, for the claim page.

Uses the matching stage (``factdesk.services.match.match_text``) when it is installed, else the
imported fact-checks already linked to the claim. Results are cached per claim for the
cache period, because matching runs a search and the claim page is the busiest page.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdesk.errors import FactdeskError
from factdesk.settings import Settings
from factdesk.store.reads.claims import linked_fact_checks

log = logging.getLogger(__name__)
RETRY_AFTER = 60.0  # seconds matching is left alone after an unexpected failure
_broken: dict[str, float] = {}
_broken_note = [""]


def _plain(result: Any) -> dict[str, Any]:
    """One match as a dict, whatever record type the matching stage returns."""
    get = result.get if isinstance(result, dict) else (lambda k, d=None: getattr(result, k, d))
    rating = get("rating") or get("rating_label")
    rating = getattr(rating, "label", rating)
    fact_check = get("fact_check")
    if fact_check is not None:
        fc_get = (
            fact_check.get
            if isinstance(fact_check, dict)
            else (lambda k, d=None: getattr(fact_check, k, d))
        )
        rating = rating or getattr(fc_get("rating"), "label", None) or fc_get("rating_label")
    else:
        fc_get = get
    return {
        "score": float(get("score") or 0.0),
        "band": str(get("band") or ""),
        "publisher": get("publisher") or fc_get("publisher"),
        "rating": rating,
        "url": get("url") or fc_get("url"),
        "claim_reviewed": get("claim_reviewed") or fc_get("claim_reviewed") or get("text"),
    }


def recorded_matches(session: Session, claim_id: int, k: int = 5) -> list[dict[str, Any]]:
    """Matches the pipeline already recorded for the claim (``claim_matches``), if that
    table exists: shown without running a search."""
    from factdesk.store import models

    model = getattr(models, "ClaimMatch", None)
    if model is None:
        return []
    fc = models.FactCheck
    rows = session.execute(
        select(model.score, model.band, fc.publisher, fc.rating_label, fc.url, fc.claim_reviewed)
        .join(fc, fc.id == model.fact_check_id)
        .where(model.claim_id == claim_id)
        .order_by(model.score.desc())
        .limit(k)
    ).all()
    return [
        {
            "score": r.score,
            "band": r.band,
            "publisher": r.publisher,
            "rating": r.rating_label,
            "url": r.url,
            "claim_reviewed": r.claim_reviewed,
        }
        for r in rows
    ]


def matches_for(
    settings: Settings,
    session: Session,
    claim_id: int,
    text: str,
    language: str | None = None,
    k: int = 5,
) -> tuple[list[dict[str, Any]], str]:
    """(matches, note): the note says when matching was not available and why."""
    stored = recorded_matches(session, claim_id, k)
    if stored:
        return stored, ""
    try:
        from factdesk.services.match import match_text  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return linked_fact_checks(session, claim_id), "matching not installed"
    broken = _broken.get("until", 0.0)
    if broken > time.monotonic():
        return linked_fact_checks(session, claim_id), _broken_note[0]
    try:
        results = match_text(settings, session, text, k=k, language=language)
    except FactdeskError as exc:
        return linked_fact_checks(session, claim_id), str(exc)
    except Exception as exc:  # the page still serves the claim when matching breaks
        # Log once, then leave matching alone for a while instead of failing (and logging
        # a traceback) on every claim page.
        log.exception("matching failed; not retried for %s s", RETRY_AFTER)
        _broken["until"] = time.monotonic() + RETRY_AFTER
        _broken_note[0] = f"matching failed: {type(exc).__name__}"
        return linked_fact_checks(session, claim_id), _broken_note[0]
    return [_plain(r) for r in results], ""
