"""claim matching: claim_matches

Revision ID: 0005_matching
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import factdesk.store.models

revision = "0005_matching"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = factdesk.store.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "claim_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("fact_check_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_matches_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fact_check_id"],
            ["fact_checks.id"],
            name=op.f("fk_claim_matches_fact_check_id_fact_checks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_matches")),
        sa.UniqueConstraint("claim_id", "fact_check_id", name="uq_claim_matches_claim_fc"),
    )
    with op.batch_alter_table("claim_matches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_matches_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_claim_matches_fact_check_id"), ["fact_check_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("claim_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_matches_fact_check_id"))
        batch_op.drop_index(batch_op.f("ix_claim_matches_claim_id"))
    op.drop_table("claim_matches")
