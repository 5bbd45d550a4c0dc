"""Publishing as the desk runs it: announcing a change, exporting the site, checking markup.

The web app's workflow moves a fact-check (publish, correct, withdraw) in one transaction;
inside that same transaction it calls :func:`on_published`, which

1. builds the public record as it now stands and, unless it is a withdrawal, refuses
   invalid ClaimReview markup (raising :class:`InputError` rolls the whole change back:
   nothing invalid is ever published);
2. writes one webhook delivery per subscribed webhook — the outbox — so the notification
   exists exactly when the change is committed;
3. after the commit (never before: a worker must see the rows), nudges the job queue to
   deliver now. If the queue is unreachable the periodic sweep delivers them anyway.

The public pages, feeds, sitemap and DataFeed are computed from the database; the web
app keeps recent answers a few seconds in a small per-process cache
(:mod:`factdesk.web.publiccache`); after the commit, :func:`on_published` bumps
:mod:`factdesk.freshness` for this fact-check, so this process renders its page and the
lists again at once (other processes notice within the interval).

:func:`export_site` writes the whole public site as static files (``factdesk publish
export``): the records are read here, :mod:`factdesk.publish.site` turns them into files.
The site is written to a new directory beside the target and swapped in at the end, so a
web server serving the target never shows a half-written site. The target must be empty,
missing, or an earlier export (it holds the marker file ``.factdesk-export``): nothing else
is replaced. :func:`validate_public` checks the ClaimReview of every live public fact-check
(``factdesk publish validate``).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, sessionmaker

from factdesk import freshness, types
from factdesk.errors import InputError
from factdesk.publish import site
from factdesk.publish.claimreview import (
    claimreview_jsonld,
    claimreview_warnings,
    require_valid,
    validate_claimreview,
)
from factdesk.publish.documents import fact_check_document
from factdesk.publish.pages import STATIC
from factdesk.services.webhooks import record_event
from factdesk.settings import Settings, get_settings
from factdesk.store.reads import public as queries
from factdesk.workflow import Action, State

# Accepted ``event`` values (the workflow's state or action names) -> webhook event.
_FACT_CHECK_EVENTS: dict[str, str] = {
    State.PUBLISHED: "fact_check.published",
    Action.PUBLISH: "fact_check.published",
    State.CORRECTED: "fact_check.corrected",
    Action.CORRECT: "fact_check.corrected",
    State.WITHDRAWN: "fact_check.withdrawn",
    Action.WITHDRAW: "fact_check.withdrawn",
}
_PENDING = "factdesk.services.publish.pending"
MARKER = ".factdesk-export"


def organisation(settings: Settings) -> types.Organisation:
    """The publishing organisation, from settings (its URL defaults to the public site)."""
    return types.Organisation(
        name=settings.org_name,
        url=settings.org_url or settings.public_base_url,
        logo=settings.org_logo_url or None,
    )


def on_published(
    session: Session, fact_check_id: int, event: str, *, settings: Settings | None = None
) -> list[int]:
    """Validate and announce a fact-check that was just published, corrected or withdrawn.

    Call it inside the transaction of the workflow change, after the change is applied.
    ``event`` is ``published``, ``corrected`` or ``withdrawn`` (the action names
    ``publish``/``correct``/``withdraw`` are accepted too). Returns the delivery ids.
    """
    name = _FACT_CHECK_EVENTS.get(str(getattr(event, "value", event)))
    if name is None:
        raise InputError(f"unknown publishing event {event!r}", where="event")
    settings = settings or get_settings()
    fc = queries.load_public(session, fact_check_id)
    org = organisation(settings)
    if not fc.withdrawn:
        require_valid(
            claimreview_jsonld(fc, org, settings.public_base_url),
            where=f"fact-check {fact_check_id}",
        )
    payload = _envelope(name, fact_check_document(fc, org, settings.public_base_url))
    ids = record_event(session, name, payload)
    freshness.after_commit(session, fact_checks=[fact_check_id])  # re-rendered at once here
    _nudge_after_commit(session, settings, ids)
    return ids


def on_resurgence(
    session: Session, claim_id: int, data: dict[str, Any], *, settings: Settings | None = None
) -> list[int]:
    """Announce that a claim we debunked is spreading again (called by monitoring).

    ``data`` describes the alert (counts, window, the fact-check's public URL...); it must
    not name people. Returns the delivery ids.
    """
    settings = settings or get_settings()
    payload = _envelope("claim.resurgence", {"claim_id": claim_id, **data})
    ids = record_event(session, "claim.resurgence", payload)
    _nudge_after_commit(session, settings, ids)
    return ids


def feed_languages(settings: Settings, published: Iterable[str]) -> list[str]:
    """The languages with an Atom feed: every configured one (empty until a first
    fact-check in it) and every one something was published in."""
    return sorted({*settings.languages, *published})


def _envelope(event: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,  # one id per event, shared by its deliveries: dedupe on it
        "event": event,
        "created_at": datetime.now(UTC).isoformat(),
        "data": data,
    }


def _nudge_after_commit(session: Session, settings: Settings, ids: list[int]) -> None:
    if not ids:
        return
    session.info.setdefault(_PENDING, []).append((settings, ids))
    if not sa_event.contains(session, "after_commit", _after_commit):
        sa_event.listen(session, "after_commit", _after_commit)
        sa_event.listen(session, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    from factdesk.queue import nudge_deliveries

    for settings, ids in session.info.pop(_PENDING, []):
        nudge_deliveries(settings, ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- the static site ------------------------------------------------------------------------


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise InputError("not a directory", where=str(target))
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        raise InputError(
            "the directory is not empty and is not an earlier factdesk export; "
            "choose an empty or new directory",
            where=str(target),
        )


def export_site(
    settings: Settings,
    factory: sessionmaker[Session],
    target: Path,
    progress: Callable[[int], None] | None = None,
) -> types.ExportReport:
    """Write the public site into ``target`` (see the module docstring)."""
    target = target.resolve()
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    report = types.ExportReport(directory=str(target))

    def counted(copies: Iterable[types.ArchivedCopy]) -> Iterator[types.ArchivedCopy]:
        for copy in copies:
            report.archived_copies += 1
            yield copy

    try:
        with factory() as session:
            everything = list(queries.iter_public(session))
            everything.sort(key=lambda fc: (fc.published_at, fc.id or 0), reverse=True)
            languages = queries.public_languages(session)
            with_feeds = feed_languages(settings, languages)
            recent = {
                language: queries.recent_changes(
                    session, limit=settings.feed_size, language=language
                )
                for language in (None, *with_feeds)
            }
            content = site.Site(
                settings=settings,
                org=organisation(settings),
                fact_checks=everything,
                languages=languages,
                feeds=recent,
                last_change=queries.last_change(session),
                archived=counted(queries.iter_archived(session)),
                feed_languages=with_feeds,
            )
            for path, data in site.files(content, progress=progress):
                out = staging / path
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(data)
                report.files += 1
        report.fact_checks = len(everything)
        report.languages = languages
        shutil.copytree(STATIC, staging / "static")
        report.files += sum(1 for p in (staging / "static").rglob("*") if p.is_file())
        (staging / MARKER).write_text("written by `factdesk publish export`\n", encoding="utf-8")
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def _swap(staging: Path, target: Path) -> None:
    """Put the new site in place of the old one with two renames."""
    staging.chmod(0o755)  # mkdtemp makes it private; a web server must read it
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(target)


# --- checking the markup --------------------------------------------------------------------


def validate_public(settings: Settings, session: Session) -> list[types.MarkupCheck]:
    """The ClaimReview of every live public fact-check, checked: errors and warnings."""
    org = organisation(settings)
    checks = []
    for fc in queries.iter_public(session, live_only=True):
        markup = claimreview_jsonld(fc, org, settings.public_base_url)
        checks.append(
            types.MarkupCheck(
                fact_check_id=fc.id or 0,
                status=fc.status,
                errors=tuple(validate_claimreview(markup)),
                warnings=tuple(claimreview_warnings(markup)),
            )
        )
    return checks
