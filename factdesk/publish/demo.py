"""Demo fact-checks: take a few sample claims through the real workflow to the public site.

``factdesk demo`` calls :func:`publish_samples` after loading and detecting the sample data
and creating the demo accounts: a checker starts each claim, cites an archived document of
the sample evidence library with the exact quote, writes the verdict and submits it; an
editor approves and publishes it; one verdict is then corrected with a public note. Every
step goes through :mod:`factdesk.services.review` (the same rules, audit and conditional updates as
the newsroom pages) and :func:`factdesk.services.publish.on_published`, so the demo's public pages,
ClaimReview, feeds and webhooks are exactly what a real desk produces.

The sample texts are invented (``factdesk/data/sample/README.md``). A claim is found by its
words, so a change in detection that no longer finds one only skips that scenario.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import NotFound
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.text.normalize import fold, strip_accents

LIBRARY = Path(__file__).resolve().parents[1] / "data" / "sample" / "evidence" / "library.jsonl"


@dataclass(frozen=True)
class Scenario:
    keywords: tuple[str, ...]  # every one must occur in the claim (case and accents ignored)
    evidence_url: str
    quote: str
    rating: str
    title: str
    summary: str
    explanation: str
    correction: tuple[str, str] | None = None  # (public note, corrected summary)


SCENARIOS = (
    Scenario(
        keywords=("lemon", "cancer"),
        evidence_url="https://example.org/health-agency/guidance/home-remedies-and-cancer",
        quote="No food or drink has been shown to cure cancer.",
        rating="False",
        title="Warm lemon water does not cure cancer",
        summary="False: no food or drink has been shown to cure cancer.",
        explanation=(
            "The health agency's guidance on home remedies says that **no food or drink** has "
            "been shown to cure cancer, lemon water included.\n\n"
            "Cancer is treated with surgery, radiotherapy or medicines, chosen from clinical "
            "trials."
        ),
        correction=(
            "We added the agency's warning that delaying treatment can let a cancer spread; "
            "the rating is unchanged.",
            "False: no food or drink has been shown to cure cancer, and delaying treatment "
            "for a home remedy can let a cancer spread.",
        ),
    ),
    Scenario(
        keywords=("chip", "flu"),
        evidence_url="https://example.com/medicines-regulator/vaccines/what-is-in-the-flu-vaccine",
        quote="Vaccines do not contain microchips, tracking devices or any electronic components.",
        rating="False",
        title="There are no tracking chips in the flu vaccine",
        summary="False: the vaccine's ingredients are published and contain no electronics.",
        explanation=(
            "The medicines regulator publishes every ingredient of the seasonal flu vaccine. "
            "It states that vaccines contain **no microchips or electronic components**; a "
            "transmitter would need a power source and an antenna and could not pass through "
            "an injection needle."
        ),
    ),
    Scenario(
        keywords=("electricity", "half"),
        evidence_url="https://example.org/dieu-tiet-dien/thong-bao/bieu-gia-dien-sinh-hoat-tu-1-7-2025",
        quote="giá bán lẻ điện bình quân được điều chỉnh tăng 4,8%",
        rating="Mostly false",
        title="Electricity prices rise by 4.8%, not by half",
        summary="Mostly false: the average retail price rose 4.8%; only the gap between the "
        "lowest and highest tariff step is about 50%.",
        explanation=(
            "The regulator's notice sets the average retail price **4.8% higher** from 1 July. "
            "The figure of fifty per cent is the difference between the cheapest and the most "
            "expensive step of the household tariff, which already existed."
        ),
    ),
)


def _words(text: str) -> str:
    return strip_accents(fold(text))


def _library() -> dict[str, dict[str, Any]]:
    docs = {}
    with LIBRARY.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                doc = json.loads(line)
                docs[doc["url"]] = doc
    return docs


def _actor(session: Session, username: str) -> Any:
    from factdesk.types import Actor
    from factdesk.workflow import Role

    user = session.scalar(select(m.User).where(m.User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}: create the demo accounts first")
    return Actor(user.id, user.username, Role(user.role))


def _find_claim(session: Session, keywords: tuple[str, ...]) -> int | None:
    wanted = [_words(k) for k in keywords]
    best: tuple[int, int] | None = None
    for claim in session.scalars(
        select(m.Claim).where(m.Claim.status == "new", m.Claim.merged_into_id.is_(None))
    ):
        text = _words(claim.text)
        if all(word in text for word in wanted):
            key = (claim.mention_count, -claim.id)
            if best is None or key > (best[0], -best[1]):
                best = (claim.mention_count, claim.id)
    return best[1] if best else None


def version(session: Session, fc_id: int) -> int:
    return session.get_one(m.FactCheck, fc_id).version


def publish_samples(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    checker: str = "checker",
    editor: str = "editor",
) -> list[str]:
    """Publish the demo scenarios whose claims exist and are still new; returns one line
    per fact-check for the demo to print (running it again publishes nothing twice)."""
    from factdesk.services import review as desk
    from factdesk.services.editorial import load
    from factdesk.services.publish import on_published
    from factdesk.services.research import ArchivedPage
    from factdesk.workflow import Action

    library = _library()
    lines = []
    for scenario in SCENARIOS:
        with factory() as session:
            done = session.scalar(
                select(m.FactCheck.id).where(
                    m.FactCheck.origin == "local", m.FactCheck.title == scenario.title
                )
            )
            claim_id = None if done else _find_claim(session, scenario.keywords)
        if claim_id is None:
            continue
        doc = library[scenario.evidence_url]
        body = doc["text"].encode("utf-8")
        page = ArchivedPage(
            url=doc["url"],
            final_url=doc["url"],
            body=body,
            content_type="text/plain",
            text=doc["text"],
            title=doc["title"],
            content_hash=hashlib.sha256(body).hexdigest(),
            fetched_at=datetime.now(UTC),
        )
        with transaction(factory) as session:
            author, reviewer = _actor(session, checker), _actor(session, editor)
            scale = load(session, settings.languages)
            fc_id = desk.start(session, author, claim_id)
            desk.cite(
                session,
                author,
                fc_id,
                page,
                scenario.quote,
                doc["publisher"],
                doc["published_at"][:10],
            )
            desk.transition(session, author, fc_id, Action.DRAFT, version(session, fc_id))
            draft = desk.Draft(
                scenario.rating, scenario.summary, scenario.explanation, scenario.title
            )
            desk.edit(session, author, fc_id, version(session, fc_id), draft, scale)
            desk.transition(session, author, fc_id, Action.SUBMIT, version(session, fc_id))
        with transaction(factory) as session:
            desk.transition(
                session,
                reviewer,
                fc_id,
                Action.APPROVE,
                version(session, fc_id),
                "Checked the quote against the archived copy.",
            )
            desk.transition(session, reviewer, fc_id, Action.PUBLISH, version(session, fc_id))
            on_published(session, fc_id, "published", settings=settings)
        line = f"fact-check {fc_id}: {scenario.title} ({scenario.rating})"
        if scenario.correction:
            note, summary = scenario.correction
            corrected = desk.Draft(scenario.rating, summary, scenario.explanation, scenario.title)
            with transaction(factory) as session:
                desk.transition(
                    session,
                    reviewer,
                    fc_id,
                    Action.CORRECT,
                    version(session, fc_id),
                    note,
                    corrected,
                    scale,
                )
                on_published(session, fc_id, "corrected", settings=settings)
            line += ", then corrected"
        lines.append(line)
    return lines
