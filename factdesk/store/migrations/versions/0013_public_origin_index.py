"""public origin index: the public lists find our public fact-checks without reading rows

Revision ID: 0013_public_origin_index
Revises: 0012_claim_key

Every public read filters ``fact_checks`` on ``origin = 'local'`` and a public status, and
orders by ``date_published`` (the index, the API list, the feeds' candidates, the sitemap,
the public cache's look at what changed). Imported fact-checks (other publishers'
ClaimReview) share the table and can outnumber ours by far; without an index on ``origin``
each list read every row to check it. ``ix_fact_checks_public`` on ``(origin, status,
date_published, id)`` holds everything the list's first query reads, so it is answered
from the index alone, newest first within each status, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from alembic import op

revision = "0013_public_origin_index"
down_revision = "0012_claim_key"
branch_labels = None
depends_on = None

COLUMNS = ["origin", "status", "date_published", "id"]


def upgrade() -> None:
    op.create_index("ix_fact_checks_public", "fact_checks", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_fact_checks_public", table_name="fact_checks")
