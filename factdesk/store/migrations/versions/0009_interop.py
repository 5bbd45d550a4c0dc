"""interop: fact_checks.date_published_offset; webhook secrets in Standard Webhooks form

Revision ID: 0009_interop
Revises: 0006_claim_links

1. ``date_published_offset``: the UTC offset (minutes) a publisher wrote the publication
   date in. The timestamp stays UTC (ordering and comparisons), the offset gives back the
   date as written: a review published at 00:30 in Delhi is dated the 1st, not the 30th.
2. Webhook secrets. Deliveries are now signed the Standard Webhooks way: the HMAC key is
   the base64 payload of ``whsec_<base64>``. Until now the key was the UTF-8 bytes of the
   whole secret string. Each stored secret ``S`` becomes ``whsec_`` + base64(UTF-8 of S):
   the key bytes stay exactly what they were, and a receiver derives its new secret string
   from the one it has (docs/publishing.md, "For existing receivers") or gets a fresh one
   with ``factdesk webhooks rotate-secret ID``. A legacy secret over 144 characters (only
   possible when given by hand) does not fit the column once encoded: its webhook is
   paused with a fresh random secret, for an admin to rotate and resume. Downgrade
   restores the old strings (the key bytes are the old string). Where the
   webhooks table does not exist yet (0004_publish, a sibling head, runs later on a fresh
   database) there is nothing to convert.
"""

from __future__ import annotations

import base64
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009_interop"
down_revision = "0006_claim_links"
branch_labels = None
depends_on = None

_WEBHOOKS = sa.table(
    "webhooks",
    sa.column("id", sa.Integer),
    sa.column("secret", sa.String),
    sa.column("active", sa.Boolean),
)


def upgrade() -> None:
    op.add_column("fact_checks", sa.Column("date_published_offset", sa.Integer(), nullable=True))
    if not sa.inspect(op.get_bind()).has_table("webhooks"):
        return
    bind = op.get_bind()
    for hook_id, secret in bind.execute(sa.select(_WEBHOOKS.c.id, _WEBHOOKS.c.secret)).all():
        encoded = "whsec_" + base64.b64encode(secret.encode("utf-8")).decode("ascii")
        values: dict[str, object] = {"secret": encoded}
        if len(encoded) > 200:
            fresh = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
            values = {"secret": "whsec_" + fresh, "active": False}
        bind.execute(_WEBHOOKS.update().where(_WEBHOOKS.c.id == hook_id).values(**values))


def downgrade() -> None:
    bind = op.get_bind()
    if not sa.inspect(bind).has_table("webhooks"):
        op.drop_column("fact_checks", "date_published_offset")
        return
    for hook_id, secret in bind.execute(sa.select(_WEBHOOKS.c.id, _WEBHOOKS.c.secret)).all():
        try:
            legacy = base64.b64decode(secret.removeprefix("whsec_"), validate=True).decode("utf-8")
        except ValueError:
            continue  # issued after the upgrade: no legacy form to return to
        if 16 <= len(legacy) <= 200:
            bind.execute(
                _WEBHOOKS.update().where(_WEBHOOKS.c.id == hook_id).values(secret=legacy)
            )
    op.drop_column("fact_checks", "date_published_offset")
