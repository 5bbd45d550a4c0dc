"""Claim matching as the desk runs it: the index beside the database, kept in step with it.

The pure :class:`~factdesk.search.matcher.Matcher` is built from the published (or corrected)
rows of ``fact_checks`` and saved under ``DATA_DIR/index/`` (with PostgreSQL too: the index is a
per-machine file, rebuilt from the database on any machine):

* ``manifest.json``: format, tokenizer, embedding model, and for every indexed fact-check
  its id, version and content hash, in slot order;
* ``arrays.npz``: the BM25 and vector arrays (vectors as float16);
* ``records.json``: the fact-checks as indexed, so results render without a query.

Every call of :func:`match_text` (CLI, web, API, jobs) first makes the index current: a
cheap fingerprint of the table (row count, newest id, last update) is compared with the one
saved; when it differs, only fact-checks that were added, changed (new version or content
hash), unpublished or deleted are re-indexed, then the index is saved again. A file lock
keeps two processes from updating it at once. ``factdesk index rebuild`` starts from zero.

Over the index, the matching operations, each returning :class:`~factdesk.types.Match`
records: :func:`match_text` (the CLI, the web app), :func:`check_text` (the partner API),
:func:`match_claim` and :func:`match_new_claims` (detection records each new claim's matches
in ``claim_matches``), and the claim page's :func:`matches_for` (recorded matches, else a
search, else the claim's linked fact-checks with a note saying why).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import numpy as np
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import ConfigError, FactdeskError, InputError, NotFound
from factdesk.search.bands import BandPolicy
from factdesk.search.embed import CachedEmbedder, default_embedder, describe_embedder
from factdesk.search.matcher import Matcher
from factdesk.search.model import MatcherModel, default_model, load_matcher_model
from factdesk.search.segments import long_query_text
from factdesk.search.tokens import default_tokenizer
from factdesk.search.vectorcache import VectorCache
from factdesk.settings import Settings
from factdesk.store import models
from factdesk.store.db import transaction
from factdesk.store.files import folder_lock
from factdesk.store.reads.claims import linked_fact_checks
from factdesk.store.reads.common import as_fact_check
from factdesk.types import Appearance, Band, CheckResult, FactCheck, Match, Rating
from factdesk.workflow import State

FORMAT = 3  # 2: records carry id, origin and status; appearances are objects
# 3: one BM25 field per analysis (terms and statistics kept per analysis)
# Fact-checks the public can read and that still stand (a withdrawn one no longer answers).
MATCHABLE_STATUSES = (State.PUBLISHED.value, State.CORRECTED.value)
BATCH = 256
log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True, slots=True)
class RefreshReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    rebuilt: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)


# --- paths, settings -----------------------------------------------------------------------


def index_dir(settings: Settings) -> Path:
    return settings.data_dir / "index"


def cache_dir(settings: Settings, model_id: str) -> Path:
    return settings.vector_cache(model_id)


def band_policy(settings: Settings) -> BandPolicy:
    return BandPolicy(
        auto=dict(settings.match_auto_threshold),
        suggest=dict(settings.match_suggest_threshold),
        short_text_words=settings.match_short_text_words,
        long_text_auto=frozenset(settings.match_long_text_auto),
        recency_days=settings.match_recency_days,
        cross_lingual_auto=settings.match_cross_lingual_auto,
    )


def embedder_for(settings: Settings) -> CachedEmbedder | None:
    """The cached embedder the settings ask for, or None for lexical-only matching."""
    if not settings.match_dense:
        return None
    probe = default_embedder(None)
    if probe is None:
        return None
    return CachedEmbedder(probe.inner, VectorCache(cache_dir(settings, probe.model_id), probe.dim))


def model_for(settings: Settings) -> MatcherModel:
    if settings.match_model is None:
        return default_model()
    try:
        return load_matcher_model(settings.match_model)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"FACTDESK_MATCH_MODEL: cannot load {settings.match_model}: {exc}"
        ) from None


def new_matcher(settings: Settings) -> Matcher:
    """The live matcher. A query's language is its true one (identified among every
    language, like the stored items and fact-checks), so the per-language thresholds and
    the cross-lingual guard judge real languages: a Spanish post matched to a Spanish
    review is not "cross-lingual" because the desk happens to work in vi and en."""
    from factdesk.text.langid import identify_language

    return Matcher(
        embedder=embedder_for(settings),
        model=model_for(settings),
        policy=band_policy(settings),
        detect_language=identify_language,
        long_fusion=settings.match_long_fusion,
        long_post=settings.match_long_post,
        language_offset=settings.match_language_offset,
    )


# --- records <-> rows/json -----------------------------------------------------------------


def row_to_fact_check(row: models.FactCheck) -> FactCheck:
    """The record the index keeps for a row: the fields matching reads and a result shows."""
    full = as_fact_check(row)
    return FactCheck(**{name: getattr(full, name) for name in _INDEXED})


def _fc_to_json(fc: FactCheck | None) -> dict[str, Any] | None:
    if fc is None:
        return None
    data = {name: getattr(fc, name) for name in _INDEXED}
    data["rating"] = asdict(fc.rating)
    data["appearances"] = [a.url for a in fc.appearances]
    for key in ("date_published", "claim_date"):
        if data[key] is not None:
            data[key] = data[key].isoformat()
    return data


def _fc_from_json(data: dict[str, Any] | None) -> FactCheck | None:
    if data is None:
        return None
    fields = {k: v for k, v in data.items() if k in _INDEXED}
    fields["rating"] = Rating(**data["rating"])
    for key in ("date_published", "claim_date"):
        if fields.get(key):
            fields[key] = datetime.fromisoformat(fields[key])
    fields["appearances"] = tuple(Appearance(u) for u in data.get("appearances") or ())
    return FactCheck(**fields)


# The fields of a fact-check the index keeps (what row_to_fact_check fills).
_INDEXED = (
    "claim_reviewed",
    "rating",
    "url",
    "title",
    "summary",
    "publisher",
    "publisher_url",
    "language",
    "date_published",
    "claim_date",
    "appearances",
    "content_hash",
    "id",
    "origin",
    "status",
)


# --- the persisted index -------------------------------------------------------------------


@dataclass(slots=True)
class LoadedIndex:
    matcher: Matcher
    entries: dict[str, tuple[int, str]]  # fact-check id -> (version, content hash)
    fingerprint: list[Any]
    generation: str


def _signature(matcher: Matcher) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "tokenizer": matcher.tokenizer_name,
        "embedding_model": matcher.model_id,
    }


def save_index(settings: Settings, loaded: LoadedIndex) -> None:
    """Write the index atomically (temp files, then rename; the manifest goes last)."""
    target = index_dir(settings)
    target.mkdir(parents=True, exist_ok=True)
    matcher = loaded.matcher
    arrays = matcher.to_arrays()
    tmp = target / f"arrays.{os.getpid()}.tmp.npz"
    np.savez(tmp, **arrays)  # type: ignore[arg-type]
    os.replace(tmp, target / "arrays.npz")
    records = [_fc_to_json(fc) for fc in matcher.records]
    _write_json(target / "records.json", {"ids": matcher.ids, "records": records})
    loaded.generation = f"{datetime.now(UTC).isoformat()}#{os.getpid()}"
    manifest = {
        **_signature(matcher),
        "generation": loaded.generation,
        "saved_at": datetime.now(UTC).isoformat(),
        "fingerprint": loaded.fingerprint,
        "entries": {k: list(v) for k, v in loaded.entries.items()},
        "fact_checks": len(matcher),
    }
    _write_json(target / "manifest.json", manifest)


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_manifest(settings: Settings) -> dict[str, Any] | None:
    path = index_dir(settings) / "manifest.json"
    if not path.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return data


def load_index(settings: Settings) -> LoadedIndex | None:
    """The saved index, or None when there is none or it was built with other parts
    (tokenizer, embedding model, format), in which case it must be rebuilt."""
    manifest = read_manifest(settings)
    if manifest is None:
        return None
    matcher = new_matcher(settings)
    if {k: manifest.get(k) for k in _signature(matcher)} != _signature(matcher):
        return None
    folder = index_dir(settings)
    try:
        with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        stored = json.loads((folder / "records.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError):
        return None
    records = [_fc_from_json(r) for r in stored["records"]]
    matcher.load_arrays(arrays, stored["ids"], records)
    entries = {k: (int(v[0]), str(v[1])) for k, v in manifest["entries"].items()}
    return LoadedIndex(matcher, entries, manifest.get("fingerprint", []), manifest["generation"])


def _locked(settings: Settings) -> AbstractContextManager[None]:
    return folder_lock(index_dir(settings))


# --- keeping it in step with the database ---------------------------------------------------


def fingerprint(session: Session) -> list[Any]:
    """A cheap summary of fact_checks that changes whenever a row is added, edited or deleted."""
    count, max_id, last = session.execute(
        select(
            func.count(models.FactCheck.id),
            func.max(models.FactCheck.id),
            func.max(models.FactCheck.updated_at),
        )
    ).one()
    return [int(count or 0), int(max_id or 0), last.isoformat() if last else None]


def refresh(
    settings: Settings, session: Session, loaded: LoadedIndex, progress: Progress = _quiet
) -> RefreshReport:
    """Bring ``loaded`` in step with the table, touching only what changed."""
    current = {
        str(fc_id): (int(version), str(digest))
        for fc_id, version, digest in session.execute(
            select(
                models.FactCheck.id, models.FactCheck.version, models.FactCheck.content_hash
            ).where(models.FactCheck.status.in_(MATCHABLE_STATUSES))
        )
    }
    gone = [k for k in loaded.entries if k not in current]
    changed = [k for k, v in current.items() if k in loaded.entries and loaded.entries[k] != v]
    new = [k for k in current if k not in loaded.entries]
    loaded.matcher.remove(gone)
    for k in gone:
        del loaded.entries[k]
    todo = changed + new
    for start in range(0, len(todo), BATCH):
        chunk = [int(k) for k in todo[start : start + BATCH]]
        rows = session.scalars(select(models.FactCheck).where(models.FactCheck.id.in_(chunk))).all()
        loaded.matcher.upsert([(str(r.id), row_to_fact_check(r)) for r in rows])
        for r in rows:
            loaded.entries[str(r.id)] = (r.version, r.content_hash)
        progress("index", min(start + BATCH, len(todo)), len(todo))
    if todo or gone:
        loaded.matcher.optimize()
    loaded.fingerprint = fingerprint(session)
    return RefreshReport(added=len(new), updated=len(changed), removed=len(gone))


_cache: dict[Path, LoadedIndex] = {}
_cache_lock = threading.Lock()


def get_index(
    settings: Settings, session: Session, *, progress: Progress = _quiet
) -> tuple[LoadedIndex, RefreshReport]:
    """The current index for these settings: from memory, else from disk, else built; then
    refreshed against the database if its fingerprint moved."""
    key = index_dir(settings).resolve()
    with _cache_lock:
        loaded = _cache.get(key)
        manifest = read_manifest(settings)
        if loaded is not None and manifest is not None:
            if manifest.get("generation") != loaded.generation:
                loaded = None  # another process saved a newer index
        if loaded is not None and manifest is None:
            loaded = None  # index removed on disk
        report = RefreshReport()
        if loaded is None or loaded.fingerprint != fingerprint(session):
            with _locked(settings):
                if loaded is None:
                    loaded = load_index(settings)
                if loaded is None:
                    loaded = LoadedIndex(new_matcher(settings), {}, [], "")
                    report = RefreshReport(rebuilt=True)
                if loaded.fingerprint != fingerprint(session) or report.rebuilt:
                    step = refresh(settings, session, loaded, progress)
                    report = RefreshReport(step.added, step.updated, step.removed, report.rebuilt)
                    save_index(settings, loaded)
        _cache[key] = loaded
        return loaded, report


def rebuild_index(
    settings: Settings, session: Session, *, progress: Progress = _quiet
) -> RefreshReport:
    """Drop the saved index and build it again from every published fact-check."""
    key = index_dir(settings).resolve()
    with _cache_lock, _locked(settings):
        loaded = LoadedIndex(new_matcher(settings), {}, [], "")
        step = refresh(settings, session, loaded, progress)
        save_index(settings, loaded)
        _cache[key] = loaded
    return RefreshReport(step.added, 0, 0, rebuilt=True)


def index_status(settings: Settings, session: Session) -> dict[str, Any]:
    """What is indexed, whether it is current, and which retrieval path is active."""
    manifest = read_manifest(settings)
    published = session.scalar(
        select(func.count(models.FactCheck.id)).where(
            models.FactCheck.status.in_(MATCHABLE_STATUSES)
        )
    )
    engine = (
        describe_embedder()
        if settings.match_dense
        else {
            "mode": "lexical",
            "dense": "off (FACTDESK_MATCH_DENSE=false)",
            "lexical": "BM25 over claim, title and summary",
        }
    )
    status: dict[str, Any] = {
        "path": str(index_dir(settings)),
        "exists": manifest is not None,
        "published_fact_checks": int(published or 0),
        **{f"engine_{k}": v for k, v in engine.items()},
        "tokenizer": default_tokenizer()[0],
    }
    if manifest is not None:
        status.update(
            indexed=manifest.get("fact_checks", 0),
            saved_at=manifest.get("saved_at"),
            embedding_model=manifest.get("embedding_model"),
            current=manifest.get("fingerprint") == fingerprint(session),
        )
    return status


# --- matching ------------------------------------------------------------------------------


def match_text(
    settings: Settings,
    session: Session,
    text: str,
    *,
    k: int = 5,
    language: str | None = None,
    date: datetime | None = None,
    include_hidden: bool = False,
) -> list[Match]:
    """The best fact-checks for ``text`` with score, band and why: the one function the CLI,
    the web app and the API call."""
    if not text.strip():
        raise InputError("nothing to match: the text is empty", where="text")
    loaded, _ = get_index(settings, session)
    # a long post is matched without its links, handles and repeated OCR lines (short
    # ones as they are: the ranker was trained on uncleaned tweets); the post as written
    # goes along for FACTDESK_MATCH_LONG_POST; docs/matching.md
    return loaded.matcher.search(
        long_query_text(text),
        language=language,
        k=k,
        date=date,
        min_band="hidden" if include_hidden else "suggest",
        post=text,
    )


def match_claim(settings: Settings, session: Session, claim_id: int, *, k: int = 5) -> list[Match]:
    """Match a stored claim and record its shown matches in ``claim_matches``
    (replacing earlier ones for that claim)."""
    claim = session.get(models.Claim, claim_id)
    if claim is None:
        raise NotFound(f"no claim {claim_id}")
    matches = match_text(settings, session, claim.text, k=k, language=claim.language)
    session.query(models.ClaimMatch).filter(models.ClaimMatch.claim_id == claim_id).delete()
    for m in matches:
        session.add(
            models.ClaimMatch(
                claim_id=claim_id, fact_check_id=int(m.id), score=m.score, band=m.band
            )
        )
    return matches


def match_new_claims(
    settings: Settings, factory: sessionmaker[Session], claim_ids: Sequence[int]
) -> int:
    """Match each new claim of a detection run against earlier fact-checks
    (:func:`match_claim`, one transaction per claim), which records ``auto`` links and
    ``suggest`` suggestions in ``claim_matches``. Returns how many claims got a match."""
    with factory() as session:
        if not session.scalar(select(func.count()).select_from(models.FactCheck)):
            return 0
    matched = 0
    for claim_id in claim_ids:
        with transaction(factory) as session:
            if match_claim(settings, session, claim_id):
                matched += 1
    return matched


# --- the claim page -------------------------------------------------------------------------

RETRY_AFTER = 60.0  # seconds matching is left alone after an unexpected failure
_broken: dict[str, Any] = {"until": 0.0, "note": ""}


# Built once: the claim page reads it at every click (building it costs more than running).
_RECORDED = (
    select(models.ClaimMatch.score, models.ClaimMatch.band, models.FactCheck)
    .join(models.FactCheck, models.FactCheck.id == models.ClaimMatch.fact_check_id)
    .where(models.ClaimMatch.claim_id == bindparam("claim"))
    .order_by(models.ClaimMatch.score.desc())
    .limit(5)
)


def recorded_matches(session: Session, claim_id: int, k: int = 5) -> list[Match]:
    """The matches detection already recorded for a claim (``claim_matches``), best first,
    read back without a search (so ``why`` is None)."""
    stmt = _RECORDED if k == 5 else _RECORDED.limit(k)
    rows = session.execute(stmt, {"claim": claim_id}).all()
    return [
        Match(str(fc.id), row_to_fact_check(fc), score, cast(Band, band))
        for score, band, fc in rows
    ]


def matches_for(
    settings: Settings,
    session: Session,
    claim_id: int,
    text: str,
    language: str | None = None,
    k: int = 5,
) -> tuple[list[Match], str]:
    """(matches, note) for the claim page: the recorded matches, else a search; when the
    search cannot answer, the imported fact-checks linked to the claim, and a note saying
    why. An unexpected failure is logged once and matching is left alone for
    ``RETRY_AFTER`` seconds, so the busiest page keeps serving the claim."""
    stored = recorded_matches(session, claim_id, k)
    if stored:
        return stored, ""
    if _broken["until"] > time.monotonic():
        return linked_fact_checks(session, claim_id), str(_broken["note"])
    try:
        return match_text(settings, session, text, k=k, language=language), ""
    except FactdeskError as exc:
        return linked_fact_checks(session, claim_id), str(exc)
    except Exception as exc:  # the page still serves the claim when matching breaks
        log.exception("matching failed; not retried for %s s", RETRY_AFTER)
        _broken.update(
            until=time.monotonic() + RETRY_AFTER, note=f"matching failed: {type(exc).__name__}"
        )
        return linked_fact_checks(session, claim_id), str(_broken["note"])


# --- "has this been checked?" -----------------------------------------------------------------


CHECK_MAX_TEXT = 5000  # characters a "has this been checked?" question may have


def check_text(settings: Settings, session: Session, text: str, k: int = 5) -> CheckResult:
    """Has ``text`` been checked? The fact-checks (ours and other publishers') that may
    answer it, best first (at most ``k``, 1-20), as the partner API asks."""
    text = text.strip()
    if not text:
        raise InputError("send the text to check", where="text")
    if len(text) > CHECK_MAX_TEXT:
        raise InputError(f"at most {CHECK_MAX_TEXT} characters", where="text")
    found = match_text(settings, session, text, k=max(1, min(k, 20)))
    return CheckResult("matcher", tuple(found))
