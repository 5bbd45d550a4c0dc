"""The claim index's refresh and mentions that become visible out of id order: on
PostgreSQL a batch drawn ids before another one and committed after it; the refresh that
saw the later batch must still pick up the earlier one when it appears."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.services import pipeline
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from tests.services.detecting import LEMON_EN, PETROL, keyword_model


@pytest.fixture
def stages(settings: Settings, db: sessionmaker[Session], tmp_path: Path) -> pipeline.Stages:
    settings = settings.model_copy(update={"cluster_dense": False})
    return pipeline.Stages(settings, db, model=keyword_model(tmp_path))


def _mention(db: sessionmaker[Session], mention_id: int, text: str) -> None:
    """A mention with the given id, as another worker's committed batch would leave it."""
    with transaction(db) as session:
        item = m.Item(
            dedupe_key=f"k{mention_id}", text=text, language="en", content_hash=f"h{mention_id}"
        )
        claim = m.Claim(text=text, score=0.9, mention_count=1, language="en")
        session.add_all([item, claim])
        session.flush()
        session.add(
            m.Mention(
                id=mention_id, item_id=item.id, claim_id=claim.id, text=text, start=0,
                end=len(text), score=0.9, language="en",
            )
        )  # fmt: skip


def test_a_batch_committed_after_a_later_numbered_one_still_reaches_the_index(
    stages: pipeline.Stages, db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = stages._detection()
    base = state.mention_mark
    learned: list[str] = []
    add = state.index.add

    def spy(key: Any, vectors: Any, languages: Any) -> None:
        learned.append(state_text[key])
        add(key, vectors, languages)

    monkeypatch.setattr(state.index, "add", spy)
    _mention(db, base + 3, PETROL)  # the later batch commits first
    with db() as session:
        state_text = {c.id: c.text for c in session.scalars(select(m.Claim))}
    stages._refresh(state)
    assert learned == [PETROL] and state.mention_mark == base + 3
    assert state.gaps.ids() == [base + 1, base + 2]

    _mention(db, base + 1, LEMON_EN)  # the earlier one commits now, below the mark
    with db() as session:
        state_text = {c.id: c.text for c in session.scalars(select(m.Claim))}
    stages._refresh(state)
    assert learned == [PETROL, LEMON_EN]
    assert state.gaps.ids() == [base + 2]  # still open (or rolled back): looked for again
    stages._refresh(state)
    assert learned == [PETROL, LEMON_EN]  # nothing learned twice
    with db() as session:
        assert session.scalar(select(func.count()).select_from(m.Mention)) == 2


def test_gaps_are_forgotten_when_found_expired_or_too_many(monkeypatch: pytest.MonkeyPatch) -> None:
    gaps = pipeline._Gaps()
    gaps.note(1, 5, {1, 4}, now=0.0)
    assert gaps.ids() == [2, 3, 5]
    gaps.note(6, 6, {3, 6}, now=10.0)  # 3 appeared
    assert gaps.ids() == [2, 5]
    gaps.note(7, 8, {7}, now=pipeline.GAP_WAIT + 5.0)  # 2 and 5 waited too long: rolled back
    assert gaps.ids() == [8]
    monkeypatch.setattr(pipeline, "MAX_GAPS", 3)
    gaps.note(9, 12, set(), now=pipeline.GAP_WAIT + 6.0)
    assert gaps.ids() == [10, 11, 12]  # the oldest first (8), then the lowest ids
    gaps.note(13, 13 + 10, set(), now=pipeline.GAP_WAIT + 7.0)  # a range wider than the cap
    assert gaps.ids() == [21, 22, 23]
