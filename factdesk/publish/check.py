""" "Has this been checked?": a text in, the fact-checks that may answer it out.

The matching stage (``factdesk.services.match.match_text``: BM25 + embeddings + a trained ranker)
answers when it is installed. Without it a plain word-overlap search over the same
fact-checks answers, and the result says so (``engine``), so a partner knows how much to
trust a miss. Candidates are our live fact-checks and imported ones (other publishers',
which the API names with their publisher and URL, never as ours).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from factdesk.errors import FactdeskError, InputError
from factdesk.publish.urls import absolute, fact_check_path
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.text.normalize import fold, strip_accents

MAX_TEXT = 5000
_WORD = re.compile(r"\w{2,}", re.UNICODE)
MIN_OVERLAP = 0.5  # share of the query's words a fact-check must contain (fallback engine)


@dataclass
class CheckResult:
    engine: str  # "matcher" (the matching stage) or "words" (the fallback)
    matches: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


def _words(text: str) -> set[str]:
    return set(_WORD.findall(strip_accents(fold(text))))


def _candidates(session: Session) -> Any:
    live_local = (m.FactCheck.origin == "local") & m.FactCheck.status.in_(
        ("published", "corrected")
    )
    return select(m.FactCheck).where(or_(live_local, m.FactCheck.origin == "imported"))


def describe(fc: m.FactCheck, base_url: str, score: float, band: str = "") -> dict[str, Any]:
    ours = fc.origin == "local"
    return {
        "score": round(score, 4),
        "band": band,
        "claim_reviewed": fc.claim_reviewed,
        "rating": fc.rating_label,
        "publisher": None if ours else fc.publisher,
        "url": absolute(base_url, fact_check_path(fc.id)) if ours else fc.url,
        "ours": ours,
        "language": fc.language,
        "date_published": fc.date_published.isoformat() if fc.date_published else None,
    }


def word_matches(session: Session, text: str, base_url: str, k: int) -> list[dict[str, Any]]:
    """The fallback: fact-checks containing most of the text's words, best first."""
    query = _words(text)
    if not query:
        return []
    scored = []
    for fc in session.scalars(_candidates(session)):
        words = _words(" ".join(t for t in (fc.claim_reviewed, fc.title or "") if t))
        overlap = len(query & words) / len(query)
        if overlap >= MIN_OVERLAP:
            scored.append((overlap, fc.id, fc))
    scored.sort(key=lambda row: (-row[0], row[1]))
    return [describe(fc, base_url, score) for score, _id, fc in scored[:k]]


def check_text(settings: Settings, session: Session, text: str, k: int = 5) -> CheckResult:
    """Fact-checks that may answer ``text`` (at most ``k``), and which engine found them."""
    text = text.strip()
    if not text:
        raise InputError("send the text to check", where="text")
    if len(text) > MAX_TEXT:
        raise InputError(f"at most {MAX_TEXT} characters", where="text")
    k = max(1, min(k, 20))
    try:
        from factdesk.services.match import match_text  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return CheckResult(
            "words",
            word_matches(session, text, settings.public_base_url, k),
            "the matching stage is not installed; matched on shared words",
        )
    try:
        results = match_text(settings, session, text, k=k)
    except FactdeskError as exc:
        return CheckResult(
            "words",
            word_matches(session, text, settings.public_base_url, k),
            f"matching failed ({exc}); matched on shared words",
        )
    found = (_from_matcher(session, r, settings.public_base_url) for r in results)
    return CheckResult("matcher", [match for match in found if match is not None])


def _from_matcher(session: Session, match: Any, base_url: str) -> dict[str, Any] | None:
    """One :class:`factdesk.search.matcher.Match` in the API's shape; None for one of our
    fact-checks the public may not see (a draft, a withdrawal)."""
    row = session.get(m.FactCheck, int(match.id)) if str(match.id).isdigit() else None
    if row is None:
        return None
    if row.origin == "local" and row.status not in ("published", "corrected"):
        return None
    return describe(row, base_url, float(match.score), str(match.band))
