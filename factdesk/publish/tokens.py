"""Read tokens for API partners.

A partner sends ``Authorization: Bearer fdt_...`` to read the desk's claims and ask "has
this been checked?". The token is shown once when created; only its SHA-256 is stored, so a
copy of the database cannot be used to read the API. Tokens read, never write: changes go
through a signed-in newsroom role.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from factdesk.errors import InputError, NotFound
from factdesk.store.db import rowcount
from factdesk.store.models import ApiToken

PREFIX = "fdt_"
TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is refreshed at most this often


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, name: str) -> tuple[ApiToken, str]:
    """A new token for the partner ``name``; returns the row and the token (shown once)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("name the partner in 1-200 characters", where="name")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(token_hash=token_hash(token), name=name, created_at=datetime.now(UTC))
    session.add(row)
    session.flush()
    return row, token


def revoke_token(session: Session, token_id: int) -> None:
    changed = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    if rowcount(changed) != 1:
        raise NotFound(f"no active API token {token_id}")


def list_tokens(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "id": t.id,
            "name": t.name,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
        }
        for t in session.scalars(select(ApiToken).order_by(ApiToken.id))
    ]


def check_token(session: Session, token: str) -> ApiToken | None:
    """The active token row for ``token``, or None. Notes the use (at most every few
    minutes, so reading the API does not write on every request)."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is not None:
        now = datetime.now(UTC)
        if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
            session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return row
