"""`factdesk demo`: load the bundled sample data and run every pipeline stage on it.

The sample files (invented, see ``factdesk/data/sample/README.md``) go through exactly the
same code as real input, so the demo shows real de-duplication, quarantine, detection and
matching on a fresh machine. Loading twice changes nothing (ingestion is idempotent).

Then :func:`publish_samples` takes a few sample claims through the real workflow to the
public site: a checker starts each claim, cites an archived document of the sample evidence
library with the exact quote, writes the verdict and submits it; an editor approves and
publishes it; one verdict is then corrected with a public note. Every step goes through
:mod:`factdesk.services.review` (the same rules, audit, conditional updates and
announcement through :func:`factdesk.services.publish.on_published` as the newsroom
pages), so the demo's public pages, ClaimReview, feeds and webhooks are exactly what a real
desk produces. A claim is found by its words, so a change in detection that no longer
finds one only skips that scenario.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import NotFound
from factdesk.services import accounts, corrections, ingest, review
from factdesk.services.editorial import load
from factdesk.settings import Settings
from factdesk.store.db import transaction
from factdesk.store.reads import desk as reads
from factdesk.text.normalize import fold, strip_accents
from factdesk.types import Actor, ArchivedPage, Draft, IngestReport
from factdesk.workflow import Action, Change, State

SAMPLE = resources.files("factdesk") / "data" / "sample"
LIBRARY = Path(str(SAMPLE / "evidence" / "library.jsonl"))

# (file, how to ingest it), in the order a desk would: fact-checks first, then content.
SAMPLE_INPUTS: tuple[tuple[str, str], ...] = (
    ("claimreviews.jsonld", "claimreview"),
    ("claimreview-single.json", "claimreview"),
    ("page-factcheck.html", "page"),
    ("feed-vi.xml", "feed"),
    ("feed-en.atom", "feed"),
    ("posts.csv", "csv"),
    ("posts.jsonl", "jsonl"),
)


def sample_path(name: str) -> Path:
    return Path(str(SAMPLE / name))


def load_samples(settings: Settings, factory: sessionmaker[Session]) -> list[IngestReport]:
    """Ingest every bundled sample file; a file that fails is reported, not fatal."""
    reports = []
    for name, kind in SAMPLE_INPUTS:
        path = sample_path(name)
        if kind == "feed":
            reports.append(ingest.ingest_feed(settings, factory, str(path)))
        elif kind == "page":
            reports.append(ingest.ingest_page(settings, factory, str(path)))
        else:
            reports.append(ingest.ingest_file(settings, factory, path, kind))  # type: ignore[arg-type]
    return reports


def load_library(settings: Settings, factory: sessionmaker[Session]) -> int:
    """Add the sample evidence documents to the library (archived, cut into passages,
    indexed), so `factdesk research` answers the sample claims; returns how many were new.
    The demo's fact-checks then cite these very versions (same URL, same bytes)."""
    from factdesk.services import library

    new = 0
    for doc in _library().values():
        result = library.add_bytes(
            settings,
            factory,
            doc["text"].encode("utf-8"),
            name=doc["url"],
            content_type="text/plain; charset=utf-8",
            url=doc["url"],
            actor="demo",
            title=doc["title"],
            publisher=doc["publisher"],
            published=doc["published_at"][:10],
            language=doc["language"],
        )
        new += result.outcome != "unchanged"
    return new


def counts(factory: sessionmaker[Session]) -> dict[str, int]:
    """How many records of each kind the desk holds."""
    with factory() as session:
        return reads.holdings(session)


