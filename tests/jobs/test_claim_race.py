"""Two worker processes detecting the same new wordings at the same moment open ONE claim
for each (``claims.wording_key`` is unique among live claims; detection inserts ``ON
CONFLICT DO NOTHING`` and joins the claim that won).

Each process loads its model and an empty claim index, then both wait at a barrier; released
together, each claims one detect job whose items carry the same new sentences. Neither index
has seen the other's claims, so without the key both would open every claim (the race the
linking stage used to repair). SQLite by default, PostgreSQL when
FACTDESK_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

import factdesk
from factdesk.services import jobtable
from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.store.jobtable import PipelineJob

ROOT = Path(factdesk.__file__).resolve().parents[1]
SUBJECTS = ["Petrol prices", "Rice prices", "Electricity bills", "Bus fares", "Water bills"]
CURES = ["hot lemon water", "garlic tea", "salt water", "ginger juice"]
ILLS = ["cancer", "diabetes", "the flu", "asthma"]
PER_JOB = 60

# One worker process: load the model and claim index, say so, wait for the barrier, then run
# one due job exactly as a worker thread does (claim, run, finish).
SCRIPT = """
import sys, time
from pathlib import Path
from factdesk.services import pipeline
from factdesk.settings import Settings
from factdesk.store.db import make_engine, session_factory
settings = Settings()
stages = pipeline.Stages(settings, session_factory(make_engine(settings.effective_database_url)))
stages.warm()
Path(sys.argv[1]).touch()
while not Path(sys.argv[2]).exists():
    time.sleep(0.001)
print(pipeline.drain(stages, max_jobs=1))
"""


def _sentences() -> list[str]:
    said = [f"{s} will rise by {n} percent next month." for s in SUBJECTS for n in (10, 30)]
    said += [f"Drinking {c} cures {i} in 3 days." for c in CURES for i in ILLS]
    return said


def _items(db: sessionmaker[Session]) -> tuple[list[int], list[int]]:
    """Two batches of items saying the same sentences, in the same order."""
    said = _sentences()
    halves: list[list[int]] = [[], []]
    with transaction(db) as session:
        for half in (0, 1):
            for n in range(PER_JOB):
                item = m.Item(
                    dedupe_key=f"race-{half}-{n}",
                    text=said[n % len(said)],
                    language="en",
                    content_hash=f"{half}-{n}",
                )
                session.add(item)
                session.flush()
                halves[half].append(item.id)
    return halves[0], halves[1]


def _run_two(database_url: str, tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")},
        "PYTHONPATH": str(ROOT),
        "OMP_NUM_THREADS": "1",
        "FACTDESK_DATABASE_URL": database_url,
        "FACTDESK_DATA_DIR": str(tmp_path / "data"),
        "FACTDESK_CLUSTER_DENSE": "false",
        "FACTDESK_QUEUE_NAME": f"race_{uuid.uuid4().hex[:10]}",
    }
    go = tmp_path / "go"
    ready = [tmp_path / f"ready{i}" for i in (0, 1)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(ready[i]), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in (0, 1)
    ]
    deadline = time.monotonic() + 120
    while not all(r.exists() for r in ready):
        assert all(p.poll() is None for p in procs), [p.stderr.read() for p in procs if p.stderr]
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.02)
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err.decode()[-2000:] for _, err in outs]
    assert sorted(int(out.split()[-1]) for out, _ in outs) == [1, 1]  # one job each


def test_two_workers_open_one_claim_per_new_wording(
    engine: Engine, db: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    first, second = _items(db)
    with transaction(db) as session:
        jobtable.enqueue(session, "detect", first, batch=PER_JOB)
        jobtable.enqueue(session, "detect", second, batch=PER_JOB)
    _run_two(database_url, tmp_path)
    with db() as session:
        jobs = session.scalars(select(PipelineJob.status).where(PipelineJob.kind == "detect"))
        assert list(jobs) == ["done", "done"]
        live = session.execute(
            select(m.Claim.id, m.Claim.text, m.Claim.mention_count).where(
                m.Claim.merged_into_id.is_(None)
            )
        ).all()
        mentions = session.execute(select(m.Mention.item_id, m.Mention.claim_id)).all()
        undetected = session.scalars(select(m.Item.id).where(m.Item.detected_at.is_(None)))
        assert not list(undetected)
    wordings = Counter(c.text for c in live)
    assert live and max(wordings.values()) == 1, wordings.most_common(3)
    per_claim = Counter(r.claim_id for r in mentions)
    assert set(per_claim) <= {c.id for c in live}
    assert all(per_claim[c.id] == c.mention_count for c in live)  # both batches counted
    # each sentence's two items (one per batch) are mentions of the same claim
    by_item = {r.item_id: r.claim_id for r in mentions}
    pairs = [(by_item.get(a), by_item.get(b)) for a, b in zip(first, second, strict=True)]
    assert all(a == b for a, b in pairs), pairs
