"""research desk: library sources, versions (archived documents), passage offsets, passage citations

Revision ID: 0010_research
Revises: 0006_claim_links, 0003_web

A library source (``library_sources``) is a URL or a file; each archived copy of it is an
``evidence_documents`` row (``library_source_id``, ``version``), so the public archive pages
serve library versions like any other archived copy. ``passages`` gain their character
offsets in the document's text, and a citation of a passage keeps the passage and where the
quote sits (``quote_start``/``quote_end``) beside the document and hash it already keeps.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import factdesk.store.models

revision = "0010_research"
down_revision = ("0006_claim_links", "0003_web")  # citations come from 0003_web
branch_labels = None
depends_on = None

UTC = factdesk.store.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "library_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=2000), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("publisher", sa.String(length=300), nullable=True),
        sa.Column("published", sa.String(length=10), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_sources")),
        sa.UniqueConstraint("location", name=op.f("uq_library_sources_location")),
    )
    op.create_index(
        op.f("ix_library_sources_withdrawn"), "library_sources", ["withdrawn"], unique=False
    )
    with op.batch_alter_table("evidence_documents") as batch:
        batch.add_column(sa.Column("library_source_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_evidence_documents_library_source_id_library_sources"),
            "library_sources",
            ["library_source_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(
            op.f("ix_evidence_documents_library_source_id"), ["library_source_id"], unique=False
        )
    with op.batch_alter_table("passages") as batch:
        batch.add_column(sa.Column("start", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("end", sa.Integer(), nullable=True))
    with op.batch_alter_table("citations") as batch:
        batch.add_column(sa.Column("passage_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("quote_start", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("quote_end", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_citations_passage_id_passages"),
            "passages",
            ["passage_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_citations_passage_id"), ["passage_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("citations") as batch:
        batch.drop_index(op.f("ix_citations_passage_id"))
        batch.drop_constraint(op.f("fk_citations_passage_id_passages"), type_="foreignkey")
        batch.drop_column("quote_end")
        batch.drop_column("quote_start")
        batch.drop_column("passage_id")
    with op.batch_alter_table("passages") as batch:
        batch.drop_column("end")
        batch.drop_column("start")
    with op.batch_alter_table("evidence_documents") as batch:
        batch.drop_index(op.f("ix_evidence_documents_library_source_id"))
        batch.drop_constraint(
            op.f("fk_evidence_documents_library_source_id_library_sources"), type_="foreignkey"
        )
        batch.drop_column("version")
        batch.drop_column("library_source_id")
    op.drop_index(op.f("ix_library_sources_withdrawn"), table_name="library_sources")
    op.drop_table("library_sources")
