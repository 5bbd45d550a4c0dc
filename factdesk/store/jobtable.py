"""The pipeline's job table: the source of truth behind the queue's doorbells.

A module of its own only because ``models.py`` is at the size cap; ``models`` imports it at
its end, so ``Base.metadata`` always has the table. See ``services.jobtable`` for the
lifecycle (queued → running → done, or back to queued with a backoff, or dead).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from factdesk.store.models import Base, utcnow


class PipelineJob(Base):
    """One stage of the pipeline over a batch of ids (sources, items or claims)."""

    __tablename__ = "pipeline_jobs"
    __table_args__ = (Index("ix_pipeline_jobs_status_run_after", "status", "run_after"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # ingest | detect | link | match
    payload: Mapped[list[Any]]  # the ids the job works on
    status: Mapped[str] = mapped_column(String(12), default="queued")  # queued|running|done|dead
    attempts: Mapped[int] = mapped_column(default=0)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    wait_seconds: Mapped[float | None] = mapped_column(
        Float
    )  # from due to the claim that finished it
    run_seconds: Mapped[float | None] = mapped_column(Float)  # the finishing attempt's running time