def run_demo(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    console: Console,
    serve: bool = False,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Load, detect, match, publish a few verdicts through the real workflow, then serve."""
    from factdesk.services import claims, detect

    console.rule("factdesk demo")
    console.print(f"database: {settings.effective_database_url}")
    for report in load_samples(settings, factory):
        console.print("  " + report.summary().replace(str(SAMPLE) + "/", ""))
    with console.status("archiving the sample evidence library and indexing its passages"):
        added = load_library(settings, factory)
    console.print(f"  evidence library: {added} sources added ({LIBRARY.name})")
    with console.status("detecting check-worthy claims and matching them to fact-checks"):
        detected = detect.detect(settings, factory, link_all=True)
    console.print("  detect: " + detected.summary())
    with transaction(factory) as session:
        logins = accounts.ensure_demo_users(session)
    for line in publish_samples(settings, factory):
        console.print("  published: " + line)
    _show_counts(console, factory)
    _show_claims(console, factory)
    for alert in claims.list_alerts(factory, limit=5):
        console.print(f"[red]resurgence alert[/red] claim {alert.claim_id}: {alert.message}")
    if not serve:
        console.print('Next: `factdesk claims list`, `factdesk match "..."`, `factdesk serve`.')
        return
    from factdesk.web import serve as serve_app

    console.rule("demo logins (new passwords each run)")
    for username, password, role in logins:
        console.print(f"  {role:<8} {username} / {password}")
    console.print(f"Newsroom: http://{host}:{port}/desk   Public site: http://{host}:{port}/")
    serve_app(settings, host, port)


def _show_counts(console: Console, factory: sessionmaker[Session]) -> None:
    table = Table(title="What the desk holds now")
    table.add_column("records")
    table.add_column("count", justify="right")
    for name, count in counts(factory).items():
        table.add_row(name, str(count))
    console.print(table)


def _show_claims(console: Console, factory: sessionmaker[Session]) -> None:
    from factdesk.services import claims

    table = Table(title="Top claims by worthiness x spread")
    for column in ("id", "claim", "mentions", "languages", "fact-check"):
        table.add_column(column)
    for ranked in claims.list_claims(factory, limit=8):
        link = ranked.link
        match = f"{link.band} {link.fact_check.rating.label}" if link else ""
        table.add_row(
            str(ranked.claim.id),
            ranked.claim.text[:70],
            str(ranked.claim.mention_count),
            ",".join(ranked.languages),
            match.strip(),
        )
    console.print(table)


# --- the demo's fact-checks ---------------------------------------------------------------


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


def _actor(session: Session, username: str) -> Actor:
    try:
        return accounts.get_actor(session, username)
    except NotFound:
        raise NotFound(f"no user {username!r}: create the demo accounts first") from None


def _find_claim(session: Session, keywords: tuple[str, ...]) -> int | None:
    """The new claim with every keyword that most mentions state (the oldest on a tie)."""
    wanted = [_words(k) for k in keywords]
    best: tuple[int, int] | None = None
    new = reads.QueueFilter(status=State.NEW.value)
    for claim in reads.queue(session, new, limit=reads.EXPORT_LIMIT):
        text = _words(claim.text)
        if claim.id is not None and all(word in text for word in wanted):
            key = (claim.mention_count, -claim.id)
            if best is None or key > (best[0], -best[1]):
                best = (claim.mention_count, claim.id)
    return best[1] if best else None


def version(session: Session, fc_id: int) -> int:
    return reads.fact_check(session, fc_id).version


def _archived(doc: dict[str, Any]) -> ArchivedPage:
    """A document of the sample library as if its page had just been fetched."""
    body = doc["text"].encode("utf-8")
    return ArchivedPage(
        url=doc["url"],
        final_url=doc["url"],
        body=body,
        content_type="text/plain",
        text=doc["text"],
        title=doc["title"],
        content_hash=hashlib.sha256(body).hexdigest(),
        fetched_at=datetime.now(UTC),
    )


def publish_samples(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    checker: str = "checker",
    editor: str = "editor",
    second_editor: str = "admin",
) -> list[str]:
    """Publish the demo scenarios whose claims exist and are still new; returns one line
    per fact-check for the demo to print (running it again publishes nothing twice).

    A correction that changes the verdict goes through review as any other would:
    ``editor`` proposes it and ``second_editor`` approves it."""
    library = _library()
    lines = []
    for scenario in SCENARIOS:
        with factory() as session:
            done = reads.fact_check_titled(session, scenario.title)
            claim_id = None if done else _find_claim(session, scenario.keywords)
        if claim_id is None:
            continue
        doc = library[scenario.evidence_url]
        with transaction(factory) as session:
            author, reviewer = _actor(session, checker), _actor(session, editor)
            scale = load(session, settings.languages)
            fc_id = review.start(session, author, claim_id)
            review.cite(
                session,
                author,
                fc_id,
                _archived(doc),
                scenario.quote,
                doc["publisher"],
                doc["published_at"][:10],
            )
            review.transition(session, author, fc_id, Action.DRAFT, version(session, fc_id))
            draft = Draft(scenario.rating, scenario.summary, scenario.explanation, scenario.title)
            review.edit(session, author, fc_id, version(session, fc_id), draft, scale)
            review.transition(session, author, fc_id, Action.SUBMIT, version(session, fc_id))
        with transaction(factory) as session:
            review.transition(
                session,
                reviewer,
                fc_id,
                Action.APPROVE,
                version(session, fc_id),
                "Checked the quote against the archived copy.",
            )
            review.transition(
                session,
                reviewer,
                fc_id,
                Action.PUBLISH,
                version(session, fc_id),
                settings=settings,
            )
        line = f"fact-check {fc_id}: {scenario.title} ({scenario.rating})"
        if scenario.correction:
            note, summary = scenario.correction
            corrected = Draft(scenario.rating, summary, scenario.explanation, scenario.title)
            with transaction(factory) as session:
                change = corrections.propose(
                    session,
                    reviewer,
                    fc_id,
                    version(session, fc_id),
                    corrected,
                    note,
                    scale,
                    settings=settings,
                )
                if change is Change.SUBSTANTIVE:
                    pending = corrections.pending(session, fc_id)
                    if pending is None:  # pragma: no cover - proposed in this transaction
                        raise NotFound(f"the correction of fact-check {fc_id} vanished")
                    corrections.approve(
                        session, _actor(session, second_editor), pending.id, settings=settings
                    )
            line += ", then corrected" + (" after review" if change is Change.SUBSTANTIVE else "")
        lines.append(line)
    return lines
