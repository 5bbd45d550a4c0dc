"""claim key: the wording a claim was opened with, unique among live claims

Revision ID: 0012_claim_key
Revises: 0011_pipeline

Two worker processes detecting at the same moment could each open a claim for the same new
wording. ``claims.wording_key`` (``factdesk.detect.wording.wording_key`` of the claim's text)
is unique among live claims (a partial unique index, ``WHERE merged_into_id IS NULL``, on
SQLite and PostgreSQL alike), and detection inserts new claims ``ON CONFLICT DO NOTHING``
and joins the one that won. Existing live claims get their key here, the oldest claim of a
wording first; a later twin of the same wording (left by the old race) keeps none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from factdesk.detect.wording import wording_key

revision = "0012_claim_key"
down_revision = "0011_pipeline"
branch_labels = None
depends_on = None

LIVE = sa.text("merged_into_id IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("wording_key", sa.String(length=40), nullable=True))
    claims = sa.table(
        "claims",
        sa.column("id", sa.Integer),
        sa.column("text", sa.Text),
        sa.column("merged_into_id", sa.Integer),
        sa.column("wording_key", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(claims.c.id, claims.c.text)
        .where(claims.c.merged_into_id.is_(None))
        .order_by(claims.c.id)
    ).all()
    seen: set[str] = set()
    keys = []
    for claim_id, text in rows:
        key = wording_key(text or "")
        if key not in seen:
            seen.add(key)
            keys.append({"cid": claim_id, "key": key})
    if keys:
        conn.execute(
            claims.update()
            .where(claims.c.id == sa.bindparam("cid"))
            .values(wording_key=sa.bindparam("key")),
            keys,
        )
    op.create_index(
        "uq_claims_wording_key_live",
        "claims",
        ["wording_key"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_claims_wording_key_live", table_name="claims")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("wording_key")
