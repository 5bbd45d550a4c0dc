"""newsroom: corrections under review, citation overrides, curated appearances, drafts

Revision ID: 0008_newsroom
Revises: 0006_claim_links, 0003_web (it alters citations)

A correction that changes the verdict waits in ``fact_check_corrections`` for a second
editor while the published row stays as it is; ``citations.override_reason`` records why
an editor kept a quote its archived copy does not contain; ``appearance_marks`` holds the
editors' choice of which links where a claim appeared are public; ``user_drafts`` keeps
typed text that has not been saved yet.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import factdesk.store.models

revision = "0008_newsroom"
down_revision = ("0006_claim_links", "0003_web")  # 0003_web: citations, users
branch_labels = None
depends_on = None

UTC = factdesk.store.models.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("citations") as batch:
        batch.add_column(sa.Column("override_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("override_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_citations_override_by_id_users",
            "users",
            ["override_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "fact_check_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fact_check_id", sa.Integer(), nullable=False),
        sa.Column("pending_of", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("decided_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["fact_check_id"],
            ["fact_checks.id"],
            name="fk_fact_check_corrections_fact_check_id_fact_checks",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name="fk_fact_check_corrections_author_id_users",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name="fk_fact_check_corrections_reviewer_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_fact_check_corrections"),
        sa.UniqueConstraint("pending_of", name="uq_fact_check_corrections_pending_of"),
    )
    op.create_index(
        "ix_fact_check_corrections_fact_check_id", "fact_check_corrections", ["fact_check_id"]
    )
    op.create_table(
        "appearance_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name="fk_appearance_marks_claim_id_claims",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["users.id"],
            name="fk_appearance_marks_marked_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_appearance_marks"),
        sa.UniqueConstraint("claim_id", "url_hash", name="uq_appearance_marks_claim_url"),
    )
    op.create_index("ix_appearance_marks_claim_id", "appearance_marks", ["claim_id"])
    op.create_table(
        "user_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("fact_check_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("saved_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_user_drafts_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["fact_check_id"],
            ["fact_checks.id"],
            name="fk_user_drafts_fact_check_id_fact_checks",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_user_drafts"),
        sa.UniqueConstraint(
            "user_id", "fact_check_id", "form", name="uq_user_drafts_user_fc_form"
        ),
    )
    op.create_index("ix_user_drafts_user_id", "user_drafts", ["user_id"])
    op.create_index("ix_user_drafts_fact_check_id", "user_drafts", ["fact_check_id"])


def downgrade() -> None:
    op.drop_table("user_drafts")
    op.drop_table("appearance_marks")
    op.drop_table("fact_check_corrections")
    with op.batch_alter_table("citations") as batch:
        batch.drop_constraint("fk_citations_override_by_id_users", type_="foreignkey")
        batch.drop_column("override_by_id")
        batch.drop_column("override_reason")
