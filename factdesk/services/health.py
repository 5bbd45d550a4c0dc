"""What ``/healthz`` answers: is the database, the queue and the models' artefacts usable.

Each part is a :class:`factdesk.types.Check` with a short detail fit for an unauthenticated
answer: no URL, host, path or password, only what state the part is in (a failing part
names the error's kind, never its message, which may carry a connection string).

The database is asked a real query (the schema revision) on every call; the queue is asked
its depth; the models are loaded once per process and the outcome remembered (loading the
check-worthiness model reads ~12 MB; a health probe every few seconds must not).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, func, select

from factdesk.metrics import Snapshot
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.types import Check

_models_lock = threading.Lock()
_models: dict[tuple[str, ...], Check] = {}


@lru_cache(maxsize=1)
def _heads() -> frozenset[str]:
    from factdesk.store.db import head_revisions

    return frozenset(head_revisions())


def database(engine: Engine) -> Check:
    """A real query: the schema revisions the database is at, against this version's."""
    from factdesk.store.db import current_revisions

    try:
        revisions = current_revisions(engine)
    except Exception as exc:  # any driver error means "not usable"; its text may name hosts
        return Check("database", False, f"unreachable ({type(exc).__name__})")
    if not revisions:
        return Check("database", False, "empty: run `factdesk init`")
    if revisions != _heads():
        return Check("database", False, "schema out of date: run `factdesk init`")
    return Check("database", True, f"{engine.dialect.name}, schema up to date")


def queue(settings: Settings) -> Check:
    """The job queue's back-end answers (its depth is asked, which reads the store)."""
    try:
        from factdesk.queue import get_queue

        pending = get_queue(settings).pending_count()
    except Exception as exc:  # an unreachable Redis must show as a failing part
        return Check("queue", False, f"{settings.queue}: unreachable ({type(exc).__name__})")
    return Check("queue", True, f"{settings.queue}, {pending} pending")


def models(settings: Settings) -> Check:
    """The check-worthiness, matcher and stance artefacts load, or are declared absent
    (the stance model's fallback); remembered per process and per configuration."""
    key = (str(settings.detect_model_dir), str(settings.match_model))
    with _models_lock:
        known = _models.get(key)
        if known is None:
            known = _models[key] = _load_models(settings)
        return known


def _load_models(settings: Settings) -> Check:
    from factdesk.services.detect import load_model
    from factdesk.services.match import model_for
    from factdesk.verify.stance import MODEL_DIR as STANCE_DIR
    from factdesk.verify.stance import read_head

    loaded: list[str] = []
    try:
        detail = load_model(settings).describe()["check-worthiness"]
        if detail.startswith("unavailable"):
            return Check("models", False, "check-worthiness model does not load")
        loaded.append("check-worthiness")
        model_for(settings)
        loaded.append("matcher")
        if (Path(STANCE_DIR) / "model.json").exists():
            read_head(Path(STANCE_DIR))
            loaded.append("stance")
        else:
            loaded.append("stance absent (fallback: no stance)")
    except Exception as exc:  # a corrupt artefact: name the model that failed, not the path
        failed = ("check-worthiness", "matcher", "stance")[len(loaded)]
        return Check("models", False, f"{failed} model does not load ({type(exc).__name__})")
    return Check("models", True, ", ".join(loaded))


def report(settings: Settings, engine: Engine) -> list[Check]:
    """Every part, in the order ``/healthz`` lists them."""
    return [database(engine), queue(settings), models(settings)]


def forget_models() -> None:
    """Load the models again at the next check (tests; after replacing an artefact)."""
    with _models_lock:
        _models.clear()


COUNTED = (
    ("items", m.Item, "Items ingested and stored."),
    ("mentions", m.Mention, "Claim mentions found in items."),
    ("claims", m.Claim, "Distinct claims."),
    ("fact_checks", m.FactCheck, "Fact-checks, the desk's own and imported ones."),
    ("quarantine", m.QuarantineRecord, "Input records set aside with a reason."),
)


def metrics_snapshot(settings: Settings, engine: Engine) -> Snapshot:
    """The gauges ``/metrics`` reads at scrape time: row counts and the queue's depth. A
    part that cannot be read is left out and named in ``errors`` (the scrape still works)."""
    gauges: dict[str, tuple[float, str]] = {}
    errors: list[str] = []
    try:
        with engine.connect() as conn:
            for name, table, help_text in COUNTED:
                value = conn.execute(select(func.count()).select_from(table)).scalar_one()
                gauges[name] = (float(value), help_text)
    except Exception:  # a database away: the scrape says so through factdesk_scrape_part_ok
        errors.append("database")
    try:
        from factdesk.queue import get_queue

        jobs = get_queue(settings)
        gauges["queue_depth"] = (float(jobs.pending_count()), "Jobs waiting in the queue.")
        gauges["queue_scheduled"] = (
            float(jobs.scheduled_count()),
            "Jobs scheduled for later (retries, delayed deliveries).",
        )
    except Exception:
        errors.append("queue")
    return Snapshot(gauges=gauges, errors=tuple(errors))
