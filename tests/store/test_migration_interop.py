"""Migration 0009_interop: legacy webhook secrets keep their HMAC key in Standard form."""

from __future__ import annotations

import base64
from pathlib import Path

from alembic import command
from sqlalchemy import text

from factdesk.publish.signing import secret_key
from factdesk.store.db import _alembic_config, current_revisions, make_engine, upgrade


def test_0009_re_encodes_legacy_secrets_keeping_their_key(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'legacy.db'}")
    try:
        upgrade(engine)
        command.downgrade(_alembic_config(engine), "0009_interop-1")
        assert "0009_interop" not in current_revisions(engine)
        legacy = "whsec_" + "A-b_" * 10  # token_urlsafe form: not standard base64
        too_long = "x" * 150  # a hand-given secret whose encoding would not fit
        with engine.begin() as conn:
            for number, secret in enumerate((legacy, too_long), start=1):
                conn.execute(
                    text(
                        "INSERT INTO webhooks (id, url, secret, events, active, created_at) "
                        "VALUES (:id, 'https://r.example/h', :secret, '[\"*\"]', 1, "
                        "'2026-01-01 00:00:00')"
                    ),
                    {"id": number, "secret": secret},
                )
        upgrade(engine)
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT id, secret FROM webhooks")).all())
            active = dict(conn.execute(text("SELECT id, active FROM webhooks")).all())
        assert secret_key(rows[1]) == legacy.encode()  # same key bytes, standard form
        assert rows[1] == "whsec_" + base64.b64encode(legacy.encode()).decode()
        assert len(secret_key(rows[2])) == 32 and not active[2]  # re-issued and paused
        assert active[1]
        command.downgrade(_alembic_config(engine), "0009_interop-1")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT secret FROM webhooks WHERE id = 1")).scalar() == legacy
    finally:
        engine.dispose()
