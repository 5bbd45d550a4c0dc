"""What the detection and claims service tests share: a keyword model that flags four
sentences, items to detect, a stand-in for multilingual-e5, a false fact-check."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from factdesk.detect.model import CheckWorthinessModel, write_keyword_model
from factdesk.services import detect
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.types import DetectReport

LEMON_EN = "Hot lemon water cures cancer in three days."
LEMON_VI = "Nước chanh nóng chữa khỏi ung thư trong ba ngày."
PETROL = "Petrol prices will double next month."
GREETING = "Good morning to all our readers"


def keyword_model(folder: Path) -> CheckWorthinessModel:
    write_keyword_model(folder / "model", [LEMON_EN, LEMON_VI, PETROL, GREETING])
    return CheckWorthinessModel(folder / "model")


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def add_item(
    factory: sessionmaker[Session],
    key: str,
    text: str,
    when: str | None,
    language: str = "en",
    source: int | None = None,
) -> int:
    with transaction(factory) as session:
        item = m.Item(
            dedupe_key=key,
            text=text,
            language=language,
            content_hash=key,
            published_at=day(when) if when else None,
            source_id=source,
        )
        session.add(item)
        session.flush()
        return item.id


def run(
    settings: Settings, db: sessionmaker[Session], model: CheckWorthinessModel, **kw: object
) -> DetectReport:
    """``detect`` with the static stage only and no matching."""
    settings.cluster_dense = False  # the transformer stage is tested with a fake encoder
    return detect.detect(settings, db, model=model, match=False, **kw)  # type: ignore[arg-type]


class FakeDense:
    """A deterministic stand-in for multilingual-e5: translations share a vector."""

    dim = 3

    def encode(self, texts: list[str], languages: list[str | None]) -> np.ndarray:
        out = np.zeros((len(texts), 3), dtype=np.float32)
        for i, text in enumerate(texts):
            lower = text.lower()
            out[i] = [1, 0, 0] if ("lemon" in lower or "chanh" in lower) else [0, 1, 0]
        return out


def false_check(
    factory: sessionmaker[Session], claim_id: int, published: str = "2026-01-10"
) -> None:
    with transaction(factory) as session:
        session.add(
            m.FactCheck(
                dedupe_key="fc",
                claim_reviewed=LEMON_EN,
                rating_label="False",
                claim_id=claim_id,
                content_hash="x",
                date_published=day(published),
            )
        )
