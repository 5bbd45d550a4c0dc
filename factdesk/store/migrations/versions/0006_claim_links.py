"""claim linking: claims.linked_at, similar_id, similar_score

Revision ID: 0006_claim_links
Revises: 0001

Linking (multilingual-e5, per claim) moved out of the per-mention path; ``linked_at`` says
which claims it has encoded. Claims that exist already were grouped by the earlier in-line
stage, so they count as linked from their creation. ``similar_id`` / ``similar_score``
keep the claim linking found close but not close enough, for an editor to judge.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import factdesk.store.models

revision = "0006_claim_links"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = factdesk.store.models.UTCDateTime


def upgrade() -> None:
    op.add_column("claims", sa.Column("linked_at", UTC(timezone=True), nullable=True))
    op.create_index("ix_claims_linked_at", "claims", ["linked_at"])
    op.add_column("claims", sa.Column("similar_id", sa.Integer(), nullable=True))
    op.create_index("ix_claims_similar_id", "claims", ["similar_id"])
    op.add_column("claims", sa.Column("similar_score", sa.Float(), nullable=True))
    op.execute("UPDATE claims SET linked_at = created_at")


def downgrade() -> None:
    op.drop_index("ix_claims_linked_at", table_name="claims")
    op.drop_index("ix_claims_similar_id", table_name="claims")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("linked_at")
        batch.drop_column("similar_id")
        batch.drop_column("similar_score")
