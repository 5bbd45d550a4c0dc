"""Fixtures for the service tests: cheap password hashing and a fresh rate-limit secret, as
for the web tests (the seeding helpers live in ``tests/web/conftest.py``)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from factdesk.services import accounts, ratelimit


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its real cost takes ~50 ms a hash; tests use the cheapest parameters."""
    monkeypatch.setattr(
        accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    ratelimit.forget_secret()
