"""The pipeline's stages as jobs, run in the foreground (``pipeline.drain``) on the real test
database: a source polled on schedule flows through ingest → detect → link → match, a job
run twice changes nothing, and the sweep catches up what no job covers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import detect, jobtable, pipeline
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.store.jobtable import PipelineJob
from tests.services.detecting import LEMON_EN, LEMON_VI, PETROL, FakeDense, keyword_model
from tests.services.pipelining import add_source, write_feed


@pytest.fixture
def stages(settings: Settings, db: sessionmaker[Session], tmp_path: Path) -> pipeline.Stages:
    settings = settings.model_copy(update={"cluster_dense": False, "pipeline_batch": 2})
    return pipeline.Stages(settings, db, model=keyword_model(tmp_path))


def _count(db: sessionmaker[Session], what: object) -> int:
    with db() as session:
        return int(session.scalar(select(func.count()).select_from(what)) or 0)  # type: ignore[arg-type]


def _statuses(db: sessionmaker[Session]) -> dict[str, int]:
    with db() as session:
        return {k: v for k, v in jobtable.counts(session).items() if v}


def test_pipeline_polls_a_due_source_and_runs_every_stage(
    stages: pipeline.Stages, db: sessionmaker[Session], tmp_path: Path
) -> None:
    feed = write_feed(
        tmp_path / "a.xml",
        [("1", LEMON_EN), ("2", PETROL), ("3", "Good night."), ("4", LEMON_EN + " Share it!")],
    )
    add_source(db, feed)
    swept = pipeline.sweep(stages.settings, db, linking=False)
    assert swept.polls == 1 and swept.made == swept.due
    assert pipeline.drain(stages) >= 3  # ingest, two detect jobs (batch 2), matches
    assert _statuses(db) == {"done": _count(db, PipelineJob)}
    with db() as session:
        assert session.scalar(select(func.count()).where(m.Item.detected_at.is_(None))) == 0
        kinds = [j.kind for j in jobtable.list_jobs(session)]
        source = session.scalars(select(m.Source)).one()
    assert kinds.count("ingest") == 1 and kinds.count("detect") == 2 and "match" in kinds
    assert _count(db, m.Item) == 4 and _count(db, m.Mention) == 3 and _count(db, m.Claim) == 2
    assert source.next_fetch_at is not None and source.failures == 0
    # not due again until its interval has passed: the next sweep polls nothing
    assert pipeline.sweep(stages.settings, db, linking=False).polls == 0


def test_pipeline_job_run_twice_after_a_crash_duplicates_nothing(
    stages: pipeline.Stages, db: sessionmaker[Session], tmp_path: Path
) -> None:
    add_source(db, write_feed(tmp_path / "a.xml", [("1", LEMON_EN), ("2", PETROL)]))
    pipeline.sweep(stages.settings, db, linking=False)
    for kind in ("ingest", "detect"):
        job = jobtable.claim_next(db, "doomed", kinds=(kind,))
        assert job is not None
        stages.run(job)  # the work commits; the worker "dies" before marking the job done
        with transaction(db) as session:
            session.execute(update(PipelineJob).values(claimed_at=m.utcnow().replace(year=2000)))
        assert jobtable.requeue_stale(stages.settings, db) == 1
        pipeline.drain(stages, max_jobs=1)
        if kind == "ingest":
            # the re-run asks for the same next stage, though it stored nothing new
            with db() as session:
                assert [j.kind for j in jobtable.list_jobs(session, status="queued")] == ["detect"]
    pipeline.drain(stages)
    assert _count(db, m.Item) == 2 and _count(db, m.Mention) == 2 and _count(db, m.Claim) == 2
    assert set(_statuses(db)) == {"done"}


def test_link_stage_merges_translations_and_queues_matching(
    stages: pipeline.Stages,
    db: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(detect, "dense_encoder", lambda settings, model: FakeDense())
    stages.settings = stages.settings.model_copy(update={"cluster_dense": True})
    add_source(db, write_feed(tmp_path / "a.xml", [("1", LEMON_EN), ("2", LEMON_VI)]))
    assert stages.linking
    pipeline.sweep(stages.settings, db, linking=True)
    pipeline.drain(stages)
    with db() as session:
        live = session.scalars(select(m.Claim).where(m.Claim.merged_into_id.is_(None))).all()
        kinds = {j.kind for j in jobtable.list_jobs(session)}
    assert len(live) == 1 and live[0].mention_count == 2 and live[0].linked_at is not None
    assert kinds == {"ingest", "detect", "link", "match"}


def test_sweep_catches_up_items_no_job_covers_once(
    stages: pipeline.Stages, db: sessionmaker[Session]
) -> None:
    with transaction(db) as session:
        for n, text in enumerate([LEMON_EN, PETROL, "Nothing here."]):
            session.add(m.Item(dedupe_key=f"k{n}", text=text, language="en", content_hash=f"h{n}"))
    first = pipeline.sweep(stages.settings, db, linking=False)
    assert len(first.made) == 2  # three items, two per job
    assert pipeline.sweep(stages.settings, db, linking=False).made == []  # already covered
    pipeline.drain(stages)
    assert _count(db, m.Mention) == 2


def test_failing_job_is_retried_then_dead(
    stages: pipeline.Stages, db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    stages.settings = stages.settings.model_copy(update={"job_max_attempts": 1})
    with transaction(db) as session:
        jobtable.enqueue(session, "match", [1], batch=1)

    def broken(*_args: object) -> int:
        raise RuntimeError("index unreadable")

    monkeypatch.setattr(pipeline.match, "match_new_claims", broken)
    with transaction(db) as session:
        session.add(m.Claim(text="x", score=0.5, mention_count=1))
    pipeline.drain(stages)
    with db() as session:
        (dead,) = jobtable.list_jobs(session, status="dead")
    assert dead.last_error == "RuntimeError: index unreadable"
