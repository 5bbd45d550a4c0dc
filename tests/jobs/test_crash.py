"""Crash safety of the pipeline: a real ``factdesk worker`` process is killed with SIGKILL
while it runs an ingest, a detect or a link job (the stage chosen in turn, the moment at
random), then a fresh worker finishes. Checked after every trial: no item lost, no mention
or claim duplicated, every claim's count equal to its mentions, every job done.

The default suite runs 2 trials; ``-m slow`` runs 20 (CI does; FACTDESK_CRASH_TRIALS=N
runs N). SQLite by default, PostgreSQL when FACTDESK_TEST_DATABASE_URL is set (the suite's database fixtures). Uses the
shipped check-worthiness model and, when installed, multilingual-e5 for the linking stage.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

import factdesk
from factdesk.detect.mentions import ItemText, extract_mentions
from factdesk.detect.model import CheckWorthinessModel
from factdesk.services import detect, jobtable
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import session_factory, transaction
from factdesk.store.jobtable import PipelineJob
from tests.services.pipelining import add_source, write_feed

ROOT = Path(factdesk.__file__).resolve().parents[1]
LEASE = 1.0
STAGES = ("ingest", "detect", "link")
# read at import: the suite's fixtures hide every FACTDESK_* variable from the tests
SLOW_TRIALS = int(os.environ.get("FACTDESK_CRASH_TRIALS", "20"))
SOURCES, PER_SOURCE = 3, 30
SUBJECTS = ["Petrol prices", "Rice prices", "Electricity bills", "Bus fares", "Rents in Hanoi"]
CURES = ["hot lemon water", "garlic tea", "salt water", "ginger juice"]
ILLS = ["cancer", "diabetes", "the flu", "high blood pressure"]
VI = ["Giá xăng sẽ tăng {n} phần trăm vào tháng tới.", "Uống nước chanh nóng chữa khỏi ung thư."]


def _post(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.4:
        n = rng.choice([10, 20, 30, 50])
        return f"{rng.choice(SUBJECTS)} will rise by {n} percent next month."
    if roll < 0.7:
        return f"Drinking {rng.choice(CURES)} cures {rng.choice(ILLS)} in {rng.randint(2, 5)} days."
    if roll < 0.8:
        return rng.choice(VI).format(n=rng.choice([10, 20, 30]))
    return rng.choice(["Good morning everyone!", "What a lovely day.", "I love this song."])


def _feeds(folder: Path, rng: random.Random) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_feed(folder / f"s{s}.xml", [(f"s{s}-{i}", _post(rng)) for i in range(PER_SOURCE)])
        for s in range(SOURCES)
    ]


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(m.Base.metadata.sorted_tables):
            conn.execute(table.delete())


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as err:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-c", "from factdesk.cli import main; main()", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _running_kind(db: sessionmaker[Session]) -> set[str]:
    with db() as session:
        return set(session.scalars(select(PipelineJob.kind).where(PipelineJob.status == "running")))


def _finished(db: sessionmaker[Session], linking: bool) -> bool:
    with db() as session:
        counts = jobtable.counts(session)
        undetected = session.scalar(select(func.count()).where(m.Item.detected_at.is_(None)))
        items = session.scalar(select(func.count()).select_from(m.Item))
        waiting = session.scalar(
            select(func.count()).where(
                m.Claim.linked_at.is_(None), m.Claim.merged_into_id.is_(None)
            )
        )
    return (
        not counts["queued"]
        and not counts["running"]
        and items == SOURCES * PER_SOURCE
        and not undetected
        and (not linking or not waiting)
    )


def _check(db: sessionmaker[Session], model: CheckWorthinessModel, trial: int) -> None:
    where = f"trial {trial}"
    with db() as session:
        items = session.execute(select(m.Item.id, m.Item.text, m.Item.language)).all()
        mentions = session.execute(
            select(m.Mention.item_id, m.Mention.start, m.Mention.end, m.Mention.claim_id)
        ).all()
        live = session.execute(
            select(m.Claim.id, m.Claim.text, m.Claim.language, m.Claim.mention_count).where(
                m.Claim.merged_into_id.is_(None)
            )
        ).all()
        jobs = jobtable.counts(session)
    # 0 items lost: every entry of every feed stored once (the key is unique)
    assert len(items) == SOURCES * PER_SOURCE, where
    # 0 mentions lost or duplicated: exactly the spans the model finds in each item
    found = extract_mentions([ItemText(t, lang) for _, t, lang in items], model)
    expected = Counter(
        (item_id, mention.start, mention.end)
        for (item_id, _, _), spans in zip(items, found, strict=True)
        for mention in spans
    )
    stored = Counter((r.item_id, r.start, r.end) for r in mentions)
    assert stored == expected, where
    # 0 claims duplicated: mentions point at live claims only, each claim counts exactly its
    # mentions (a detect job applied twice would count twice), no two live claims alike
    per_claim = Counter(r.claim_id for r in mentions)
    live_ids = {c.id for c in live}
    assert set(per_claim) <= live_ids, where
    assert all(per_claim[c.id] == c.mention_count for c in live), where
    wordings = Counter((c.text, c.language) for c in live)
    assert max(wordings.values()) == 1, (where, wordings.most_common(2))
    # every job done once in effect, none dead or left over
    assert jobs["dead"] == jobs["queued"] == jobs["running"] == 0, (where, jobs)


def _trials(
    count: int,
    settings: Settings,
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    stages: tuple[str, ...] = STAGES,
) -> None:
    """``count`` trials, each killing the worker during a job of the next of ``stages``."""
    rng = random.Random(int(os.environ.get("FACTDESK_CRASH_SEED", "16")))
    db = session_factory(engine)
    model = detect.load_model(settings)
    linking = detect.dense_encoder(settings, model) is not None
    stages = stages if linking else tuple(s for s in stages if s != "link")
    log = tmp_path / "workers.log"
    hits: Counter[str] = Counter()
    for trial in range(count):
        _empty(engine)
        for feed in _feeds(tmp_path / f"feeds{trial}", rng):
            add_source(db, feed)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")},
            "PYTHONPATH": str(ROOT),
            "OMP_NUM_THREADS": "1",
            "FACTDESK_DATABASE_URL": database_url,
            "FACTDESK_DATA_DIR": str(tmp_path / "data"),
            "FACTDESK_VECTOR_CACHE_DIR": str(tmp_path / f"vectors{trial}"),  # real encoding
            "FACTDESK_QUEUE": "sqlite",
            "FACTDESK_QUEUE_NAME": f"crash_{uuid.uuid4().hex[:10]}",
            "FACTDESK_JOB_LEASE_SECONDS": str(LEASE),
            "FACTDESK_PIPELINE_BATCH": "10",
            "FACTDESK_WORKER_THREADS": "2",
        }
        target = stages[trial % len(stages)]
        doomed = _worker(env, log)
        deadline = time.monotonic() + 90
        while target not in _running_kind(db):
            assert doomed.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"trial {trial}: no {target} job ran"
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.15))
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
        hits[target] += 1
        time.sleep(LEASE + 0.2)  # the fresh worker's start-up sweep finds the claim stale
        fresh = _worker(env, log)
        try:
            deadline = time.monotonic() + 120
            while not _finished(db, linking) and time.monotonic() < deadline:
                assert fresh.poll() is None, log.read_text()[-3000:]
                time.sleep(0.1)
        finally:
            fresh.send_signal(signal.SIGTERM)
            try:
                fresh.wait(timeout=30)
            except subprocess.TimeoutExpired:
                fresh.kill()
                fresh.wait()
        _check(db, model, trial)
    assert set(hits) == set(stages[:count]), hits


@pytest.fixture
def crash_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"vector_cache_dir": tmp_path / "vectors-check"})


def test_crash_worker_killed_twice_loses_and_duplicates_nothing(
    crash_settings: Settings, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    _trials(2, crash_settings, engine, database_url, tmp_path, stages=("detect", "link"))


@pytest.mark.slow
def test_crash_worker_killed_twenty_times_loses_and_duplicates_nothing(
    crash_settings: Settings, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    _trials(SLOW_TRIALS, crash_settings, engine, database_url, tmp_path)


def test_crash_check_sees_a_claim_counted_twice(
    crash_settings: Settings, db: sessionmaker[Session]
) -> None:
    """The checks above can fail: a detect job applied twice (a claim counting a mention
    twice) is caught. (A mention stored twice cannot be: ``(item_id, start)`` is unique.)"""
    text = "Petrol prices will rise by 10 percent next month."
    with transaction(db) as session:
        claim = m.Claim(text=text, language="en", score=0.9, mention_count=2)
        session.add(claim)
        for n in range(SOURCES * PER_SOURCE):
            words = text if n == 0 else "Hello."
            session.add(m.Item(dedupe_key=f"k{n}", text=words, language="en", content_hash=f"{n}"))
        session.flush()
        first = session.scalars(select(m.Item.id).order_by(m.Item.id)).first()
        model = detect.load_model(crash_settings)
        (spans,) = extract_mentions([ItemText(text, "en")], model)
        for span in spans:
            session.add(
                m.Mention(
                    item_id=first,
                    claim_id=claim.id,
                    text=span.text,
                    start=span.start,
                    end=span.end,
                    score=span.score,
                )
            )
    with pytest.raises(AssertionError):
        _check(db, model, 0)
