"""Small hand-written desks for the publishing tests: fact-checks of every kind written
straight into the store (the workflow that normally writes them is the web app's)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from factdesk.store import models as m

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _slug(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _snapshot(fc: m.FactCheck) -> dict[str, Any]:
    return {"status": fc.status, "rating_label": fc.rating_label, "summary": fc.summary}


def add_claim(session: Session, text: str, language: str, urls: list[tuple[str, datetime]]) -> int:
    """A claim with one mention per (URL, date): the recurrence ledger."""
    claim = m.Claim(
        text=text, language=language, score=0.9, status="published", mention_count=len(urls)
    )
    session.add(claim)
    session.flush()
    for n, (url, at) in enumerate(urls):
        item = m.Item(
            dedupe_key=f"url:{url}#{claim.id}-{n}",
            url=url,
            text=f"{text} ({n})",
            language=language,
            content_hash=f"{claim.id:08d}{n:056d}",
            published_at=at,
        )
        session.add(item)
        session.flush()
        session.add(
            m.Mention(
                item_id=item.id,
                claim_id=claim.id,
                text=text,
                start=0,
                end=len(text),
                score=0.9,
                language=language,
                seen_at=at,
            )
        )
    session.flush()
    return claim.id


def add_fact_check(
    session: Session,
    *,
    claim: str,
    label: str = "False",
    value: float | None = 1,
    language: str = "en",
    status: str = "published",
    origin: str = "local",
    summary: str = "Short verdict.",
    title: str | None = None,
    published: datetime = T0,
    appearances: list[tuple[str, datetime]] | None = None,
    cite: bool = True,
    chosen: bool = True,
) -> int:
    """A fact-check; with ``chosen`` an editor has marked every appearance public (links
    are internal until then)."""
    claim_id = add_claim(session, claim, language, appearances or []) if origin == "local" else None
    if chosen and claim_id is not None:
        for url in dict.fromkeys(u for u, _ in appearances or []):
            session.add(
                m.AppearanceMark(
                    claim_id=claim_id,
                    url=url,
                    url_hash=hashlib.sha256(url.encode()).hexdigest(),
                    public=True,
                )
            )
    fc = m.FactCheck(
        origin=origin,
        status=status,
        claim_id=claim_id,
        dedupe_key=f"{origin}:{claim}",
        claim_reviewed=claim,
        rating_label=label,
        rating_value=value,
        rating_best=5 if value is not None else None,
        rating_worst=1 if value is not None else None,
        title=title,
        summary=summary,
        explanation="## Evidence\n\nThe record shows **otherwise**.",
        language=language,
        date_published=published,
        date_modified=published,
        claim_date=published - timedelta(days=5),
        appearances=[],
        content_hash="x",
        version=3,
        url=None if origin == "local" else f"https://elsewhere.example/{_slug(claim)}",
        publisher=None if origin == "local" else "Another Desk",
    )
    session.add(fc)
    session.flush()
    if origin == "local" and status in ("published", "corrected", "withdrawn"):
        session.add(
            m.FactCheckVersion(
                fact_check_id=fc.id,
                version=3,
                snapshot=_snapshot(fc) | {"status": "published"},
                note="publish",
                created_at=published,
            )
        )
    if cite and origin == "local":
        doc = m.EvidenceDocument(
            url="https://stats.example.gov/report",
            title="Annual report",
            content_hash="ab" * 32,
            text="The figure is 12 per cent, not 40.",
            fetched_at=published - timedelta(days=1),
        )
        session.add(doc)
        session.flush()
        session.add(
            m.Citation(
                fact_check_id=fc.id,
                url=doc.url or "",
                quote="12 per cent",
                publisher="Statistics office",
                source_date="2025",
                document_id=doc.id,
                content_hash=doc.content_hash,
                archived_at=published - timedelta(days=1),
                quote_found=True,
            )
        )
    session.flush()
    return fc.id


def correct(
    session: Session, fc_id: int, *, label: str, value: float | None, note: str, at: datetime
) -> None:
    """What the workflow's correct action leaves behind: new content, a version, a note."""
    fc = session.get_one(m.FactCheck, fc_id)
    fc.status, fc.rating_label, fc.rating_value = "corrected", label, value
    fc.version += 1
    fc.date_modified = at
    session.flush()
    session.add(
        m.FactCheckVersion(
            fact_check_id=fc.id,
            version=fc.version,
            snapshot=_snapshot(fc),
            note=note,
            created_at=at,
        )
    )
    session.flush()


def withdraw(session: Session, fc_id: int, *, note: str, at: datetime) -> None:
    fc = session.get_one(m.FactCheck, fc_id)
    fc.status = "withdrawn"
    fc.version += 1
    fc.date_modified = at
    session.flush()
    session.add(
        m.FactCheckVersion(
            fact_check_id=fc.id,
            version=fc.version,
            snapshot=_snapshot(fc),
            note=note,
            created_at=at,
        )
    )
    session.flush()
