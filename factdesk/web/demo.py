"""Demo accounts for ``factdesk demo``: one per role, with fresh random passwords each run
(printed once by the demo), so a demo database never carries a known password."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdesk.services.accounts import HASHER
from factdesk.store.models import User
from factdesk.workflow import Role

DEMO_USERS = (
    ("admin", Role.ADMIN),
    ("editor", Role.EDITOR),
    ("checker", Role.CHECKER),
    ("viewer", Role.VIEWER),
)


def ensure_demo_users(session: Session) -> list[tuple[str, str, str]]:
    """Create (or reset) the demo accounts; returns (username, password, role) for each."""
    accounts = []
    for username, role in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            session.add(
                User(username=username, password_hash=HASHER.hash(password), role=role.value)
            )
        else:
            user.password_hash, user.role, user.active = HASHER.hash(password), role.value, True
        accounts.append((username, password, role.value))
    session.flush()
    return accounts
