"""pipeline: the job table, and polling state on sources

Revision ID: 0011_pipeline
Revises: 0010_research

``pipeline_jobs`` holds every stage of the pipeline (ingest, detect, link, match) over a batch
of ids, claimed by conditional update; sources gain their polling interval, the count of
failures in a row, when the next fetch is due and why a failing source was paused.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import factdesk.store.models

revision = "0011_pipeline"
down_revision = "0010_research"
branch_labels = None
depends_on = None

UTC = factdesk.store.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "pipeline_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", UTC(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", UTC(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("finished_at", UTC(timezone=True), nullable=True),
        sa.Column("wait_seconds", sa.Float(), nullable=True),
        sa.Column("run_seconds", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_jobs")),
    )
    op.create_index(
        "ix_pipeline_jobs_status_run_after", "pipeline_jobs", ["status", "run_after"], unique=False
    )
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("fetch_interval", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("failures", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_fetch_at", UTC(timezone=True), nullable=True))
        batch.add_column(sa.Column("paused_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("paused_reason")
        batch.drop_column("next_fetch_at")
        batch.drop_column("failures")
        batch.drop_column("fetch_interval")
    op.drop_index("ix_pipeline_jobs_status_run_after", table_name="pipeline_jobs")
    op.drop_table("pipeline_jobs")
